import { describe, expect, it } from 'vitest';
import { normalize, normalizeText, parseJson } from '../../../shared/events/normalize.ts';
import { loadEventFixture, loadEventFixtureText } from '../../helpers/fixtures.ts';
import { catchParseError } from './parse-error.ts';

/** Malformed or unsupported input: an EventParseError that names where and what was expected, nothing half-done. */

type Json = Record<string, unknown>;
const notificationRecord = () =>
  loadEventFixture<{ Records: { Sns: { Message: string } }[] }>(
    'sns-lambda-event-redshift-event-notification-REDSHIFT-EVENT-2004.json',
  );
const notificationBody = () =>
  loadEventFixture<Json>('sns-message-body-redshift-event-notification-REDSHIFT-EVENT-2004.json');

/** The real 2004 Lambda event with its Sns.Message replaced. */
function withMessage(message: string) {
  const payload = notificationRecord();
  const [record] = payload.Records;
  if (record === undefined) throw new Error('fixture lost its record');
  record.Sns.Message = message;
  return payload;
}
const withBody = (patch: Json) => withMessage(JSON.stringify({ ...notificationBody(), ...patch }));
const scheduled = (patch: Json) => ({
  ...loadEventFixture<Json>('eventbridge-aws.events-scheduled-event.json'),
  ...patch,
});
const capture = () =>
  loadEventFixture<{ detail: Json }>('eventbridge-aws.redshift-integration-monitoring.CAPTURED-PARTIAL.json');

describe('malformed input is rejected with the path and what was expected', () => {
  it.each([
    [
      'missing field inside the SNS message',
      () => normalize(withBody({ 'Event Time': undefined })),
      'Records[0].Sns.Message.Event Time',
      'Records[0].Sns.Message.Event Time: expected string, but it is missing',
    ],
    [
      'wrong type inside the SNS message',
      () => normalize(withBody({ Category: 5 })),
      'Records[0].Sns.Message.Category',
      'Records[0].Sns.Message.Category: expected an array of category names',
    ],
    [
      'a time that is not a time',
      () => normalize(withBody({ 'Event Time': 'yesterday' })),
      'Records[0].Sns.Message.Event Time',
      "Records[0].Sns.Message.Event Time: expected a UTC timestamp like 2015-07-03 06:36:08.053 or ISO 8601, got 'yesterday'",
    ],
    [
      'a date that does not exist',
      () => normalize(withBody({ 'Event Time': '2015-02-30 06:36:08.053' })),
      'Records[0].Sns.Message.Event Time',
      "Records[0].Sns.Message.Event Time: expected a valid date and time, got '2015-02-30 06:36:08.053'",
    ],
    [
      'an unknown Event Source with an id the catalog cannot classify',
      () =>
        normalize(
          withBody({
            'Event Source': 'db-instance',
            'About this Event': 'http://docs.aws.amazon.com/x.html#REDSHIFT-EVENT-9999 ',
          }),
        ),
      'Records[0].Sns.Message.Event Source',
      "Records[0].Sns.Message.Event Source: expected one of cluster, cluster-snapshot, snapshot, snapshots, cluster-parameter-group, parameter-group, parameter-groups, cluster-security-group, security-group, security-groups, scheduled-action, scheduled-actions, got 'db-instance'",
    ],
    [
      'an unknown id with a severity outside INFO/WARNING/ERROR',
      () =>
        normalize(
          withBody({
            Severity: 'CRITICAL',
            'About this Event': 'http://docs.aws.amazon.com/x.html#REDSHIFT-EVENT-9999',
          }),
        ),
      'Records[0].Sns.Message.Severity',
      "Records[0].Sns.Message.Severity: expected INFO, WARNING or ERROR, got 'CRITICAL'",
    ],
    [
      'truncated JSON inside the SNS message',
      () => normalize(withMessage(JSON.stringify(notificationBody()).slice(0, 50))),
      'Records[0].Sns.Message',
      'Records[0].Sns.Message: truncated or invalid JSON at position 50 (line 1, column 51): Unterminated string',
    ],
    [
      'plain text that is not the subscription test message',
      () => normalize(withMessage('hello world')),
      'Records[0].Sns.Message',
      "Records[0].Sns.Message: expected a JSON notification (Redshift event or CloudWatch alarm), got text 'hello world'",
    ],
    [
      'empty Records',
      () => normalize({ Records: [] }),
      'Records',
      'Records: expected at least one SNS record, got none',
    ],
    [
      'an SQS record instead of SNS',
      () => normalize({ Records: [{ EventSource: 'aws:sqs', body: '{}' }] }),
      'Records[0].EventSource',
      'Records[0].EventSource: expected "aws:sns" (an SNS-triggered Lambda event), got "aws:sqs"',
    ],
    [
      'an SNS record without Sns',
      () => normalize({ Records: [{ EventSource: 'aws:sns' }] }),
      'Records[0].Sns',
      'Records[0].Sns: expected object, but it is missing',
    ],
    [
      'an unknown EventBridge source',
      () => normalize(scheduled({ source: 'aws.ec2' })),
      'source',
      "source: unsupported source 'aws.ec2'; expected aws.redshift, aws.redshift-serverless, aws.cloudwatch, aws.events",
    ],
    [
      'an unknown aws.redshift detail-type',
      () => normalize(scheduled({ source: 'aws.redshift', 'detail-type': 'Redshift Cluster State Change' })),
      'detail-type',
      "detail-type: unsupported detail-type 'Redshift Cluster State Change' for source aws.redshift; expected 'Redshift Integration Monitoring', 'Redshift Integration Configuration', 'Redshift Integration Operation', 'AWS API Call via CloudTrail'",
    ],
    [
      'an EventBridge event without detail-type',
      () => normalize({ source: 'aws.redshift', detail: {} }),
      'detail-type',
      'detail-type: missing from the EventBridge event',
    ],
    [
      'a zero-ETL event without severity',
      () => {
        const event = capture();
        delete event.detail.severity;
        return normalize(event, { receivedAt: '2026-11-25T09:00:00Z' });
      },
      'detail.severity',
      'detail.severity: expected string, but it is missing',
    ],
    [
      'a zero-ETL event with a severity that is not one',
      () => {
        const event = capture();
        event.detail.severity = 'Critical';
        return normalize(event, { receivedAt: '2026-11-25T09:00:00Z' });
      },
      'detail.severity',
      'detail.severity: expected one of "INFO"|"WARNING"|"ERROR"',
    ],
    [
      'a legacy alarm with an unknown state',
      () =>
        normalize({
          ...loadEventFixture<Json>('sns-message-body-cloudwatch-alarm-legacy-format.json'),
          NewStateValue: 'RED',
        }),
      'NewStateValue',
      'NewStateValue: expected one of "OK"|"ALARM"|"INSUFFICIENT_DATA"',
    ],
    [
      'an EventBridge alarm without its state',
      () =>
        normalize({
          ...loadEventFixture<Json>('eventbridge-aws.cloudwatch-alarm-state-change-single-metric.json'),
          detail: { alarmName: 'x' },
        }),
      'detail.state',
      'detail.state: expected object, but it is missing',
    ],
    [
      'a CloudTrail record of another service',
      () =>
        normalize({
          ...loadEventFixture<Json>('cloudtrail-record-redshift-DeleteCluster.json'),
          eventSource: 'ec2.amazonaws.com',
        }),
      'eventSource',
      'eventSource: expected one of "redshift.amazonaws.com"|"redshift-serverless.amazonaws.com"',
    ],
    [
      'a CloudTrail record that names no resource',
      () =>
        normalize({
          ...loadEventFixture<Json>('cloudtrail-record-redshift-DeleteCluster.json'),
          requestParameters: null,
        }),
      'requestParameters',
      'requestParameters: expected a resource identifier (clusterIdentifier, workgroupName,',
    ],
    [
      'a schedule input whose time Scheduler did not substitute',
      () =>
        normalize({
          source: 'autopilot.scheduler',
          schedule: 'reconcile',
          scheduledTime: '<aws.scheduler.scheduled-time>',
        }),
      'scheduledTime',
      "scheduledTime: still '<aws.scheduler.scheduled-time>': only EventBridge Scheduler substitutes it",
    ],
    [
      'a schedule input without its schedule name',
      () => normalize({ source: 'autopilot.scheduler', scheduledTime: '2026-11-25T09:00:00Z' }),
      'schedule',
      'schedule: expected string, but it is missing',
    ],
    [
      'an object that is no known payload',
      () => normalize({ hello: 'world' }),
      '',
      '(payload): unrecognised payload: expected an SNS Lambda event (Records), an EventBridge event (source, detail-type)',
    ],
    ['an array', () => normalize([1, 2]), '', '(payload): expected a JSON object ('],
    ['a number', () => normalize(42), '', 'got a number'],
    ['null', () => normalize(null), '', 'got null'],
  ])('%s', (_name, run, path, message) => {
    const error = catchParseError(run);

    expect(error.message).toContain(message);
    expect(error.path).toBe(path);
  });
});

describe('JSON text', () => {
  it('truncated JSON names the position, line and column', () => {
    const text = loadEventFixtureText('sns-lambda-event-redshift-event-notification-REDSHIFT-EVENT-2004.json').slice(
      0,
      300,
    );

    expect(catchParseError(() => normalizeText(text)).message).toBe(
      'truncated or invalid JSON at position 300 (line 9, column 46): Unterminated string',
    );
  });

  it('a trailing comma is invalid (strict JSON, as Lambda would receive it)', () => {
    expect(catchParseError(() => normalizeText('{"source":"aws.events",}')).message).toBe(
      'truncated or invalid JSON at position 23 (line 1, column 24): Expected double-quoted property name',
    );
  });

  it('empty input says so', () => {
    expect(catchParseError(() => normalizeText(' \n')).message).toBe('empty input: expected a JSON event');
  });

  it('a byte-order mark is not an error', () => {
    const text = `\uFEFF${loadEventFixtureText('eventbridge-aws.events-scheduled-event.json')}`;

    expect(normalizeText(text)).toHaveLength(1);
  });
});

describe('a batch is all or nothing', () => {
  it('one bad record in an SNS batch rejects the whole batch, naming that record', () => {
    const good = notificationRecord();
    const bad = withMessage('not json');
    const batch = { Records: [...good.Records, ...bad.Records] };

    expect(catchParseError(() => normalize(batch)).path).toBe('Records[1].Sns.Message');
  });
});

describe('payload size', () => {
  it('rejects a payload over 256 KB (the SNS and EventBridge limit) with the limit named, before parsing', () => {
    const big = JSON.stringify({ source: 'aws.redshift', detail: { pad: 'x'.repeat(300_000) } });
    expect(() => parseJson(big)).toThrow(
      `payload is ${big.length} bytes; expected at most 262144 (256 KB, the SNS and EventBridge limit)`,
    );
    expect(() => parseJson(JSON.stringify({ pad: 'x'.repeat(200_000) }))).not.toThrow();
  });
});
