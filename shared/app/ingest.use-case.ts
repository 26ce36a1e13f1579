import { EmfMetrics } from '../aws/metrics.adapter.ts';
import type { NormalizedEvent } from '../events/normalized-event.ts';
import { advanceFromFleet, decideWithLedger, ledgerEntryView } from '../execute/reconcile.ts';
import { dropForeign, parseIngress, reportReceived } from '../lambda/ingest.ts';
import type { Observability } from '../lambda/observability.ts';
import { decide } from '../policy/decide.ts';
import type { Decision } from '../policy/decision.ts';
import type { AppDeps } from './deps.ts';
import { activeTrackers } from './trackers.ts';

/**
 * After normalize, per event: read the slice of the fleet it is about (one Describe for its resource),
 * advance in-progress ledger records of that resource from what was read (3619 "cluster paused" closes
 * the pause record), decide() with the event as trigger, and enqueue the decisions. Nothing here changes
 * a cluster: the executor does, from the queue. An event a capability's tracker handles (a snapshot
 * started/completed/failed) first goes to that tracker, which closes the ledger record, so decide() sees
 * the attempt as done (a failed snapshot is retried by the next sweeps, with backoff).
 */
export interface IngestReport {
  events: number;
  decisions: number;
  enqueued: number;
  skips: number;
  advanced: number;
  /** Ledger records a tracker changed from an event (a snapshot closed, or marked started). */
  verified: number;
}

export async function ingestEvents(events: readonly NormalizedEvent[], deps: AppDeps): Promise<IngestReport> {
  const { logger, metrics } = deps.observability;
  const emf = new EmfMetrics(metrics);
  const report: IngestReport = {
    events: events.length,
    decisions: 0,
    enqueued: 0,
    skips: 0,
    advanced: 0,
    verified: 0,
  };
  if (events.length === 0) return report;
  let inFlight = await deps.ledger.listInFlight();
  const byKey = new Map<string, Decision>();
  const trackers = activeTrackers(deps, events);
  try {
    for (const event of events) {
      for (const { tracker } of trackers.filter((t) => t.handles(event))) {
        const changed = await tracker.onEvent(event);
        if (changed !== null) {
          report.verified++;
          inFlight = inFlight.map((r) => (r.idempotencyKey === changed.idempotencyKey ? changed : r));
        }
      }
      const resources = await deps.fleet.readFor(event);
      const now = deps.clock.now();
      const advanced = await advanceFromFleet(
        inFlight,
        resources,
        now,
        { ledger: deps.ledger, notifier: deps.notifier, region: deps.config.region },
        true,
      );
      report.advanced += advanced.size;
      inFlight = inFlight.map((r) => advanced.get(r.idempotencyKey) ?? r);
      // decide() may ask for ledger records beyond the in-flight ones (the pause of this window segment).
      const { decisions, skips } = await decideWithLedger(
        (input) =>
          decide({
            policies: deps.policies,
            fleet: input.fleet,
            trigger: event,
            now: input.now.toISOString(),
            ledger: input.ledger,
          }),
        { fleet: { readAt: now.toISOString(), resources }, now, ledger: { entries: inFlight.map(ledgerEntryView) } },
        deps.ledger,
      );
      for (const decision of decisions) byKey.set(decision.idempotencyKey, decision);
      for (const skip of skips) emf.count('skips', `decide: ${skip.reason.split(':')[0] ?? skip.reason}`);
      report.decisions += decisions.length;
      report.skips += skips.length;
      if (decisions.length > 0 || skips.length > 0) {
        logger.info('decided', {
          eventId: event.eventId,
          resource: event.resource,
          decisions: decisions.map((d) => ({ policy: d.policy, action: d.action, target: d.target, mode: d.mode })),
          skips: skips.map((s) => ({ policy: s.policy, target: s.target, reason: s.reason })),
        });
      }
    }
    // Duplicates within a batch collapse here; across invocations SQS dedup and the ledger claim do it.
    const toSend = [...byKey.values()];
    if (toSend.length > 0) report.enqueued = (await deps.queue.send(toSend)).sent;
    logger.info('ingest decided', { ...report });
    return report;
  } finally {
    emf.flush();
  }
}

export interface IngestResult {
  /** Every event the payload held, dropped ones included (those are logged and counted as EventsDropped). */
  received: number;
  decisions: number;
  enqueued: number;
}

/**
 * The whole ingest handler body: normalize (a rejected payload throws, to the DLQ), report, drop what
 * names an account or Region this deployment does not serve, decide, enqueue.
 */
export async function ingestPayload(payload: unknown, deps: AppDeps, tools: Observability): Promise<IngestResult> {
  const events = parseIngress(payload, deps.clock.now().toISOString(), tools);
  reportReceived(events, tools);
  const served = dropForeign(
    events,
    { accounts: deps.config.accounts, regions: deps.config.regions ?? [deps.config.region] },
    tools,
  );
  const report = await ingestEvents(served, deps);
  return { received: events.length, decisions: report.decisions, enqueued: report.enqueued };
}
