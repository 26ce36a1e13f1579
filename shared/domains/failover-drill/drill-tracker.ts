import { randomUUID } from 'node:crypto';
import type { NormalizedEvent } from '../../events/normalized-event.ts';
import type { LedgerRecord } from '../../execute/ports.ts';
import type { CapabilityRegistration, CompiledPolicy, TrackerDeps } from '../../policy/capability.ts';
import { idempotencyKey } from '../../policy/decide.ts';
import type { TargetRef } from '../../policy/decision.ts';
import { isCompiledDrill } from './drill.capability.ts';
import { FAILOVER_ACTION } from './drill.prechecks.ts';
import { canaryStep } from './drill-canary.ts';
import { DRILL_REPORT_DETAIL_TYPE, type PreviousDrill, previousOf, reportAlert, reportDetail } from './drill-report.ts';
import { type DrillState, RECOVERY_EVENTS, verdictOf, withEvent, withObservation } from './drill-state.ts';

/**
 * The drill tracker: ingest hands it the recovery events (3666/3672/3667/3669/3668/3670/3671); every
 * sweep, and the drill watcher every minute while a drill runs (docs/architecture.md, "Failover drills:
 * who watches"), runs `watch`, which for each failover in flight reads the cluster, runs the canary
 * step, and decides the drill's verdict. The progress lives in a `FailoverDrill` ledger record per
 * cluster and slot (deterministic key, so the previous drills are found again by their slots); the
 * report is claimed under its own key before it is sent, so it goes out once whoever gets there first.
 */
export const DRILL_RECORD = 'FailoverDrill';
const REPORT_RECORD = 'DrillReport';
/** Earlier drills compared in each report. */
export const HISTORY = 4;
/** How far back a drill's slot is looked for from its decision (startWithin and a notice grace fit in). */
const SLOT_LOOKBACK_MS = 2 * 86_400_000;

export const drillKey = (policy: string, target: TargetRef, slotIso: string) =>
  idempotencyKey(policy, target, DRILL_RECORD, slotIso);

function policyOf(deps: TrackerDeps, name: string): CompiledPolicy | null {
  const policy = deps.policies.find((p) => p.name === name);
  return policy !== undefined && isCompiledDrill(policy.capability) ? policy : null;
}

function slotOf(policy: CompiledPolicy, failover: LedgerRecord): string | null {
  if (!isCompiledDrill(policy.capability)) return null;
  const at = Date.parse(failover.decisionAt);
  const slot = policy.capability.settings.schedule.lastAtOrBefore(at, at - SLOT_LOOKBACK_MS);
  return slot === null ? null : new Date(slot).toISOString();
}

/** The drill record of an in-flight failover: read, or made at its first sight. */
async function drillRecordOf(
  deps: TrackerDeps,
  policy: CompiledPolicy,
  failover: LedgerRecord,
): Promise<LedgerRecord | null> {
  const slot = slotOf(policy, failover);
  if (slot === null || !isCompiledDrill(policy.capability)) return null;
  const key = drillKey(policy.name, failover.target, slot);
  const found = await deps.ledger.get(key);
  if (found !== null) return found;
  const settings = policy.capability.settings;
  const az = failover.params.AvailabilityZone;
  const secondary = failover.params.SecondaryAvailabilityZone;
  const state: DrillState = {
    failoverKey: failover.idempotencyKey,
    slot,
    // The in-progress write is when AWS accepted the call.
    startedAt: failover.updatedAt,
    maxRecoveryMinutes: settings.maxRecoveryMinutes,
    azBefore: typeof az === 'string' ? az : null,
    secondaryBefore: typeof secondary === 'string' ? secondary : null,
    statuses: [],
    events: [],
    failoverSeenAt: null,
    availableAt: null,
    azAfter: null,
    secondaryAfter: null,
    canary: settings.canary === null ? null : { pending: null, attempts: 0, firstOkAt: null, lastError: null },
  };
  const now = deps.clock.now();
  const at = now.toISOString();
  const record: LedgerRecord = {
    ...failover,
    idempotencyKey: key,
    action: DRILL_RECORD,
    params: state as unknown as Record<string, unknown>,
    reason: `failover drill of ${slot}: ${failover.reason}`,
    status: 'in-progress',
    retryable: false,
    attempts: 1,
    claimToken: `drill:${randomUUID()}`,
    leaseUntil: at,
    outcomeReason: null,
    createdId: null,
    error: null,
    budgetSlot: null,
    claimedAt: at,
    updatedAt: at,
    completedAt: null,
  };
  const claim = await deps.ledger.claim(record, now);
  if (claim.kind === 'claimed') return claim.record;
  return claim.record;
}

async function previousDrills(
  deps: TrackerDeps,
  policy: CompiledPolicy,
  target: TargetRef,
  slot: string,
): Promise<PreviousDrill[]> {
  if (!isCompiledDrill(policy.capability)) return [];
  const schedule = policy.capability.settings.schedule;
  const keys: string[] = [];
  // Earlier slots, newest first, as far back as three years (a yearly drill keeps its history).
  for (let t = Date.parse(slot) - 1, n = 0; n < HISTORY * 3; n++) {
    const prev = schedule.lastAtOrBefore(t, t - 3 * 366 * 86_400_000);
    if (prev === null) break;
    keys.push(drillKey(policy.name, target, new Date(prev).toISOString()));
    t = prev - 1;
  }
  const records = keys.length === 0 ? [] : await deps.ledger.getMany(keys);
  const byKey = new Map(records.map((r) => [r.idempotencyKey, r]));
  return keys
    .map((k) => byKey.get(k))
    .flatMap((r) => (r === undefined ? [] : [previousOf(r)].filter((p): p is PreviousDrill => p !== null)))
    .slice(0, HISTORY);
}

/** One step of one drill: read the cluster, the canary, the verdict; closes both records and reports at the end. */
async function step(
  deps: TrackerDeps,
  failover: LedgerRecord,
  events: readonly NormalizedEvent[],
): Promise<'running' | 'passed' | 'failed' | 'unknown'> {
  const policy = policyOf(deps, failover.policy);
  if (policy === null) return 'unknown';
  const drill = await drillRecordOf(deps, policy, failover);
  if (drill === null || drill.status !== 'in-progress') return 'unknown';
  let state = drill.params as unknown as DrillState;
  for (const e of events) if (e.eventId !== null) state = withEvent(state, { id: e.eventId, at: e.time });
  const now = deps.clock.now();
  const cluster = await deps.resources.cluster.read(failover.target);
  if (cluster !== null && cluster.type === 'cluster') {
    state = withObservation(
      state,
      {
        status: cluster.status,
        availabilityZone: cluster.availabilityZone ?? null,
        secondaryAvailabilityZone: cluster.secondaryAvailabilityZone ?? null,
      },
      now.toISOString(),
    );
  }
  if (isCompiledDrill(policy.capability))
    state = await canaryStep(deps, policy.capability.settings, failover, state, now);
  const verdict = verdictOf(state, now.getTime());
  const at = now.toISOString();
  if (verdict.kind === 'running') {
    await deps.ledger.save({ ...drill, params: state as unknown as Record<string, unknown>, updatedAt: at });
    return 'running';
  }
  const passed = verdict.kind === 'passed';
  const reason = passed ? 'recovered within maxRecoveryMinutes' : verdict.reason;
  const closed = {
    status: passed ? ('succeeded' as const) : ('failed' as const),
    retryable: false,
    updatedAt: at,
    completedAt: at,
    outcomeReason: `drill ${passed ? 'passed' : 'failed'}: ${reason}`,
  };
  await deps.ledger.save({ ...drill, ...closed, params: state as unknown as Record<string, unknown> });
  await deps.ledger.save({ ...failover, ...closed, afterState: state.statuses.at(-1)?.status ?? failover.afterState });
  await report(deps, policy, failover, state, passed, reason);
  return passed ? 'passed' : 'failed';
}

/** The report, once: claimed under its own key first (an event and the watcher may close the same drill). */
async function report(
  deps: TrackerDeps,
  policy: CompiledPolicy,
  failover: LedgerRecord,
  state: DrillState,
  passed: boolean,
  reason: string,
): Promise<void> {
  const now = deps.clock.now();
  const at = now.toISOString();
  const key = idempotencyKey(policy.name, failover.target, REPORT_RECORD, state.slot);
  const claim = await deps.ledger.claim(
    {
      ...failover,
      idempotencyKey: key,
      action: REPORT_RECORD,
      params: { drill: drillKey(policy.name, failover.target, state.slot) },
      status: 'pending',
      claimToken: `report:${randomUUID()}`,
      leaseUntil: at,
      claimedAt: at,
      updatedAt: at,
      completedAt: null,
      outcomeReason: null,
      error: null,
      budgetSlot: null,
      attempts: 1,
      retryable: false,
      createdId: null,
    },
    now,
  );
  if (claim.kind !== 'claimed') return;
  const previous = await previousDrills(deps, policy, failover.target, state.slot);
  const r = {
    policy: policy.name,
    cluster: failover.target.id,
    passed,
    reason,
    state,
    previous,
    region: deps.region,
    ...(failover.target.arn === undefined ? {} : { arn: failover.target.arn }),
  };
  await deps.notifier.alert(reportAlert(r));
  if (deps.notifier.report !== undefined) {
    await deps.notifier.report(
      DRILL_REPORT_DETAIL_TYPE,
      reportDetail(r),
      failover.target.arn === undefined ? [] : [failover.target.arn],
    );
  } else
    deps.logger.warn('drill report event not sent: the notifier puts no custom events', {
      cluster: failover.target.id,
    });
  await deps.ledger.save({
    ...claim.record,
    status: 'succeeded',
    outcomeReason: `drill report sent (${passed ? 'passed' : 'failed'})`,
    completedAt: at,
  });
}

/** Every failover in flight, one step each; `events` go to the drill of their cluster. */
export async function watchDrills(
  deps: TrackerDeps,
  events: readonly NormalizedEvent[] = [],
): Promise<Record<string, number>> {
  const counts: Record<string, number> = { running: 0, passed: 0, failed: 0, unknown: 0 };
  const inFlight = (await deps.ledger.listInFlight()).filter(
    (r) => r.action === FAILOVER_ACTION && r.status === 'in-progress',
  );
  for (const failover of inFlight) {
    const mine = events.filter((e) => e.resource.id === failover.target.id);
    const outcome = await step(deps, failover, mine);
    counts[outcome] = (counts[outcome] ?? 0) + 1;
  }
  return counts;
}

export function isDrillEvent(event: NormalizedEvent): boolean {
  return event.eventId !== null && event.resource.type === 'cluster' && Object.hasOwn(RECOVERY_EVENTS, event.eventId);
}

export const drillTracker: NonNullable<CapabilityRegistration['tracker']> = {
  handles: isDrillEvent,
  create(deps) {
    return {
      onEvent: async (event) => {
        if (!isDrillEvent(event)) return null;
        await watchDrills(deps, [event]);
        return null;
      },
      sweep: async () => {
        const counts = await watchDrills(deps);
        return { counts, failures: { 'failover drill failed': counts.failed ?? 0 } };
      },
    };
  },
};
