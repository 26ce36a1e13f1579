import { describe, expect, it } from 'vitest';
import { EventParseError } from '../../../shared/errors.ts';
import { normalize, normalizeDetailed, normalizeText } from '../../../shared/events/normalize.ts';
import { type NormalizedEvent, NormalizedEventSchema } from '../../../shared/events/normalized-event.ts';
import { loadEventFixture, loadEventFixtureText } from '../../helpers/fixtures.ts';
import { catchParseError } from './parse-error.ts';

/** Every real payload in test/fixtures/events (see SOURCES.md) normalizes to these fields. */

const RECEIVED_AT = '2026-11-25T09:00:00.000Z';

function single(name: string): NormalizedEvent {
  const events = normalize(loadEventFixture(name), { receivedAt: RECEIVED_AT });
  expect(events).toHaveLength(1);
  const [event] = events;
  if (event === undefined) throw new Error('no event');
  return NormalizedEventSchema.parse(event);
}

describe('real fixtures: Redshift event subscription via SNS', () => {
  it('REDSHIFT-EVENT-2004 in the Lambda SNS record: id from the URL, catalog category, UTC time, values', () => {
    const event = single('sns-lambda-event-redshift-event-notification-REDSHIFT-EVENT-2004.json');

    expect(event).toEqual({
      kind: 'redshift-event',
      eventId: 'REDSHIFT-EVENT-2004',
      known: true,
      category: 'Management',
      severity: 'INFO',
      resource: { type: 'cluster', id: 'sapi-14-firehouse' },
      time: '2015-07-03T06:36:08.053Z',
      message: "Maintenance on Amazon Redshift cluster 'sapi-14-firehouse' completed at 2015-07-03 06:36 UTC.",
      // The real wording ("Amazon Redshift cluster 'x'") differs from the guide's ("cluster x"); the matcher allows both.
      values: { cluster_name: 'sapi-14-firehouse', time_in_utc: '2015-07-03 06:36 UTC' },
      account: '147946154733',
      region: 'us-east-1',
    });
  });

  it('the bare message body gives the same event, minus the account only the topic ARN told', () => {
    const fromRecord = single('sns-lambda-event-redshift-event-notification-REDSHIFT-EVENT-2004.json');

    const fromBody = single('sns-message-body-redshift-event-notification-REDSHIFT-EVENT-2004.json');

    expect(fromBody).toEqual({ ...fromRecord, account: null });
  });

  it('the subscription test message is recognised, yields no event and says why', () => {
    const result = normalizeDetailed(loadEventFixture('sns-lambda-event-redshift-subscription-test-topic.json'));

    expect(result.events).toEqual([]);
    expect(result.ignored).toEqual([
      {
        path: 'Records[0].Sns.Message',
        reason: 'Redshift event-subscription test notification ([Amazon Redshift INFO] - Test Topic); no event',
      },
    ]);
  });
});

describe('real fixtures: CloudWatch alarms', () => {
  const legacyAlarm = {
    kind: 'alarm',
    eventId: null,
    known: false,
    category: null,
    severity: 'WARNING',
    resource: { type: 'cluster', id: 'sapi-03-seznam' },
    time: '2015-05-26T07:49:42.541Z',
    account: '147946154733',
    alarm: {
      name: 'martin-test',
      state: 'ALARM',
      previousState: 'OK',
      reason: 'Threshold Crossed: 1 datapoint (41.324462890625) was greater than or equal to the threshold (10.0).',
      metric: {
        namespace: 'AWS/Redshift',
        name: 'PercentageDiskSpaceUsed',
        dimensions: { ClusterIdentifier: 'sapi-03-seznam' },
      },
    },
  };

  it('legacy alarm JSON in an SNS record → alarm on the cluster from its ClusterIdentifier dimension', () => {
    const event = single('sns-lambda-event-cloudwatch-alarm-AWS-Redshift-PercentageDiskSpaceUsed.json');

    expect(event).toMatchObject({ ...legacyAlarm, region: 'us-east-1' });
    expect(event.message).toBe(
      'Alarm martin-test changed from OK to ALARM: Threshold Crossed: 1 datapoint (41.324462890625) was greater than or equal to the threshold (10.0).',
    );
  });

  it('the bare legacy alarm body: same alarm; its "Region" is a display name, so region stays unknown', () => {
    const event = single('sns-message-body-cloudwatch-alarm-legacy-format.json');

    expect(event).toMatchObject({ ...legacyAlarm, region: null });
  });

  it('EventBridge single-metric alarm: metric from configuration.metrics[0], alarm resource outside Redshift', () => {
    const event = single('eventbridge-aws.cloudwatch-alarm-state-change-single-metric.json');

    expect(event).toMatchObject({
      kind: 'alarm',
      severity: 'WARNING',
      resource: {
        type: 'alarm',
        id: 'ServerCpuTooHigh',
        arn: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:ServerCpuTooHigh',
      },
      time: '2019-10-02T17:04:40.000Z',
      account: '123456789012',
      region: 'us-east-1',
      alarm: {
        name: 'ServerCpuTooHigh',
        state: 'ALARM',
        previousState: 'OK',
        metric: { namespace: 'AWS/EC2', name: 'CPUUtilization', dimensions: { InstanceId: 'i-12345678901234567' } },
      },
    });
  });

  it('EventBridge composite alarm: no metric, the alarm itself is the resource', () => {
    const event = single('eventbridge-aws.cloudwatch-alarm-state-change-composite-with-suppressor.json');

    expect(event).toMatchObject({
      kind: 'alarm',
      resource: { type: 'alarm', id: 'ServiceAggregatedAlarm' },
      time: '2022-07-22T15:57:45.000Z',
      alarm: { name: 'ServiceAggregatedAlarm', state: 'ALARM', previousState: 'OK', metric: null },
    });
  });
});

describe('real fixtures: zero-ETL integration (the partial capture)', () => {
  it('normalizes; the EventBridge page wording identifies REDSHIFT-INTEGRATION-EVENT-0003; no time → time of receipt', () => {
    const event = single('eventbridge-aws.redshift-integration-monitoring.CAPTURED-PARTIAL.json');

    expect(event).toEqual({
      kind: 'integration-event',
      eventId: 'REDSHIFT-INTEGRATION-EVENT-0003',
      known: true,
      category: 'Monitoring',
      severity: 'INFO',
      // The capture's author replaced the ARN with a placeholder; it is passed on, not invented.
      resource: { type: 'integration', id: '<integration ARN>' },
      time: RECEIVED_AT,
      message:
        'Your zero-ETL Integration ... is synchronizing transactional data to the Amazon Redshift data warehouse.',
      values: { integration_name: '...' },
      account: null,
      region: null,
    });
  });

  it('without a receipt time it is rejected, naming the missing time (normalize never reads a clock)', () => {
    const payload = loadEventFixture('eventbridge-aws.redshift-integration-monitoring.CAPTURED-PARTIAL.json');

    const error = catchParseError(() => normalize(payload));

    expect(error.message).toBe(
      'time: missing (a partial capture?); pass receivedAt to normalize() to use the time of receipt',
    );
    expect(error.path).toBe('time');
  });
});

describe('real fixtures: CloudTrail API calls', () => {
  it.each([
    ['cloudtrail-record-redshift-CreateCluster.json', 'CreateCluster', 'my-dw-instance', '2017-03-03T16:56:09.000Z'],
    ['cloudtrail-record-redshift-DeleteCluster.json', 'DeleteCluster', 'my-dw-instance', '2017-03-03T17:02:34.000Z'],
    ['cloudtrail-record-redshift-RebootCluster.json', 'RebootCluster', 'sumologicdevbi', '2018-05-11T17:37:06.000Z'],
  ])('%s → api-call %s on cluster %s', (name, operation, cluster, time) => {
    const event = single(name);

    expect(event).toMatchObject({
      kind: 'api-call',
      severity: 'INFO',
      resource: { type: 'cluster', id: cluster },
      time,
      apiCall: { operation, service: 'redshift', errorCode: null },
    });
  });

  it('keeps the principal and the parameters, secrets masked as CloudTrail recorded them', () => {
    const event = single('cloudtrail-record-redshift-CreateCluster.json');

    expect(event.apiCall?.principal).toBe('arn:aws:iam::123456789012:user/Admin');
    expect(event.apiCall?.parameters).toMatchObject({ masterUserPassword: '****', nodeType: 'dc1.large' });
    expect(event).toMatchObject({ account: '123456789012', region: 'us-east-2' });
  });

  it('the same record as EventBridge delivers it (detail of "AWS API Call via CloudTrail") gives the same event', () => {
    const record = loadEventFixture<Record<string, unknown>>('cloudtrail-record-redshift-RebootCluster.json');
    const envelope = {
      version: '0',
      id: '0b8b6ef2-aaaa-bbbb-cccc-ddddeeeeffff',
      'detail-type': 'AWS API Call via CloudTrail',
      source: 'aws.redshift',
      account: '951234567838',
      time: '2018-05-11T17:37:07Z',
      region: 'us-west-1',
      resources: [],
      detail: record,
    };

    expect(normalize(envelope)).toEqual(normalize(record));
  });

  it('the serverless CreateNamespace sample is not strict JSON (AWS published a trailing comma): rejected clearly', () => {
    expect(() =>
      normalizeText(loadEventFixtureText('cloudtrail-record-redshift-serverless-CreateNamespace.jsonc')),
    ).toThrow('truncated or invalid JSON at position 2191 (line 56, column 1): Expected double-quoted property name');
  });

  it('…and its record, once the comma is gone, is a serverless api-call on the namespace', () => {
    const text = loadEventFixtureText('cloudtrail-record-redshift-serverless-CreateNamespace.jsonc').replace(
      /,(\s*)}\s*$/,
      '$1}',
    );

    const [event] = normalizeText(text);

    expect(event).toMatchObject({
      kind: 'api-call',
      resource: { type: 'namespace', id: 'testnamespace' },
      time: '2022-03-21T23:15:40.000Z',
      account: '111111111111',
      apiCall: {
        operation: 'CreateNamespace',
        service: 'redshift-serverless',
        principal: 'arn:aws:sts::111111111111:assumed-role/admin/admin',
        parameters: { adminUserPassword: 'HIDDEN_DUE_TO_SECURITY_REASONS', namespaceName: 'testnamespace' },
      },
    });
  });
});

describe('real fixtures: schedules', () => {
  it('aws.events Scheduled Event → schedule named after the rule', () => {
    const event = single('eventbridge-aws.events-scheduled-event.json');

    expect(event).toMatchObject({
      kind: 'schedule',
      resource: { type: 'schedule', id: 'SampleRule', arn: 'arn:aws:events:us-east-1:123456789012:rule/SampleRule' },
      time: '2016-12-30T18:44:49.000Z',
      schedule: { name: 'SampleRule', scheduledTime: '2016-12-30T18:44:49.000Z' },
    });
  });
});

describe('real fixtures that are not ingress payloads of ours are refused with the reason', () => {
  it.each([
    [
      'eventbridge-aws.redshift-data-statement-status-change.json',
      "source: unsupported source 'aws.redshift-data'; expected aws.redshift, aws.redshift-serverless, aws.cloudwatch, aws.events",
    ],
    // Scheduler's documented SQS-target Input: not our schedule input shape.
    ['eventbridge-scheduler-target-input-with-context-attributes.json', '(payload): unrecognised payload: expected'],
    // Outputs of `aws redshift describe-*`, not events.
    ['redshift-describe-events.cli-example.json', '(payload): unrecognised payload: expected'],
    ['redshift-describe-event-categories-cluster.cli-example.json', '(payload): unrecognised payload: expected'],
  ])('%s', (name, message) => {
    expect(() => normalize(loadEventFixture(name))).toThrow(EventParseError);
    expect(() => normalize(loadEventFixture(name))).toThrow(message);
  });
});
