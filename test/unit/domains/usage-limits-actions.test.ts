import { CreateUsageLimitCommand, DescribeUsageLimitsCommand, RedshiftClient } from '@aws-sdk/client-redshift';
import { describe, expect, it } from 'vitest';
import { RedshiftAdapter } from '../../../shared/aws/redshift.adapter.ts';
import { limitTags } from '../../../shared/domains/usage-limits/usage-limit-tags.ts';
import {
  createUsageLimit,
  deleteUsageLimit,
  modifyUsageLimit,
} from '../../../shared/domains/usage-limits/usage-limits.actions.ts';
import { ResourceStateConflictError } from '../../../shared/errors.ts';
import { RedshiftSimulator } from '../../../shared/simulator/index.ts';

// The handlers against the simulator: safe to repeat, and never touching a limit that is not this
// policy's on this cluster, whatever the decision says.

function world() {
  const sim = new RedshiftSimulator({ start: Date.parse('2026-12-07T08:00:00Z'), seed: 11 });
  const client = new RedshiftClient({ region: sim.region });
  sim.attach(client);
  for (const id of ['etl-1', 'etl-2'])
    sim.addCluster({ ClusterIdentifier: id, NodeType: 'ra3.xlplus', NumberOfNodes: 2 });
  const services = { redshift: new RedshiftAdapter(client) };
  const list = async () => (await client.send(new DescribeUsageLimitsCommand({}))).UsageLimits ?? [];
  return { client, services, list };
}

const CREATE = {
  ClusterIdentifier: 'etl-1',
  FeatureType: 'spectrum',
  LimitType: 'data-scanned',
  Amount: 5,
  Period: 'daily',
  BreachAction: 'emit-metric',
  Tags: limitTags('budget', 'spectrum#1'),
};

describe('usage-limit handlers', () => {
  it('a repeated create (its first answer lost) answers with the limit it made, never a second one', async () => {
    const w = world();
    const first = await createUsageLimit.perform({ ...CREATE }, w.services);
    const again = await createUsageLimit.perform({ ...CREATE }, w.services);
    expect(again.createdId).toBe(first.createdId);
    expect(await w.list()).toHaveLength(1);
  });

  it('modify and delete refuse a person’s limit, another policy’s and one on another cluster', async () => {
    const w = world();
    const person = await w.client.send(
      new CreateUsageLimitCommand({
        ClusterIdentifier: 'etl-1',
        FeatureType: 'spectrum',
        LimitType: 'data-scanned',
        Amount: 9,
      }),
    );
    const other = await createUsageLimit.perform({ ...CREATE, Tags: limitTags('other', 'spectrum#1') }, w.services);
    const mine = await createUsageLimit.perform({ ...CREATE, ClusterIdentifier: 'etl-2' }, w.services);
    const change = {
      ClusterIdentifier: 'etl-1',
      OwnerPolicy: 'budget',
      LimitKey: 'spectrum#1',
      Amount: 1,
      BreachAction: 'log',
    };
    await expect(
      modifyUsageLimit.perform({ ...change, UsageLimitId: person.UsageLimitId }, w.services),
    ).rejects.toThrow(
      /ModifyUsageLimit: usage limit lim-\w+ was not made by autopilot \(no managed-by tag\); left as it is/,
    );
    await expect(deleteUsageLimit.perform({ ...change, UsageLimitId: other.createdId }, w.services)).rejects.toThrow(
      /DeleteUsageLimit: usage limit lim-\w+ belongs to policy other/,
    );
    await expect(
      deleteUsageLimit.perform({ ...change, UsageLimitId: mine.createdId }, w.services),
    ).rejects.toBeInstanceOf(ResourceStateConflictError);
    expect((await w.list()).map((l) => l.Amount)).toEqual([9, 5, 5]);
  });
});

describe('usage-limit handlers: AWS’s per-feature rules on a fresh read', () => {
  it('refuses, with AWS’s rule named, a create or a switch to disable that limits made since the sweep leave no room for', async () => {
    const w = world();
    const mine = await createUsageLimit.perform({ ...CREATE }, w.services);
    const person = await w.client.send(
      new CreateUsageLimitCommand({
        ClusterIdentifier: 'etl-1',
        FeatureType: 'spectrum',
        LimitType: 'data-scanned',
        Amount: 9,
        BreachAction: 'disable',
      }),
    );
    const toDisable = {
      ClusterIdentifier: 'etl-1',
      UsageLimitId: mine.createdId,
      OwnerPolicy: 'budget',
      LimitKey: 'spectrum#1',
    };
    await expect(
      modifyUsageLimit.perform({ ...toDisable, Amount: 5, BreachAction: 'disable' }, w.services),
    ).rejects.toThrow(
      `ModifyUsageLimit: usage limit ${person.UsageLimitId} already disables spectrum; AWS allows one disable per feature`,
    );
    await w.client.send(
      new CreateUsageLimitCommand({
        ClusterIdentifier: 'etl-1',
        FeatureType: 'spectrum',
        LimitType: 'data-scanned',
        Amount: 20,
      }),
    );
    await expect(
      createUsageLimit.perform({ ...CREATE, Tags: limitTags('budget', 'spectrum#2') }, w.services),
    ).rejects.toThrow(
      /CreateUsageLimit: the cluster already has 3 spectrum limits \(lim-\w+, lim-\w+, lim-\w+\); AWS allows 3 per feature/,
    );
    expect(await w.list()).toHaveLength(3);
  });
});

describe('usage-limit handlers: changes to their own limits', () => {
  it('modify sets amount and breach action of its own limit; a delete of a limit already gone is done', async () => {
    const w = world();
    const made = await createUsageLimit.perform({ ...CREATE }, w.services);
    const params = { ClusterIdentifier: 'etl-1', UsageLimitId: made.createdId, OwnerPolicy: 'budget' };
    await modifyUsageLimit.perform(
      { ...params, LimitKey: 'spectrum#1', Amount: 7, BreachAction: 'disable' },
      w.services,
    );
    expect((await w.list()).map((l) => [l.Amount, l.BreachAction, l.Period])).toEqual([[7, 'disable', 'daily']]);
    expect(await deleteUsageLimit.perform({ ...params }, w.services)).toEqual({ afterState: 'deleted' });
    expect(await deleteUsageLimit.perform({ ...params }, w.services)).toEqual({ afterState: 'deleted' });
    expect(await w.list()).toEqual([]);
    await expect(
      modifyUsageLimit.perform({ ...params, LimitKey: 'spectrum#1', Amount: 7, BreachAction: 'log' }, w.services),
    ).rejects.toThrow(/no longer exists/);
  });
});
