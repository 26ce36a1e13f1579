import { lookupEvent, matchTemplate } from './catalog.ts';
import { type NormalizedEvent, type ResourceType, SEVERITIES, type Severity } from './normalized-event.ts';
import { fail, joinPath, parseArn, type SnsOrigin, toUtcIso } from './parse-support.ts';
import type { RedshiftNotification } from './sns.schema.ts';

/**
 * `Event Source` → resource type. The API's source types (`cluster-snapshot`, …) and the console's
 * (`snapshot`, `parameter-groups`, …) are both accepted: SOURCES.md could not confirm which one the
 * notification carries for non-cluster sources.
 */
export const EVENT_SOURCE_RESOURCE_TYPES: Readonly<Record<string, ResourceType>> = {
  cluster: 'cluster',
  'cluster-snapshot': 'snapshot',
  snapshot: 'snapshot',
  snapshots: 'snapshot',
  'cluster-parameter-group': 'parameter-group',
  'parameter-group': 'parameter-group',
  'parameter-groups': 'parameter-group',
  'cluster-security-group': 'security-group',
  'security-group': 'security-group',
  'security-groups': 'security-group',
  'scheduled-action': 'scheduled-action',
  'scheduled-actions': 'scheduled-action',
};

const CATALOG_RESOURCE_TYPES: Readonly<Record<string, ResourceType>> = {
  cluster: 'cluster',
  snapshot: 'snapshot',
  'parameter-group': 'parameter-group',
  'security-group': 'security-group',
};

/** `http://docs.aws.amazon.com/…/working-with-event-notifications.html#REDSHIFT-EVENT-2004 ` → the id. */
export function eventIdFromUrl(url: string): string | null {
  const match = /#\s*([A-Za-z0-9][A-Za-z0-9-]*)\s*$/.exec(url);
  return match?.[1] ?? null;
}

function isSeverity(value: string): value is Severity {
  return (SEVERITIES as readonly string[]).includes(value);
}

/**
 * A Redshift event-subscription notification. The id comes from the documentation URL; when the
 * catalog knows it, category and severity are the catalog's (the envelope's severity is only a
 * fallback: the guide's table is the reference, and a disagreement is not worth dead-lettering an
 * event), and the message is matched against the template for its values.
 */
export function fromRedshiftNotification(body: RedshiftNotification, path: string, origin: SnsOrigin): NormalizedEvent {
  const eventId = eventIdFromUrl(body['About this Event']);
  const entry = eventId === null ? undefined : lookupEvent(eventId);
  const message = body['Event Message'].trim();

  const sourceKey = body['Event Source'].trim().toLowerCase();
  const type = EVENT_SOURCE_RESOURCE_TYPES[sourceKey] ?? (entry && CATALOG_RESOURCE_TYPES[entry.sourceType]);
  if (type === undefined) {
    fail(
      joinPath(path, 'Event Source'),
      `expected one of ${Object.keys(EVENT_SOURCE_RESOURCE_TYPES).join(', ')}, got '${body['Event Source']}'`,
    );
  }

  const envelopeSeverity = body.Severity.trim().toUpperCase();
  let severity: Severity;
  if (entry !== undefined) severity = entry.severity;
  else if (isSeverity(envelopeSeverity)) severity = envelopeSeverity;
  else fail(joinPath(path, 'Severity'), `expected INFO, WARNING or ERROR, got '${body.Severity}'`);

  const categories = typeof body.Category === 'string' ? [body.Category] : body.Category;
  const { resource, account, region } = whereFrom(body, type, origin);

  return {
    kind: 'redshift-event',
    eventId,
    known: entry !== undefined,
    category: entry?.category ?? categories[0] ?? null,
    severity,
    resource,
    time: toUtcIso(body['Event Time'], joinPath(path, 'Event Time')),
    message,
    values: (entry && matchTemplate(entry.message, message)) ?? {},
    account,
    region,
  };
}

/**
 * Which resource, account and Region a notification is about. The body's own statements win over the
 * topic's: a `Source ARN` (or a `Resource` given as an ARN) names the resource's account and Region; the
 * Identifier Link is a console URL with `region=us-east-1`; the topic ARN only says where it was sent.
 * The ingest door compares all of them with what the deployment serves.
 */
function whereFrom(
  body: RedshiftNotification,
  type: ResourceType,
  origin: SnsOrigin,
): { resource: NormalizedEvent['resource']; account: string | null; region: string | null } {
  const named = body.Resource.trim();
  const sourceArn = [body['Source ARN'], named].find((v): v is string => typeof v === 'string' && v.startsWith('arn:'));
  const arn = sourceArn === undefined ? null : parseArn(sourceArn.trim());
  const id = named.startsWith('arn:') ? (arn?.resourceId ?? named) : named;
  const linked = /[?&#]region=([a-z0-9-]+)/.exec(body['Identifier Link'] ?? '')?.[1];
  return {
    resource: arn === null || sourceArn === undefined ? { type, id } : { type, id, arn: sourceArn.trim() },
    account: arn?.account || origin.account,
    region: arn?.region || linked || origin.region,
  };
}
