import type { NormalizedEvent } from '../../events/normalized-event.ts';
import type { EvaluationEnv } from '../../policy/capability.ts';
import type { TargetRef } from '../../policy/decision.ts';
import { formatUtcMinute } from '../../policy/local-time.ts';
import { snapshotSlot } from './resize-snapshot.ts';

/**
 * `grow: { onAlarm, step, max, cooldown }`: the CloudWatch alarm named `onAlarm` (`{cluster}` standing
 * for the cluster identifier, its ClusterIdentifier dimension) going to ALARM — as EventBridge's
 * `CloudWatch Alarm State Change` or CloudWatch's own SNS JSON, both normalized alike
 * (shared/events/alarm.ts) — grows the size the policy wants by `step` nodes, up to `max`, at most once
 * per `cooldown`. The growth holds until the next scheduled boundary (a window opening or closing):
 * there the policy's schedule decides again, from its own size, so a peak's growth never outlives the
 * peak and the scale-back comes at the boundary as it would without growth.
 *
 * Nothing but the ledger remembers a growth: level k of a period is the ResizeCluster decided under the
 * slot `<period>:grow:<k>` — or, with snapshotBefore, the snapshot decided first for it. Every sweep
 * looks them up, so a growth decided on an alarm is what the sweep reconciles until the boundary.
 */
export interface GrowSettings {
  /** Alarm name, `{cluster}` for the cluster identifier. */
  onAlarm: string;
  step: number;
  max: number;
  cooldownMs: number;
}

export const CLUSTER_PLACEHOLDER = '{cluster}';
const RESIZE = 'ResizeCluster';
const SNAPSHOT = 'CreateClusterSnapshot';

export const growSlot = (periodSlot: string, level: number) => `${periodSlot}:grow:${level}`;

export interface Growth {
  /** Growth levels decided in this period (0: none). */
  level: number;
  /** When the latest level was decided (the first of its decisions: its snapshot, else its resize). */
  at: number | null;
}

/** The size growth level `level` gives over the scheduled size: `step` each, never beyond `max`. */
export function grownNodes(grow: GrowSettings, scheduled: number, level: number): number {
  return scheduled >= grow.max ? scheduled : Math.min(grow.max, scheduled + level * grow.step);
}

/** The most levels a period can hold: from the scheduled size to `max`. */
export function maxLevels(grow: GrowSettings, scheduled: number): number {
  return scheduled >= grow.max ? 0 : Math.ceil((grow.max - scheduled) / grow.step);
}

/** The growth levels the ledger holds for this period and cluster (all looked up at once: one ledger read). */
export function growthOf(
  grow: GrowSettings,
  scheduled: number,
  periodSlot: string,
  target: TargetRef,
  env: EvaluationEnv,
): Growth {
  const key = (action: string, slot: string) =>
    env.ledger.byKey(env.ledger.keyFor(env.policy.name, target, action, slot));
  const levels = [];
  for (let k = 1; k <= maxLevels(grow, scheduled); k++) {
    const slot = growSlot(periodSlot, k);
    const first = key(SNAPSHOT, snapshotSlot(slot, 0)) ?? key(RESIZE, slot);
    levels.push(first === undefined || first.status === 'skipped' ? null : Date.parse(first.at));
  }
  let level = 0;
  let at: number | null = null;
  for (const [i, decided] of levels.entries()) {
    if (decided === null) break;
    level = i + 1;
    at = decided;
  }
  return { level, at };
}

/** The alarm this event is, for this policy: its name for the cluster, in ALARM; else null. */
export function growAlarm(grow: GrowSettings, event: NormalizedEvent): string | null {
  if (event.kind !== 'alarm' || event.resource.type !== 'cluster' || event.alarm?.state !== 'ALARM') return null;
  const name = grow.onAlarm.replaceAll(CLUSTER_PLACEHOLDER, event.resource.id);
  return event.alarm.name === name ? name : null;
}

/** `6 nodes (grown 1× 2 on alarm fin-a-disk-high, the last at …; at most 12; until the next boundary) over <schedule>`. */
export function growthText(grow: GrowSettings, growth: Growth, nodes: number, cluster: string, over: string): string {
  const when = growth.at === null ? '' : `, the last at ${formatUtcMinute(growth.at)}`;
  const alarm = grow.onAlarm.replaceAll(CLUSTER_PLACEHOLDER, cluster);
  return `${nodes} nodes (grown ${growth.level}× ${grow.step} on alarm ${alarm}${when}; at most ${grow.max}; until the next boundary) over ${over}`;
}
