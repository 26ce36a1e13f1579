/**
 * What a simulation run produced, as records in time order: the `--json` lines of
 * `autopilot simulate` (`type` = state | action | skipped | alert | event | summary) and the input of the
 * text timeline and the HTML report. Key order is fixed so the JSON is byte-stable for a seed.
 */

/** `cluster/dev-etl-1`, `workgroup/analytics-dev`: the same form as the alerts' `resource` attribute. */
export type ResourceName = string;

export interface StateRecord {
  type: 'state';
  at: string;
  resource: ResourceName;
  /** null for the state a resource starts in. */
  from: string | null;
  to: string;
  /** Workgroups: base capacity in RPUs after the change. */
  capacity?: number;
  /** A hub's simulation: the account and Region of the resource (absent for a single account). */
  account?: string;
  region?: string;
}

export const ACTED_OUTCOMES = ['succeeded', 'in-progress'] as const;
export const WOULD_HAVE_OUTCOMES = ['dry-run', 'frozen'] as const;

export interface ActionRecord {
  type: 'action';
  at: string;
  resource: ResourceName;
  policy: string;
  action: string;
  /** The executor's outcome: succeeded, in-progress, dry-run, frozen, failed, retrying. */
  outcome: string;
  reason: string;
  outcomeReason: string | null;
  beforeState: string | null;
  afterState: string | null;
  key: string;
  /** A hub's simulation: the account and Region of the resource (absent for a single account). */
  account?: string;
  region?: string;
}

export interface SkipRecord {
  type: 'skipped';
  at: string;
  resource: ResourceName;
  policy: string;
  /** The operation the executor refused, or null for a skip decide() made before deciding an action. */
  action: string | null;
  reason: string;
  /** `decide` (the engine skipped the resource) or `executor` (a guardrail refused the decision). */
  by: 'decide' | 'executor';
  /** A hub's simulation: the account and Region of the resource (absent for a single account). */
  account?: string;
  region?: string;
}

export interface AlertRecord {
  type: 'alert';
  at: string;
  resource: ResourceName;
  policy: string;
  action: string;
  severity: string;
  outcome: string;
  subject: string;
  /** A hub's simulation: the account and Region of the resource (absent for a single account). */
  account?: string;
  region?: string;
  /** A run digest (issue 19): every resource it lists, so each one's timeline shows it. */
  listed?: string[];
}

/** Why a delivered event led to no decision: nothing in the fleet, no policy, every policy skipped it, or not an event. */
export const EVENT_OUTCOMES = ['no-resource', 'no-policy', 'skipped', 'ignored'] as const;

/**
 * An event that was delivered and decided nothing, with why: it names nothing the fleet holds, no
 * policy reacts to it or selects what it names, every policy that would act skipped it, or the
 * normalizer ignored the payload. Events a policy acted on show as actions; those a capability's
 * tracker took (a snapshot completed) or whose resource a policy already has as it wants leave none.
 */
export interface EventRecord {
  type: 'event';
  at: string;
  /** What the event names (`integration/orders-aurora-to-dev`), `-` when nothing. */
  resource: ResourceName;
  /** The catalog id (`REDSHIFT-INTEGRATION-EVENT-0019`), the event kind when it has none, or null. */
  eventId: string | null;
  /** `injected events.jsonl:3`, or `simulator` for what the simulated account sent. */
  source: string;
  outcome: (typeof EVENT_OUTCOMES)[number];
  reason: string;
  /** A hub's simulation: the account and Region of the resource (absent for a single account). */
  account?: string;
  region?: string;
}

export interface PolicySummary {
  policy: string;
  actions: number;
  dryRuns: number;
  skips: number;
  failures: number;
  alerts: number;
  nodeHoursSaved: number;
}

export interface SummaryRecord {
  type: 'summary';
  from: string;
  to: string;
  seed: string;
  policies: PolicySummary[];
  totals: Omit<PolicySummary, 'policy'>;
  /** Invocations that failed (rejected payloads, failed ticks) and messages that reached the DLQ. */
  invocationErrors: number;
  deadLetters: number;
  deliveries: { events: number; ticks: number; batches: number; duplicatesDropped: number };
  /** Delivered events that decided nothing, by outcome (each also an `event` record). */
  unmatchedEvents: Record<(typeof EVENT_OUTCOMES)[number], number>;
}

export type TimelineRecord = StateRecord | ActionRecord | SkipRecord | AlertRecord | EventRecord;
export type OutputRecord = TimelineRecord | SummaryRecord;

/** Records of one instant keep the order they happened in; only time sorts them. */
export function byTime(records: readonly TimelineRecord[]): TimelineRecord[] {
  return records
    .map((record, i) => ({ record, i }))
    .sort((a, b) => (a.record.at < b.record.at ? -1 : a.record.at > b.record.at ? 1 : a.i - b.i))
    .map(({ record }) => record);
}
