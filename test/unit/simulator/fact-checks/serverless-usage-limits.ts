/** Checks of the Serverless usage-limit rows of shared/simulator/facts.md. */
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
import { simulated } from '../harness.ts';
import type { FactCheck } from './support.ts';

function withWorkgroup() {
  const s = simulated();
  const wg = s.sim.serverless.addWorkgroup({ workgroupName: 'wg', namespaceName: 'ns' });
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
};
