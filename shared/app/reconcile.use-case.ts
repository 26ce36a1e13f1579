import { EmfMetrics } from '../aws/metrics.adapter.ts';
import { type ReconcileReport, reconcile } from '../execute/reconcile.ts';
import { parseIngress, reportReceived } from '../lambda/ingest.ts';
import type { Observability } from '../lambda/observability.ts';
import { decide } from '../policy/decide.ts';
import type { FleetResource } from '../policy/decision.ts';
import type { AppDeps } from './deps.ts';
import { activeTrackers } from './trackers.ts';

/**
 * One reconcile tick: the whole fleet page by page, decide() for this tick (desired-state policies
 * reconcile every resource they select), enqueue what the ledger has not handled, advance in-progress
 * records from what the fleet shows. `now` is the clock's, not the schedule's: a tick delivered late
 * computes what is wanted now. Then the capabilities' trackers, on the same fleet read (the snapshot
 * verifier polls snapshots still in progress whose events never came, and alerts schedule slots with
 * no completed snapshot by their deadline).
 */
export interface SweepReport extends ReconcileReport {
  /** Per capability with a tracker: what its sweep counted. */
  trackers: Record<string, Record<string, number>>;
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
    const trackers: SweepReport['trackers'] = {};
    for (const { name, tracker } of activeTrackers(deps)) {
      const { counts, failures } = await tracker.sweep(swept);
      for (const [failure, n] of Object.entries(failures)) for (let i = 0; i < n; i++) emf.count('failures', failure);
      logger.info(`${name} tracking`, { ...counts });
      trackers[name] = counts;
    }
    return { ...report, trackers };
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
