import { createHash } from 'node:crypto';

/**
 * Snapshot identifiers, deterministic per (source, policy, slot, attempt): a duplicated or retried
 * tick asks for the same name, and Redshift's uniqueness (ClusterSnapshotAlreadyExistsFault /
 * ConflictException) turns a second create into a no-op instead of a second snapshot.
 *
 * Naming rules (catalog/facts.md §8, guide L28111–28163): a cluster snapshot identifier is at most 255
 * letters, digits or hyphens, lower-case, not `Default`, unique per account. The guide gives no
 * first-letter or hyphen rules for snapshots (GAP) and none at all for Serverless snapshot names, so
 * both follow the stricter cluster-identifier rules too: first a letter, no `--`, no trailing hyphen.
 */
export const SNAPSHOT_ID_MAX = 255;

/**
 * Every snapshot autopilot creates starts with this prefix (issue 22). The executor's IAM scopes
 * tagging and deleting cluster snapshots to the ARN `snapshot:<cluster>/autopilot-<…>`, so a snapshot someone else named
 * never becomes deletable by tagging it `managed-by=redshift-autopilot`; retention and the executor's
 * delete check require it too (Serverless snapshot ARNs carry an id, not the name: there only the code
 * holds it). Snapshots made before the prefix are left alone (docs/snapshots.md).
 */
export const SNAPSHOT_ID_PREFIX = 'autopilot-';

export const SNAPSHOT_ID_RULES = [
  { name: 'length 1–255', test: (id: string) => id.length >= 1 && id.length <= SNAPSHOT_ID_MAX },
  { name: 'lower-case letters, digits and hyphens only', test: (id: string) => /^[a-z0-9-]*$/.test(id) },
  { name: 'starts with a letter', test: (id: string) => /^[a-z]/.test(id) },
  { name: 'no two consecutive hyphens', test: (id: string) => !id.includes('--') },
  { name: 'no trailing hyphen', test: (id: string) => !id.endsWith('-') },
  { name: 'not "default"', test: (id: string) => id !== 'default' },
] as const;

/** The names of the rules `id` breaks (empty when valid). */
export function snapshotIdProblems(id: string): string[] {
  return SNAPSHOT_ID_RULES.filter((rule) => !rule.test(id)).map((rule) => rule.name);
}

export function isValidSnapshotId(id: string): boolean {
  return snapshotIdProblems(id).length === 0;
}

/** Lower-case letters, digits and single hyphens; no hyphen at either end. */
function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

const shortHash = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 6);

/**
 * A segment from free text. When the slug is not the text itself (`Nightly.Backup` → `nightly-backup`),
 * a hash of the exact text is appended so two names that slug alike still give different ids.
 */
function segment(text: string, max: number): string {
  const s = slug(text);
  if (s === text && s.length <= max) return s;
  const head = s.slice(0, max - 7).replace(/-+$/, '');
  return head === '' ? shortHash(text) : `${head}-${shortHash(text)}`;
}

/** `yyyymmddhhmm` of the slot in UTC: a slot is an instant, and UTC makes it unambiguous across DST. */
function stamp(slotMs: number): string {
  return new Date(slotMs).toISOString().slice(0, 16).replace(/[-:T]/g, '');
}

export interface SnapshotIdInput {
  /** Cluster identifier or Serverless namespace name. */
  source: string;
  policy: string;
  slotMs: number;
  /** 0 for the slot's first attempt; n for the n-th retry (`-r<n>`). */
  attempt: number;
}

/**
 * `autopilot-<source>-<policy>-<yyyymmddhhmm>[-r<n>]`, e.g. `autopilot-etl-prod-nightly-202601050200-r1`.
 * At most 10 + 63 + 1 + 128 + 1 + 12 + 3 = 218 characters, so nothing is ever cut; the prefix starts
 * with a letter, so any source (`123-db`) gives a valid id.
 */
export function snapshotId({ source, policy, slotMs, attempt }: SnapshotIdInput): string {
  const src = segment(source, 63);
  const id = `${SNAPSHOT_ID_PREFIX}${src}-${segment(policy, 128)}-${stamp(slotMs)}${attempt > 0 ? `-r${attempt}` : ''}`;
  return id.replace(/-{2,}/g, '-');
}

/** `-yyyymmddhhmm[-r<n>]` at the end of every id `snapshotId` makes. */
const STAMP_TAIL = /-(\d{12})(-r\d+)?$/;

/** True when `id` carries autopilot's prefix, as the IAM resource of tagging and deleting requires. */
export function hasAutopilotPrefix(id: string): boolean {
  return id.startsWith(SNAPSHOT_ID_PREFIX);
}

/**
 * Why `id` is not a name `snapshotId` gives this policy's snapshots (of `source`, when known), or null.
 * The executor's check of a decision's snapshot name (issue 22): a decision can only name snapshots
 * its policy would create or retire.
 */
export function snapshotIdRefusal(id: unknown, policy: string, source?: string): string | null {
  if (typeof id !== 'string' || !isValidSnapshotId(id)) return `${JSON.stringify(id)} is not a valid snapshot name`;
  const tail = STAMP_TAIL.exec(id);
  if (!hasAutopilotPrefix(id))
    return `${id} does not start with ${SNAPSHOT_ID_PREFIX}, as every snapshot autopilot names does`;
  if (tail === null) return `${id} does not end in the slot stamp autopilot names snapshots with`;
  const head = id.slice(0, tail.index);
  const policyPart = segment(policy, 128);
  if (source === undefined) {
    return head.endsWith(`-${policyPart}`) ? null : `${id} is not a snapshot name of policy ${policy}`;
  }
  const expected = snapshotId({ source, policy, slotMs: 0, attempt: 0 }).replace(STAMP_TAIL, '');
  return head === expected ? null : `${id} is not a snapshot name of policy ${policy} for ${source}`;
}
