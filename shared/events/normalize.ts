import { EventParseError } from '../errors.ts';
import { fromAlarmStateChange, fromLegacyAlarm } from './alarm.ts';
import { fromCloudTrailRecord } from './api-call.ts';
import { CloudTrailRecordSchema } from './cloudtrail.schema.ts';
import {
  ALARM_DETAIL_TYPE,
  AlarmStateChangeDetailSchema,
  API_CALL_DETAIL_TYPE,
  EVENTBRIDGE_SOURCES,
  EventBridgeEnvelopeSchema,
  INTEGRATION_DETAIL_TYPES,
  IntegrationDetailSchema,
  SCHEDULED_EVENT_DETAIL_TYPE,
  ServerlessDetailSchema,
} from './eventbridge.schema.ts';
import { fromIntegrationEvent, fromScheduledEvent, fromServerlessEvent } from './eventbridge-events.ts';
import type { NormalizedEvent } from './normalized-event.ts';
import {
  describeType,
  emit,
  fail,
  type IgnoredInput,
  isRecord,
  joinPath,
  type NormalizeOptions,
  parseArn,
  parseWith,
  type Sink,
  type SnsOrigin,
  toUtcIso,
} from './parse-support.ts';
import { fromRedshiftNotification } from './redshift-notification.ts';
import { SCHEDULE_INPUT_SOURCE, SCHEDULED_TIME_PLACEHOLDER, ScheduleInputSchema } from './schedule.schema.ts';
import {
  LegacyAlarmMessageSchema,
  RedshiftNotificationSchema,
  SnsLambdaEventSchema,
  SnsRecordSchema,
} from './sns.schema.ts';

export type { IgnoredInput, NormalizeOptions } from './parse-support.ts';

export interface NormalizeResult {
  events: NormalizedEvent[];
  /** Input understood and deliberately turned into no event, with why (for the handler's log line). */
  ignored: IgnoredInput[];
}

const SUPPORTED =
  'an SNS Lambda event (Records), an EventBridge event (source, detail-type), a CloudTrail record ' +
  '(eventSource, eventName), a Redshift event notification or CloudWatch alarm message body, or a schedule input ' +
  `({"source":"${SCHEDULE_INPUT_SOURCE}",…})`;

/**
 * Every ingress payload → NormalizedEvents (one per SNS record; one otherwise). Pure: no clock, no
 * I/O. Anything malformed or unsupported throws EventParseError naming the path and what was
 * expected, and nothing of the payload is returned (a batch is all or nothing).
 *
 * The Redshift event subscription's "Test Topic" message is recognised and yields no event; see
 * `normalizeDetailed` for the reason.
 */
export function normalize(payload: unknown, options: NormalizeOptions = {}): NormalizedEvent[] {
  return normalizeDetailed(payload, options).events;
}

/** `normalize`, plus what was deliberately ignored and why. */
export function normalizeDetailed(payload: unknown, options: NormalizeOptions = {}): NormalizeResult {
  const sink: Sink = { options, events: [], ignored: [] };
  try {
    dispatch(payload, '', sink, null);
  } catch (error) {
    if (error instanceof EventParseError) throw error;
    // A bug here must still dead-letter the payload with a reason, not crash differently.
    throw new EventParseError(
      `(payload): could not normalize: ${error instanceof Error ? error.message : String(error)}`,
      {
        cause: error,
      },
    );
  }
  return { events: sink.events, ignored: sink.ignored };
}

/** JSON text (a file, a log line, stdin) → `normalize`. Strict JSON: a trailing comma is an error. */
export function normalizeText(text: string, options: NormalizeOptions = {}): NormalizedEvent[] {
  return normalizeDetailed(parseJson(text), options).events;
}

export function normalizeTextDetailed(text: string, options: NormalizeOptions = {}): NormalizeResult {
  return normalizeDetailed(parseJson(text), options);
}

/** SNS messages and EventBridge events are at most 256 KB: nothing larger arrives from AWS. */
export const MAX_INGRESS_BYTES = 262_144;

export function parseJson(text: string): unknown {
  const body = text.replace(/^\uFEFF/, '');
  if (body.trim() === '') throw new EventParseError('empty input: expected a JSON event');
  const bytes = Buffer.byteLength(body, 'utf8');
  if (bytes > MAX_INGRESS_BYTES) {
    throw new EventParseError(
      `payload is ${bytes} bytes; expected at most ${MAX_INGRESS_BYTES} (256 KB, the SNS and EventBridge limit)`,
    );
  }
  try {
    return JSON.parse(body);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    const position = Number(/position (\d+)/.exec(detail)?.[1] ?? body.length);
    const before = body.slice(0, position);
    const line = before.split('\n').length;
    const column = position - before.lastIndexOf('\n');
    const reason = detail.replace(/ in JSON at position \d+.*$/, '');
    throw new EventParseError(
      `truncated or invalid JSON at position ${position} (line ${line}, column ${column}): ${reason}`,
      { cause: error },
    );
  }
}

function dispatch(payload: unknown, path: string, sink: Sink, origin: SnsOrigin | null): void {
  if (!isRecord(payload)) fail(path, `expected a JSON object (${SUPPORTED}), got ${describeType(payload)}`);
  if ('Records' in payload && origin === null) {
    fromSnsLambdaEvent(payload, sink);
    return;
  }
  emit(sink, toEvent(payload, path, sink, origin ?? { account: null, region: null }), path);
}

function toEvent(payload: Record<string, unknown>, path: string, sink: Sink, origin: SnsOrigin): NormalizedEvent {
  if ('detail-type' in payload) return fromEventBridge(payload, path, sink);
  if (payload.source === SCHEDULE_INPUT_SOURCE) return fromScheduleInput(payload, path);
  if ('eventSource' in payload && 'eventName' in payload) {
    return fromCloudTrailRecord(parseWith(CloudTrailRecordSchema, payload, path), path);
  }
  if ('Event Source' in payload || 'About this Event' in payload || 'Event Message' in payload) {
    return fromRedshiftNotification(parseWith(RedshiftNotificationSchema, payload, path), path, origin);
  }
  if ('AlarmName' in payload) return fromLegacyAlarm(parseWith(LegacyAlarmMessageSchema, payload, path), path, origin);
  if ('source' in payload && 'detail' in payload)
    fail(joinPath(path, 'detail-type'), 'missing from the EventBridge event');
  fail(path, `unrecognised payload: expected ${SUPPORTED}`);
}

// The subscription's test message is plain text: `Successfully sent a test message to topic arn:…`.
const TEST_SUBJECT = /^\[Amazon Redshift [A-Z]+\] - Test Topic$/;
const TEST_MESSAGE = /^Successfully sent a test message to topic /;

function fromSnsLambdaEvent(payload: Record<string, unknown>, sink: Sink): void {
  const { Records } = parseWith(SnsLambdaEventSchema, payload, '');
  Records.forEach((raw, i) => {
    const recordPath = `Records[${i}]`;
    if (isRecord(raw) && typeof raw.EventSource === 'string' && raw.EventSource !== 'aws:sns') {
      fail(
        joinPath(recordPath, 'EventSource'),
        `expected "aws:sns" (an SNS-triggered Lambda event), got "${raw.EventSource}"`,
      );
    }
    const record = parseWith(SnsRecordSchema, raw, recordPath);
    const messagePath = `${recordPath}.Sns.Message`;
    const message = record.Sns.Message.trim();
    if (!message.startsWith('{') && (TEST_SUBJECT.test(record.Sns.Subject ?? '') || TEST_MESSAGE.test(message))) {
      sink.ignored.push({
        path: messagePath,
        reason: `Redshift event-subscription test notification (${record.Sns.Subject ?? message}); no event`,
      });
      return;
    }
    if (!message.startsWith('{')) {
      const excerpt = message.length > 80 ? `${message.slice(0, 80)}…` : message;
      fail(messagePath, `expected a JSON notification (Redshift event or CloudWatch alarm), got text '${excerpt}'`);
    }
    let body: unknown;
    try {
      body = parseJson(message);
    } catch (error) {
      fail(messagePath, error instanceof Error ? error.message : String(error), error);
    }
    // Redshift event subscriptions and CloudWatch alarm actions publish to a topic in their own account and region.
    const topic = parseArn(record.Sns.TopicArn);
    dispatch(body, messagePath, sink, { account: topic?.account || null, region: topic?.region || null });
  });
}

function fromEventBridge(payload: Record<string, unknown>, path: string, sink: Sink): NormalizedEvent {
  const envelope = parseWith(EventBridgeEnvelopeSchema, payload, path);
  const detailType = envelope['detail-type'];
  const detailPath = joinPath(path, 'detail');
  const unsupported = (expected: readonly string[]): never =>
    fail(
      joinPath(path, 'detail-type'),
      `unsupported detail-type '${detailType}' for source ${envelope.source}; expected ${expected.map((t) => `'${t}'`).join(', ')}`,
    );

  switch (envelope.source) {
    case EVENTBRIDGE_SOURCES.redshift: {
      if (detailType === API_CALL_DETAIL_TYPE) break;
      if (!(INTEGRATION_DETAIL_TYPES as readonly string[]).includes(detailType)) {
        unsupported([...INTEGRATION_DETAIL_TYPES, API_CALL_DETAIL_TYPE]);
      }
      const detail = parseWith(IntegrationDetailSchema, envelope.detail, detailPath);
      return fromIntegrationEvent(envelope, detail, path, sink);
    }
    case EVENTBRIDGE_SOURCES.serverless: {
      if (detailType === API_CALL_DETAIL_TYPE) break;
      // The rule takes every detail-type of the source (the guide names none): whatever arrives is
      // normalized, with eventId null when nothing identifies it, and category from its detail-type.
      const detail = parseWith(ServerlessDetailSchema, envelope.detail, detailPath);
      return fromServerlessEvent(envelope, detail, path, sink);
    }
    case EVENTBRIDGE_SOURCES.cloudwatch: {
      if (detailType !== ALARM_DETAIL_TYPE) unsupported([ALARM_DETAIL_TYPE]);
      // Every namespace is accepted here: the rule pattern decides which alarms reach us.
      const detail = parseWith(AlarmStateChangeDetailSchema, envelope.detail, detailPath);
      return fromAlarmStateChange(envelope, detail, path, sink);
    }
    case EVENTBRIDGE_SOURCES.events: {
      if (detailType !== SCHEDULED_EVENT_DETAIL_TYPE) unsupported([SCHEDULED_EVENT_DETAIL_TYPE]);
      return fromScheduledEvent(envelope, path, sink);
    }
    default:
      fail(
        joinPath(path, 'source'),
        `unsupported source '${envelope.source}'; expected ${Object.values(EVENTBRIDGE_SOURCES).join(', ')}`,
      );
  }
  // `AWS API Call via CloudTrail`: the detail is the CloudTrail record.
  const record = parseWith(CloudTrailRecordSchema, envelope.detail, detailPath);
  return fromCloudTrailRecord(record, detailPath, envelope);
}

function fromScheduleInput(payload: Record<string, unknown>, path: string): NormalizedEvent {
  const input = parseWith(ScheduleInputSchema, payload, path);
  const timePath = joinPath(path, 'scheduledTime');
  if (input.scheduledTime === SCHEDULED_TIME_PLACEHOLDER) {
    fail(timePath, `still '${SCHEDULED_TIME_PLACEHOLDER}': only EventBridge Scheduler substitutes it`);
  }
  const time = toUtcIso(input.scheduledTime, timePath);
  return {
    kind: 'schedule',
    eventId: null,
    known: false,
    category: null,
    severity: 'INFO',
    resource: { type: 'schedule', id: input.schedule },
    time,
    message: `Schedule ${input.schedule} fired for ${time}`,
    values: {},
    account: null,
    region: null,
    schedule: { name: input.schedule, scheduledTime: time },
  };
}
