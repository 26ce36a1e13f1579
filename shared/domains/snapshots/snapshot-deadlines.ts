import type { CompiledPolicy } from '../../policy/capability.ts';
import type { FleetResource, SnapshotResource, TargetRef } from '../../policy/decision.ts';
import { isOptedIn } from '../../policy/targeting.ts';
import { isManagedSnapshot, slotOf } from './snapshot-tags.ts';
import { isCompiledSnapshots, snapshotsOfSource, sourceOf } from './snapshots.capability.ts';

/**
 * Deadlines, pure: a schedule slot whose deadline (slot + `deadline`, default 2 h) has passed with no
 * available snapshot of that slot from the policy is missed — whatever the reason (skipped, failed
 * for good, never completed, events lost). The verifier alerts once per missed slot.
 */
export interface MissedSlot {
  policy: string;
  target: TargetRef;
  /** Cluster identifier or namespace name. */
  source: string;
  slot: string;
  deadline: string;
  /** The policy resource's status now (a paused cluster explains a missed slot). */
  status: string;
  attempts: { id: string; status: string }[];
}

export const DEADLINE_LOOKBACK_MS = 6 * 3_600_000;

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
    const { schedule, deadlineMs } = capability.settings;
    const slots: number[] = [];
    // Slots whose deadline fell in (now - lookback, now].
    const since = watchingSince.get(policy.name) ?? Number.NEGATIVE_INFINITY;
    for (let s = schedule.nextAfter(now - deadlineMs - lookbackMs); s !== null && s + deadlineMs <= now; ) {
      if (s >= since) slots.push(s);
      if (slots.length > 10_000) break;
      s = schedule.nextAfter(s);
    }
    if (slots.length === 0) continue;
    for (const resource of resources) {
      if (resource.type !== policy.resource || !policy.selector.matches(resource)) continue;
      if (!isOptedIn(resource, policy.optInTag)) continue;
      const source = sourceOf(resource);
      if (source === null) continue;
      const mine = snapshotsOfSource(resources, source, memo).filter((s) => isManagedSnapshot(s.tags, policy.name));
      for (const slot of slots) {
        const attempts: SnapshotResource[] = mine.filter((s) => slotOf(s) === slot);
        if (attempts.some((s) => s.status === 'available')) continue;
        out.push({
          policy: policy.name,
          target: source.target,
          source: source.id,
          slot: new Date(slot).toISOString(),
          deadline: new Date(slot + deadlineMs).toISOString(),
          status: resource.status,
          attempts: attempts.map((s) => ({ id: s.id, status: s.status })),
        });
      }
    }
  }
  return out;
}
