import { EmfMetrics } from '../aws/metrics.adapter.ts';
import type { VerificationReport } from '../domains/snapshots/snapshot-verification.ts';
import { type ReconcileReport, reconcile } from '../execute/reconcile.ts';
import { parseIngress, reportReceived } from '../lambda/ingest.ts';
import type { Observability } from '../lambda/observability.ts';
import { decide } from '../policy/decide.ts';
import type { FleetResource } from '../policy/decision.ts';
import type { AppDeps } from './deps.ts';
import { createSnapshotVerifier } from './snapshot-verifier.ts';

/**
 * One reconcile tick: the whole fleet page by page, decide() for this tick (desired-state policies
 * reconcile every resource they select), enqueue what the ledger has not handled, advance in-progress
 * records from what the fleet shows. `now` is the clock's, not the schedule's: a tick delivered late
 * computes what is wanted now. Then the snapshot verifier, on the same fleet read: it polls snapshots
 * still in progress whose events never came, and alerts schedule slots with no completed snapshot by
 * their deadline.
 */
export interface SweepReport extends ReconcileReport {
  verification: VerificationReport;
}

export async function runSweep(deps: AppDeps): Promise<SweepReport> {
  const { logger, metrics } = deps.observability;
  const emf = new EmfMetrics(metrics);
  let swept: FleetResource[] = [];
  try {
    const report = await reconcile({
      readFleet: async () => {
        swept = await deps.fleet.readAll();
        return swept;
      },
      decide: ({ fleet, now, ledger }) =>
        decide({
          policies: deps.policies,
          fleet,
          trigger: { kind: 'tick', at: now.toISOString() },
          now: now.toISOString(),
          ledger,
        }),
      ledger: deps.ledger,
      queue: deps.queue,
      notifier: deps.notifier,
      region: deps.config.region,
      clock: deps.clock,
      logger,
      metrics: emf,
    });
    const verification = await createSnapshotVerifier(deps).sweep(swept);
    for (let i = 0; i < verification.failed; i++) emf.count('failures', 'snapshot failed');
    for (let i = 0; i < verification.deadlineAlerts; i++) emf.count('failures', 'snapshot deadline missed');
    logger.info('snapshot verification', { ...verification });
    return { ...report, verification };
  } finally {
    emf.flush();
  }
}

export interface ReconcileResult extends SweepReport {
  received: number;
}

/** The reconcile handler body: normalize the scheduler's input (a malformed one throws, to the DLQ), sweep. */
export async function reconcilePayload(
  payload: unknown,
  deps: AppDeps,
  tools: Observability,
): Promise<ReconcileResult> {
  const ticks = parseIngress(payload, deps.clock.now().toISOString(), tools);
  reportReceived(ticks, tools);
  return { received: ticks.length, ...(await runSweep(deps)) };
}
