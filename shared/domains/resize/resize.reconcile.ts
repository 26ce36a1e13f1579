import type { EvaluationEnv, Proposal } from '../../policy/capability.ts';
import type { ClusterResource, LedgerEntryView, TargetRef } from '../../policy/decision.ts';
import { formatUtcMinute } from '../../policy/local-time.ts';
import { resizeRefusal } from './resize.actions.ts';
import { planResize, resizeBlocked } from './resize.rules.ts';
import { type DesiredSize, desiredSizeAt, type SizeWindow } from './resize-schedule.ts';
import { snapshotStep } from './resize-snapshot.ts';

/**
 * Desired size, reconciled on every sweep and on every event about the cluster: when the cluster's node
 * count differs from what the policy wants now, one ResizeCluster per period (the slot is the latest
 * window boundary and the size), elastic when the rules allow, classic only when the policy allows it,
 * otherwise a skip with the reason and the nearest allowed size. Never on a paused cluster, never during
 * a resize, never while a snapshot of the cluster is being taken (an elastic resize can fail then, L3417).
 */
export interface ResizeSettings {
  defaultNodes: number;
  windows: readonly SizeWindow[];
  allowClassic: boolean;
  /** A manual snapshot before each resize, the resize once it is available (resize-snapshot.ts). */
  snapshotBefore: boolean;
  zoneName: string;
}

const ACTION = 'ResizeCluster';

function refOf(cluster: ClusterResource): TargetRef {
  const ref: TargetRef = { type: 'cluster', id: cluster.id };
  if (cluster.arn !== null) ref.arn = cluster.arn;
  if (cluster.region !== null) ref.region = cluster.region;
  return ref;
}

/** The size wanted now, memoised per decide() call (every selected cluster shares it). */
export function desiredNow(settings: ResizeSettings, env: EvaluationEnv): DesiredSize {
  const key = `resize:${env.policy.name}`;
  let found = env.memo.get(key) as DesiredSize | undefined;
  if (found === undefined) {
    found = desiredSizeAt(settings.defaultNodes, settings.windows, env.now);
    env.memo.set(key, found);
  }
  return found;
}

export function sizeReason(desired: DesiredSize, zoneName: string): string {
  // A running window's text already names its zone.
  const what =
    desired.window === null
      ? `default size, ${zoneName}`
      : desired.window.kind === 'running'
        ? `window ${desired.window.text}`
        : `window ${desired.window.text} ${zoneName}`;
  const next = desired.next === null ? 'no change scheduled' : `next boundary ${formatUtcMinute(desired.next)}`;
  return `${desired.nodes} nodes (${what}); ${next}`;
}

/** The slot of the period the size belongs to: one decision per period and size. */
export function sizeSlot(desired: DesiredSize): string {
  return `${desired.since === null ? 'always' : new Date(desired.since).toISOString()}:${desired.nodes}`;
}

/** A snapshot of the cluster being taken now: in the fleet read, or a create the ledger still tracks. */
function snapshotInProgress(cluster: ClusterResource, target: TargetRef, env: EvaluationEnv): string | null {
  const creating = env.fleet.resources.find(
    (r) => r.type === 'snapshot' && r.service === 'redshift' && r.sourceId === cluster.id && r.status === 'creating',
  );
  if (creating !== undefined) return `snapshot ${creating.id} is being taken`;
  const tracked = env.ledger.inProgress(target).find((e) => e.action === 'CreateClusterSnapshot');
  return tracked === undefined ? null : `a snapshot by ${tracked.policy} is in progress (ledger)`;
}

function otherInProgress(target: TargetRef, env: EvaluationEnv): LedgerEntryView | undefined {
  return env.ledger.inProgress(target).find((e) => e.action !== 'CreateClusterSnapshot');
}

export function reconcileResize(settings: ResizeSettings, cluster: ClusterResource, env: EvaluationEnv): Proposal[] {
  const desired = desiredNow(settings, env);
  const target = refOf(cluster);
  const slot = sizeSlot(desired);
  const entry = env.ledger.byKey(env.ledger.keyFor(env.policy.name, target, ACTION, slot));
  if (cluster.numberOfNodes === desired.nodes && cluster.status === 'available') return [];
  const why = sizeReason(desired, settings.zoneName);
  if (entry?.status === 'failed') {
    return [
      skip(
        target,
        `ResizeCluster to ${desired.nodes} failed in this period (ledger); not retried before the next boundary; ${why}`,
      ),
    ];
  }
  if (entry?.status === 'succeeded' && cluster.status === 'available') {
    return [
      skip(
        target,
        `ResizeCluster to ${desired.nodes} completed in this period, and the cluster has had ${cluster.numberOfNodes} nodes since (changed by another hand); not changed back before the next boundary; ${why}`,
      ),
    ];
  }
  if (entry !== undefined && entry.status !== 'skipped') {
    // Decided already (pending, under way, done, dry run): the ledger and the sweep follow it.
    return cluster.numberOfNodes === desired.nodes
      ? []
      : [skip(target, `resize to ${desired.nodes} ${entry.status}; ${why}`)];
  }
  if (cluster.numberOfNodes === desired.nodes) return [];
  return proposeResize(settings, cluster, env, { desired, target, slot, why });
}

interface Wanted {
  desired: DesiredSize;
  target: TargetRef;
  slot: string;
  why: string;
}

/** Not decided yet this period: the preflight, then the snapshot first (snapshotBefore), then the resize. */
function proposeResize(settings: ResizeSettings, cluster: ClusterResource, env: EvaluationEnv, w: Wanted): Proposal[] {
  const { desired, target, slot, why } = w;
  const blocked = resizeBlocked(cluster);
  if (blocked !== null) return [skip(target, `${blocked}; wants ${why}`)];
  const busy = otherInProgress(target, env);
  if (busy !== undefined)
    return [skip(target, `${busy.action} by ${busy.policy} in progress (ledger); resize waits; wants ${why}`)];
  // Without AWS's options the baseline is unknown: the smaller of the default and the current count, so
  // a guess refuses rather than acts (AWS's answer on the next read replaces it).
  const assumedBase = Math.min(settings.defaultNodes, cluster.numberOfNodes);
  const plan = planResize(cluster, desired.nodes, { allowClassic: settings.allowClassic, assumedBase });
  if (!plan.ok) return [skip(target, `cannot resize to ${desired.nodes}: ${plan.reason}; wants ${why}`)];
  const params: Record<string, unknown> = { ClusterIdentifier: cluster.id, NumberOfNodes: desired.nodes };
  if (plan.kind === 'classic') params.Classic = true;
  // The executor's guardrail, on this read: one rule for both.
  const refused = resizeRefusal(cluster, params);
  if (refused !== null) return [skip(target, `${refused}; wants ${why}`)];
  const direction = desired.nodes > cluster.numberOfNodes ? 'up' : 'down';
  const reason = `scale ${direction} ${cluster.numberOfNodes} → ${desired.nodes} nodes (${plan.kind} by ${plan.via}): ${why}`;
  const first = settings.snapshotBefore
    ? snapshotStep({ cluster, target, slot, slotMs: desired.since ?? 0, why: reason }, env)
    : null;
  if (first?.kind === 'skip') return [first];
  const snapshot = snapshotInProgress(cluster, target, env);
  if (snapshot !== null) {
    const what =
      first === null
        ? 'an elastic resize can fail during a snapshot (guide L3417); resize waits'
        : 'the snapshot before resize waits';
    return [skip(target, `${snapshot}: ${what}; wants ${why}`)];
  }
  if (first !== null) return [first];
  return [{ kind: 'act', action: ACTION, target, params, reason, slot }];
}

const skip = (target: TargetRef, reason: string): Proposal => ({ kind: 'skip', target, reason });
