import {
  CreateUsageLimitCommand,
  GetWorkgroupCommand,
  ListUsageLimitsCommand,
} from '@aws-sdk/client-redshift-serverless';
import { describe, expect, it } from 'vitest';
import { RedshiftServerlessAdapter } from '../../../../shared/aws/redshift-serverless.adapter.ts';
import { createWorkgroupLimit } from '../../../../shared/domains/usage-limits/workgroup-limits.actions.ts';
import { simulated } from '../../simulator/harness.ts';

// A Serverless CreateUsageLimit whose answer was lost (or whose outcome the executor could not write) is
// delivered again: the repeat must answer with the limit the first attempt made, never make a second one.
// Serverless limits carry no tags and the API takes no client token: the decision carries the ids that
// were on the workgroup when decide() proposed it, and the handler recognises the new one.

function world() {
  const s = simulated({ start: Date.parse('2026-12-07T08:00:00Z') });
  s.sim.serverless.addWorkgroup({ workgroupName: 'dev-wg', namespaceName: 'dev-ns' });
  const services = { serverless: new RedshiftServerlessAdapter(s.serverless) };
  const list = async () => {
    const wg = await s.serverless.send(new GetWorkgroupCommand({ workgroupName: 'dev-wg' }));
    const out = await s.serverless.send(new ListUsageLimitsCommand({ resourceArn: wg.workgroup?.workgroupArn }));
    return out.usageLimits ?? [];
  };
  return { ...s, services, list };
}

const decided = (existingLimitIds: string) => ({
  workgroupName: 'dev-wg',
  usageType: 'serverless-compute',
  amount: 200,
  period: 'monthly',
  breachAction: 'log',
  LimitKey: 'serverless-compute#1',
  existingLimitIds,
});

describe('Serverless CreateUsageLimit, its answer lost', () => {
  it('a repeat of the same decision answers with the limit the first attempt made: one limit, one id', async () => {
    const w = world();
    const first = await createWorkgroupLimit.perform(decided(''), w.services);
    const again = await createWorkgroupLimit.perform(decided(''), w.services);
    expect(first.createdId).toMatch(/.+/);
    expect(again.createdId).toBe(first.createdId);
    expect(await w.list()).toHaveLength(1);
  });

  it('an identical limit that was there when decided (a person’s) is not taken for autopilot’s: the create goes ahead', async () => {
    const w = world();
    const wg = await w.serverless.send(new GetWorkgroupCommand({ workgroupName: 'dev-wg' }));
    const person = await w.serverless.send(
      new CreateUsageLimitCommand({
        resourceArn: wg.workgroup?.workgroupArn,
        usageType: 'serverless-compute',
        amount: 200,
        period: 'monthly',
        breachAction: 'log',
      }),
    );
    const personId = person.usageLimit?.usageLimitId ?? '';
    const made = await createWorkgroupLimit.perform(decided(personId), w.services);
    expect(made.createdId).not.toBe(personId);
    expect(await w.list()).toHaveLength(2);
  });

  it('a limit with other values made since is not the earlier attempt’s', async () => {
    const w = world();
    const first = await createWorkgroupLimit.perform({ ...decided(''), amount: 300 }, w.services);
    const second = await createWorkgroupLimit.perform(decided(''), w.services);
    expect(second.createdId).not.toBe(first.createdId);
    expect(await w.list()).toHaveLength(2);
  });
});
