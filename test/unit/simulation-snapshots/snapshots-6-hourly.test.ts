import { DateTime } from 'luxon';
import { beforeAll, describe, expect, it } from 'vitest';
import { SNAPSHOT_TAGS } from '../../../shared/domains/snapshots/snapshot-tags.ts';
import type { SnapshotResource } from '../../../shared/policy/decision.ts';
import { OPT_IN, world } from './harness.ts';

/**
 * A 6-hourly snapshot policy (`cron(0 0/6 * * ? *)` in Europe/Berlin) with `retain: { last: 4,
 * daily: 7 }` on three clusters, two simulated weeks through the real acting path (sweep every 30
 * minutes, the simulator's events, the verifier). Every day:
 * - no slot is reported MISSED (every snapshot completes in minutes: 200 GB per cluster);
 * - the snapshots kept are exactly the ones the rule keeps, computed here from the history of
 *   completed snapshots without the production retention code: the 4 newest, plus the newest of each
 *   of the 7 newest local days that have one.
 * A second scenario runs the schedule with `retain: { daily: 7 }` alone: retention deletes each
 * day's earlier snapshots hours after they completed, and no slot is reported MISSED for it (before:
 * 41 false ERROR alerts in a week on two clusters).
 */
const ZONE = 'Europe/Berlin';
const START = Date.UTC(2026, 11, 6, 23, 0); // Monday 2026-12-07 00:00 Berlin
const DAYS = 14;
const LAST = 4;
const DAILY = 7;
const CLUSTERS = ['etl-prod', 'bi-prod', 'finance-dw'];
const HALF_HOUR = 30 * 60_000;

const policies = (retain: string) => `
version: 1
policies:
  - name: six-hourly
    resource: cluster
    match: { identifiers: ["etl-*", "bi-*", "finance-*"] }
    snapshots:
      schedule: "cron(0 0/6 * * ? *)"
      timezone: ${ZONE}
      retain: ${retain}
`;

interface Completed {
  id: string;
  slot: number;
}

/** The rule, independently: the LAST newest slots, and the newest slot of each of the DAILY newest local days. */
function expectedKept(history: readonly Completed[]): Set<string> {
  const newest = [...history].sort((a, b) => b.slot - a.slot);
  const kept = new Set(newest.slice(0, LAST).map((s) => s.id));
  const days: string[] = [];
  for (const s of newest) {
    const day = DateTime.fromMillis(s.slot, { zone: ZONE }).toISODate() ?? '';
    if (days.includes(day)) continue;
    if (days.length === DAILY) break;
    days.push(day);
    kept.add(s.id);
  }
  return kept;
}

function addClusters(w: ReturnType<typeof world>, ids: readonly string[]): void {
  for (const id of ids) {
    w.sim.addCluster({
      ClusterIdentifier: id,
      NodeType: 'ra3.xlplus',
      NumberOfNodes: 2,
      Tags: [OPT_IN],
      dataSizeMB: 200_000,
    });
  }
}

const deadlineAlerts = (w: ReturnType<typeof world>) =>
  w.notifier.alerts.filter((a) => a.attributes.action === 'SnapshotDeadline' || /MISSED/.test(a.subject));

describe('6-hourly snapshots, retain { last: 4, daily: 7 }, three clusters, two weeks', () => {
  const w = world({ start: START, seed: 23, policies: policies(`{ last: ${LAST}, daily: ${DAILY} }`) });
  const history = new Map<string, Completed[]>(CLUSTERS.map((c) => [c, []]));
  const mismatches: string[] = [];
  const keptPerDay: number[] = [];

  beforeAll(async () => {
    addClusters(w, CLUSTERS);
    for (let day = 0; day < DAYS; day++) {
      for (let i = 0; i < 48; i++) await w.tick(START + day * 86_400_000 + i * HALF_HOUR);
      // Assess at 23:30 local: what is kept equals the rule over every snapshot that ever completed.
      const all = w.lastFleet().filter((r): r is SnapshotResource => r.type === 'snapshot');
      for (const cluster of CLUSTERS) {
        const mine = all.filter((s) => s.sourceId === cluster && s.tags[SNAPSHOT_TAGS.policy] === 'six-hourly');
        const list = history.get(cluster) ?? [];
        for (const s of mine) {
          if (s.status === 'available' && !list.some((h) => h.id === s.id)) {
            list.push({ id: s.id, slot: Date.parse(s.tags[SNAPSHOT_TAGS.slot] ?? '') });
          }
        }
        const kept = mine.filter((s) => s.status === 'available').map((s) => s.id);
        const expected = [...expectedKept(list)];
        if (kept.sort().join() !== expected.sort().join()) {
          mismatches.push(`day ${day} ${cluster}: kept ${kept.join(' ')}; expected ${expected.join(' ')}`);
        }
        if (cluster === 'etl-prod') keptPerDay.push(kept.length);
      }
    }
  }, 300_000);

  it('takes every slot and raises no MISSED alert', () => {
    expect(deadlineAlerts(w).map((a) => a.subject)).toEqual([]);
    for (const cluster of CLUSTERS) expect(history.get(cluster)?.length, cluster).toBe(DAYS * 4);
  });

  it('keeps exactly the expected set every day', () => {
    expect(mismatches).toEqual([]);
    // Day 1: the 4 of the day and none older; from day 7 on: the last 4 plus 6 earlier days' newest.
    expect(keptPerDay.slice(0, 2)).toEqual([4, 5]);
    expect(keptPerDay.slice(7)).toEqual(Array(DAYS - 7).fill(LAST + DAILY - 1));
  });

  it('deleted only this policy’s older snapshots, each with its retention reason', () => {
    const deletes = w.executed.filter((d) => d.action === 'DeleteClusterSnapshot');
    expect(deletes.length).toBe(CLUSTERS.length * (DAYS * 4 - (LAST + DAILY - 1)));
    expect(
      deletes.every((d) => /^retention: .* beyond retain last 4, daily 7 \(Europe\/Berlin\)$/.test(d.reason)),
    ).toBe(true);
  });
});

describe('6-hourly snapshots, retain { daily: 7 } alone: deleted after completing, never MISSED', () => {
  const w = world({ start: START, seed: 5, policies: policies(`{ daily: ${DAILY} }`) });

  beforeAll(async () => {
    addClusters(w, CLUSTERS.slice(0, 2));
    for (let t = START; t < START + 4 * 86_400_000; t += 15 * 60_000) await w.tick(t);
  }, 120_000);

  it('deletes the day’s earlier snapshots and raises no deadline alert for their slots', () => {
    const deletes = w.executed.filter((d) => d.action === 'DeleteClusterSnapshot');
    // 4 days × 3 earlier snapshots per day × 2 clusters (today's newest is the day's representative).
    expect(deletes.length).toBe(4 * 3 * 2);
    expect(deadlineAlerts(w).map((a) => a.subject)).toEqual([]);
  });
});
