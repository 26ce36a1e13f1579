/**
 * One drill's progress, kept in its ledger record (`FailoverDrill`, params) from the accepted failover
 * until its verdict, and the pure rules that move it: what the cluster showed (status, AZs), the
 * recovery events seen, the canary's statements. Recovered means `available` again after the failover
 * was seen (status `modifying`, a recovery event, or the primary in another AZ): the guide gives no
 * RTO and does not say which events a manual failover sends (facts.md §6), so status and events both
 * count, whichever shows it first. Failed: REDSHIFT-EVENT-3668, or not recovered (or, with a canary, no
 * successful query) within maxRecoveryMinutes of the call.
 */
export interface DrillEvent {
  id: string;
  at: string;
}

export interface CanaryState {
  /** The statement asked and not answered yet. */
  pending: { id: string; submittedAt: string } | null;
  attempts: number;
  /** When the first statement that FINISHED was answered. */
  firstOkAt: string | null;
  lastError: string | null;
}

export interface DrillState {
  failoverKey: string;
  slot: string;
  startedAt: string;
  maxRecoveryMinutes: number;
  azBefore: string | null;
  secondaryBefore: string | null;
  /** Status changes seen, in order (the first is the first status read after the call). */
  statuses: { status: string; at: string }[];
  events: DrillEvent[];
  /** When the failover was first seen under way (modifying, an event, the AZ moved). */
  failoverSeenAt: string | null;
  availableAt: string | null;
  azAfter: string | null;
  secondaryAfter: string | null;
  canary: CanaryState | null;
}

export interface Observation {
  status: string;
  availabilityZone: string | null;
  secondaryAvailabilityZone: string | null;
}

/** Events of a recovery (facts.md §6): what each says, for the report. */
export const RECOVERY_EVENTS: Readonly<Record<string, string>> = {
  'REDSHIFT-EVENT-3666': 'failure detected, recovery triggered',
  'REDSHIFT-EVENT-3672': 'failure detected in the second AZ',
  'REDSHIFT-EVENT-3667': 'recovered, serving from one AZ, secondary coming',
  'REDSHIFT-EVENT-3669': 'recovered with both AZs',
  'REDSHIFT-EVENT-3668': 'recovery failed',
  'REDSHIFT-EVENT-3670': 'maintenance done, secondary coming',
  'REDSHIFT-EVENT-3671': 'resize done, secondary coming',
};
export const FAILED_EVENT = 'REDSHIFT-EVENT-3668';
const RECOVERED_EVENT = 'REDSHIFT-EVENT-3669';

const earlier = (a: string | null, b: string): string => (a === null || b < a ? b : a);

export function withEvent(state: DrillState, event: DrillEvent): DrillState {
  if (state.events.some((e) => e.id === event.id && e.at === event.at)) return state;
  const events = [...state.events, event].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  const next: DrillState = { ...state, events, failoverSeenAt: earlier(state.failoverSeenAt, event.at) };
  // 3669 says both AZs serve again: recovered at its time, even when the status read comes later.
  if (event.id === RECOVERED_EVENT) next.availableAt = earlier(state.availableAt, event.at);
  return next;
}

export function withObservation(state: DrillState, seen: Observation, at: string): DrillState {
  const last = state.statuses[state.statuses.length - 1];
  let next = state;
  if (last?.status !== seen.status) next = { ...next, statuses: [...next.statuses, { status: seen.status, at }] };
  const moved = state.azBefore !== null && seen.availabilityZone !== null && seen.availabilityZone !== state.azBefore;
  if (seen.status !== 'available' || moved) next = { ...next, failoverSeenAt: earlier(next.failoverSeenAt, at) };
  if (seen.status === 'available' && next.failoverSeenAt !== null) {
    next = {
      ...next,
      availableAt: earlier(next.availableAt, at),
      azAfter: seen.availabilityZone,
      secondaryAfter: seen.secondaryAvailabilityZone,
    };
  }
  return next;
}

export type Verdict = { kind: 'running' } | { kind: 'passed' } | { kind: 'failed'; reason: string };

const minutes = (ms: number) => Math.round(ms / 6_000) / 10;

/** The drill's verdict at `now`. */
export function verdictOf(state: DrillState, now: number): Verdict {
  const failedEvent = state.events.find((e) => e.id === FAILED_EVENT);
  if (failedEvent !== undefined)
    return { kind: 'failed', reason: `REDSHIFT-EVENT-3668 at ${failedEvent.at}: recovery failed` };
  // Recovered means the secondary took over: `available` again with the primary in its old AZ is a
  // failover that did not happen (AWS's failed recovery answers so, 3668 may come later or not at all).
  if (state.availableAt !== null && state.azBefore !== null && state.azAfter === state.azBefore) {
    return {
      kind: 'failed',
      reason: `available again at ${state.availableAt} with the primary compute still in ${state.azBefore}: the secondary was not promoted, the failover did not happen (recovery failed)`,
    };
  }
  const start = Date.parse(state.startedAt);
  const bound = start + state.maxRecoveryMinutes * 60_000;
  const canaryDone = state.canary === null || state.canary.firstOkAt !== null;
  if (state.availableAt !== null && Date.parse(state.availableAt) > bound) {
    return {
      kind: 'failed',
      reason: `available again after ${minutes(Date.parse(state.availableAt) - start)} min, over maxRecoveryMinutes ${state.maxRecoveryMinutes}`,
    };
  }
  if (state.canary?.firstOkAt != null && Date.parse(state.canary.firstOkAt) > bound) {
    return {
      kind: 'failed',
      reason: `first canary query after ${minutes(Date.parse(state.canary.firstOkAt) - start)} min, over maxRecoveryMinutes ${state.maxRecoveryMinutes}`,
    };
  }
  if (state.availableAt !== null && canaryDone) return { kind: 'passed' };
  if (now <= bound) return { kind: 'running' };
  const missing: string[] = [];
  if (state.failoverSeenAt === null)
    missing.push('no failover seen (no modifying status, no recovery event, primary still in its AZ)');
  else if (state.availableAt === null)
    missing.push(`not available again (last status ${state.statuses.at(-1)?.status ?? 'unknown'})`);
  if (!canaryDone && state.canary?.attempts === 0)
    missing.push(
      'no canary query was sent: no run of the drill watcher (the function holding the Redshift Data API client) stepped this drill; check its schedule and errors',
    );
  else if (!canaryDone)
    missing.push(
      `no successful canary query${state.canary?.lastError ? ` (last error: ${state.canary.lastError})` : ''}`,
    );
  return { kind: 'failed', reason: `${missing.join('; ')} within maxRecoveryMinutes ${state.maxRecoveryMinutes}` };
}

/** The figures of a drill: minutes from the call to available and to the first canary query. */
export function figuresOf(state: DrillState): { toAvailableMin: number | null; toCanaryMin: number | null } {
  const start = Date.parse(state.startedAt);
  return {
    toAvailableMin: state.availableAt === null ? null : minutes(Date.parse(state.availableAt) - start),
    toCanaryMin: state.canary?.firstOkAt == null ? null : minutes(Date.parse(state.canary.firstOkAt) - start),
  };
}
