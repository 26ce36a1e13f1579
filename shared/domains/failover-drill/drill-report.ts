import type { Alert, LedgerRecord } from '../../execute/ports.ts';
import { consoleLink } from '../../execute/report.ts';
import { type DrillState, figuresOf, RECOVERY_EVENTS } from './drill-state.ts';

/**
 * The drill report: one SNS alert (INFO when it passed, ERROR when it failed — the failure alert is
 * this one, sent at once) and one EventBridge `Autopilot Drill Report` event, both carrying pass/fail,
 * the figures (minutes to `available`, to the first canary query), the AZs before and after, the
 * events seen, and the trend against the previous drills of the cluster (their ledger records).
 */
export const DRILL_REPORT_DETAIL_TYPE = 'Autopilot Drill Report';

export interface PreviousDrill {
  slot: string;
  passed: boolean;
  toAvailableMin: number | null;
  toCanaryMin: number | null;
}

export interface DrillReport {
  policy: string;
  cluster: string;
  passed: boolean;
  reason: string;
  state: DrillState;
  previous: readonly PreviousDrill[];
  region: string;
  arn?: string;
}

const fmt = (n: number | null) => (n === null ? 'not measured' : `${n} min`);

/** This drill against the mean of the previous ones that measured the same figure. */
export function trendOf(now: number | null, previous: readonly (number | null)[]): string {
  const known = previous.filter((p): p is number => p !== null);
  if (now === null || known.length === 0)
    return known.length === 0 ? 'no earlier drill to compare' : 'not measured this time';
  const mean = Math.round((known.reduce((a, b) => a + b, 0) / known.length) * 10) / 10;
  const delta = Math.round((now - mean) * 10) / 10;
  const word = delta > 0 ? `slower by ${delta} min` : delta < 0 ? `faster by ${-delta} min` : 'the same';
  return `${word} than the mean ${mean} min of ${known.length} earlier drill${known.length === 1 ? '' : 's'}`;
}

export function reportDetail(r: DrillReport): Record<string, unknown> {
  const { toAvailableMin, toCanaryMin } = figuresOf(r.state);
  return {
    outcome: r.passed ? 'passed' : 'failed',
    severity: r.passed ? 'INFO' : 'ERROR',
    policy: r.policy,
    cluster: r.cluster,
    slot: r.state.slot,
    startedAt: r.state.startedAt,
    reason: r.reason,
    maxRecoveryMinutes: r.state.maxRecoveryMinutes,
    minutesToAvailable: toAvailableMin,
    minutesToFirstCanaryQuery: toCanaryMin,
    canaryAttempts: r.state.canary?.attempts ?? null,
    availabilityZoneBefore: r.state.azBefore,
    availabilityZoneAfter: r.state.azAfter,
    secondaryAvailabilityZoneBefore: r.state.secondaryBefore,
    secondaryAvailabilityZoneAfter: r.state.secondaryAfter,
    events: r.state.events,
    statuses: r.state.statuses,
    previous: r.previous,
    trend: {
      available: trendOf(
        toAvailableMin,
        r.previous.map((p) => p.toAvailableMin),
      ),
      canary: trendOf(
        toCanaryMin,
        r.previous.map((p) => p.toCanaryMin),
      ),
    },
  };
}

export function reportAlert(r: DrillReport): Alert {
  const { toAvailableMin, toCanaryMin } = figuresOf(r.state);
  const s = r.state;
  const verdict = r.passed ? 'passed' : 'FAILED';
  const events =
    s.events.length === 0
      ? 'none (status watched instead)'
      : s.events.map((e) => `${e.id} at ${e.at} (${RECOVERY_EVENTS[e.id] ?? 'recovery event'})`).join('; ');
  const history =
    r.previous.length === 0
      ? 'Earlier drills: none in the ledger.'
      : `Earlier drills: ${r.previous.map((p) => `${p.slot.slice(0, 10)} ${p.passed ? 'passed' : 'failed'} ${fmt(p.toAvailableMin)}`).join(', ')}.`;
  const next = r.passed
    ? 'Nothing to do: Multi-AZ failed over and recovered as it should.'
    : 'Look at the cluster now (status, events, connections): applications may not have recovered. Check the events in the console, open a support case if recovery failed (3668), and raise maxRecoveryMinutes only if this time is acceptable.';
  const ref = { type: 'cluster' as const, id: r.cluster, ...(r.arn === undefined ? {} : { arn: r.arn }) };
  return {
    subject: `[autopilot] failover drill ${verdict}: ${r.cluster} (${r.policy})`,
    body: [
      `Failover drill of ${r.cluster} by policy ${r.policy}, slot ${s.slot}: ${verdict}${r.passed ? '' : ` — ${r.reason}`}.`,
      `FailoverPrimaryCompute accepted at ${s.startedAt}; recovery bound ${s.maxRecoveryMinutes} min.`,
      `Time to available: ${fmt(toAvailableMin)} (${trendOf(
        toAvailableMin,
        r.previous.map((p) => p.toAvailableMin),
      )}).`,
      s.canary === null
        ? 'Canary: none configured (add canary: { database, secretArn } to measure what an application feels).'
        : `Time to first canary query: ${fmt(toCanaryMin)} after ${s.canary.attempts} statement(s) (${trendOf(
            toCanaryMin,
            r.previous.map((p) => p.toCanaryMin),
          )})${s.canary.lastError === null ? '' : `; last error: ${s.canary.lastError}`}.`,
      `Primary AZ: ${s.azBefore ?? 'unknown'} → ${s.azAfter ?? 'unknown'}; secondary AZ: ${s.secondaryBefore ?? 'unknown'} → ${s.secondaryAfter ?? 'none yet'}.`,
      `Events seen: ${events}.`,
      `Statuses seen: ${s.statuses.map((x) => `${x.status} at ${x.at}`).join(', ') || 'none'}.`,
      history,
      next,
      `Console: ${consoleLink(ref, r.region)}`,
    ].join('\n'),
    attributes: {
      severity: r.passed ? 'INFO' : 'ERROR',
      policy: r.policy,
      resource: r.cluster,
      action: 'FailoverPrimaryCompute',
      outcome: r.passed ? 'succeeded' : 'failed',
    },
  };
}

/** A closed drill record → what the next report compares with. */
export function previousOf(record: LedgerRecord): PreviousDrill | null {
  const state = record.params as unknown as DrillState;
  if (record.status !== 'succeeded' && record.status !== 'failed') return null;
  if (typeof state.startedAt !== 'string') return null;
  return { slot: state.slot, passed: record.status === 'succeeded', ...figuresOfPrevious(state) };
}

function figuresOfPrevious(state: DrillState) {
  const { toAvailableMin, toCanaryMin } = figuresOf(state);
  return { toAvailableMin, toCanaryMin };
}
