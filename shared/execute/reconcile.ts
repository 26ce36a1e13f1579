import { randomUUID } from 'node:crypto';
import { idempotencyKey } from '../policy/decide.ts';
import type { Decision, FleetResource, FleetSnapshot, LedgerEntryView, LedgerView, Skip } from '../policy/decision.ts';
import { advance } from './advance.ts';
import { type DigestMessage, planDigests } from './digest.ts';
import { claimable } from './ledger-rules.ts';
import { operationSpec } from './operations.ts';
import {
  type Alert,
  type Clock,
  type LedgerPort,
  type LedgerRecord,
  type LoggerPort,
  type MetricsPort,
  type NotifierPort,
  noMetrics,
  silentLogger,
  systemClock,
} from './ports.ts';
import { actionEvent, consoleLink, outcomeAlert, safeSubject } from './report.ts';

/**
 * The reconcile sweep, the backstop for events that never arrive: read the fleet (paginated, tags
 * included), advance long-running operations from what it shows, run decide() for this tick, and
 * enqueue only what the ledger has not already handled. It never calls a state-changing API itself.
 */
export interface DecideInput {
  fleet: FleetSnapshot;
  now: Date;
  ledger: LedgerView;
}
export interface DecideResult {
  decisions: Decision[];
  skips: Skip[];
  /** Keys decide() looked up and did not have (see policy/decide.ts); fetched and decided again when found. */
  ledgerKeys?: string[];
}
/** The policy engine, injected (the handler closes over the loaded policies). */
export type DecideFn = (input: DecideInput) => DecideResult;

export interface ReconcileDeps {
  readFleet: () => Promise<FleetResource[]>;
  decide: DecideFn;
  ledger: LedgerPort;
  /** `digests` follow the decisions (their own FIFO groups): one alert per policy and run (digest.ts). */
  queue: { send(decisions: readonly Decision[], digests?: readonly DigestMessage[]): Promise<{ sent: number }> };
  /** Attaches the sweep's read to the decisions it may stand for (observed.ts); absent: the executor re-reads. */
  observe?: (decisions: readonly Decision[], resources: readonly FleetResource[], readAt: string) => Decision[];
  /** Reports operations that ended badly while nobody was watching. */
  notifier?: NotifierPort;
  region?: string;
  clock?: Clock;
  logger?: LoggerPort;
  metrics?: MetricsPort;
  /** How long a state change may take before the sweep alerts (once per record); default: the action's declared `tracking.deadlineMs`. */
  stateDeadlines?: Partial<Record<string, number>>;
}

export const OVERDUE_ACTION = 'StateDeadline';

/** How many times decide() is asked again with ledger records it looked up (a chain of manual resumes). */
const MAX_LEDGER_ROUNDS = 6;

export interface LedgerAwareDecision extends DecideResult {
  /** Every record read while deciding, by key (null: none), so the caller does not read them again. */
  read: Map<string, LedgerRecord | null>;
}

/**
 * decide() sees in-flight records only; what else it needs (the pause of this window segment, an
 * idle pause, a noted manual resume) it names in `ledgerKeys`. Read those, and when any exists decide
 * again with them: pure decide() stays the only place that knows what the records mean.
 */
export async function decideWithLedger(
  decide: DecideFn,
  input: DecideInput,
  ledger: Pick<LedgerPort, 'getMany'>,
): Promise<LedgerAwareDecision> {
  const read = new Map<string, LedgerRecord | null>();
  let entries = input.ledger.entries;
  for (let round = 0; ; round++) {
    const result = decide({ ...input, ledger: { entries } });
    const wanted = (result.ledgerKeys ?? []).filter((k) => !read.has(k));
    if (wanted.length === 0 || round >= MAX_LEDGER_ROUNDS) return { ...result, read };
    const found = await ledger.getMany(wanted);
    for (const key of wanted) read.set(key, null);
    for (const record of found) read.set(record.idempotencyKey, record);
    if (found.length === 0) return { ...result, read };
    const known = new Set(entries.map((e) => e.idempotencyKey));
    entries = [...entries, ...found.filter((r) => !known.has(r.idempotencyKey)).map(ledgerEntryView)];
  }
}

export interface ReconcileReport {
  readAt: string;
  resources: number;
  decisions: number;
  enqueued: number;
  alreadyHandled: number;
  skips: number;
  advanced: number;
  /** Pause/resume records past their deadline, alerted this tick. */
  overdue: number;
}

export function ledgerEntryView(record: LedgerRecord): LedgerEntryView {
  return {
    idempotencyKey: record.idempotencyKey,
    policy: record.policy,
    action: record.action,
    target: record.target,
    status: record.status,
    at: record.decisionAt,
    createdId: record.createdId,
    params: record.params,
  };
}

export async function reconcile(deps: ReconcileDeps): Promise<ReconcileReport> {
  const clock = deps.clock ?? systemClock;
  const logger = deps.logger ?? silentLogger;
  const metrics = deps.metrics ?? noMetrics;
  const now = clock.now();

  const resources = await deps.readFleet();
  const fleet: FleetSnapshot = { readAt: now.toISOString(), resources };

  const inFlight = await deps.ledger.listInFlight();
  const advancedRecords = await advanceFromFleet(inFlight, resources, now, deps);
  const stillInFlight = inFlight.map((r) => advancedRecords.get(r.idempotencyKey) ?? r);

  const overdue = await alertOverdue(stillInFlight, now, deps);

  const { decisions, skips, read } = await decideWithLedger(
    deps.decide,
    { fleet, now, ledger: { entries: stillInFlight.map(ledgerEntryView) } },
    deps.ledger,
  );

  // What differs: a decision whose key the ledger already holds (acted, in progress, skipped, dry-run)
  // is not sent again. A retryable failure or an expired claim is.
  const unread = decisions.map((d) => d.idempotencyKey).filter((k) => !read.has(k));
  const existing = new Map<string, LedgerRecord>();
  for (const [key, record] of read) if (record !== null) existing.set(key, record);
  for (const record of unread.length > 0 ? await deps.ledger.getMany(unread) : []) {
    existing.set(record.idempotencyKey, record);
  }
  const unique = new Map<string, Decision>();
  for (const d of decisions) {
    if (claimable(existing.get(d.idempotencyKey) ?? null, now)) unique.set(d.idempotencyKey, d);
  }
  const observed =
    deps.observe === undefined ? [...unique.values()] : deps.observe([...unique.values()], resources, fleet.readAt);
  const planned = planDigests(observed, now.toISOString());
  const toSend = planned.decisions;
  const { sent } = toSend.length > 0 ? await deps.queue.send(toSend, planned.digests) : { sent: 0 };

  for (const skip of skips) metrics.count('skips', `decide: ${skip.reason.split(':')[0] ?? skip.reason}`);
  const report: ReconcileReport = {
    readAt: fleet.readAt,
    resources: resources.length,
    decisions: decisions.length,
    enqueued: sent,
    alreadyHandled: decisions.length - toSend.length,
    skips: skips.length,
    advanced: advancedRecords.size,
    overdue,
  };
  logger.info('reconcile tick', { ...report });
  return report;
}

/**
 * Advances in-flight records from the resources just read; a record whose resource is not among them
 * is left alone when `onlyObserved` (an event handler reads one resource, not the fleet).
 */
export async function advanceFromFleet(
  inFlight: readonly LedgerRecord[],
  resources: readonly FleetResource[],
  now: Date,
  deps: Pick<ReconcileDeps, 'ledger' | 'notifier' | 'region'>,
  onlyObserved = false,
): Promise<Map<string, LedgerRecord>> {
  const byKey = new Map(resources.map((r) => [`${r.type}:${r.id}`, r]));
  const changed = new Map<string, LedgerRecord>();
  for (const record of inFlight) {
    // Snapshots and other created things are advanced by their own events, not by the cluster's state.
    if (operationSpec(record.action)?.observes !== 'resource') continue;
    const observed = byKey.get(`${record.target.type}:${record.target.id}`);
    if (onlyObserved && observed === undefined) continue;
    const next = advance(record, observed?.status ?? null, now, observed);
    if (next === record) continue;
    if (!(await deps.ledger.save(next))) continue;
    changed.set(next.idempotencyKey, next);
    if (next.status !== 'in-progress' && deps.notifier !== undefined) {
      const outcome = next.status === 'succeeded' ? 'succeeded' : 'failed';
      await deps.notifier.event(actionEvent(next, outcome));
      if (outcome === 'failed') await deps.notifier.alert(outcomeAlert(next, outcome, deps.region ?? 'us-east-1'));
    }
  }
  return changed;
}

/**
 * One alert per pause/resume record still in progress past its deadline: claimed in the ledger under
 * its own key (`StateDeadline` of the record's key), so later ticks and concurrent sweeps stay quiet.
 */
async function alertOverdue(
  inFlight: readonly LedgerRecord[],
  now: Date,
  deps: Pick<ReconcileDeps, 'ledger' | 'notifier' | 'region' | 'stateDeadlines'>,
): Promise<number> {
  if (deps.notifier === undefined) return 0;
  let sent = 0;
  for (const record of inFlight) {
    // A state change that has not reached its state this long after the call is stuck or was undone.
    const limit = deps.stateDeadlines?.[record.action] ?? operationSpec(record.action)?.tracking?.deadlineMs;
    if (limit === undefined || record.status !== 'in-progress') continue;
    const since = Date.parse(record.claimedAt);
    if (now.getTime() - since < limit) continue;
    const key = idempotencyKey(record.policy, record.target, OVERDUE_ACTION, record.idempotencyKey);
    const at = now.toISOString();
    const minutes = Math.round(limit / 60_000);
    const claim = await deps.ledger.claim(
      {
        ...record,
        idempotencyKey: key,
        action: OVERDUE_ACTION,
        params: { record: record.idempotencyKey, action: record.action },
        reason: `${record.action} not ${record.expectedState ?? 'done'} ${minutes} min after the call`,
        decisionAt: at,
        status: 'pending',
        retryable: false,
        attempts: 1,
        // Unique per attempt: a claim that meets its own token is taken as its own (ledger-rules claimOutcome).
        claimToken: `deadline:${randomUUID()}`,
        leaseUntil: at,
        outcomeReason: null,
        createdId: null,
        error: null,
        budgetSlot: null,
        claimedAt: at,
        updatedAt: at,
        completedAt: null,
      },
      now,
    );
    if (claim.kind !== 'claimed') continue;
    try {
      await deps.notifier.alert(overdueAlert(record, minutes, now, deps.region ?? 'us-east-1'));
    } catch {
      // Not sent: release nothing (the claim is pending with an expired lease), the next tick retries.
      continue;
    }
    await deps.ledger.save({
      ...claim.record,
      status: 'succeeded',
      outcomeReason: 'deadline alert sent',
      completedAt: at,
    });
    sent++;
  }
  return sent;
}

export function overdueAlert(record: LedgerRecord, minutes: number, now: Date, region: string): Alert {
  const want = record.expectedState ?? 'done';
  return {
    subject: safeSubject(
      `[autopilot] ${record.action} ${record.target.id}: not ${want} after ${minutes} min (${record.policy})`,
    ),
    body: [
      `What:    ${record.action} on ${record.target.type} ${record.target.id} was called at ${record.claimedAt} and is not ${want} yet.`,
      `Why:     ${record.reason}`,
      `Policy:  ${record.policy}`,
      `State:   ${record.beforeState ?? '?'} -> ${record.afterState ?? '?'} (until ${want})`,
      `Next:    the sweep keeps watching and closes the record when the cluster is ${want}; look at the cluster's events.`,
      `When:    ${now.toISOString()}`,
      `Key:     ${record.idempotencyKey}`,
      `Console: ${consoleLink(record.target, record.target.region ?? region)}`,
    ].join('\n'),
    attributes: {
      severity: 'WARNING',
      policy: record.policy,
      resource: `${record.target.type}/${record.target.id}`,
      action: record.action,
      outcome: 'in-progress',
    },
  };
}
