/**
 * What AWS checks before it takes a provisioned snapshot, and the arithmetic of snapshot sizes and
 * durations, apart from the snapshots model so each rule can be read (and tested) on its own.
 */
import { invalidParameterValue, MESSAGES } from './aws-errors.ts';
import type { SimulatorDurations } from './cluster-model.ts';
import type { BackupState } from './cluster-registry.ts';
import type { Prng } from './prng.ts';
import type { ProvisionedContext } from './provisioned-context.ts';

export const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;

/**
 * A snapshot identifier AWS accepts: 1–255 letters, digits or hyphens, first a letter, no trailing
 * hyphen and no `--` (API reference, CreateClusterSnapshot); lower case and not `Default` (guide
 * L28111–28163, facts.md §8).
 */
export function isValidSnapshotIdentifier(id: string): boolean {
  return (
    id.length >= 1 &&
    id.length <= 255 &&
    /^[a-z][a-z0-9-]*$/.test(id) &&
    !id.endsWith('-') &&
    !id.includes('--') &&
    id !== 'default'
  );
}

export function checkSnapshotIdentifier(ctx: ProvisionedContext, id: string | undefined, parameter: string): void {
  if (id === undefined || !isValidSnapshotIdentifier(id))
    throw invalidParameterValue(MESSAGES.invalidIdentifier(parameter), ctx.requestId());
}

/** Manual snapshot retention: -1 (indefinitely) or 1–3653 days (API reference; guide L4407). */
export function checkManualRetention(ctx: ProvisionedContext, days: number | undefined): void {
  if (days === undefined || days === -1) return;
  if (!Number.isInteger(days) || days < 1 || days > 3653)
    ctx.fault('InvalidRetentionPeriodFault', MESSAGES.invalidRetention);
}

/** Whole days left until `expiresAtMs`, rounded up (the API's ManualSnapshotRemainingDays). */
export function remainingDays(expiresAtMs: number, nowMs: number): number {
  return Math.max(0, Math.ceil((expiresAtMs - nowMs) / DAY_MS));
}

/** The automated snapshot identifier AWS uses: `rs:<cluster>-<yyyy-mm-dd-hh-mm-ss>` (recorded). */
export function automatedSnapshotId(clusterIdentifier: string, at: Date): string {
  return `rs:${clusterIdentifier}-${at.toISOString().slice(0, 19).replace(/[T:]/g, '-')}`;
}

/**
 * How much one snapshot backs up and how long it takes: the cluster's first snapshot copies all its
 * data, every later one only what changed since the previous snapshot (guide L3840–3852), at the
 * backup rate of its nodes.
 */
export function snapshotWork(
  backup: BackupState,
  dataSizeMB: number,
  nodes: number,
  durations: SimulatorDurations,
  rng: Prng,
): { incrementalMb: number; ms: number } {
  const first = backup.lastSnapshotMs === undefined;
  const incrementalMb = Math.max(1, Math.round(first ? dataSizeMB : backup.changedSinceSnapshotMb));
  const rate = rng.between(...durations.snapshotRateMbPerSecPerNode) * Math.max(1, nodes);
  const [min, max] = durations.snapshotBase;
  const base = min + (max - min) * rng.next();
  return { incrementalMb, ms: Math.round(base + (incrementalMb / rate) * 1000) };
}

/**
 * When the next automated snapshot is due (guide L3862): about 8 hours after the last one, or once
 * 5 GB per node changed, whichever comes first, never less than 15 minutes after the last one.
 */
export function nextAutomatedDue(backup: BackupState, nodes: number, nowMs: number): number {
  const last = backup.lastAutomatedMs ?? nowMs;
  const threshold = 5 * 1024 * Math.max(1, nodes);
  const left = Math.max(0, threshold - backup.changedSinceAutomatedMb);
  const byChange = backup.changeMbPerHour > 0 ? nowMs + (left / backup.changeMbPerHour) * HOUR_MS : Infinity;
  const due = Math.min(last + 8 * HOUR_MS, byChange);
  return Math.round(Math.max(due, last + 15 * MINUTE_MS, nowMs));
}
