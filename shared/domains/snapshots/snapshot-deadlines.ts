import type { CompiledSchedule } from '../../policy/aws-schedule.ts';
import type { CompiledPolicy } from '../../policy/capability.ts';
import type { FleetResource, SnapshotResource, TargetRef } from '../../policy/decision.ts';
import { isOptedIn } from '../../policy/targeting.ts';
import { isManagedSnapshot, slotOf } from './snapshot-tags.ts';
import {
  isCompiledSnapshots,
  type SnapshotDeadlines,
  type SnapshotSource,
  snapshotsOfSource,
  sourceOf,
} from './snapshots.capability.ts';

/**
 * Deadlines, pure: a schedule slot whose deadline has passed with no available snapshot of that slot
 * from the policy in the listing is a candidate miss — whatever the reason (skipped, failed for good,
 * never completed, events lost). The deadline is `deadline.first` when the source had no available
 * snapshot before the slot (the first one copies all the data), else `deadline.incremental`.
 *
 * A candidate is not yet a miss: retention may have deleted the slot's snapshot after it completed.
 * The verifier drops candidates whose snapshot the ledger recorded as completed, and alerts the rest
 * once per slot.
 */
export interface MissedSlot {
  policy: string;
  target: TargetRef;
  /** Cluster identifier or namespace name. */
  source: string;
  service: SnapshotSource['service'];
  slot: string;
  deadline: string;
  /** The deadline that applied: the first snapshot of the source, or a later (incremental) one. */
  kind: 'first' | 'incremental';
  deadlineMs: number;
  /** The policy resource's status now (a paused cluster explains a missed slot). */
  status: string;
  attempts: { id: string; status: string }[];
}

export const DEADLINE_LOOKBACK_MS = 6 * 3_600_000;

/** Slots whose earliest possible deadline has passed and whose latest one is within the lookback. */
function slotsToCheck(
  schedule: CompiledSchedule,
  deadline: SnapshotDeadlines,
  now: number,
  lookbackMs: number,
  since: number,
): number[] {
  const shortest = Math.min(deadline.firstMs, deadline.incrementalMs);
  const longest = Math.max(deadline.firstMs, deadline.incrementalMs);
  const slots: number[] = [];
  for (let s = schedule.nextAfter(now - longest - lookbackMs); s !== null && s + shortest <= now; ) {
    if (s >= since) slots.push(s);
    if (slots.length > 10_000) break;
    s = schedule.nextAfter(s);
  }
  return slots;
}

const timeOf = (s: SnapshotResource): number | null => (s.createdAt === null ? slotOf(s) : Date.parse(s.createdAt));

/** True when no snapshot of the source (any owner, any type) was available before the slot. */
export function isFirstSnapshot(all: readonly SnapshotResource[], slot: number): boolean {
  return !all.some((s) => {
    const t = timeOf(s);
    return s.status === 'available' && t !== null && t < slot;
  });
}

export function missedDeadlines(
  policies: readonly CompiledPolicy[],
  resources: readonly FleetResource[],
  now: number,
  lookbackMs: number = DEADLINE_LOOKBACK_MS,
  /** Per policy: the first instant autopilot watched it; earlier slots are nobody's miss to report. */
  watchingSince: ReadonlyMap<string, number> = new Map(),
): MissedSlot[] {
  const out: MissedSlot[] = [];
  const memo = new Map<string, unknown>();
  for (const policy of policies) {
    const capability = policy.capability;
    if (!isCompiledSnapshots(capability)) continue;
    const { deadline, schedule } = capability.settings;
    const since = watchingSince.get(policy.name) ?? Number.NEGATIVE_INFINITY;
    const slots = slotsToCheck(schedule, deadline, now, lookbackMs, since);
    if (slots.length === 0) continue;
    for (const resource of resources) {
      if (resource.type !== policy.resource || !policy.selector.matches(resource)) continue;
      if (!isOptedIn(resource, policy.optInTag)) continue;
      const source = sourceOf(resource);
      if (source === null) continue;
      const all = snapshotsOfSource(resources, source, memo);
      const mine = all.filter((s) => isManagedSnapshot(s.tags, policy.name));
      for (const slot of slots) {
        const attempts: SnapshotResource[] = mine.filter((s) => slotOf(s) === slot);
        if (attempts.some((s) => s.status === 'available')) continue;
        const kind = isFirstSnapshot(all, slot) ? 'first' : 'incremental';
        const deadlineMs = kind === 'first' ? deadline.firstMs : deadline.incrementalMs;
        // Not due yet, or due before the lookback (reported then, or before autopilot watched).
        if (slot + deadlineMs > now || slot + deadlineMs <= now - lookbackMs) continue;
        out.push({
          policy: policy.name,
          target: source.target,
          source: source.id,
          service: source.service,
          slot: new Date(slot).toISOString(),
          deadline: new Date(slot + deadlineMs).toISOString(),
          kind,
          deadlineMs,
          status: resource.status,
          attempts: attempts.map((s) => ({ id: s.id, status: s.status })),
        });
      }
    }
  }
  return out;
}
