import type { Decision, FleetResource, FleetSnapshot, LedgerEntryView, LedgerView, Skip } from '../policy/decision.ts';
import { advance } from './advance.ts';
import { claimable } from './ledger-rules.ts';
import { operationSpec } from './operations.ts';
import {
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
import { actionEvent, outcomeAlert } from './report.ts';

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
}
/** The policy engine, injected (the handler closes over the loaded policies). */
export type DecideFn = (input: DecideInput) => DecideResult;

export interface ReconcileDeps {
  readFleet: () => Promise<FleetResource[]>;
  decide: DecideFn;
  ledger: LedgerPort;
  queue: { send(decisions: readonly Decision[]): Promise<{ sent: number }> };
  /** Reports operations that ended badly while nobody was watching. */
  notifier?: NotifierPort;
  region?: string;
  clock?: Clock;
  logger?: LoggerPort;
  metrics?: MetricsPort;
}

export interface ReconcileReport {
  readAt: string;
  resources: number;
  decisions: number;
  enqueued: number;
  alreadyHandled: number;
  skips: number;
  advanced: number;
}

export function ledgerEntryView(record: LedgerRecord): LedgerEntryView {
  return {
    idempotencyKey: record.idempotencyKey,
    policy: record.policy,
    action: record.action,
    target: record.target,
    status: record.status,
    at: record.decisionAt,
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

  const { decisions, skips } = deps.decide({ fleet, now, ledger: { entries: stillInFlight.map(ledgerEntryView) } });

  // What differs: a decision whose key the ledger already holds (acted, in progress, skipped, dry-run)
  // is not sent again. A retryable failure or an expired claim is.
  const existing = new Map(
    (await deps.ledger.getMany(decisions.map((d) => d.idempotencyKey))).map((r) => [r.idempotencyKey, r]),
  );
  const unique = new Map<string, Decision>();
  for (const d of decisions) {
    if (claimable(existing.get(d.idempotencyKey) ?? null, now)) unique.set(d.idempotencyKey, d);
  }
  const toSend = [...unique.values()];
  const { sent } = toSend.length > 0 ? await deps.queue.send(toSend) : { sent: 0 };

  for (const skip of skips) metrics.count('skips', `decide: ${skip.reason.split(':')[0] ?? skip.reason}`);
  const report: ReconcileReport = {
    readAt: fleet.readAt,
    resources: resources.length,
    decisions: decisions.length,
    enqueued: sent,
    alreadyHandled: decisions.length - toSend.length,
    skips: skips.length,
    advanced: advancedRecords.size,
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
    const next = advance(record, observed?.status ?? null, now);
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
