import { describe, expect, it } from 'vitest';
import wordingsJson from '../../../shared/events/catalog/eventbridge-wordings.json' with { type: 'json' };
import { type CatalogEvent, catalogEvents, lookupEvent, valueNames } from '../../../shared/events/catalog.ts';
import { normalize } from '../../../shared/events/normalize.ts';
import { type NormalizedEvent, NormalizedEventSchema } from '../../../shared/events/normalized-event.ts';
import { render } from './replay-values.ts';

/**
 * Replay: every catalog event, rendered into the envelope AWS delivers it in, normalizes to the
 * catalog's category and severity, the right resource, and the right id wherever the envelope
 * carries it (SNS: the "About this Event" URL) or identifies it (EventBridge: the description).
 */

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const TOPIC = `arn:aws:sns:${REGION}:${ACCOUNT}:redshift-autopilot-ingest`;
const INTEGRATION_ID = '5b9d2f3c-1c2d-4e5f-8a9b-0c1d2e3f4a5b';
const WORKGROUP_UUID = 'a1b2c3d4-0000-4000-8000-000000000001';
const NAMESPACE_UUID = 'a1b2c3d4-0000-4000-8000-000000000002';
const SNAPSHOT_UUID = 'a1b2c3d4-0000-4000-8000-000000000003';

function only(events: NormalizedEvent[]): NormalizedEvent {
  expect(events).toHaveLength(1);
  const [event] = events;
  if (event === undefined) throw new Error('no event');
  // The contract every consumer relies on.
  return NormalizedEventSchema.parse(event);
}

// ---------- provisioned sources: SNS event-subscription notification → Lambda ----------

const EVENT_SOURCE = {
  cluster: 'cluster',
  snapshot: 'cluster-snapshot',
  'parameter-group': 'cluster-parameter-group',
  'security-group': 'cluster-security-group',
} as const;

function subjectId(entry: CatalogEvent, values: Record<string, string>): string {
  switch (entry.sourceType) {
    case 'snapshot':
      return values.snapshot_name ?? values.name ?? 'rs:analytics-prod-2026-11-25-06-00';
    case 'parameter-group':
      return values.parameter_group_name ?? values.group_name ?? values.name ?? 'etl-params';
    case 'security-group':
      return values.group_name ?? 'etl-sg';
    default:
      return values.cluster_name ?? values.cluster_id ?? 'analytics-prod';
  }
}

function snsNotification(entry: CatalogEvent, message: string, resource: string, severity = entry.severity) {
  const source = EVENT_SOURCE[entry.sourceType as keyof typeof EVENT_SOURCE];
  return {
    Records: [
      {
        EventSource: 'aws:sns',
        EventVersion: '1.0',
        EventSubscriptionArn: `${TOPIC}:167e76f7-39b4-4c38-985f-d0aa17aa3ca9`,
        Sns: {
          Type: 'Notification',
          MessageId: 'b87f8e39-bd63-54f5-97e1-c02992db5d26',
          TopicArn: TOPIC,
          Subject: `[Amazon Redshift ${severity}] - ${entry.category}`,
          Message: JSON.stringify({
            'Event Source': source,
            Resource: resource,
            'Event Time': '2026-11-25 06:36:08.053',
            'Identifier Link': `https://console.aws.amazon.com/redshift/home?region=${REGION}#cluster-details:cluster=${resource} `,
            Severity: severity,
            Category: [entry.category],
            'About this Event': `http://docs.aws.amazon.com/redshift/latest/mgmt/working-with-event-notifications.html#${entry.id} `,
            'Event Message': message,
          }),
          Timestamp: '2026-11-25T06:36:40.356Z',
          SignatureVersion: '1',
          MessageAttributes: {},
        },
      },
    ],
  };
}

const provisioned = catalogEvents().filter((e) => e.sourceType in EVENT_SOURCE);
const integration = catalogEvents().filter((e) => e.sourceType === 'integration');
const serverless = catalogEvents().filter((e) => e.sourceType === 'serverless');

describe('replay: the catalog', () => {
  it('holds all 178 documented events, split by source as the guide tables are', () => {
    expect(catalogEvents()).toHaveLength(178);
    expect(new Set(catalogEvents().map((e) => e.id)).size).toBe(178);
    expect([provisioned.length, integration.length, serverless.length]).toEqual([132, 26, 20]);
  });
});

describe('replay: provisioned events via the SNS event subscription', () => {
  it.each(provisioned.map((e) => [e.id, e] as const))('%s', (_id, entry) => {
    const { message, values } = render(entry.message, valueNames(entry.placeholders));
    const resource = subjectId(entry, values);

    const event = only(normalize(snsNotification(entry, message, resource)));

    expect(event).toMatchObject({
      kind: 'redshift-event',
      eventId: entry.id,
      known: true,
      category: entry.category,
      severity: entry.severity,
      resource: { type: entry.sourceType, id: resource },
      time: '2026-11-25T06:36:08.053Z',
      message,
      account: ACCOUNT,
      region: REGION,
    });
    expect(event.values).toEqual(values);
  });

  it('keeps the catalog severity when the envelope says otherwise, without failing', () => {
    const entry = lookupEvent('REDSHIFT-EVENT-3503');
    if (entry === undefined) throw new Error('catalog lost 3503');
    const { message, values } = render(entry.message, valueNames(entry.placeholders));

    const event = only(normalize(snsNotification(entry, message, subjectId(entry, values), 'INFO')));

    expect(event.severity).toBe('ERROR');
  });
});

// ---------- EventBridge: zero-ETL integrations and Redshift Serverless ----------

const titleCase = (severity: string) => severity.charAt(0) + severity.slice(1).toLowerCase();

function integrationEvent(category: string, severity: string, description: string) {
  return {
    version: '0',
    id: '5e2b0a3c-1111-2222-3333-444455556666',
    'detail-type': `Redshift Integration ${category}`,
    source: 'aws.redshift',
    account: ACCOUNT,
    time: '2026-11-25T06:36:08Z',
    region: REGION,
    resources: [`arn:aws:redshift:${REGION}:${ACCOUNT}:integration:${INTEGRATION_ID}`],
    detail: {
      severity: titleCase(severity),
      sourceArn: `arn:aws:rds:${REGION}:${ACCOUNT}:cluster:orders-aurora`,
      destinationArn: `arn:aws:redshift-serverless:${REGION}:${ACCOUNT}:namespace/${NAMESPACE_UUID}`,
      eventDescription: description,
    },
  };
}

const SERVERLESS_DETAIL_TYPE: Record<string, string> = {
  RateChange: 'Redshift Serverless Rate change',
  Monitoring: 'Redshift Serverless Monitoring',
  Management: 'Redshift Serverless Management',
  Configuration: 'Redshift Serverless Configuration',
  Security: 'Redshift Serverless Security',
  // The EventBridge page files the datashare/KMS events under "Namespace"; Data Sharing is the nearest detail-type.
  Namespace: 'Redshift Serverless Data Sharing',
};

function serverlessTarget(values: Record<string, string>): { arn: string; type: string; id: string } {
  const arn = (kind: string, uuid: string) => `arn:aws:redshift-serverless:${REGION}:${ACCOUNT}:${kind}/${uuid}`;
  if (values.workgroup_name !== undefined) {
    return { arn: arn('workgroup', WORKGROUP_UUID), type: 'workgroup', id: values.workgroup_name };
  }
  if (values.namespace_name !== undefined) {
    return { arn: arn('namespace', NAMESPACE_UUID), type: 'namespace', id: values.namespace_name };
  }
  if (values.snapshot_name !== undefined) {
    return { arn: arn('snapshot', SNAPSHOT_UUID), type: 'snapshot', id: values.snapshot_name };
  }
  return { arn: arn('workgroup', WORKGROUP_UUID), type: 'workgroup', id: WORKGROUP_UUID };
}

function serverlessEvent(category: string, severity: string, description: string, resourceArn: string) {
  return {
    version: '0',
    id: '5e2b0a3c-1111-2222-3333-777788889999',
    'detail-type': SERVERLESS_DETAIL_TYPE[category] ?? 'Redshift Serverless Management',
    source: 'aws.redshift-serverless',
    account: ACCOUNT,
    time: '2026-11-25T06:36:08Z',
    region: REGION,
    resources: [resourceArn],
    detail: { severity: titleCase(severity), eventDescription: description },
  };
}

interface Wording extends Omit<CatalogEvent, 'sourceType'> {
  sourceType: string;
}
const pageWordings = wordingsJson as Wording[];

/** Expected id, category and severity: the catalog's when it knows the id, else the EventBridge page's. */
function expectedFor(wording: Wording) {
  const entry = lookupEvent(wording.id);
  return {
    eventId: wording.id,
    known: entry !== undefined,
    category: entry?.category ?? wording.category,
    severity: entry?.severity ?? wording.severity,
  };
}

describe('replay: zero-ETL integration events via EventBridge (id identified from the description)', () => {
  const rows = [
    ...integration.map((e) => [`${e.id} (guide table wording)`, e] as const),
    ...pageWordings
      .filter((w) => w.sourceType === 'integration')
      .map((w) => [`${w.id} (EventBridge page wording)`, w] as const),
  ];
  it.each(rows)('%s', (_label, wording) => {
    const { message, values } = render(wording.message, valueNames(wording.placeholders));

    const event = only(normalize(integrationEvent(wording.category, wording.severity, message)));

    expect(event).toMatchObject({
      kind: 'integration-event',
      ...expectedFor(wording),
      resource: {
        type: 'integration',
        id: INTEGRATION_ID,
        arn: `arn:aws:redshift:${REGION}:${ACCOUNT}:integration:${INTEGRATION_ID}`,
      },
      time: '2026-11-25T06:36:08.000Z',
      message,
      account: ACCOUNT,
      region: REGION,
    });
    expect(event.values).toEqual(values);
  });
});

describe('replay: Redshift Serverless events via EventBridge (id identified from the description)', () => {
  const rows = [
    ...serverless.map((e) => [`${e.id} (guide table wording)`, e] as const),
    ...pageWordings
      .filter((w) => w.sourceType === 'serverless')
      .map((w) => [`${w.id} (EventBridge page wording)`, w] as const),
  ];
  it.each(rows)('%s', (_label, wording) => {
    const { message, values } = render(wording.message, valueNames(wording.placeholders));
    const target = serverlessTarget(values);

    const event = only(normalize(serverlessEvent(wording.category, wording.severity, message, target.arn)));

    expect(event).toMatchObject({
      kind: 'serverless-event',
      ...expectedFor(wording),
      resource: { type: target.type, id: target.id, arn: target.arn },
      time: '2026-11-25T06:36:08.000Z',
      message,
    });
    expect(event.values).toEqual(values);
  });

  it('takes the id the detail states over the description', () => {
    const payload = serverlessEvent(
      'Management',
      'INFO',
      'Something AWS reworded.',
      `arn:aws:redshift-serverless:${REGION}:${ACCOUNT}:workgroup/${WORKGROUP_UUID}`,
    );
    Object.assign(payload.detail, { eventId: 'REDSHIFT-SERVERLESS-EVENT-1008' });

    const event = only(normalize(payload));

    expect(event).toMatchObject({ eventId: 'REDSHIFT-SERVERLESS-EVENT-1008', known: true, category: 'Management' });
    expect(event.resource).toEqual({
      type: 'workgroup',
      id: WORKGROUP_UUID,
      arn: `arn:aws:redshift-serverless:${REGION}:${ACCOUNT}:workgroup/${WORKGROUP_UUID}`,
    });
  });
});
