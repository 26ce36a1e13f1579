import { EmfMetrics } from '../aws/metrics.adapter.ts';
import { attachObservations } from '../execute/observed.ts';
import { type ReconcileReport, reconcile } from '../execute/reconcile.ts';
import { parseIngress, reportReceived } from '../lambda/ingest.ts';
import type { Observability } from '../lambda/observability.ts';
import { decide } from '../policy/decide.ts';
import type { FleetResource, FleetSnapshot, UnreadPart } from '../policy/decision.ts';
import type { FanOutFleetReader } from './aws-fleet-reader.ts';
import type { AppDeps } from './deps.ts';
import { checkOneByOne, type ReaderReport, reportReaders } from './fleet-gaps.ts';
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
  /** Readers that failed this sweep, and the outage/recovery alerts sent for them. */
  readers: ReaderReport;
}

export async function runSweep(deps: AppDeps): Promise<SweepReport> {
  const { logger, metrics } = deps.observability;
  const emf = new EmfMetrics(metrics);
  let swept: FleetResource[] = [];
  let unread: UnreadPart[] = [];
  // The snapshot reconcile() builds, with the parts the read could not get (one object per snapshot,
  // so decide()'s per-snapshot caches hold across its ledger rounds).
  const withUnread = new WeakMap<FleetSnapshot, FleetSnapshot>();
  const complete = (fleet: FleetSnapshot): FleetSnapshot => {
    let full = withUnread.get(fleet);
    if (full === undefined) {
      full = unread.length === 0 ? fleet : { ...fleet, unread };
      withUnread.set(fleet, full);
    }
    return full;
  };
  try {
    const report = await reconcile({
      readFleet: async () => {
        const read = await deps.fleet.readAll();
        swept = read.resources;
        unread = await checkOneByOne(read, deps);
        return swept;
      },
      decide: ({ fleet, now, ledger }) =>
        decide({
          policies: deps.policies,
          fleet: complete(fleet),
          trigger: { kind: 'tick', at: now.toISOString() },
          now: now.toISOString(),
          ledger,
        }),
      ledger: deps.ledger,
      queue: deps.queue,
      // A decision carries this read while fresh: the executor needs no second Describe (issue 19).
      observe: (decisions, resources, readAt) =>
        attachObservations(
          decisions,
          resources,
          readAt,
          !unread.some((part) => (part.types as readonly string[]).includes('integration')),
        ),
      notifier: deps.notifier,
      region: deps.config.region,
      clock: deps.clock,
      logger,
      metrics: emf,
    });
    const hub = deps.fleet as Partial<Pick<FanOutFleetReader, 'readerNames'>>;
    const readers = await reportReaders(unread, deps, hub.readerNames?.());
    for (const part of unread) {
      emf.count('failures', `read: ${part.reader}`);
      logger.warn('fleet part not read', { reader: part.reader, reason: part.reason });
    }
    const trackers: SweepReport['trackers'] = {};
    // A tracker judges what exists from the snapshots listed: with a listing missing it would see
    // snapshots as gone. It runs again on the next complete read.
    const blind = unread.find((part) => (part.types as readonly string[]).includes('snapshot'));
    if (blind !== undefined) logger.warn('trackers not run', { reason: `${blind.reader} not read` });
    for (const { name, tracker } of blind === undefined ? activeTrackers(deps) : []) {
      const { counts, failures } = await tracker.sweep(swept);
      for (const [failure, n] of Object.entries(failures)) for (let i = 0; i < n; i++) emf.count('failures', failure);
      logger.info(`${name} tracking`, { ...counts });
      trackers[name] = counts;
    }
    return { ...report, trackers, readers };
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
