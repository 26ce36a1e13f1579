import { PauseClusterCommand, ResumeClusterCommand } from '@aws-sdk/client-redshift';
import { DateTime } from 'luxon';
import { beforeAll, describe, expect, it } from 'vitest';
import { isValidSnapshotId } from '../../../shared/domains/snapshots/snapshot-id.ts';
import { SNAPSHOT_TAGS } from '../../../shared/domains/snapshots/snapshot-tags.ts';
import type { SnapshotResource } from '../../../shared/policy/decision.ts';
import { OPT_IN, recordedSnapshots, world } from './harness.ts';

/**
 * 400 simulated days of a nightly GFS policy on three clusters, through the real acting path.
 * - Every day the snapshots kept match the rule, computed here independently from the history of
 *   completed snapshots: a snapshot is kept iff, for some class, it is the newest of its period and
 *   no more than N newer periods of that class have a snapshot.
 * - Snapshots autopilot did not create (the recorded manual + automated ones, a person's manual one,
 *   another policy's) are never deleted.
 * - Failed snapshots (REDSHIFT-EVENT-3503, 6 % of attempts) are alerted and retried with `-r<n>` ids.
 * - Completion events lost for two weeks: the sweep closes those records by polling.
 * - A cluster paused for three nights: each missed slot raises one deadline alert naming cluster and slot.
 */
const ZONE = 'Europe/Berlin';
const RETAIN = { daily: 7, weekly: 4, monthly: 12, yearly: 2 } as const;
const START = Date.UTC(2026, 0, 5, 0, 0); // Monday
const DAYS = 400;
const LOST_FROM = Date.UTC(2026, 2, 2);
const LOST_TO = Date.UTC(2026, 2, 16);
const PAUSED_FROM = Date.UTC(2026, 5, 10, 20); // bi-dev paused 3 nights
const PAUSED_TO = Date.UTC(2026, 5, 13, 4);

const POLICIES = `
version: 1
policies:
  - name: nightly
    resource: cluster
    match: { identifiers: ["etl-*", "bi-*", "redshift-cluster-1"] }
    snapshots:
      schedule: "cron(0 2 * * ? *)"
      timezone: ${ZONE}
      retain: { daily: ${RETAIN.daily}, weekly: ${RETAIN.weekly}, monthly: ${RETAIN.monthly}, yearly: ${RETAIN.yearly} }
      deadline: 3h
      retry: { attempts: 3, backoff: [15m, 30m, 1h] }
`;

type Cls = keyof typeof RETAIN;
function period(cls: Cls, at: number): string {
  const t = DateTime.fromMillis(at, { zone: ZONE });
  if (cls === 'daily') return t.toISODate() ?? '';
  if (cls === 'weekly') return `${t.weekYear}-W${String(t.weekNumber).padStart(2, '0')}`;
  if (cls === 'monthly') return t.toFormat('yyyy-MM');
  return t.toFormat('yyyy');
}

/**
 * The rule over every snapshot that ever completed, computed here without the implementation: per
 * class, the last slot of each period; the N periods whose last slot is newest keep that snapshot.
 */
function expectedKept(history: readonly { id: string; slot: number }[]): Set<string> {
  const kept = new Set<string>();
  for (const cls of Object.keys(RETAIN) as Cls[]) {
    const last = new Map<string, { id: string; slot: number }>();
    for (const s of history) {
      const p = period(cls, s.slot);
      const seen = last.get(p);
      if (seen === undefined || s.slot > seen.slot) last.set(p, s);
    }
    const newest = [...last.values()].sort((a, b) => b.slot - a.slot).slice(0, RETAIN[cls]);
    for (const s of newest) kept.add(s.id);
  }
  return kept;
}

describe('snapshots over 400 simulated days', () => {
  const w = world({
    start: START,
    seed: 11,
    policies: POLICIES,
    dropEvent: (e) =>
      e.eventId === 'REDSHIFT-EVENT-3004' && Date.parse(e.time) >= LOST_FROM && Date.parse(e.time) < LOST_TO,
  });
  const foreign = new Set<string>();
  const expiredByRedshift = new Set<string>();
  const createdByPolicy = new Set<string>();
  const deleted: string[] = [];
  const mismatches: string[] = [];
  const classMismatches: string[] = [];
  /** Completed snapshots per cluster, from the simulator's point of view: the history the rule applies to. */
  const history = new Map<string, { id: string; slot: number }[]>();
  const CLUSTERS = ['etl-prod', 'bi-dev', 'redshift-cluster-1'];

  beforeAll(async () => {
    // Prepare: three opted-in clusters, the recorded snapshots (mixed automated/manual), a person's
    // manual snapshot and another tool's snapshot carrying a similar tag.
    // 200 GB each: a snapshot takes minutes, so every retry fits before the 3 h deadline.
    const dataSizeMB = 200_000;
    w.sim.addCluster({
      ClusterIdentifier: 'etl-prod',
      NodeType: 'ra3.xlplus',
      NumberOfNodes: 2,
      Tags: [OPT_IN],
      dataSizeMB,
    });
    w.sim.addCluster({
      ClusterIdentifier: 'bi-dev',
      NodeType: 'ra3.xlplus',
      NumberOfNodes: 2,
      Tags: [OPT_IN],
      dataSizeMB,
    });
    w.sim.addCluster({
      ClusterIdentifier: 'redshift-cluster-1',
      NodeType: 'dc2.large',
      NumberOfNodes: 1,
      Tags: [OPT_IN],
      dataSizeMB,
    });
    for (const s of recordedSnapshots('test_redshift_consecutive_snapshot_count_filter')) {
      w.sim.seedSnapshot(s);
      foreign.add(s.SnapshotIdentifier ?? '');
      // Redshift deletes these by itself: an automated snapshot after the cluster's retention, a manual
      // one after its ManualSnapshotRetentionPeriod (the recording's are 7 days).
      if (s.SnapshotType === 'automated' || (s.ManualSnapshotRetentionPeriod ?? -1) > 0) {
        expiredByRedshift.add(s.SnapshotIdentifier ?? '');
      }
    }
    for (const [id, tags] of [
      ['etl-prod-before-migration', [{ Key: 'owner', Value: 'alice' }]],
      [
        'etl-prod-nightly-legacy',
        [
          { Key: 'managed-by', Value: 'someone-else' },
          { Key: SNAPSHOT_TAGS.policy, Value: 'nightly' },
        ],
      ],
      [
        'bi-dev-other-policy',
        [
          { Key: 'managed-by', Value: 'redshift-autopilot' },
          { Key: SNAPSHOT_TAGS.policy, Value: 'weekly' },
        ],
      ],
    ] as const) {
      w.sim.seedSnapshot({
        SnapshotIdentifier: id,
        ClusterIdentifier: id.startsWith('etl') ? 'etl-prod' : 'bi-dev',
        SnapshotType: 'manual',
        Status: 'available',
        SnapshotCreateTime: new Date(START - 40 * 86_400_000),
        Tags: tags.map((t) => ({ ...t })),
      });
      foreign.add(id);
    }
    w.sim.injectSnapshotFailures({ rate: 0.06, seed: 'gfs' });
    w.sim.subscribe((_payload, _at, event) => {
      if (event.eventId === 'REDSHIFT-EVENT-2011') deleted.push(event.resource);
    });

    // Act: ticks every 15 min from 00:00 to 04:00 UTC (the 02:00 Berlin slot, retries, deadline),
    // then one at 12:00 and one at 22:00 UTC; the check runs after the 22:00 tick.
    for (let day = 0; day < DAYS; day++) {
      const midnight = START + day * 86_400_000;
      const times = [
        ...Array.from({ length: 17 }, (_, i) => midnight + i * 15 * 60_000),
        midnight + 12 * 3_600_000,
        midnight + 22 * 3_600_000,
      ];
      for (const t of times) {
        if (t >= PAUSED_FROM && w.sim.getCluster('bi-dev')?.ClusterStatus === 'available' && t < PAUSED_TO) {
          await w.client.send(new PauseClusterCommand({ ClusterIdentifier: 'bi-dev' }));
        }
        if (t >= PAUSED_TO && w.sim.getCluster('bi-dev')?.ClusterStatus === 'paused') {
          await w.client.send(new ResumeClusterCommand({ ClusterIdentifier: 'bi-dev' }));
        }
        await w.tick(t);
      }
      for (const d of w.executed) {
        const id = d.params.SnapshotIdentifier;
        if (d.action === 'CreateClusterSnapshot' && typeof id === 'string') createdByPolicy.add(id);
      }
      // Assess (every day): what is kept equals the rule over the history of completed snapshots.
      const all = w.lastFleet().filter((r): r is SnapshotResource => r.type === 'snapshot');
      // Let the test runner's own messages through: this loop runs for a long while.
      await new Promise((resolve) => setImmediate(resolve));
      for (const cluster of CLUSTERS) {
        const mine = all.filter(
          (s) =>
            s.sourceId === cluster &&
            s.tags[SNAPSHOT_TAGS.policy] === 'nightly' &&
            s.tags['managed-by'] === 'redshift-autopilot',
        );
        const list = history.get(cluster) ?? [];
        for (const s of mine) {
          if (s.status === 'available' && !list.some((h) => h.id === s.id)) {
            list.push({ id: s.id, slot: Date.parse(s.tags[SNAPSHOT_TAGS.slot] ?? '') });
          }
        }
        history.set(cluster, list);
        const kept = new Set(mine.filter((s) => s.status === 'available').map((s) => s.id));
        const expected = expectedKept(list);
        if ([...kept].sort().join() !== [...expected].sort().join()) {
          mismatches.push(
            `day ${day} ${cluster}: kept ${[...kept].sort().join(' ')} expected ${[...expected].sort().join(' ')}`,
          );
        }
        // Per class: the kept snapshots cover min(N, periods in the history) distinct periods.
        for (const cls of Object.keys(RETAIN) as Cls[]) {
          const keptPeriods = new Set(list.filter((h) => kept.has(h.id)).map((h) => period(cls, h.slot)));
          const allPeriods = new Set(list.map((h) => period(cls, h.slot)));
          const newest = [...allPeriods].sort().reverse().slice(0, RETAIN[cls]);
          if (!newest.every((p) => keptPeriods.has(p)) || Math.min(RETAIN[cls], allPeriods.size) !== newest.length) {
            classMismatches.push(`day ${day} ${cluster} ${cls}`);
          }
        }
      }
    }
  }, 600_000);

  it('keeps exactly what the rule says, every day, on every cluster', () => {
    expect(mismatches.slice(0, 3)).toEqual([]);
    expect(classMismatches.slice(0, 3)).toEqual([]);
    // Sanity: after 400 days the history is long enough for every class to be full.
    const etl = history.get('etl-prod') ?? [];
    expect(etl.length).toBeGreaterThan(390);
    expect(expectedKept(etl).size).toBeGreaterThanOrEqual(RETAIN.daily + RETAIN.monthly);
  });

  it('deleted only snapshots it created, and never a foreign one', async () => {
    expect(deleted.length).toBeGreaterThan(1000);
    expect(deleted.filter((id) => !createdByPolicy.has(id))).toEqual([]);
    const left = new Set((await w.adapter.readSnapshots()).map((s) => s.id));
    expect([...foreign].filter((id) => !left.has(id) && !expiredByRedshift.has(id))).toEqual([]);
    expect(foreign.size - expiredByRedshift.size).toBe(3);
    expect(
      w.executed
        .filter((d) => d.action === 'DeleteClusterSnapshot')
        .every((d) => createdByPolicy.has(String(d.params.SnapshotIdentifier))),
    ).toBe(true);
  });

  it('gives every attempt a valid id and one snapshot per slot and attempt', () => {
    const creates = w.executed.filter((d) => d.action === 'CreateClusterSnapshot');
    expect(creates.every((d) => isValidSnapshotId(String(d.params.SnapshotIdentifier)))).toBe(true);
    expect(new Set(creates.map((d) => d.params.SnapshotIdentifier)).size).toBe(creates.length);
  });

  it('alerts each failed snapshot (REDSHIFT-EVENT-3503) and retries it with the next -r id', async () => {
    const failures = w.sim.emittedEvents().filter((e) => e.eventId === 'REDSHIFT-EVENT-3503');
    expect(failures.length).toBeGreaterThan(20);
    const alerts = w.notifier.alerts.filter(
      (a) => a.attributes.action === 'CreateClusterSnapshot' && a.attributes.outcome === 'failed',
    );
    for (const failure of failures) {
      const id = failure.resource;
      expect(alerts.some((a) => a.body.includes(`snapshot ${id} failed (`))).toBe(true);
      const m = /^(.*?)(?:-r(\d))?$/.exec(id);
      const next = `${m?.[1]}-r${Number(m?.[2] ?? 0) + 1}`;
      const retried = w.executed.find((d) => d.params.SnapshotIdentifier === next);
      if (Number(m?.[2] ?? 0) < 3) expect(retried, `retry of ${id}`).toBeDefined();
    }
    const first = alerts.find((a) => a.body.includes('retry 1/3 due from'));
    expect(first?.attributes.severity).toBe('ERROR');
  });

  it('closes records whose completion event was lost by polling in the sweep', async () => {
    expect(w.dropped.length).toBeGreaterThanOrEqual(14 * 3 - 5);
    const records = [...w.ledger.records.values()];
    for (const event of w.dropped) {
      const record = records.find((r) => r.createdId === event.resource.id);
      expect(record?.status, event.resource.id).toBe('succeeded');
      expect(record?.outcomeReason).toContain('sweep: DescribeClusterSnapshots says available, no event came');
    }
    expect(await w.ledger.listInFlight()).toEqual([]);
  });

  it('raises one deadline alert per slot missed while bi-dev was paused, naming cluster and slot', () => {
    const missed = w.notifier.alerts.filter((a) => a.attributes.action === 'SnapshotDeadline');
    expect(missed.map((a) => a.subject)).toEqual([
      '[autopilot] snapshot MISSED: bi-dev slot 2026-06-11T00:00Z (nightly)',
      '[autopilot] snapshot MISSED: bi-dev slot 2026-06-12T00:00Z (nightly)',
      '[autopilot] snapshot MISSED: bi-dev slot 2026-06-13T00:00Z (nightly)',
    ]);
    expect(missed[0]?.body).toContain('bi-dev is paused now (a paused cluster takes no snapshots)');
  });
});
