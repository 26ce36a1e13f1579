import type { SnapshotResource } from '../../policy/decision.ts';

/**
 * Tags autopilot puts on every snapshot it creates. Retention deletes a snapshot only when it carries
 * `managed-by=redshift-autopilot` and the deleting policy's name: manual snapshots a person took,
 * automated snapshots (which carry no tags of ours) and other policies' snapshots are never touched.
 * The IAM statement for DeleteClusterSnapshot conditions on the same tag (see docs/snapshots.md).
 */
export const SNAPSHOT_TAGS = {
  managedBy: 'managed-by',
  policy: 'autopilot:policy',
  slot: 'autopilot:slot',
  attempt: 'autopilot:attempt',
} as const;

export const MANAGED_BY = 'redshift-autopilot';

/** Actions that create a snapshot (the ledger tracks them until the snapshot is available or failed). */
export const SNAPSHOT_CREATE_ACTIONS = ['CreateClusterSnapshot', 'CreateSnapshot'] as const;
export const SNAPSHOT_DELETE_ACTIONS = ['DeleteClusterSnapshot', 'DeleteSnapshot'] as const;

export function isCreateAction(action: string): boolean {
  return (SNAPSHOT_CREATE_ACTIONS as readonly string[]).includes(action);
}

/** True when autopilot created the snapshot (and, when `policy` is given, that policy did). */
export function isManagedSnapshot(tags: Readonly<Record<string, string>>, policy?: string): boolean {
  if (tags[SNAPSHOT_TAGS.managedBy] !== MANAGED_BY) return false;
  return policy === undefined || tags[SNAPSHOT_TAGS.policy] === policy;
}

export interface SnapshotTagInput {
  policy: string;
  slotIso: string;
  attempt: number;
}

export function snapshotTags({ policy, slotIso, attempt }: SnapshotTagInput): Record<string, string> {
  return {
    [SNAPSHOT_TAGS.managedBy]: MANAGED_BY,
    [SNAPSHOT_TAGS.policy]: policy,
    [SNAPSHOT_TAGS.slot]: slotIso,
    [SNAPSHOT_TAGS.attempt]: String(attempt),
  };
}

/** The slot a snapshot belongs to: its slot tag, else its create time. */
export function slotOf(snapshot: SnapshotResource): number | null {
  const tagged = snapshot.tags[SNAPSHOT_TAGS.slot];
  const ms = tagged === undefined ? Number.NaN : Date.parse(tagged);
  if (!Number.isNaN(ms)) return ms;
  return snapshot.createdAt === null ? null : Date.parse(snapshot.createdAt);
}

export function attemptOf(snapshot: SnapshotResource): number {
  const tagged = Number(snapshot.tags[SNAPSHOT_TAGS.attempt]);
  if (Number.isInteger(tagged) && tagged >= 0) return tagged;
  const m = /-r(\d+)$/.exec(snapshot.id);
  return m === null ? 0 : Number(m[1]);
}
