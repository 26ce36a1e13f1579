/** Checks of the Serverless usage-limit rows of shared/simulator/facts.md. */
import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import {
  CreateUsageLimitCommand,
  type CreateUsageLimitCommandInput,
  DeleteUsageLimitCommand,
  ListUsageLimitsCommand,
  ResourceNotFoundException,
  UpdateUsageLimitCommand,
  ValidationException,
} from '@aws-sdk/client-redshift-serverless';
import { expect } from 'vitest';
import { CloudWatchUsageAdapter } from '../../../../shared/aws/cloudwatch-usage.ts';
import { attachService } from '../../../../shared/simulation/aws-services.ts';
import { Prng } from '../../../../shared/simulator/prng.ts';
import type { MetricProfile } from '../../../../shared/simulator/workload.ts';
import { MINUTE, START, simulated } from '../harness.ts';
import type { FactCheck } from './support.ts';

function withWorkgroup(capacity: { baseCapacity?: number; maxCapacity?: number } = {}) {
  const s = simulated();
  const wg = s.sim.serverless.addWorkgroup({ workgroupName: 'wg', namespaceName: 'ns', ...capacity });
  const create = (input: Partial<CreateUsageLimitCommandInput>) =>
    s.serverless.send(
      new CreateUsageLimitCommand({
        resourceArn: wg.workgroupArn,
        usageType: 'serverless-compute',
        amount: 200,
        ...input,
      }),
    );
  const outcome = async (call: () => Promise<unknown>) => {
    try {
      await call();
      return 'ok';
    } catch (error) {
      return (error as Error).name;
    }
  };
  return { ...s, wg, create, outcome };
}

export const serverlessUsageLimitChecks: Record<string, FactCheck> = {
  'serverless-usage-limit.types-and-actions': async () => {
    const s = withWorkgroup();
    const got = [];
    const cases: Partial<CreateUsageLimitCommandInput>[] = [
      { usageType: 'serverless-compute', breachAction: 'deactivate' },
      { usageType: 'cross-region-datasharing', breachAction: 'emit-metric' },
      { usageType: 'spectrum' as never },
      { breachAction: 'disable' as never },
      { amount: 0 },
      { resourceArn: 'arn:aws:redshift-serverless:us-east-1:123456789012:workgroup/none' },
    ];
    for (const c of cases) got.push(await s.outcome(() => s.create(c)));
    expect(got).toEqual([
      'ok',
      'ok',
      'ValidationException',
      'ValidationException',
      'ValidationException',
      'ResourceNotFoundException',
    ]);
    const listed = await s.serverless.send(new ListUsageLimitsCommand({ resourceArn: s.wg.workgroupArn }));
    expect(listed.usageLimits?.map((l) => [l.usageType, l.period, l.breachAction])).toEqual([
      ['serverless-compute', 'monthly', 'deactivate'],
      ['cross-region-datasharing', 'monthly', 'emit-metric'],
    ]);
  },
  'serverless-usage-limit.four-per-workgroup': async () => {
    const s = withWorkgroup();
    for (const amount of [100, 200, 300, 400]) await s.create({ amount });
    await expect(s.create({ amount: 500 })).rejects.toBeInstanceOf(ValidationException);
  },
  'serverless-usage-limit.update-amount-and-action': async () => {
    const s = withWorkgroup();
    const made = (await s.create({ period: 'daily' })).usageLimit;
    const out = await s.serverless.send(
      new UpdateUsageLimitCommand({ usageLimitId: made?.usageLimitId, amount: 64, breachAction: 'emit-metric' }),
    );
    expect([out.usageLimit?.amount, out.usageLimit?.breachAction, out.usageLimit?.period]).toEqual([
      64,
      'emit-metric',
      'daily',
    ]);
    await s.serverless.send(new DeleteUsageLimitCommand({ usageLimitId: made?.usageLimitId }));
    await expect(
      s.serverless.send(new DeleteUsageLimitCommand({ usageLimitId: made?.usageLimitId })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
  },
  'serverless-usage-metric.compute-seconds': async () => {
    // base 32, max 64: an hour wanting 16 RPU (runs at base 32), an hour wanting 100 (held at 64), then idle.
    const s = metered({ baseCapacity: 32, maxCapacity: 64 }, (at) => {
      const minute = (at.getTime() - START) / MINUTE;
      return minute < 60 ? 16 : minute < 120 ? 100 : 0;
    });
    s.sim.clock.advanceBy(4 * 60 * MINUTE);
    const stat = async (Stat: string, Period: number, from = START) => {
      const out = await s.cloudwatch.send(
        new GetMetricDataCommand({
          MetricDataQueries: [
            {
              Id: 'c',
              MetricStat: {
                Metric: {
                  Namespace: 'AWS/Redshift-Serverless',
                  MetricName: 'ComputeSeconds',
                  Dimensions: [{ Name: 'Workgroup', Value: 'wg' }],
                },
                Period,
                Stat,
              },
            },
          ],
          StartTime: new Date(from),
          EndTime: s.sim.clock.now(),
          ScanBy: 'TimestampAscending',
        }),
      );
      return out.MetricDataResults?.[0]?.Values ?? [];
    };
    // The 30 minutes before 09:30 at 32 RPU; the 30 before 11:00 at 64 RPU; idle since 11:00.
    expect(await stat('Maximum', 300, START + 25 * MINUTE)).toContain(32 * 1800);
    expect(await stat('Maximum', 4 * 3600)).toEqual([64 * 1800]);
    expect((await stat('Maximum', 300)).at(-1)).toBe(0);
    expect(await stat('SampleCount', 4 * 3600)).toEqual([240]);
    // The day's Sum counts each minute of use 30 times; the reader gives the 32 + 64 RPU-hours used.
    expect((await stat('Sum', 86_400, Date.UTC(2026, 0, 5)))[0]).toBe((32 + 64) * 3600 * 30);
    expect(await s.rpuHours()).toEqual([32 + 64]);
  },
  'serverless-usage-limit.deactivate-stops-queries': async () => {
    // 32 RPU all the time: 16 RPU-hours every 30 minutes.
    const s = metered({ baseCapacity: 32 }, { kind: 'constant', value: 32 });
    const stopping = await s.create({ amount: 15, period: 'daily', breachAction: 'deactivate' });
    await s.create({ amount: 1, period: 'daily', breachAction: 'log' });
    s.sim.clock.advanceBy(3 * 60 * MINUTE);
    // Stopped once 15 were reached: the step that reached them (to 16) completed; the log limit did nothing.
    expect((await s.rpuHours()).map(Math.round)).toEqual([16]);
    // The next UTC day queries run again until the amount is reached again.
    s.sim.clock.advanceTo(Date.UTC(2026, 0, 6, 3, 0));
    expect((await s.rpuHours()).map(Math.round)).toEqual([16, 16]);
    // A log limit alone lets them run: the same action switched to log resumes them the same day.
    await s.serverless.send(
      new UpdateUsageLimitCommand({ usageLimitId: stopping.usageLimit?.usageLimitId, breachAction: 'log' }),
    );
    s.sim.clock.advanceBy(60 * MINUTE);
    // Idle from then on; once its last 30-minute window is reported, the hour is read in full.
    s.sim.usageMetrics.setWorkgroupWorkload('wg', { rpuDemand: { kind: 'constant', value: 0 } });
    s.sim.clock.advanceBy(30 * MINUTE);
    expect((await s.rpuHours()).map(Math.round)).toEqual([16, 16 + 32]);
  },
};

/** A workgroup with a workload, the simulator's CloudWatch behind a real client, and its daily RPU-hours. */
function metered(capacity: { baseCapacity?: number; maxCapacity?: number }, rpuDemand: MetricProfile) {
  const s = withWorkgroup(capacity);
  const cloudwatch = new CloudWatchClient({
    region: s.sim.region,
    credentials: { accessKeyId: 'AKIDSIMULATOR', secretAccessKey: 'simulator' },
  });
  attachService(cloudwatch, (op, input) => s.sim.callCloudWatch(op, input), new Prng('cw'));
  s.sim.usageMetrics.setWorkgroupWorkload('wg', { rpuDemand });
  const rpuHours = async () => {
    const read = await new CloudWatchUsageAdapter(cloudwatch).readRpuHours(
      ['wg'],
      new Date(Date.UTC(2026, 0, 1)),
      s.sim.clock.now(),
    );
    return [...(read.get('wg') ?? [])].sort(([a], [b]) => a - b).map(([, hours]) => hours);
  };
  return { ...s, cloudwatch, rpuHours };
}
