import type { EvaluationEnv, Proposal } from '../../policy/capability.ts';
import type { ClusterResource, TargetRef } from '../../policy/decision.ts';
import { oneOf } from '../../policy/param-check.ts';
import { snapshotId, snapshotIdRefusal } from '../snapshots/snapshot-id.ts';
import { tagsRefusal } from '../snapshots/snapshot-params.ts';
import { snapshotTags } from '../snapshots/snapshot-tags.ts';

/**
 * `snapshotBefore: true`: a manual snapshot of the cluster before each resize, and the resize only once
 * it is available and no older than 10 hours (a classic resize to RA3 needs exactly that, guide
 * L3484–3498; the same bound for every resize keeps the snapshot a true "before"). The snapshot is the
 * snapshots capability's CreateClusterSnapshot with its name form and tags — `autopilot-<cluster>-<policy>-
 * <period start>[-r<n>]`, `managed-by=redshift-autopilot`, `autopilot:policy=<the resize policy>` — so the
 * executor's IAM (autopilot-* names, those four tag keys) covers it, and no snapshots policy's retention
 * ever deletes it (retention deletes only its own policy's snapshots). AWS expires it after
 * RESIZE_SNAPSHOT_DAYS. One attempt per period and size: a failed snapshot (alerted by the snapshot
 * verifier) means no resize before the next boundary; a snapshot grown stale while the resize waited
 * (paused cluster, another change) is followed by a new attempt (-r1, -r2, …).
 */
export const RESIZE_SNAPSHOT_DAYS = 7;
export const SNAPSHOT_FRESH_MS = 10 * 3_600_000;
const SNAPSHOT_ACTION = 'CreateClusterSnapshot';
/** Fresh attempts per period: each is taken only after the last grew older than 10 h. */
const MAX_ATTEMPTS = 5;

export interface SnapshotFor {
  cluster: ClusterResource;
  target: TargetRef;
  /** The resize's slot (period and size) and the instant its period starts (the name's stamp). */
  slot: string;
  slotMs: number;
  /** Why the resize: appended to every reason. */
  why: string;
}

export const snapshotSlot = (resizeSlot: string, attempt: number) => `${resizeSlot}:snapshot:${attempt}`;

/**
 * The snapshot step of a resize: null when the snapshot is available and fresh (the resize goes now);
 * otherwise the CreateClusterSnapshot to make, or a skip saying what the resize waits for.
 */
export function snapshotStep(s: SnapshotFor, env: EvaluationEnv): Proposal | null {
  const policy = env.policy.name;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const slot = snapshotSlot(s.slot, attempt);
    const entry = env.ledger.byKey(env.ledger.keyFor(policy, s.target, SNAPSHOT_ACTION, slot));
    const id = snapshotId({ source: s.cluster.id, policy, slotMs: s.slotMs, attempt });
    if (entry === undefined || entry.status === 'skipped') return createProposal(s, policy, attempt, slot, id);
    if (entry.status === 'failed') {
      return skip(
        s.target,
        `snapshot before resize ${id} failed (ledger): the resize is not made without it before the next boundary; ${s.why}`,
      );
    }
    if (entry.status === 'pending' || entry.status === 'in-progress') {
      return skip(
        s.target,
        `snapshot before resize ${id} ${entry.status}: the resize waits until it is available; ${s.why}`,
      );
    }
    if (entry.status === 'dry-run' || env.now - Date.parse(entry.at) <= SNAPSHOT_FRESH_MS) return null;
  }
  return skip(
    s.target,
    `no snapshot before resize younger than 10 h after ${MAX_ATTEMPTS} attempts this period; the resize waits for the next boundary; ${s.why}`,
  );
}

function createProposal(s: SnapshotFor, policy: string, attempt: number, slot: string, id: string): Proposal {
  const slotIso = new Date(s.slotMs).toISOString();
  const tags = snapshotTags({ policy, slotIso, attempt });
  const fresh = attempt === 0 ? '' : ` (attempt ${attempt}: the last one is older than 10 h)`;
  return {
    kind: 'act',
    action: SNAPSHOT_ACTION,
    target: s.target,
    params: {
      SnapshotIdentifier: id,
      ClusterIdentifier: s.cluster.id,
      ManualSnapshotRetentionPeriod: RESIZE_SNAPSHOT_DAYS,
      Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
    },
    reason: `snapshot before resize${fresh}, kept ${RESIZE_SNAPSHOT_DAYS} days (snapshotBefore): ${s.why}`,
    slot,
  };
}

/** The executor's check of a CreateClusterSnapshot this resize policy decided (issue 22). */
export function snapshotParamRefusal(
  policy: string,
  snapshotBefore: boolean,
  key: string,
  value: unknown,
  params: Readonly<Record<string, unknown>>,
): string | null {
  if (!snapshotBefore) return `${key}: policy ${policy} takes no snapshot (snapshotBefore is not true)`;
  switch (key) {
    case 'SnapshotIdentifier': {
      const source = params.ClusterIdentifier;
      return snapshotIdRefusal(value, policy, typeof source === 'string' ? source : '');
    }
    case 'ManualSnapshotRetentionPeriod':
      return oneOf(key, value, [RESIZE_SNAPSHOT_DAYS]);
    case 'Tags':
      return tagsRefusal(key, value, policy);
    default:
      return `${key} is not a parameter the resize policy's snapshot sets`;
  }
}

const skip = (target: TargetRef, reason: string): Proposal => ({ kind: 'skip', target, reason });
