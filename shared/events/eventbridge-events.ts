import type { z } from 'zod';
import {
  type CatalogSourceType,
  type EventWording,
  identifyEvent,
  lookupEvent,
  lookupWording,
  matchTemplate,
  wordingsFor,
} from './catalog.ts';
import type { EventBridgeEnvelope, IntegrationDetailSchema, ServerlessDetailSchema } from './eventbridge.schema.ts';
import type { NormalizedEvent, ResourceRef, Severity } from './normalized-event.ts';
import { fail, joinPath, parseArn, receivedTime, type Sink, toUtcIso } from './parse-support.ts';

export function envelopeTime(envelope: EventBridgeEnvelope, path: string, sink: Sink): string {
  return envelope.time === undefined
    ? receivedTime(sink.options, joinPath(path, 'time'))
    : toUtcIso(envelope.time, joinPath(path, 'time'));
}

interface Identified {
  eventId: string | null;
  known: boolean;
  category: string | null;
  severity: Severity | null;
  values: Record<string, string>;
}

/**
 * The catalog id of an EventBridge event: the one the payload states, else the one event whose
 * wording (the guide's table or its EventBridge page) the description follows. Otherwise null.
 */
function identify(
  sourceType: CatalogSourceType,
  idPattern: RegExp,
  statedId: string | undefined,
  description: string,
): Identified {
  let eventId: string | null = null;
  let values: Record<string, string> = {};
  if (statedId !== undefined && idPattern.test(statedId)) {
    eventId = statedId;
    const wordings = wordingsFor(sourceType).filter((w: EventWording) => w.id === statedId);
    values = wordings.map((w) => matchTemplate(w.message, description)).find((v) => v !== null) ?? {};
  } else {
    const found = identifyEvent(sourceType, description);
    if (found !== null) {
      eventId = found.wording.id;
      values = found.values;
    }
  }
  const entry = eventId === null ? undefined : (lookupEvent(eventId) ?? lookupWording(eventId));
  return {
    eventId,
    known: eventId !== null && lookupEvent(eventId) !== undefined,
    category: entry?.category ?? null,
    severity: entry?.severity ?? null,
    values,
  };
}

/** `Redshift Integration Monitoring` → `Monitoring`: the category when the event is not identified. */
function categoryFromDetailType(detailType: string, prefix: string): string {
  return detailType.startsWith(prefix) ? detailType.slice(prefix.length).trim() : detailType;
}

/**
 * A zero-ETL integration event (`aws.redshift`). The only real capture has no event id and the
 * EventBridge page's wording ("… is synchronizing transactional data …"), not the table's.
 */
export function fromIntegrationEvent(
  envelope: EventBridgeEnvelope,
  detail: z.output<typeof IntegrationDetailSchema>,
  path: string,
  sink: Sink,
): NormalizedEvent {
  const found = identify('integration', /^REDSHIFT-INTEGRATION-EVENT-\d+$/, detail.eventId, detail.eventDescription);
  const first = envelope.resources?.[0];
  if (first === undefined || first === '') {
    fail(joinPath(path, 'resources'), 'expected the integration ARN as the first resource, got none');
  }
  // Ids are the ARN's last segment; a capture with the ARN elided keeps whatever stands there.
  const resource: ResourceRef = first.startsWith('arn:')
    ? { type: 'integration', id: parseArn(first)?.resourceId ?? first, arn: first }
    : { type: 'integration', id: first };
  return {
    kind: 'integration-event',
    eventId: found.eventId,
    known: found.known,
    category: found.category ?? categoryFromDetailType(envelope['detail-type'], 'Redshift Integration'),
    severity: found.severity ?? detail.severity,
    resource,
    time: envelopeTime(envelope, path, sink),
    message: detail.eventDescription.trim(),
    values: found.values,
    account: envelope.account ?? null,
    region: envelope.region ?? null,
  };
}

const SERVERLESS_ARN_TYPES: Readonly<Record<string, 'workgroup' | 'namespace' | 'snapshot'>> = {
  workgroup: 'workgroup',
  namespace: 'namespace',
  snapshot: 'snapshot',
};

function serverlessResource(
  resources: readonly string[],
  values: Record<string, string>,
  detail: z.output<typeof ServerlessDetailSchema>,
  path: string,
): ResourceRef {
  // Serverless ARNs end in a UUID; the name from the message (or the detail) is what policies match on.
  const names = {
    workgroup: values.workgroup_name ?? detail.workgroupName,
    namespace: values.namespace_name ?? detail.namespaceName,
    snapshot: values.snapshot_name,
  };
  for (const arn of resources) {
    const parsed = parseArn(arn);
    const type = SERVERLESS_ARN_TYPES[parsed?.resourceType ?? ''];
    if (parsed === null || type === undefined) continue;
    return { type, id: names[type] ?? parsed.resourceId, arn };
  }
  if (names.workgroup !== undefined) return { type: 'workgroup', id: names.workgroup };
  if (names.namespace !== undefined) return { type: 'namespace', id: names.namespace };
  fail(joinPath(path, 'resources'), 'expected a workgroup, namespace or snapshot ARN, and the message names none');
}

/**
 * A Redshift Serverless event. No real payload is known (SOURCES.md): the id is taken from
 * `detail.eventId`/`detail.id` when present, else derived from the message like zero-ETL events; the
 * message from `eventDescription`, `message` or `description`.
 */
export function fromServerlessEvent(
  envelope: EventBridgeEnvelope,
  detail: z.output<typeof ServerlessDetailSchema>,
  path: string,
  sink: Sink,
): NormalizedEvent {
  const message = (detail.eventDescription ?? detail.message ?? detail.description ?? '').trim();
  const found = identify('serverless', /^REDSHIFT-SERVERLESS-EVENT-\d+$/, detail.eventId ?? detail.id, message);
  const severity = found.severity ?? detail.severity;
  if (severity === undefined) {
    fail(joinPath(path, 'detail.severity'), 'missing, and the event is not one the catalog identifies');
  }
  return {
    kind: 'serverless-event',
    eventId: found.eventId,
    known: found.known,
    category: found.category ?? categoryFromDetailType(envelope['detail-type'], 'Redshift Serverless'),
    severity,
    resource: serverlessResource(envelope.resources ?? [], found.values, detail, path),
    time: envelopeTime(envelope, path, sink),
    message,
    values: found.values,
    account: envelope.account ?? null,
    region: envelope.region ?? null,
  };
}

/** An EventBridge rule schedule (`aws.events`, `Scheduled Event`); the rule's name is the schedule's. */
export function fromScheduledEvent(envelope: EventBridgeEnvelope, path: string, sink: Sink): NormalizedEvent {
  const ruleArn = envelope.resources?.[0];
  const name = ruleArn === undefined ? undefined : parseArn(ruleArn)?.resourceId;
  if (ruleArn === undefined || name === undefined) {
    fail(joinPath(path, 'resources'), 'expected the rule ARN (arn:aws:events:…:rule/<name>) as the first resource');
  }
  const time = envelopeTime(envelope, path, sink);
  return {
    kind: 'schedule',
    eventId: null,
    known: false,
    category: null,
    severity: 'INFO',
    resource: { type: 'schedule', id: name, arn: ruleArn },
    time,
    message: `Schedule ${name} fired for ${time}`,
    values: {},
    account: envelope.account ?? null,
    region: envelope.region ?? null,
    schedule: { name, scheduledTime: time },
  };
}
