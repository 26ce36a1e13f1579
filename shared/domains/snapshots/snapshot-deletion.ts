import { ResourceStateConflictError } from '../../errors.ts';
import type { SnapshotResource } from '../../policy/decision.ts';
import { hasAutopilotPrefix, SNAPSHOT_ID_PREFIX } from './snapshot-id.ts';
import { isManagedSnapshot, MANAGED_BY, SNAPSHOT_TAGS } from './snapshot-tags.ts';

/** A refusal of our own, before any AWS call: classified like an AWS state conflict (skip and report). */
export function snapshotRefusal(
  operation: string,
  message: string,
  name = 'SnapshotNotDeletable',
): ResourceStateConflictError {
  const cause = Object.assign(new Error(message), { name });
  return new ResourceStateConflictError(`${operation}: ${message}`, { cause });
}

/**
 * The checks every snapshot delete passes at execution time, on a fresh read (decide() checked the same
 * on the fleet it was given): autopilot created it (tag) and named it (prefix), it is available and manual, and it is not
 * the last good snapshot — the newest available one autopilot made, or the only available one at all.
 */
export function deletionRefusal(target: SnapshotResource | null, siblings: readonly SnapshotResource[]): string | null {
  if (target === null) return null; // not found: the delete itself answers with the AWS fault
  if (!isManagedSnapshot(target.tags)) {
    return `${target.id} has no tag ${SNAPSHOT_TAGS.managedBy}=${MANAGED_BY}: autopilot deletes only what it created`;
  }
  if (target.snapshotType !== 'manual') return `${target.id} is ${target.snapshotType}, not manual`;
  if (!hasAutopilotPrefix(target.id)) {
    return `${target.id} is not named ${SNAPSHOT_ID_PREFIX}…: autopilot deletes only snapshots it named (older ones are deleted by hand)`;
  }
  if (target.status !== 'available') return `${target.id} is ${target.status}, not available`;
  const good = siblings.filter((s) => s.status === 'available' && s.id !== target.id);
  if (good.length === 0) return `${target.id} is the last available snapshot of ${target.sourceId}`;
  const newestManaged = siblings
    .filter((s) => s.status === 'available' && isManagedSnapshot(s.tags))
    .sort((a, b) => (b.createdAt ?? '').localeCompare(a.createdAt ?? ''))[0];
  if (newestManaged?.id === target.id) return `${target.id} is the newest available snapshot autopilot made`;
  return null;
}
