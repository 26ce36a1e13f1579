import type { NormalizedEvent } from '../events/normalized-event.ts';
import { SCHEDULE_INPUT_SOURCE } from '../events/schedule.schema.ts';

/**
 * A normalized event back into the payload AWS would have delivered for it, so `simulate` can inject
 * a file of `autopilot normalize` output through the real ingest functions. The caller normalizes the
 * payload again and compares (see event-file.ts): what does not come back the same is refused.
 */

const TITLE: Record<string, string> = { INFO: 'Info', WARNING: 'Warning', ERROR: 'Error' };

/** The Redshift notification's `Event Source` for a resource type (the API's source types). */
const EVENT_SOURCES: Readonly<Record<string, string>> = {
  cluster: 'cluster',
  snapshot: 'cluster-snapshot',
  'parameter-group': 'cluster-parameter-group',
  'security-group': 'cluster-security-group',
  'scheduled-action': 'scheduled-action',
};

const INTEGRATION_CATEGORIES = new Set(['Monitoring', 'Configuration', 'Operation']);

/** Only the fields that are set: an absent account stays absent, not null. */
function envelope(event: NormalizedEvent, source: string, detailType: string, resources: string[], detail: unknown) {
  return {
    version: '0',
    id: `replayed-${event.time}`,
    'detail-type': detailType,
    source,
    ...(event.account === null ? {} : { account: event.account }),
    time: event.time,
    ...(event.region === null ? {} : { region: event.region }),
    resources,
    detail,
  };
}

function redshiftNotification(event: NormalizedEvent) {
  const [date, clock] = event.time.replace(/Z$/, '').split('T');
  const about = 'http://docs.aws.amazon.com/redshift/latest/mgmt/working-with-event-notifications.html';
  const message = {
    'Event Source': EVENT_SOURCES[event.resource.type] ?? event.resource.type,
    Resource: event.resource.id,
    'Event Time': `${date} ${clock}`,
    ...(event.region === null
      ? {}
      : { 'Identifier Link': `https://console.aws.amazon.com/redshift/home?region=${event.region}` }),
    Severity: event.severity,
    Category: event.category === null ? [] : [event.category],
    'About this Event': event.eventId === null ? about : `${about}#${event.eventId}`,
    'Event Message': event.message,
  };
  // The topic's ARN carries the account (and region) the notification came from; empty when unknown.
  const topicArn = `arn:aws:sns:${event.region ?? ''}:${event.account ?? ''}:redshift-events`;
  return {
    Records: [
      {
        EventSource: 'aws:sns',
        EventVersion: '1.0',
        Sns: {
          Type: 'Notification',
          TopicArn: topicArn,
          Subject: `[Amazon Redshift ${event.severity}] - ${event.category ?? 'Event'} Notification`,
          Message: JSON.stringify(message),
          Timestamp: event.time,
        },
      },
    ],
  };
}

function alarmStateChange(event: NormalizedEvent) {
  const alarm = event.alarm;
  if (alarm === undefined) return null;
  const arn =
    event.resource.type === 'alarm' && event.resource.arn !== undefined
      ? event.resource.arn
      : `arn:aws:cloudwatch:${event.region ?? ''}:${event.account ?? ''}:alarm:${alarm.name}`;
  const metric = alarm.metric;
  return envelope(event, 'aws.cloudwatch', 'CloudWatch Alarm State Change', [arn], {
    alarmName: alarm.name,
    state: { value: alarm.state, reason: alarm.reason, timestamp: event.time },
    ...(alarm.previousState === null ? {} : { previousState: { value: alarm.previousState, reason: '' } }),
    configuration: {
      metrics:
        metric === null ? [] : [{ id: 'm1', metricStat: { metric, period: 300, stat: 'Average' }, returnData: true }],
    },
  });
}

function apiCall(event: NormalizedEvent) {
  const call = event.apiCall;
  if (call === undefined) return null;
  return envelope(event, `aws.${call.service}`, 'AWS API Call via CloudTrail', [], {
    eventVersion: '1.08',
    eventSource: `${call.service}.amazonaws.com`,
    eventName: call.operation,
    eventTime: event.time,
    ...(event.region === null ? {} : { awsRegion: event.region }),
    ...(event.account === null ? {} : { recipientAccountId: event.account }),
    ...(call.principal === null ? {} : { userIdentity: { arn: call.principal } }),
    requestParameters: call.parameters,
    ...(call.errorCode === null ? {} : { errorCode: call.errorCode }),
  });
}

/** The payload, or null when the event carries too little to rebuild one (an alarm without its detail). */
export function toIngressPayload(event: NormalizedEvent): unknown {
  const { resource } = event;
  switch (event.kind) {
    case 'redshift-event':
      return redshiftNotification(event);
    case 'integration-event': {
      const category =
        event.category !== null && INTEGRATION_CATEGORIES.has(event.category) ? event.category : 'Monitoring';
      return envelope(event, 'aws.redshift', `Redshift Integration ${category}`, [resource.arn ?? resource.id], {
        severity: TITLE[event.severity],
        eventDescription: event.message,
        ...(event.eventId === null ? {} : { eventId: event.eventId }),
      });
    }
    case 'serverless-event':
      return envelope(
        event,
        'aws.redshift-serverless',
        `Redshift Serverless ${event.category ?? 'Notification'}`,
        resource.arn === undefined ? [] : [resource.arn],
        {
          severity: TITLE[event.severity],
          eventDescription: event.message,
          ...(event.eventId === null ? {} : { eventId: event.eventId }),
          ...(resource.type === 'workgroup' ? { workgroupName: resource.id } : {}),
          ...(resource.type === 'namespace' ? { namespaceName: resource.id } : {}),
        },
      );
    case 'alarm':
      return alarmStateChange(event);
    case 'schedule':
      return resource.arn === undefined
        ? { source: SCHEDULE_INPUT_SOURCE, schedule: resource.id, scheduledTime: event.time }
        : envelope(event, 'aws.events', 'Scheduled Event', [resource.arn], {});
    case 'api-call':
      return apiCall(event);
  }
}
