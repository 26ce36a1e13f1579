import type { NormalizedEvent } from '../../events/normalized-event.ts';
import type { EvaluationEnv, Proposal } from '../../policy/capability.ts';
import type { ClusterResource, LedgerEntryView, TargetRef } from '../../policy/decision.ts';
import { resourceOfRef } from '../../policy/fleet.ts';
import { formatUtcMinute } from '../../policy/local-time.ts';
import { isOptedIn } from '../../policy/targeting.ts';
import { resizeRefusal } from './resize.actions.ts';
import { planResize, resizeBlocked } from './resize.rules.ts';
import { SCALE_BACK_SLOT, scaleBackAlert } from './resize-alerts.ts';
import { type GrowSettings, growAlarm, grownNodes, growSlot, growthOf, growthText } from './resize-grow.ts';
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
  /** Growth on a CloudWatch alarm, until the next boundary (resize-grow.ts); null without `grow`. */
  grow: GrowSettings | null;
  zoneName: string;
}

/** The size the policy wants for one cluster now: the schedule's, grown on its alarm. */
interface SizeNow {
  nodes: number;
  /** One decision per slot: the period and size, or the period's growth level. */
  slot: string;
  /** The instant the slot stands for (snapshot names and tags): the period start, or the growth. */
  slotMs: number;
  /** The next boundary, where this size ends (null: none scheduled). */
  next: number | null;
  why: string;
}

function sizeNow(settings: ResizeSettings, target: TargetRef, env: EvaluationEnv): SizeNow {
  const desired = desiredNow(settings, env);
  const base: SizeNow = {
    nodes: desired.nodes,
    slot: sizeSlot(desired),
    slotMs: desired.since ?? 0,
    next: desired.next,
    why: sizeReason(desired, settings.zoneName),
  };
  if (settings.grow === null) return base;
  const growth = growthOf(settings.grow, desired.nodes, base.slot, target, env);
  if (growth.level === 0) return base;
  const nodes = grownNodes(settings.grow, desired.nodes, growth.level);
  return {
    nodes,
    slot: growSlot(base.slot, growth.level),
    slotMs: growth.at ?? base.slotMs,
    next: desired.next,
    why: growthText(settings.grow, growth, nodes, target.id, base.why),
  };
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
  const target = refOf(cluster);
  const size = sizeNow(settings, target, env);
  const { nodes, slot, why } = size;
  const entry = env.ledger.byKey(env.ledger.keyFor(env.policy.name, target, ACTION, slot));
  if (cluster.numberOfNodes === nodes && cluster.status === 'available') return [];
  if (entry?.status === 'failed') {
    return [
      skip(
        target,
        `ResizeCluster to ${nodes} failed in this period (ledger); not retried before the next boundary; ${why}`,
      ),
    ];
  }
  if (entry?.status === 'succeeded' && cluster.status === 'available') {
    return [
      skip(
        target,
        `ResizeCluster to ${nodes} completed in this period, and the cluster has had ${cluster.numberOfNodes} nodes since (changed by another hand); not changed back before the next boundary; ${why}`,
      ),
    ];
  }
  if (entry !== undefined && entry.status !== 'skipped') {
    // Decided already (pending, under way, done, dry run): the ledger and the sweep follow it.
    return cluster.numberOfNodes === nodes ? [] : [skip(target, `resize to ${nodes} ${entry.status}; ${why}`)];
  }
  if (cluster.numberOfNodes === nodes) return [];
  return proposeResize(settings, cluster, env, { ...size, target });
}

/**
 * The grow alarm in ALARM for a cluster of this policy: one more growth level (step nodes, up to max),
 * unless the cooldown since the last one runs, max is reached, or the cluster cannot take a resize now
 * (paused, mid-resize, its scheduled resize not done yet, another change): then a skip says why, and the
 * alarm's next transition to ALARM asks again. The growth holds until the next boundary (resize-grow.ts).
 */
export function reactGrow(settings: ResizeSettings, event: NormalizedEvent, env: EvaluationEnv): Proposal[] {
  const grow = settings.grow;
  const alarm = grow === null ? null : growAlarm(grow, event);
  if (grow === null || alarm === null) return [];
  const found = resourceOfRef(env.fleet, event.resource, 'cluster');
  if (found === undefined || found.type !== 'cluster' || !env.policy.selector.matches(found)) return [];
  const target = refOf(found);
  const label = `alarm ${alarm} in ALARM at ${formatUtcMinute(Date.parse(event.time))}`;
  if (!isOptedIn(found, env.policy.optInTag)) return [skip(target, `${label}: not opted in`)];
  const desired = desiredNow(settings, env);
  const now = sizeNow(settings, target, env);
  const periodSlot = sizeSlot(desired);
  const growth = growthOf(grow, desired.nodes, periodSlot, target, env);
  if (now.nodes >= grow.max) return [skip(target, `${label}: not grown, already at grow.max ${grow.max}; ${now.why}`)];
  if (growth.at !== null && env.now - growth.at < grow.cooldownMs) {
    return [
      skip(target, `${label}: not grown, cooldown until ${formatUtcMinute(growth.at + grow.cooldownMs)}; ${now.why}`),
    ];
  }
  if (found.numberOfNodes !== now.nodes) {
    return [
      skip(target, `${label}: not grown, the cluster has ${found.numberOfNodes} nodes and ${now.why} comes first`),
    ];
  }
  const level = growth.level + 1;
  const nodes = grownNodes(grow, desired.nodes, level);
  const next = { level, at: env.now };
  const why = growthText(grow, next, nodes, target.id, sizeReason(desired, settings.zoneName));
  const size: SizeNow = { nodes, slot: growSlot(periodSlot, level), slotMs: env.now, next: desired.next, why };
  return proposeResize(settings, found, env, { ...size, target }).map((p) =>
    p.kind === 'skip' ? { ...p, reason: `${label}: not grown now: ${p.reason}` } : p,
  );
}

interface Wanted extends SizeNow {
  target: TargetRef;
}

/** Not decided yet this period: the preflight, then the snapshot first (snapshotBefore), then the resize. */
function proposeResize(settings: ResizeSettings, cluster: ClusterResource, env: EvaluationEnv, w: Wanted): Proposal[] {
  const { nodes, target, slot, why } = w;
  const blocked = resizeBlocked(cluster);
  if (blocked !== null) return [skip(target, `${blocked}; wants ${why}`)];
  const busy = otherInProgress(target, env);
  if (busy !== undefined)
    return [skip(target, `${busy.action} by ${busy.policy} in progress (ledger); resize waits; wants ${why}`)];
  // Without AWS's options the baseline is unknown: the smaller of the default and the current count, so
  // a guess refuses rather than acts (AWS's answer on the next read replaces it).
  const assumedBase = Math.min(settings.defaultNodes, cluster.numberOfNodes);
  const plan = planResize(cluster, nodes, { allowClassic: settings.allowClassic, assumedBase });
  if (!plan.ok) {
    const refused = skip(target, `cannot resize to ${nodes}: ${plan.reason}; wants ${why}`);
    if (nodes > cluster.numberOfNodes) return [refused];
    const scaleBack = { cluster, target, wanted: nodes, reason: plan.reason, nearest: plan.nearest, why };
    const slot = SCALE_BACK_SLOT(w.slot);
    return [refused, scaleBackAlert({ ...scaleBack, slot, allowClassic: settings.allowClassic }, env)];
  }
  const params: Record<string, unknown> = { ClusterIdentifier: cluster.id, NumberOfNodes: nodes };
  if (plan.kind === 'classic') params.Classic = true;
  // The executor's guardrail, on this read: one rule for both.
  const refused = resizeRefusal(cluster, params);
  if (refused !== null) return [skip(target, `${refused}; wants ${why}`)];
  const direction = nodes > cluster.numberOfNodes ? 'up' : 'down';
  const reason = `scale ${direction} ${cluster.numberOfNodes} → ${nodes} nodes${nodeHours(nodes - cluster.numberOfNodes, w.next, env.now)} (${plan.kind} by ${plan.via}): ${why}`;
  const first = settings.snapshotBefore
    ? snapshotStep({ cluster, target, slot, slotMs: w.slotMs, why: reason }, env)
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

/** What the resize adds to the bill until the size ends (plan shows it per resize): `, +56 node-hours to …`. */
function nodeHours(delta: number, next: number | null, now: number): string {
  if (next === null) return '';
  const hours = Math.round((delta * (next - now)) / 3_600_000);
  return `, ${hours >= 0 ? '+' : '−'}${Math.abs(hours)} node-hours to ${formatUtcMinute(next)}`;
}

const skip = (target: TargetRef, reason: string): Proposal => ({ kind: 'skip', target, reason });
