/** Checks of the provisioned usage-limit rows of shared/simulator/facts.md. */
import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import {
  CreateUsageLimitCommand,
  type CreateUsageLimitCommandInput,
  DeleteClusterCommand,
  DescribeUsageLimitsCommand,
  InvalidUsageLimitFault,
  ModifyUsageLimitCommand,
  PauseClusterCommand,
  ResumeClusterCommand,
} from '@aws-sdk/client-redshift';
import { expect } from 'vitest';
import { CloudWatchUsageAdapter, usageQuery } from '../../../../shared/aws/cloudwatch-usage.ts';
import { mapUsageLimits } from '../../../../shared/aws/fleet-mapping.ts';
import { attachService } from '../../../../shared/simulation/aws-services.ts';
import { Prng } from '../../../../shared/simulator/prng.ts';
import { MINUTE, simulated } from '../harness.ts';
import type { FactCheck } from './support.ts';

function withClusters(...ids: string[]) {
  const s = simulated();
  for (const id of ids) s.sim.addCluster({ ClusterIdentifier: id, NodeType: 'ra3.xlplus', NumberOfNodes: 2 });
  const create = (input: Partial<CreateUsageLimitCommandInput>) =>
    s.redshift.send(
      new CreateUsageLimitCommand({
        ClusterIdentifier: ids[0],
        FeatureType: 'spectrum',
        LimitType: 'data-scanned',
        Amount: 5,
        ...input,
      }),
    );
  /** The error's class name, or 'ok'. */
  const outcome = async (call: () => Promise<unknown>) => {
    try {
      await call();
      return 'ok';
    } catch (error) {
      return (error as Error).name;
    }
  };
  return { ...s, create, outcome };
}

export const usageLimitChecks: Record<string, FactCheck> = {
  'usage-limit.feature-limit-type': async () => {
    const s = withClusters('c');
    const pairs: [string, string][] = [
      ['spectrum', 'data-scanned'],
      ['concurrency-scaling', 'time'],
      ['cross-region-datasharing', 'data-scanned'],
      ['spectrum', 'time'],
      ['concurrency-scaling', 'data-scanned'],
      ['extra-compute-for-automatic-optimization', 'time'],
    ];
    const got = [];
    for (const [FeatureType, LimitType] of pairs) {
      got.push(await s.outcome(() => s.create({ FeatureType, LimitType } as Partial<CreateUsageLimitCommandInput>)));
    }
    expect(got).toEqual([
      'ok',
      'ok',
      'ok',
      'InvalidUsageLimitFault',
      'InvalidUsageLimitFault',
      'InvalidUsageLimitFault',
    ]);
  },
  'usage-limit.positive-whole-amount': async () => {
    const s = withClusters('c');
    const got = [];
    for (const Amount of [1, 0, -5]) got.push(await s.outcome(() => s.create({ Amount })));
    expect(got).toEqual(['ok', 'InvalidUsageLimitFault', 'InvalidUsageLimitFault']);
  },
  'usage-limit.defaults': async () => {
    const s = withClusters('c');
    const made = await s.create({});
    expect([made.Period, made.BreachAction]).toEqual(['monthly', 'log']);
  },
  'usage-limit.three-per-feature': async () => {
    const s = withClusters('c');
    for (const Amount of [1, 2, 3]) await s.create({ Amount });
    await expect(s.create({ Amount: 4 })).rejects.toBeInstanceOf(InvalidUsageLimitFault);
    // Per feature: another feature still takes its own three.
    await s.create({ FeatureType: 'concurrency-scaling', LimitType: 'time', Amount: 60 });
  },
  'usage-limit.one-disable-per-feature': async () => {
    const s = withClusters('c');
    await s.create({ BreachAction: 'disable' });
    const second = await s.create({ Amount: 9 });
    await expect(s.create({ BreachAction: 'disable' })).rejects.toBeInstanceOf(InvalidUsageLimitFault);
    await expect(
      s.redshift.send(new ModifyUsageLimitCommand({ UsageLimitId: second.UsageLimitId, BreachAction: 'disable' })),
    ).rejects.toBeInstanceOf(InvalidUsageLimitFault);
    await s.create({ FeatureType: 'concurrency-scaling', LimitType: 'time', BreachAction: 'disable' });
  },
  'usage-limit.modify-amount-and-action-only': async () => {
    const s = withClusters('c');
    const made = await s.create({ Period: 'daily' });
    const out = await s.redshift.send(
      new ModifyUsageLimitCommand({ UsageLimitId: made.UsageLimitId, Amount: 7, BreachAction: 'emit-metric' }),
    );
    expect([out.Amount, out.BreachAction, out.Period, out.FeatureType]).toEqual([
      7,
      'emit-metric',
      'daily',
      'spectrum',
    ]);
  },
  'usage-limit.account-listing': async () => {
    const s = withClusters('a', 'b');
    await s.create({ ClusterIdentifier: 'a', Tags: [{ Key: 'managed-by', Value: 'redshift-autopilot' }] });
    await s.create({ ClusterIdentifier: 'b' });
    const all = await s.redshift.send(new DescribeUsageLimitsCommand({}));
    expect(all.UsageLimits?.map((l) => l.ClusterIdentifier)).toEqual(['a', 'b']);
    expect(all.UsageLimits?.[0]?.Tags).toEqual([{ Key: 'managed-by', Value: 'redshift-autopilot' }]);
  },
  'usage-limit.goes-with-cluster': async () => {
    const s = withClusters('a', 'b');
    await s.create({ ClusterIdentifier: 'a' });
    await s.create({ ClusterIdentifier: 'b' });
    await s.redshift.send(new DeleteClusterCommand({ ClusterIdentifier: 'a', SkipFinalClusterSnapshot: true }));
    const during = await s.redshift.send(new DescribeUsageLimitsCommand({}));
    expect(during.UsageLimits?.map((l) => l.ClusterIdentifier)).toEqual(['a', 'b']);
    s.sim.clock.advanceBy(60 * MINUTE);
    const all = await s.redshift.send(new DescribeUsageLimitsCommand({}));
    expect(all.UsageLimits?.map((l) => l.ClusterIdentifier)).toEqual(['b']);
  },
};

/** The simulator's CloudWatch, behind a real CloudWatchClient, and a limit to read. */
async function metered(breachAction: 'log' | 'disable' = 'log') {
  const s = withClusters('c');
  const cloudwatch = new CloudWatchClient({
    region: s.sim.region,
    credentials: { accessKeyId: 'AKIDSIMULATOR', secretAccessKey: 'simulator' },
  });
  attachService(cloudwatch, (op, input) => s.sim.callCloudWatch(op, input), new Prng('cw'));
  const made = await s.create({ Amount: 2, Period: 'daily', BreachAction: breachAction });
  const limit = mapUsageLimits([made])[0];
  if (limit === undefined) throw new Error('no limit');
  // 1 TB scanned per hour, all day.
  s.sim.setWorkload('c', { 'usage:spectrum': { kind: 'constant', value: 1 } });
  const read = async () =>
    (await new CloudWatchUsageAdapter(cloudwatch).readConsumed([limit], s.sim.clock.now())).get(limit.id);
  return { ...s, cloudwatch, limit, read };
}

export const usageMetricChecks: Record<string, FactCheck> = {
  'usage-metric.consumed-per-period': async () => {
    const s = await metered();
    s.sim.clock.advanceBy(60 * MINUTE);
    const hour = await s.read();
    // Seen at the first step after creation, then 11 steps of 5 minutes at 1 TB/h.
    expect(hour?.amount).toBeCloseTo(11 / 12, 3);
    await s.redshift.send(new PauseClusterCommand({ ClusterIdentifier: 'c' }));
    s.sim.clock.advanceBy(60 * MINUTE);
    expect(s.sim.usageMetrics.consumedOf(s.limit.id)).toBeCloseTo(hour?.amount ?? -1, 1);
    expect(await s.read()).toBeNull();
    await s.redshift.send(new ResumeClusterCommand({ ClusterIdentifier: 'c' }));
    // The start is Monday 09:00 UTC: past midnight the daily total starts again.
    s.sim.clock.advanceTo(Date.UTC(2026, 0, 6, 0, 30));
    expect((await s.read())?.amount).toBeLessThan(1);
  },
  'usage-metric.disable-stops-feature': async () => {
    const s = await metered('disable');
    s.sim.clock.advanceBy(3 * 60 * MINUTE);
    // Reached in the step that passes 2 TB (1/12 TB a step); nothing more after it.
    const reached = (await s.read())?.amount ?? 0;
    expect(reached).toBeGreaterThanOrEqual(2);
    expect(reached).toBeLessThan(2 + 1 / 12 + 1e-9);
    s.sim.clock.advanceBy(3 * 60 * MINUTE);
    expect((await s.read())?.amount).toBe(reached);
  },
  'usage-metric.get-metric-data-batch': async () => {
    const s = await metered();
    const query = usageQuery(s.limit, 0);
    const now = s.sim.clock.now();
    const send = (queries: number, start = new Date(now.getTime() - 60 * MINUTE)) =>
      s.outcome(() =>
        s.cloudwatch.send(
          new GetMetricDataCommand({
            MetricDataQueries: Array.from({ length: queries }, (_, i) => ({ ...query, Id: `u${i}` })),
            StartTime: start,
            EndTime: now,
          }),
        ),
      );
    expect([await send(500), await send(501), await send(0), await send(1, now)]).toEqual([
      'ok',
      'InvalidParameterValueException',
      'InvalidParameterValueException',
      'InvalidParameterValueException',
    ]);
  },
};
