import { EmfMetrics } from '../aws/metrics.adapter.ts';
import { type ReconcileReport, reconcile } from '../execute/reconcile.ts';
import { parseIngress, reportReceived } from '../lambda/ingest.ts';
import type { Observability } from '../lambda/observability.ts';
import { decide } from '../policy/decide.ts';
import type { AppDeps } from './deps.ts';

/**
 * One reconcile tick: the whole fleet page by page, decide() for this tick (desired-state policies
 * reconcile every resource they select), enqueue what the ledger has not handled, advance in-progress
 * records from what the fleet shows. `now` is the clock's, not the schedule's: a tick delivered late
 * computes what is wanted now.
 */
export async function runSweep(deps: AppDeps): Promise<ReconcileReport> {
  const { logger, metrics } = deps.observability;
  const emf = new EmfMetrics(metrics);
  try {
    return await reconcile({
      readFleet: () => deps.fleet.readAll(),
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
  } finally {
    emf.flush();
  }
}

export interface ReconcileResult extends ReconcileReport {
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
