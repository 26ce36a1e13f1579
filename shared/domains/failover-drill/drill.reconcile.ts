import type { EvaluationEnv, Proposal } from '../../policy/capability.ts';
import type { ClusterResource, TargetRef } from '../../policy/decision.ts';
import { formatLocal, formatUtcMinute } from '../../policy/local-time.ts';
import {
  type DrillSettings,
  FAILOVER_ACTION,
  firstFailure,
  type PrecheckResult,
  startingKey,
} from './drill.prechecks.ts';

/**
 * The drill's slot, reconciled on every sweep: from a schedule occurrence until `startWithin` after it,
 * one FailoverPrimaryCompute per cluster and slot (its ledger key is the slot). A pre-check that fails
 * gives the slot up: one `Publish` notice under `<slot>:not-run` says why (the ledger sends it once),
 * and the next slot tries again. Waiting for another drill of the policy holds the slot; a drill that
 * could not start within `startWithin` is one notice too.
 */
export const NOTICE_SLOT = (slotIso: string) => `${slotIso}:not-run`;
const ALERT_ACTION = 'Publish';
/** How long after `startWithin` a missed start is still said (a sweep comes every 5 minutes). */
const NOTICE_GRACE_MS = 3_600_000;
/** Planned reasons are INFO; everything else is something to look at. */
const PLANNED: readonly string[] = ['notFrozen', 'outsideMaintenanceWindow'];

export function refOf(cluster: ClusterResource): TargetRef {
  const ref: TargetRef = { type: 'cluster', id: cluster.id };
  if (cluster.arn !== null) ref.arn = cluster.arn;
  if (cluster.region !== null) ref.region = cluster.region;
  return ref;
}

export function nextSlotText(settings: DrillSettings, after: number): string {
  const next = settings.schedule.nextAfter(after);
  return next === null ? 'no later slot' : `next slot ${formatLocal(next, settings.zoneName)}`;
}

export function reconcileDrill(settings: DrillSettings, cluster: ClusterResource, env: EvaluationEnv): Proposal[] {
  const now = env.now;
  const slot = settings.schedule.lastAtOrBefore(now, now - settings.startWithinMs - NOTICE_GRACE_MS);
  if (slot === null) return [];
  const target = refOf(cluster);
  const slotIso = new Date(slot).toISOString();
  const policy = env.policy.name;
  const next = nextSlotText(settings, now);
  const drill = env.ledger.byKey(env.ledger.keyFor(policy, target, FAILOVER_ACTION, slotIso));
  if (drill !== undefined && drill.status !== 'skipped') return [];
  if (drill !== undefined) {
    return [skip(target, `the drill of ${slotIso} was refused by the executor (ledger, alerted); ${next}`)];
  }
  if (env.ledger.byKey(env.ledger.keyFor(policy, target, ALERT_ACTION, NOTICE_SLOT(slotIso))) !== undefined) {
    return [skip(target, `no drill at ${formatUtcMinute(slot)} (said once); ${next}`)];
  }
  const failure = firstFailure({ settings, cluster, target, env, at: now, ledger: true });
  const late = now >= slot + settings.startWithinMs;
  if (failure?.waits === true && !late) {
    return [skip(target, `drill of ${formatUtcMinute(slot)} waits: ${failure.reason}`)];
  }
  if (failure !== null || late) {
    const why: PrecheckResult = late
      ? {
          name: failure?.name ?? 'oneDrillPerPolicy',
          reason: `not started within ${settings.startWithinMs / 60_000} min of its slot${failure === null ? '' : `: ${failure.reason}`}`,
        }
      : (failure as PrecheckResult);
    return [
      skip(target, `no drill at ${formatUtcMinute(slot)}: ${why.name}: ${why.reason}; ${next}`),
      notice(settings, cluster, env, slot, why),
    ];
  }
  env.memo.set(startingKey(env), cluster.id);
  const canary = settings.canary === null ? '' : `, canary ${settings.canary.database} via the Data API`;
  return [
    {
      kind: 'act',
      action: FAILOVER_ACTION,
      target,
      params: {
        ClusterIdentifier: cluster.id,
        AvailabilityZone: cluster.availabilityZone ?? null,
        SecondaryAvailabilityZone: cluster.secondaryAvailabilityZone ?? null,
      },
      reason: `failover drill of ${formatLocal(slot, settings.zoneName)} (${settings.scheduleText}): primary ${cluster.availabilityZone ?? 'AZ unknown'}, secondary ${cluster.secondaryAvailabilityZone ?? 'unknown'}; recovery within ${settings.maxRecoveryMinutes} min${canary}`,
      slot: slotIso,
    },
  ];
}

/** The one notice of a slot with no drill: what, to which cluster, why, and what to do. */
function notice(
  settings: DrillSettings,
  cluster: ClusterResource,
  env: EvaluationEnv,
  slot: number,
  why: PrecheckResult,
): Proposal {
  const policy = env.policy.name;
  const planned = PLANNED.includes(why.name);
  const todo = planned
    ? 'Nothing to do if this is expected; move the schedule if drills keep meeting it.'
    : 'Fix the cause before the next slot (or exclude the cluster from the policy); the drill is not retried before then.';
  return {
    kind: 'act',
    action: ALERT_ACTION,
    target: refOf(cluster),
    params: {
      Subject: `[autopilot] no failover drill of ${cluster.id}: ${why.name} (${policy})`.slice(0, 99),
      Message: [
        `The failover drill of ${cluster.id} due ${formatLocal(slot, settings.zoneName)} (${formatUtcMinute(slot)}) by policy ${policy} did not run.`,
        `Pre-check ${why.name} failed: ${why.reason}.`,
        `${nextSlotText(settings, env.now)[0]?.toUpperCase()}${nextSlotText(settings, env.now).slice(1)}: the drill is tried again then. This notice is sent once per slot.`,
        todo,
      ].join('\n'),
      MessageAttributes: {
        severity: { DataType: 'String', StringValue: planned ? 'INFO' : 'WARNING' },
        policy: { DataType: 'String', StringValue: policy },
        resource: { DataType: 'String', StringValue: cluster.id },
      },
    },
    reason: `no failover drill at ${formatUtcMinute(slot)}: ${why.name}: ${why.reason}; said once`,
    slot: NOTICE_SLOT(new Date(slot).toISOString()),
  };
}

const skip = (target: TargetRef, reason: string): Proposal => ({ kind: 'skip', target, reason });
