import { DateTime } from 'luxon';
import type { RetainRule } from './snapshots.schema.ts';

/**
 * Grandfather-father-son retention, pure, with restic's and borg's classes (`--keep-last`,
 * `--keep-hourly`, …). `last: N` keeps the N newest snapshots. Every other class (hourly, daily,
 * weekly, monthly, yearly) groups snapshots by the local time of their schedule slot in the policy's
 * zone — an hour, a day, an ISO week, a month, a year — and its representative is the newest snapshot
 * of the group. `retain.daily: 7` keeps the representatives of the 7 newest days that have a snapshot
 * (days without one do not count, so a paused week does not eat the history). A snapshot is kept when
 * any class keeps it. An hour is an hour of real time: the repeated local hour when summer time ends
 * is two periods (the key carries the UTC offset).
 *
 * Whatever the rule says, the newest available snapshot is never deleted: it is the last good one.
 * Snapshots that are not `available` (creating, failed) are never deleted by retention.
 */
export const RETENTION_CLASSES = ['last', 'hourly', 'daily', 'weekly', 'monthly', 'yearly'] as const;
export type RetentionClass = (typeof RETENTION_CLASSES)[number];

export type RetentionRule = { kind: 'classes'; retain: RetainRule } | { kind: 'max-age'; days: number };

export interface RetentionCandidate {
  id: string;
  /** The schedule slot the snapshot belongs to (epoch ms). */
  at: number;
  available: boolean;
}

export interface RetentionVerdict {
  id: string;
  at: number;
  keep: boolean;
  /** The classes whose representative this snapshot is, among the kept periods. */
  classes: RetentionClass[];
  reason: string;
}

const DAY_MS = 86_400_000;

/** The period a snapshot stands for in a class; for `last`, every snapshot is its own period. */
export function periodKey(cls: RetentionClass, at: number, zoneName: string, id = ''): string {
  // `last` needs no local time (building a zoned DateTime per snapshot per sweep was most of retention's cost).
  if (cls === 'last') return id;
  const t = DateTime.fromMillis(at, { zone: zoneName });
  switch (cls) {
    case 'hourly':
      return t.toFormat("yyyy-MM-dd'T'HHZZ");
    case 'daily':
      return t.toISODate() ?? '';
    case 'weekly':
      return `${t.weekYear}-W${String(t.weekNumber).padStart(2, '0')}`;
    case 'monthly':
      return t.toFormat('yyyy-MM');
    case 'yearly':
      return t.toFormat('yyyy');
  }
}

const newestFirst = (a: RetentionCandidate, b: RetentionCandidate) =>
  b.at - a.at || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

/** For each class, the ids it keeps and the period each stands for. */
export function keptByClass(
  candidates: readonly RetentionCandidate[],
  retain: RetainRule,
  zoneName: string,
): Map<RetentionClass, Map<string, string>> {
  const available = candidates.filter((c) => c.available).sort(newestFirst);
  const out = new Map<RetentionClass, Map<string, string>>();
  for (const cls of RETENTION_CLASSES) {
    const n = retain[cls] ?? 0;
    const kept = new Map<string, string>();
    const seen = new Set<string>();
    for (const c of available) {
      if (kept.size >= n) break;
      const key = periodKey(cls, c.at, zoneName, c.id);
      if (seen.has(key)) continue;
      seen.add(key);
      // Newest first: the first snapshot met in a period is its representative.
      kept.set(c.id, key);
    }
    out.set(cls, kept);
  }
  return out;
}

export function evaluateRetention(
  candidates: readonly RetentionCandidate[],
  rule: RetentionRule,
  zoneName: string,
  now: number,
): RetentionVerdict[] {
  const sorted = [...candidates].sort(newestFirst);
  const lastGood = sorted.find((c) => c.available)?.id;
  const retain = rule.kind === 'classes' ? rule.retain : null;
  const byClass = retain === null ? null : keptByClass(sorted, retain, zoneName);
  return sorted.map((c) => {
    if (!c.available) return { id: c.id, at: c.at, keep: true, classes: [], reason: 'not available' };
    const classes: RetentionClass[] = [];
    const parts: string[] = [];
    if (byClass !== null) {
      for (const cls of RETENTION_CLASSES) {
        const period = byClass.get(cls)?.get(c.id);
        if (period !== undefined) {
          classes.push(cls);
          parts.push(cls === 'last' ? `last ${retain?.last}` : `${cls} ${period}`);
        }
      }
    }
    const ageDays = (now - c.at) / DAY_MS;
    const young = rule.kind === 'max-age' && ageDays <= rule.days;
    if (classes.length > 0) return { id: c.id, at: c.at, keep: true, classes, reason: `kept as ${parts.join(', ')}` };
    if (young) {
      return { id: c.id, at: c.at, keep: true, classes, reason: `${Math.floor(ageDays)} days old ≤ maxAgeDays` };
    }
    if (c.id === lastGood) {
      return {
        id: c.id,
        at: c.at,
        keep: true,
        classes,
        reason: 'newest available snapshot: the last good one is kept',
      };
    }
    const reason =
      rule.kind === 'max-age'
        ? `${Math.floor(ageDays)} days old > maxAgeDays ${rule.days}`
        : `beyond ${describeRetain(rule.retain)} (${zoneName})`;
    return { id: c.id, at: c.at, keep: false, classes, reason };
  });
}

export function describeRetain(retain: RetainRule): string {
  const parts = RETENTION_CLASSES.filter((cls) => (retain[cls] ?? 0) > 0).map((cls) => `${cls} ${retain[cls]}`);
  return `retain ${parts.join(', ')}`;
}
