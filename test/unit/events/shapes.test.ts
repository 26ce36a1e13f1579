import { describe, expect, it } from 'vitest';
import { normalize } from '../../../shared/events/normalize.ts';
import { type NormalizedEvent, NormalizedEventSchema } from '../../../shared/events/normalized-event.ts';
import { ScheduleInputSchema, scheduleInput, scheduleInputJson } from '../../../shared/events/schedule.schema.ts';
import { loadEventFixture } from '../../helpers/fixtures.ts';

/** Variants of each ingress shape built from the real fixtures: what the normalizer decides and why. */

type Json = Record<string, unknown>;

function one(payload: unknown): NormalizedEvent {
  const events = normalize(payload);
  expect(events).toHaveLength(1);
  const [event] = events;
  if (event === undefined) throw new Error('no event');
  return NormalizedEventSchema.parse(event);
}

const notificationBody = () =>
  loadEventFixture<Json>('sns-message-body-redshift-event-notification-REDSHIFT-EVENT-2004.json');
const snsEvent = (...bodies: Json[]) => {
  const template = loadEventFixture<{ Records: Json[] }>(
    'sns-lambda-event-redshift-event-notification-REDSHIFT-EVENT-2004.json',
  );
  const [record] = template.Records;
  return {
    Records: bodies.map((body) => ({
      ...record,
      Sns: { ...(record?.Sns as Json), Message: JSON.stringify(body) },
    })),
  };
};

describe('Redshift event-subscription notifications', () => {
  it('an id the catalog does not know is passed on with known:false and the envelope category/severity', () => {
    const body = {
      ...notificationBody(),
      Severity: 'ERROR',
      Category: ['Monitoring'],
      'About this Event':
        'http://docs.aws.amazon.com/redshift/latest/mgmt/working-with-event-notifications.html#REDSHIFT-EVENT-9999 ',
      'Event Message': 'Something new happened to cluster sapi-14-firehouse.',
    };

    const event = one(snsEvent(body));

    expect(event).toMatchObject({
      kind: 'redshift-event',
      eventId: 'REDSHIFT-EVENT-9999',
      known: false,
      category: 'Monitoring',
      severity: 'ERROR',
      resource: { type: 'cluster', id: 'sapi-14-firehouse' },
      values: {},
    });
  });

  it('a URL without an event id fragment gives eventId null, not an error', () => {
    const event = one({ ...notificationBody(), 'About this Event': 'http://docs.aws.amazon.com/redshift/ ' });

    expect(event).toMatchObject({ eventId: null, known: false, category: 'Management', severity: 'INFO' });
  });

  it.each([
    ['cluster-snapshot', 'snapshot'],
    ['snapshot', 'snapshot'],
    ['cluster-parameter-group', 'parameter-group'],
    ['parameter-groups', 'parameter-group'],
    ['cluster-security-group', 'security-group'],
    ['security-groups', 'security-group'],
    ['scheduled-action', 'scheduled-action'],
  ])('Event Source %s (API and console names) → resource type %s', (source, type) => {
    const event = one({ ...notificationBody(), 'Event Source': source, Resource: 'thing-1' });

    expect(event.resource).toEqual({ type, id: 'thing-1' });
  });

  it('an Event Source it does not know is classified by the catalog id', () => {
    const event = one({ ...notificationBody(), 'Event Source': 'redshift-cluster' });

    expect(event.resource).toEqual({ type: 'cluster', id: 'sapi-14-firehouse' });
  });

  it('a repeated placeholder keeps its first name and numbers the next (REDSHIFT-EVENT-1002)', () => {
    const body = {
      ...notificationBody(),
      'Event Source': 'cluster-parameter-group',
      Resource: 'etl-params',
      Category: ['Configuration'],
      'About this Event': 'http://docs.aws.amazon.com/redshift/latest/mgmt/x.html#REDSHIFT-EVENT-1002 ',
      'Event Message': 'The parameter statement_timeout was updated from 0 to 60000 at 2026-11-25 06:36 UTC.',
    };

    expect(one(body).values).toEqual({
      parameter_name: 'statement_timeout',
      value: '0',
      value_2: '60000',
      time: '2026-11-25 06:36 UTC',
    });
  });

  it('an SNS batch gives one event per record, in order', () => {
    const second = {
      ...notificationBody(),
      'About this Event': 'http://docs.aws.amazon.com/x.html#REDSHIFT-EVENT-2003 ',
      'Event Message': 'Maintenance started on cluster sapi-14-firehouse at 2015-07-03 06:00 UTC.',
    };

    const events = normalize(snsEvent(notificationBody(), second));

    expect(events.map((e) => e.eventId)).toEqual(['REDSHIFT-EVENT-2004', 'REDSHIFT-EVENT-2003']);
  });
});

describe('zero-ETL integration events', () => {
  const capture = () =>
    loadEventFixture<Json & { detail: Json }>('eventbridge-aws.redshift-integration-monitoring.CAPTURED-PARTIAL.json');
  const full = (detail: Json) => ({
    ...capture(),
    id: 'e1',
    account: '123456789012',
    region: 'us-east-1',
    time: '2026-11-25T06:36:08Z',
    resources: ['arn:aws:redshift:us-east-1:123456789012:integration:5b9d2f3c-1c2d-4e5f-8a9b-0c1d2e3f4a5b'],
    detail: { ...capture().detail, ...detail },
  });

  it('the second event the capture author reports (Warning, DATA_COLUMN_LENGTH_EXCEEDED) without a matching text: id null, never guessed', () => {
    const event = one(
      full({
        severity: 'Warning',
        statusCode: 'DATA_COLUMN_LENGTH_EXCEEDED',
        integrationStatus: 'NEEDS_ATTENTION',
        eventDescription: 'A column value exceeds the maximum length supported by Amazon Redshift.',
      }),
    );

    expect(event).toMatchObject({
      kind: 'integration-event',
      eventId: null,
      known: false,
      category: 'Monitoring',
      severity: 'WARNING',
      resource: { type: 'integration', id: '5b9d2f3c-1c2d-4e5f-8a9b-0c1d2e3f4a5b' },
      time: '2026-11-25T06:36:08.000Z',
    });
  });

  it('the category of an unidentified event comes from the detail-type', () => {
    const event = one({
      ...full({ eventDescription: 'Reworded by AWS.' }),
      'detail-type': 'Redshift Integration Operation',
    });

    expect(event.category).toBe('Operation');
  });

  it('an id only the EventBridge page lists (REDSHIFT-INTEGRATION-EVENT-0025) is identified but not "known"', () => {
    const event = one(
      full({
        severity: 'Error',
        eventDescription:
          "A serverless restore was invoked on the destination serverless namespace, and your integration is deactivated because it's not available in the restored snapshot. Restore a snapshot which is created when the integration is available, or delete the integration.",
      }),
    );

    expect(event).toMatchObject({ eventId: 'REDSHIFT-INTEGRATION-EVENT-0025', known: false, severity: 'ERROR' });
  });

  it('a stated catalog id is used as stated', () => {
    const event = one(full({ eventId: 'REDSHIFT-INTEGRATION-EVENT-0019', eventDescription: 'Reworded.' }));

    expect(event).toMatchObject({ eventId: 'REDSHIFT-INTEGRATION-EVENT-0019', known: true, category: 'Operation' });
  });
});

describe('Redshift Serverless events', () => {
  const serverless = (patch: Json) => ({
    version: '0',
    id: 's1',
    'detail-type': 'Redshift Serverless Monitoring',
    source: 'aws.redshift-serverless',
    account: '123456789012',
    time: '2026-11-25T06:36:08Z',
    region: 'us-east-1',
    resources: [],
    detail: {},
    ...patch,
  });

  it('without resources, the workgroup named in the message is the resource', () => {
    const event = one(
      serverless({
        detail: { message: 'Your Amazon Redshift workgroup analytics-wg was deleted at 2026-11-25 06:36 UTC.' },
      }),
    );

    expect(event).toMatchObject({
      eventId: 'REDSHIFT-SERVERLESS-EVENT-1009',
      resource: { type: 'workgroup', id: 'analytics-wg' },
      category: 'Management',
    });
  });

  it.each([
    ['Workgroup Change', 'Workgroup Change'],
    ['Redshift Serverless Storage', 'Storage'],
  ])('an unknown detail-type (%s) is normalized with eventId null, not refused', (detailType, category) => {
    const event = one(
      serverless({
        'detail-type': detailType,
        resources: ['arn:aws:redshift-serverless:us-east-1:123456789012:workgroup/wg-uuid'],
        detail: { severity: 'Info', eventDescription: 'Something AWS added later.' },
      }),
    );

    expect(event).toMatchObject({
      kind: 'serverless-event',
      eventId: null,
      known: false,
      category,
      severity: 'INFO',
      resource: { type: 'workgroup', id: 'wg-uuid' },
      message: 'Something AWS added later.',
    });
  });

  it('a known event under an unknown detail-type is still identified by its text', () => {
    const event = one(
      serverless({
        'detail-type': 'Redshift Serverless Lifecycle',
        detail: { message: 'Your Amazon Redshift workgroup analytics-wg was deleted at 2026-11-25 06:36 UTC.' },
      }),
    );

    expect(event).toMatchObject({ eventId: 'REDSHIFT-SERVERLESS-EVENT-1009', category: 'Management' });
  });

  it('any "Redshift Serverless …" detail-type is taken, so a ninth one is not lost', () => {
    const event = one(
      serverless({
        'detail-type': 'Redshift Serverless Storage',
        resources: ['arn:aws:redshift-serverless:us-east-1:123456789012:namespace/ns-uuid'],
        detail: { severity: 'Warning', description: 'Something new.' },
      }),
    );

    expect(event).toMatchObject({
      eventId: null,
      category: 'Storage',
      severity: 'WARNING',
      resource: { type: 'namespace', id: 'ns-uuid' },
    });
  });

  it('an unidentified event without severity is refused rather than given a made-up one', () => {
    expect(() => normalize(serverless({ resources: ['arn:aws:redshift-serverless:us-east-1:1:workgroup/w'] }))).toThrow(
      'detail.severity: missing, and the event is not one the catalog identifies',
    );
  });
});

describe('CloudWatch alarms on Redshift Serverless', () => {
  it('the Workgroup dimension makes the workgroup the resource', () => {
    const payload = loadEventFixture<{ detail: { configuration: { metrics: { metricStat: { metric: Json } }[] } } }>(
      'eventbridge-aws.cloudwatch-alarm-state-change-single-metric.json',
    );
    const [metric] = payload.detail.configuration.metrics;
    if (metric === undefined) throw new Error('fixture lost its metric');
    metric.metricStat.metric = {
      namespace: 'AWS/Redshift-Serverless',
      name: 'ComputeCapacity',
      dimensions: { Workgroup: 'analytics-wg', Namespace: 'analytics-ns' },
    };

    expect(one(payload).resource).toEqual({ type: 'workgroup', id: 'analytics-wg' });
  });

  it('OK is INFO', () => {
    const body = {
      ...loadEventFixture<Json>('sns-message-body-cloudwatch-alarm-legacy-format.json'),
      NewStateValue: 'OK',
    };

    expect(one(body)).toMatchObject({ severity: 'INFO', alarm: { state: 'OK', previousState: 'OK' } });
  });
});

describe('CloudTrail API calls', () => {
  const record = (patch: Json) => ({
    ...loadEventFixture<Json>('cloudtrail-record-redshift-DeleteCluster.json'),
    ...patch,
  });

  it('a pause by hand: the cluster is the resource', () => {
    const event = one(
      record({ eventName: 'PauseCluster', requestParameters: { clusterIdentifier: 'analytics-prod' } }),
    );

    expect(event).toMatchObject({
      kind: 'api-call',
      resource: { type: 'cluster', id: 'analytics-prod' },
      message: 'arn:aws:iam::123456789012:user/Admin called PauseCluster on cluster analytics-prod',
    });
  });

  it('a snapshot operation acts on the snapshot, not on the cluster it names', () => {
    const event = one(
      record({
        eventName: 'CreateClusterSnapshot',
        requestParameters: { clusterIdentifier: 'analytics-prod', snapshotIdentifier: 'before-upgrade' },
      }),
    );

    expect(event.resource).toEqual({ type: 'snapshot', id: 'before-upgrade' });
  });

  it('a refused call carries its error code and is a WARNING', () => {
    const event = one(
      record({
        eventName: 'ResizeCluster',
        requestParameters: { clusterIdentifier: 'analytics-prod', numberOfNodes: 4 },
        errorCode: 'AccessDenied',
        errorMessage: 'not authorized',
      }),
    );

    expect(event).toMatchObject({ severity: 'WARNING', apiCall: { errorCode: 'AccessDenied' } });
    expect(event.message).toContain('(failed: AccessDenied: not authorized)');
  });

  it('serverless usage limits name their workgroup by ARN', () => {
    const arn = 'arn:aws:redshift-serverless:us-east-1:123456789012:workgroup/0f3c';
    const event = one(
      record({
        eventSource: 'redshift-serverless.amazonaws.com',
        eventName: 'CreateUsageLimit',
        requestParameters: { resourceArn: arn, usageType: 'serverless-compute', amount: 100 },
      }),
    );

    expect(event).toMatchObject({
      resource: { type: 'workgroup', id: '0f3c', arn },
      apiCall: { service: 'redshift-serverless' },
    });
  });

  it('DeleteUsageLimit names only the limit', () => {
    const event = one(record({ eventName: 'DeleteUsageLimit', requestParameters: { usageLimitId: 'ul-1' } }));

    expect(event.resource).toEqual({ type: 'usage-limit', id: 'ul-1' });
  });
});

describe('EventBridge Scheduler input', () => {
  it('the input configured on a schedule is our schema, with the placeholder Scheduler fills in', () => {
    expect(ScheduleInputSchema.parse(JSON.parse(scheduleInputJson('reconcile')))).toEqual({
      source: 'autopilot.scheduler',
      schedule: 'reconcile',
      scheduledTime: '<aws.scheduler.scheduled-time>',
    });
  });

  it('as delivered (time substituted) it is a schedule event', () => {
    const event = one({ ...scheduleInput('reconcile'), scheduledTime: '2026-11-25T09:05:00Z' });

    expect(event).toMatchObject({
      kind: 'schedule',
      severity: 'INFO',
      resource: { type: 'schedule', id: 'reconcile' },
      time: '2026-11-25T09:05:00.000Z',
      schedule: { name: 'reconcile', scheduledTime: '2026-11-25T09:05:00.000Z' },
    });
  });

  it('extra keys are refused: the shape is ours, a typo should not pass silently', () => {
    expect(() =>
      normalize({ ...scheduleInput('reconcile'), scheduledTime: '2026-11-25T09:05:00Z', shedule: 'x' }),
    ).toThrow('Unrecognized key: "shedule"');
  });
});
