/**
 * The envelopes AWS delivers events in, built exactly like the real payloads under
 * test/fixtures/events:
 * - provisioned cluster / snapshot events: the Lambda SNS record of a Redshift event-subscription
 *   notification (`sns-lambda-event-redshift-event-notification-REDSHIFT-EVENT-2004.json`);
 * - zero-ETL integration events: EventBridge `source: aws.redshift`, `detail-type: Redshift
 *   Integration <Category>` (`eventbridge-aws.redshift-integration-monitoring.CAPTURED-PARTIAL.json`,
 *   completed with the standard envelope fields);
 * - CloudWatch alarms: EventBridge `CloudWatch Alarm State Change`
 *   (`eventbridge-aws.cloudwatch-alarm-state-change-single-metric.json`).
 */
import type { EventBridgeEvent, SNSEvent } from 'aws-lambda';
import { type CatalogEvent, lookupEvent, lookupWording, wordingsFor } from '../events/catalog.ts';
import type { Prng } from './prng.ts';

export function catalogRow(id: string): CatalogEvent {
  const row = lookupEvent(id);
  if (row === undefined) throw new Error(`event catalog has no ${id}`);
  return row;
}

/**
 * The EventBridge pages word integration events the way the real events do (the captured event's
 * eventDescription is the page's wording, not the guide table's), so their wording wins; the
 * catalog's own row otherwise. `wordingsFor` lists a source type's catalog rows before the pages'.
 */
export function eventBridgeWording(id: string): CatalogEvent {
  const sourceType = lookupEvent(id)?.sourceType ?? lookupWording(id)?.sourceType;
  const wording = sourceType === undefined ? undefined : wordingsFor(sourceType).findLast((w) => w.id === id);
  if (wording === undefined) throw new Error(`event catalog has no ${id}`);
  return wording;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** `2015-07-03 06:36:08.053`: the "Event Time" of a Redshift notification (UTC, no zone). */
export function notificationTime(at: Date): string {
  return `${at.getUTCFullYear()}-${pad(at.getUTCMonth() + 1)}-${pad(at.getUTCDate())} ${pad(at.getUTCHours())}:${pad(
    at.getUTCMinutes(),
  )}:${pad(at.getUTCSeconds())}.${pad(at.getUTCMilliseconds(), 3)}`;
}

/** `2015-07-03 06:36 UTC`: how times read inside a Redshift event message (see the 2004 fixture). */
export function messageTime(at: Date): string {
  return `${notificationTime(at).slice(0, 16)} UTC`;
}

/** `2019-10-02T17:04:40Z`: the EventBridge envelope `time` (no milliseconds). */
export function eventBridgeTime(at: Date): string {
  return `${at.toISOString().slice(0, 19)}Z`;
}

/** `2019-10-02T17:04:40.989+0000`: CloudWatch alarm state timestamps. */
export function cloudWatchTimestamp(at: Date): string {
  return `${at.toISOString().slice(0, 23)}+0000`;
}

const TIME_PLACEHOLDERS = new Set(['time', 'utc_time', 'time_in_utc']);

/**
 * Fill a catalog template. Time placeholders take a Date; a repeated placeholder takes an array
 * (one value per occurrence). A missing value is a bug in the simulator, so it throws.
 */
export function renderTemplate(
  template: string,
  values: Record<string, string | number | Date | readonly string[]>,
): string {
  const used = new Map<string, number>();
  return template.replace(/\{([a-z0-9_]+)\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`renderTemplate: no value for {${name}} in "${template}"`);
    if (value instanceof Date) return TIME_PLACEHOLDERS.has(name) ? messageTime(value) : value.toISOString();
    if (Array.isArray(value)) {
      const i = used.get(name) ?? 0;
      used.set(name, i + 1);
      return String(value[i] ?? value[value.length - 1] ?? '');
    }
    return String(value);
  });
}

/**
 * The subject line's title after `[Amazon Redshift INFO] - `. Only "Maintenance Completed" (2004) is
 * confirmed by a real record; the others are written the same way and nothing should parse them
 * (the normalizer identifies events by the message's "About this Event" id).
 */
const SUBJECT_TITLES: Record<string, string> = {
  'REDSHIFT-EVENT-2004': 'Maintenance Completed',
  'REDSHIFT-EVENT-3618': 'Pause Started',
  'REDSHIFT-EVENT-3619': 'Pause Completed',
  'REDSHIFT-EVENT-2009': 'Snapshot Started',
  'REDSHIFT-EVENT-3004': 'Snapshot Completed',
  'REDSHIFT-EVENT-3503': 'Snapshot Failed',
  'REDSHIFT-EVENT-2010': 'Snapshot Cancelled',
  'REDSHIFT-EVENT-2011': 'Snapshot Deleted',
  'REDSHIFT-EVENT-3000': 'Cluster Rebooted',
  'REDSHIFT-EVENT-3012': 'Resize Requested',
  'REDSHIFT-EVENT-3011': 'Resize Started',
  'REDSHIFT-EVENT-3534': 'Resize Completed',
  'REDSHIFT-EVENT-3537': 'Data Transfer Completed',
  'REDSHIFT-EVENT-2007': 'Resize Requested',
  'REDSHIFT-EVENT-2006': 'Resize Started',
  'REDSHIFT-EVENT-3002': 'Resize Completed',
};

export interface RedshiftNotificationInput {
  eventId: string;
  /** "cluster" for cluster events, "snapshot" for the snapshot table (the console's name). */
  eventSource: string;
  resource: string;
  at: Date;
  message: string;
  region: string;
  account: string;
  topicArn: string;
  /** When SNS stamps the notification (after the event time). */
  publishedAt: Date;
  ids: Prng;
}

/** The parsed `Sns.Message` of a Redshift event-subscription notification, keys in the real order. */
export function redshiftNotificationMessage(
  input: Omit<RedshiftNotificationInput, 'topicArn' | 'publishedAt' | 'ids' | 'account'>,
) {
  const row = catalogRow(input.eventId);
  const fragment = input.eventSource === 'cluster' ? `cluster-details:cluster=${input.resource}` : `snapshots`;
  return {
    'Event Source': input.eventSource,
    Resource: input.resource,
    'Event Time': notificationTime(input.at),
    'Identifier Link': `https://console.aws.amazon.com/redshift/home?region=${input.region}#${fragment} `,
    Severity: row.severity,
    Category: [row.category],
    'About this Event': `http://docs.aws.amazon.com/redshift/latest/mgmt/working-with-event-notifications.html#${input.eventId} `,
    'Event Message': input.message,
  };
}

/** The Lambda event for one Redshift notification delivered through an SNS subscription. */
export function redshiftSnsRecord(input: RedshiftNotificationInput): SNSEvent {
  const row = catalogRow(input.eventId);
  const message = redshiftNotificationMessage(input);
  const title = SUBJECT_TITLES[input.eventId] ?? `${row.category} Notification`;
  const subscriptionId = input.ids.uuid();
  return {
    Records: [
      {
        EventSource: 'aws:sns',
        EventVersion: '1.0',
        EventSubscriptionArn: `${input.topicArn}:${subscriptionId}`,
        Sns: {
          Type: 'Notification',
          MessageId: input.ids.uuid(),
          TopicArn: input.topicArn,
          Subject: `[Amazon Redshift ${row.severity}] - ${title}`,
          Message: JSON.stringify(message),
          Timestamp: input.publishedAt.toISOString(),
          SignatureVersion: '1',
          Signature: Buffer.from(input.ids.hex(256), 'hex').toString('base64'),
          SigningCertUrl: `https://sns.${input.region}.amazonaws.com/SimpleNotificationService-${input.ids.hex(32)}.pem`,
          UnsubscribeUrl: `https://sns.${input.region}.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=${input.topicArn}:${subscriptionId}`,
          MessageAttributes: {},
        },
      },
    ],
  };
}

export interface IntegrationEventDetail {
  severity: string;
  sourceArn: string;
  destinationArn: string;
  eventDescription: string;
  integrationStatus: string;
  statusCode: string;
}

const TITLE_CASE: Record<string, string> = { INFO: 'Info', WARNING: 'Warning', ERROR: 'Error' };

export interface IntegrationEventInput {
  eventId: string;
  integrationArn: string;
  sourceArn: string;
  destinationArn: string;
  integrationName: string;
  integrationStatus: string;
  statusCode: string;
  at: Date;
  region: string;
  account: string;
  ids: Prng;
  /** Values of the wording's other placeholders (0005's database, schema and table). */
  values?: Readonly<Record<string, string>>;
}

/** A zero-ETL integration event as EventBridge delivers it. */
export function integrationEvent(input: IntegrationEventInput): EventBridgeEvent<string, IntegrationEventDetail> {
  const row = eventBridgeWording(input.eventId);
  return {
    version: '0',
    id: input.ids.uuid(),
    'detail-type': `Redshift Integration ${row.category}`,
    source: 'aws.redshift',
    account: input.account,
    time: eventBridgeTime(input.at),
    region: input.region,
    resources: [input.integrationArn],
    detail: {
      severity: TITLE_CASE[row.severity] ?? row.severity,
      sourceArn: input.sourceArn,
      destinationArn: input.destinationArn,
      eventDescription: renderTemplate(row.message, {
        ...input.values,
        integration_name: input.integrationName,
        time_in_utc: input.at,
      }),
      integrationStatus: input.integrationStatus,
      statusCode: input.statusCode,
    },
  };
}

export type AlarmStateValue = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

export interface AlarmState {
  value: AlarmStateValue;
  reason: string;
  reasonData: string;
  timestamp: string;
}

export interface AlarmStateChangeDetail {
  alarmName: string;
  configuration: {
    description?: string;
    metrics: {
      id: string;
      metricStat: {
        metric: { dimensions: Record<string, string>; name: string; namespace: string };
        period: number;
        stat: string;
      };
      returnData: boolean;
    }[];
  };
  previousState: AlarmState;
  state: AlarmState;
}

export interface AlarmEventInput {
  alarmName: string;
  description?: string;
  metricId: string;
  namespace: string;
  metricName: string;
  dimensions: Record<string, string>;
  periodSeconds: number;
  stat: string;
  previousState: AlarmState;
  state: AlarmState;
  at: Date;
  region: string;
  account: string;
  ids: Prng;
}

/** A CloudWatch alarm state change as EventBridge delivers it (single-metric alarm). */
export function alarmStateChangeEvent(
  input: AlarmEventInput,
): EventBridgeEvent<'CloudWatch Alarm State Change', AlarmStateChangeDetail> {
  const configuration: AlarmStateChangeDetail['configuration'] = {
    metrics: [
      {
        id: input.metricId,
        metricStat: {
          metric: { dimensions: input.dimensions, name: input.metricName, namespace: input.namespace },
          period: input.periodSeconds,
          stat: input.stat,
        },
        returnData: true,
      },
    ],
  };
  if (input.description !== undefined) configuration.description = input.description;
  return {
    version: '0',
    id: input.ids.uuid(),
    'detail-type': 'CloudWatch Alarm State Change',
    source: 'aws.cloudwatch',
    account: input.account,
    time: eventBridgeTime(input.at),
    region: input.region,
    resources: [`arn:aws:cloudwatch:${input.region}:${input.account}:alarm:${input.alarmName}`],
    detail: {
      alarmName: input.alarmName,
      configuration,
      previousState: input.previousState,
      state: input.state,
    },
  };
}
