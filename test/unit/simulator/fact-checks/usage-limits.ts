/** Checks of the provisioned usage-limit rows of shared/simulator/facts.md. */
import {
  CreateUsageLimitCommand,
  type CreateUsageLimitCommandInput,
  DeleteClusterCommand,
  DescribeUsageLimitsCommand,
  InvalidUsageLimitFault,
  ModifyUsageLimitCommand,
} from '@aws-sdk/client-redshift';
import { expect } from 'vitest';
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
