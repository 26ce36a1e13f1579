import { describe, expect, it } from 'vitest';
import { resizeCluster, resizeRefusal } from '../../../shared/domains/resize/resize.actions.ts';
import { decide } from '../../../shared/policy/decide.ts';
import type { FleetResource, LedgerEntryView } from '../../../shared/policy/decision.ts';
import { loadPolicySources } from '../../../shared/policy/policy-loader.ts';
import { financeCluster } from './resize-fixtures.ts';

// The example without the two parts not built yet (snapshotBefore: true, grow).
const policies = (extra = '') => `version: 1
policies:
  - name: finance-month-end
    resource: cluster
    match: { tags: { team: finance } }
    resize:
      timezone: Europe/Berlin
      default: { nodes: 4 }
      windows:
        - { from: "cron(0 16 L * ? *)", to: "cron(0 6 1 * ? *)", nodes: 8 }
        - { running: ["Mon 06:00-12:00"], nodes: 6 }
${extra}`;

const load = (extra = '') => {
  const { policySet, problems } = loadPolicySources([{ file: 'p.yml', text: policies(extra) }]);
  expect(problems).toEqual([]);
  return policySet;
};
const SET = load('      allowClassic: false\n');

const cluster = financeCluster;

function run(now: string, resources: FleetResource[], entries: LedgerEntryView[] = [], set = SET) {
  return decide({
    policies: set,
    fleet: { readAt: now, resources },
    trigger: { kind: 'tick', at: now },
    now,
    ledger: { entries },
  });
}
const acts = (out: ReturnType<typeof run>) => out.decisions.map((d) => [d.action, d.params, d.reason]);
const skips = (out: ReturnType<typeof run>) => out.skips.map((s) => s.reason);

describe('resize: desired size over time, Europe/Berlin', () => {
  it('scales up at 16:00 local on the last day of a month, in winter and in summer time', () => {
    // 2026-02-28 16:00 CET = 15:00Z; 2026-03-31 16:00 CEST = 14:00Z (DST began 2026-03-29).
    expect(acts(run('2026-02-28T14:59:00Z', [cluster()]))).toEqual([]);
    const feb = run('2026-02-28T15:00:00Z', [cluster()]);
    expect(acts(feb)).toEqual([
      [
        'ResizeCluster',
        { ClusterIdentifier: 'fin-1', NumberOfNodes: 8 },
        // 4 more nodes for the 14 hours to the 1st 06:00 Berlin: plan shows what each resize adds.
        'scale up 4 → 8 nodes, +56 node-hours to 2026-03-01T05:00Z (elastic by the limits counted from 4 nodes (no ElasticResizeNumberOfNodeOptions read)): 8 nodes (window cron(0 16 L * ? *) → cron(0 6 1 * ? *) Europe/Berlin); next boundary 2026-03-01T05:00Z',
      ],
    ]);
    expect(acts(run('2026-03-31T13:59:00Z', [cluster()]))).toEqual([]);
    expect(acts(run('2026-03-31T14:00:00Z', [cluster()])).map((a) => a[1])).toEqual([
      { ClusterIdentifier: 'fin-1', NumberOfNodes: 8 },
    ]);
  });

  it('scales back at 06:00 local on the 1st, and leaves a cluster at its size alone', () => {
    const big = cluster({ numberOfNodes: 8 });
    expect(acts(run('2026-04-01T03:59:00Z', [big]))).toEqual([]);
    const back = run('2026-04-01T04:00:00Z', [big]);
    expect(back.decisions.map((d) => d.params)).toEqual([{ ClusterIdentifier: 'fin-1', NumberOfNodes: 4 }]);
    expect(back.decisions[0]?.reason).toMatch(
      /^scale down 8 → 4 nodes, −480 node-hours to 2026-04-06T04:00Z \(elastic/,
    );
    expect(acts(run('2026-04-01T04:00:00Z', [cluster()]))).toEqual([]);
  });

  it('runs 6 nodes inside the Monday window, and the month-end size on a Monday afternoon that ends a month', () => {
    // Monday 2026-03-02 06:00 CET = 05:00Z.
    expect(run('2026-03-02T05:00:00Z', [cluster()]).decisions.map((d) => d.params.NumberOfNodes)).toEqual([6]);
    // 2025-03-31 is a Monday and the last day of March: 16:00 CEST is after the Monday window, in the month-end one.
    expect(run('2025-03-31T14:00:00Z', [cluster()]).decisions.map((d) => d.params.NumberOfNodes)).toEqual([8]);
  });

  it('gives one decision per period and size: the same key all period long, a new one at the next boundary', () => {
    const a = run('2026-02-28T15:00:00Z', [cluster()]).decisions[0];
    const b = run('2026-02-28T20:00:00Z', [cluster()]).decisions[0];
    const c = run('2026-03-31T14:00:00Z', [cluster()]).decisions[0];
    expect(a?.idempotencyKey).toBe(b?.idempotencyKey);
    expect(c?.idempotencyKey).not.toBe(a?.idempotencyKey);
  });
});

describe('resize: preflight, in decide()', () => {
  const NOW = '2026-02-28T15:00:00Z';

  it('skips a paused cluster, and one in a resize sub-state, with the reason', () => {
    expect(skips(run(NOW, [cluster({ status: 'paused', availabilityStatus: 'Paused' })]))).toEqual([
      'cluster is paused: a paused cluster cannot be resized (guide L3640); wants 8 nodes (window cron(0 16 L * ? *) → cron(0 6 1 * ? *) Europe/Berlin); next boundary 2026-03-01T05:00Z',
    ]);
    for (const status of ['available, prep-for-resize', 'resizing', 'available, resize-cleanup']) {
      const out = run(NOW, [cluster({ status })]);
      expect(out.decisions).toEqual([]);
      expect(skips(out)[0]).toMatch(new RegExp(`^cluster is ${status}: a resize is under way \\(guide L2941–2942\\)`));
    }
  });

  it('waits while a snapshot of the cluster is being taken, then goes', () => {
    const snapshot: FleetResource = {
      type: 'snapshot',
      id: 'autopilot-fin-1-x',
      arn: null,
      region: 'eu-central-1',
      account: '123456789012',
      status: 'creating',
      tags: {},
      service: 'redshift',
      sourceId: 'fin-1',
      snapshotType: 'manual',
      createdAt: NOW,
    };
    const waiting = run(NOW, [cluster(), snapshot]);
    expect(waiting.decisions).toEqual([]);
    expect(skips(waiting)[0]).toMatch(
      /^snapshot autopilot-fin-1-x is being taken: an elastic resize can fail during a snapshot \(guide L3417\); resize waits/,
    );
    expect(run(NOW, [cluster(), { ...snapshot, status: 'available' }]).decisions).toHaveLength(1);
  });

  it('refuses a target outside the elastic limits with the nearest allowed size, or goes classic when allowed', () => {
    // What AWS answers when the baseline (original or last classic count) allows no more than 6.
    const narrow = cluster({ elasticResizeOptions: [2, 3, 5, 6] });
    expect(skips(run(NOW, [narrow]))).toEqual([
      'cannot resize to 8: 8 nodes is not an elastic target of fin-1 (ra3.4xlarge, 4 nodes; by ElasticResizeNumberOfNodeOptions: 2–6); allowClassic is false; nearest allowed elastic size 6; wants 8 nodes (window cron(0 16 L * ? *) → cron(0 6 1 * ? *) Europe/Berlin); next boundary 2026-03-01T05:00Z',
    ]);
    const classic = run(NOW, [narrow], [], load('      allowClassic: true\n'));
    expect(classic.decisions.map((d) => d.params)).toEqual([
      { ClusterIdentifier: 'fin-1', NumberOfNodes: 8, Classic: true },
    ]);
  });
});

describe('resize: what the ledger holds for this period', () => {
  const NOW = '2026-02-28T15:00:00Z';

  it('does not retry a resize that failed in this period; the next boundary decides again', () => {
    const first = run(NOW, [cluster()]).decisions[0];
    if (first === undefined) throw new Error('no decision');
    const failed: LedgerEntryView = {
      idempotencyKey: first.idempotencyKey,
      policy: first.policy,
      action: 'ResizeCluster',
      target: first.target,
      status: 'failed',
      at: first.at,
    };
    const later = run('2026-02-28T18:00:00Z', [cluster()], [failed]);
    expect(later.decisions).toEqual([]);
    expect(skips(later)[0]).toMatch(
      /^ResizeCluster to 8 failed in this period \(ledger\); not retried before the next boundary/,
    );
  });

  it('does not undo a size changed by another hand after its resize completed, before the next boundary', () => {
    const first = run(NOW, [cluster()]).decisions[0];
    if (first === undefined) throw new Error('no decision');
    const done: LedgerEntryView = {
      idempotencyKey: first.idempotencyKey,
      policy: first.policy,
      action: 'ResizeCluster',
      target: first.target,
      status: 'succeeded',
      at: first.at,
    };
    const later = run('2026-02-28T18:00:00Z', [cluster({ numberOfNodes: 6 })], [done]);
    expect(later.decisions).toEqual([]);
    expect(skips(later)[0]).toMatch(
      /^ResizeCluster to 8 completed in this period, and the cluster has had 6 nodes since \(changed by another hand\); not changed back before the next boundary/,
    );
  });
});

describe('resize: the executor guardrail on the re-read cluster (the same rules)', () => {
  const params = { ClusterIdentifier: 'fin-1', NumberOfNodes: 8 };

  it('passes an elastic target within the caps, refuses paused, mid-resize and out-of-range ones', () => {
    expect(resizeRefusal(cluster(), params)).toBeNull();
    expect(resizeRefusal(cluster({ status: 'paused' }), params)).toBe(
      'cluster is paused: a paused cluster cannot be resized (guide L3640)',
    );
    expect(resizeRefusal(cluster({ status: 'resizing' }), params)).toMatch(
      /^cluster is resizing: a resize is under way/,
    );
    expect(resizeRefusal(cluster({ elasticResizeOptions: [2, 3, 5, 6] }), params)).toMatch(
      /8 nodes is not an elastic target of fin-1 .*; nearest allowed elastic size 6$/,
    );
    expect(resizeRefusal(cluster({ nodeType: 'ra3.xlplus' }), { ...params, NumberOfNodes: 40 })).toMatch(
      /a classic resize reaches 1–16 ra3.xlplus nodes/,
    );
    expect(
      resizeRefusal(cluster({ nodeType: 'ra3.xlplus' }), { ...params, NumberOfNodes: 12, Classic: true }),
    ).toBeNull();
  });

  it('plan applies the size; a repeat after a lost answer sees the resize under way or done', () => {
    const after = resizeCluster.effect?.apply?.(cluster({ elasticResizeOptions: [2, 8] }), params);
    // Elastic: the baseline stays, so the options trade the new count for the old one.
    expect(after).toMatchObject({ numberOfNodes: 8, elasticResizeOptions: [2, 4] });
    // Without options read, the smaller count is the baseline: a dc2.large 2 → 4 may not go on to 6.
    const dc2 = resizeCluster.effect?.apply?.(cluster({ nodeType: 'dc2.large', numberOfNodes: 2 }), {
      ...params,
      NumberOfNodes: 4,
    });
    expect(dc2).toMatchObject({ numberOfNodes: 4, elasticResizeOptions: [1, 2, 3] });
    // Classic: a new baseline at the target (guide L3453).
    const classic = resizeCluster.effect?.apply?.(cluster({ nodeType: 'dc2.large', numberOfNodes: 2 }), {
      ...params,
      NumberOfNodes: 8,
      Classic: true,
    });
    expect(classic).toMatchObject({
      numberOfNodes: 8,
      elasticResizeOptions: [4, 5, 6, 7, 9, 10, 11, 12, 13, 14, 15, 16],
    });
    expect(resizeCluster.alreadyDone?.(cluster({ status: 'resizing' }), params)).toEqual({ done: false });
    expect(resizeCluster.alreadyDone?.(cluster({ numberOfNodes: 8 }), params)).toEqual({ done: true });
    expect(resizeCluster.alreadyDone?.(cluster(), params)).toBeNull();
  });
});
