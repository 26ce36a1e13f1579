import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { EventParseError } from '../errors.ts';
import { normalizeDetailed } from '../events/normalize.ts';
import type { NormalizedEvent } from '../events/normalized-event.ts';
import { partitionServed, type ServedScope } from '../events/served.ts';
import type { Observability } from './observability.ts';

export const INGEST_METRICS = {
  payloadsAccepted: 'PayloadsAccepted',
  eventsReceived: 'EventsReceived',
  payloadsRejected: 'PayloadsRejected',
  /** Events naming an account or Region the deployment does not serve (dimension `reason`). */
  eventsDropped: 'EventsDropped',
} as const;

/** Stands in for a null eventId (no catalog id in the envelope) in log lines and metric dimensions. */
export const UNKNOWN_EVENT_ID = 'unknown' as const;

/**
 * Parse step of every ingest handler. A payload the normalizer rejects is logged with the reason and
 * the error is rethrown: the invocation fails, Lambda retries, and the on-failure destination keeps the
 * raw payload together with the error message. Nothing is half-processed.
 */
export function parseIngress(
  payload: unknown,
  receivedAt: string,
  { logger, metrics }: Observability,
): NormalizedEvent[] {
  try {
    const { events, ignored } = normalizeDetailed(payload, { receivedAt });
    // Understood and deliberately dropped (the event subscription's test notification): not a failure.
    for (const input of ignored) logger.info('input ignored', { path: input.path, reason: input.reason });
    return events;
  } catch (error) {
    if (error instanceof EventParseError) {
      logger.error('payload rejected', { reason: error.message, path: error.path });
      metrics.addMetric(INGEST_METRICS.payloadsRejected, MetricUnit.Count, 1);
    }
    throw error;
  }
}

/**
 * Report step (for now): one structured log line and one `EventsReceived` metric per event. Each metric
 * is its own EMF blob because the dimension values differ per event; `eventId` is a bounded set (the
 * catalog's 178 ids plus the few AWS adds), so it is safe as a dimension.
 */
export function reportReceived(events: readonly NormalizedEvent[], { logger, metrics }: Observability): void {
  // Per function (service dimension only): the denominator for PayloadsRejected.
  metrics.addMetric(INGEST_METRICS.payloadsAccepted, MetricUnit.Count, 1);
  for (const event of events) {
    // Powertools drops null attributes from log lines: log the same 'unknown' the metric dimension uses.
    const eventId = event.eventId ?? UNKNOWN_EVENT_ID;
    logger.info('event received', {
      kind: event.kind,
      eventId,
      known: event.known,
      category: event.category,
      severity: event.severity,
      resource: event.resource,
      time: event.time,
    });
    const metric = metrics.singleMetric();
    metric.addDimensions({ kind: event.kind, eventId });
    metric.addMetric(INGEST_METRICS.eventsReceived, MetricUnit.Count, 1);
  }
}

/**
 * Door step (issue #22): an event naming an account or Region the deployment does not serve is dropped
 * before anything reads the fleet or decides — one WARN log line and one `EventsDropped` metric with
 * `reason` foreign-account or foreign-region each. Returns the events that go on.
 */
export function dropForeign(
  events: readonly NormalizedEvent[],
  scope: ServedScope,
  { logger, metrics }: Observability,
): NormalizedEvent[] {
  const { served, dropped } = partitionServed(events, scope);
  for (const { event, claim } of dropped) {
    logger.warn('event dropped', {
      reason: claim.reason,
      [claim.reason === 'foreign-account' ? 'account' : 'region']: claim.value,
      where: claim.where,
      served: claim.reason === 'foreign-account' ? scope.accounts : scope.regions,
      kind: event.kind,
      eventId: event.eventId ?? UNKNOWN_EVENT_ID,
      resource: event.resource,
      time: event.time,
    });
    const metric = metrics.singleMetric();
    metric.addDimensions({ kind: event.kind, reason: claim.reason });
    metric.addMetric(INGEST_METRICS.eventsDropped, MetricUnit.Count, 1);
  }
  return served;
}
