import { homeOf, locationOfTarget, targetsFileOf } from '../aws/targets.ts';
import type { TargetRef } from './decision.ts';

/**
 * Which (account, Region) an idempotency key names (issue #18). A hub serves several targets, and one
 * cluster name may exist in two of them: keyed by policy, type and name alone, their decisions would share
 * one key, and the second would be taken for a duplicate of the first. So a decision about a resource in a
 * target other than the hub's own carries that target's account and Region in its key; a decision about
 * the hub's own resources — and every decision of a single-account deployment, which has no targets file —
 * keeps exactly the key it had before (no ledger migration).
 *
 * The home is read once per process from the targets file the hub packages (AUTOPILOT_TARGETS_PATH) and
 * the function's Region (AWS_REGION), the way the spoke execution roles are (targets-principals.ts): every
 * function of one deployment (ingest, reconcile, executor, trackers) reads the same file, so they all
 * compute the same keys. Tests set it with `setKeyHome`.
 */
export interface KeyHome {
  /** The hub's own account, null when the targets file names none (`assumeRole: false`). */
  account: string | null;
  region: string | null;
}

/** undefined: not read yet; null: a single-account deployment (no targets file). */
let home: KeyHome | null | undefined;

function homeFromEnv(env: Record<string, string | undefined>): KeyHome | null {
  const hub = targetsFileOf(env);
  if (hub === null) return null;
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  return region === undefined ? { account: homeOf(hub, '').account, region: null } : homeOf(hub, region);
}

/** The home keys are scoped against; read from the environment on first use. */
export function keyHome(): KeyHome | null {
  if (home === undefined) home = homeFromEnv(process.env);
  return home;
}

/**
 * Sets the home (a hub's own account and Region), null for a single-account deployment, or undefined to
 * read the environment again on next use. For tests and for a process that serves one hub explicitly.
 */
export function setKeyHome(value: KeyHome | null | undefined): void {
  home = value;
}

/**
 * `account/region` when the target lives in a target other than the home one, else null (the key is then
 * the single-account key). A target whose account or Region is unknown (no ARN, no location) is acted on
 * in the hub's own account (the executor's rule), so it is home.
 */
export function targetScope(target: TargetRef): string | null {
  const at = keyHome();
  if (at === null) return null;
  const { account, region } = locationOfTarget(target);
  if (account === null || region === null) return null;
  if (account === at.account && region === at.region) return null;
  return `${account}/${region}`;
}
