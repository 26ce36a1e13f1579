import { describe, expect, it } from 'vitest';
import { actionRegistry } from '../../../shared/execute/action-registry.ts';
import { type AuthorizeOptions, authorizeDecision } from '../../../shared/policy/authorize.ts';
import { decide } from '../../../shared/policy/decide.ts';
import type { ClusterResource, Decision, LedgerEntryView } from '../../../shared/policy/decision.ts';
import { loadPolicySources } from '../../../shared/policy/policy-loader.ts';
import { registry } from '../../../shared/policy/registry.ts';
import { financeCluster } from './resize-fixtures.ts';

// snapshotBefore: true — a manual snapshot before each resize; the resize once it is available and fresh.
const text = (snapshotBefore: boolean) => `version: 1
policies:
  - name: finance-month-end
    resource: cluster
    match: { tags: { team: finance } }
    resize:
      timezone: Europe/Berlin
      default: { nodes: 4 }
      windows:
        - { from: "cron(0 16 L * ? *)", to: "cron(0 6 1 * ? *)", nodes: 8 }
      allowClassic: false
      snapshotBefore: ${snapshotBefore}
`;
const load = (snapshotBefore = true) => {
  const { policySet, problems } = loadPolicySources([{ file: 'p.yml', text: text(snapshotBefore) }]);
  expect(problems).toEqual([]);
  return policySet;
};
const SET = load();

const CLUSTER: ClusterResource = financeCluster();
const UP = '2026-02-28T15:00:00.000Z';

const run = (now: string, entries: LedgerEntryView[] = [], set = SET) =>
  decide({
    policies: set,
    fleet: { readAt: now, resources: [CLUSTER] },
    trigger: { kind: 'tick', at: now },
    now,
    ledger: { entries },
  });
const entryOf = (d: Decision, status: LedgerEntryView['status'], at = d.at): LedgerEntryView => ({
  idempotencyKey: d.idempotencyKey,
  policy: d.policy,
  action: d.action,
  target: d.target,
  status,
  at,
});
const first = (out: ReturnType<typeof run>): Decision => {
  const d = out.decisions[0];
  if (d === undefined) throw new Error(`no decision; skips: ${out.skips.map((s) => s.reason).join(' | ')}`);
  return d;
};

describe('resize snapshotBefore: the snapshot first, the resize once it is available', () => {
  it('takes a snapshot named and tagged as autopilot’s, for the resize policy, kept 7 days — and no resize yet', () => {
    const out = run(UP);
    expect(out.decisions).toHaveLength(1);
    const snap = first(out);
    expect(snap.action).toBe('CreateClusterSnapshot');
    expect(snap.params).toEqual({
      SnapshotIdentifier: 'autopilot-fin-1-finance-month-end-202602281500',
      ClusterIdentifier: 'fin-1',
      ManualSnapshotRetentionPeriod: 7,
      Tags: [
        { Key: 'managed-by', Value: 'redshift-autopilot' },
        { Key: 'autopilot:policy', Value: 'finance-month-end' },
        { Key: 'autopilot:slot', Value: '2026-02-28T15:00:00.000Z' },
        { Key: 'autopilot:attempt', Value: '0' },
      ],
    });
    expect(snap.reason).toMatch(/^snapshot before resize, kept 7 days \(snapshotBefore\): scale up 4 → 8 nodes/);
  });

  it('waits while the snapshot is under way, resizes once it succeeded', () => {
    const snap = first(run(UP));
    const waiting = run('2026-02-28T15:05:00.000Z', [entryOf(snap, 'in-progress')]);
    expect(waiting.decisions).toEqual([]);
    expect(waiting.skips.map((s) => s.reason)[0]).toMatch(
      /^snapshot before resize autopilot-fin-1-finance-month-end-202602281500 in-progress: the resize waits until it is available; scale up 4 → 8/,
    );
    const go = first(run('2026-02-28T15:10:00.000Z', [entryOf(snap, 'succeeded')]));
    expect([go.action, go.params]).toEqual(['ResizeCluster', { ClusterIdentifier: 'fin-1', NumberOfNodes: 8 }]);
  });

  it('a snapshot older than 10 h (the resize waited) is followed by a fresh one, -r1', () => {
    const snap = first(run(UP));
    const later = first(run('2026-03-01T01:01:00.000Z', [entryOf(snap, 'succeeded')]));
    expect(later.action).toBe('CreateClusterSnapshot');
    expect(later.params.SnapshotIdentifier).toBe('autopilot-fin-1-finance-month-end-202602281500-r1');
    expect(first(run('2026-03-01T00:59:00.000Z', [entryOf(snap, 'succeeded')])).action).toBe('ResizeCluster');
  });

  it('a failed snapshot: no resize before the next boundary, with the reason', () => {
    const snap = first(run(UP));
    const out = run('2026-02-28T15:20:00.000Z', [entryOf(snap, 'failed')]);
    expect(out.decisions).toEqual([]);
    expect(out.skips.map((s) => s.reason)[0]).toMatch(
      /^snapshot before resize autopilot-fin-1-finance-month-end-202602281500 failed \(ledger\): the resize is not made without it before the next boundary/,
    );
  });
});

describe('resize snapshotBefore: the executor admits exactly the snapshot the policy decides', () => {
  const options: AuthorizeOptions = {
    now: Date.parse(UP),
    maxAgeMs: 45 * 60_000,
    action: (name) => actionRegistry.action(name),
    capability: (key) => registry.byKey(key),
  };
  const why = (d: Decision, set = SET) => {
    const out = authorizeDecision(d, set, options);
    return out.ok ? null : `${out.cause}: ${out.detail}`;
  };
  const snap = first(run(UP));
  const withParams = (p: Record<string, unknown>): Decision => ({ ...snap, params: { ...snap.params, ...p } });

  it('admits it, refuses another name, retention or tags', () => {
    expect(why(snap)).toBeNull();
    expect(why(withParams({ SnapshotIdentifier: 'autopilot-fin-1-nightly-202602281500' }))).toBe(
      'param-not-in-policy: CreateClusterSnapshot: autopilot-fin-1-nightly-202602281500 is not a snapshot name of policy finance-month-end for fin-1',
    );
    expect(why(withParams({ ManualSnapshotRetentionPeriod: -1 }))).toMatch(
      /^param-not-in-policy: CreateClusterSnapshot: ManualSnapshotRetentionPeriod -1 is not what the policy sets/,
    );
    expect(why(withParams({ Tags: [{ Key: 'managed-by', Value: 'redshift-autopilot' }] }))).toMatch(
      /^param-not-in-policy: CreateClusterSnapshot: Tags must be exactly autopilot's tags/,
    );
  });

  it('refuses any snapshot from a resize policy without snapshotBefore', () => {
    expect(why(snap, load(false))).toBe(
      'param-not-in-policy: CreateClusterSnapshot: SnapshotIdentifier: policy finance-month-end takes no snapshot (snapshotBefore is not true)',
    );
  });
});
