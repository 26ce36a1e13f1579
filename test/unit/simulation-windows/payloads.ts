import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  catalogRow,
  integrationEvent,
  redshiftSnsRecord,
  renderTemplate,
} from '../../../shared/simulator/event-envelopes.ts';
import { Prng } from '../../../shared/simulator/prng.ts';

/**
 * Ingress payloads for the window tests, built from the recorded fixtures (test/fixtures/events) with
 * only the names, times and values changed, and from the simulator's envelope builders (themselves
 * checked against the fixtures in test/unit/simulator).
 */
const FIXTURES = path.resolve(import.meta.dirname, '../../fixtures/events');
const fixture = (name: string) =>
  JSON.parse(readFileSync(path.join(FIXTURES, name), 'utf8')) as Record<string, unknown>;
const ids = new Prng('window-payloads');

export const ACCOUNT = '123456789012';
export const REGION = 'eu-central-1';
export const PERSON = `arn:aws:iam::${ACCOUNT}:user/alice`;
/** The executor Lambda as CloudTrail names it (serverless-iam-roles-per-function role, function-name session). */
export const EXECUTOR = `arn:aws:sts::${ACCOUNT}:assumed-role/redshift-autopilot-dev-executeDecision-${REGION}-lambdaRole/redshift-autopilot-dev-executeDecision`;

/** `AWS API Call via CloudTrail` for ResumeCluster, from the recorded RebootCluster record. */
export function cloudTrailResume(cluster: string, at: string, principal: string = PERSON) {
  const record = fixture('cloudtrail-record-redshift-RebootCluster.json');
  const assumed = principal.includes(':assumed-role/');
  return {
    version: '0',
    id: ids.uuid(),
    'detail-type': 'AWS API Call via CloudTrail',
    source: 'aws.redshift',
    account: ACCOUNT,
    time: at.replace(/\.\d{3}Z$/, 'Z'),
    region: REGION,
    resources: [],
    detail: {
      ...record,
      userIdentity: assumed
        ? { type: 'AssumedRole', arn: principal, accountId: ACCOUNT, invokedBy: undefined }
        : { ...(record.userIdentity as object), arn: principal, accountId: ACCOUNT, invokedBy: undefined },
      eventTime: at.replace(/\.\d{3}Z$/, 'Z'),
      eventName: 'ResumeCluster',
      awsRegion: REGION,
      requestParameters: { clusterIdentifier: cluster },
      responseElements: { clusterIdentifier: cluster, clusterStatus: 'resuming' },
      recipientAccountId: ACCOUNT,
    },
  };
}

/** `CloudWatch Alarm State Change` of an AWS/Redshift alarm, from the recorded single-metric event. */
export function alarmChange(alarm: string, cluster: string, at: string, state: 'ALARM' | 'OK' = 'ALARM') {
  const event = fixture('eventbridge-aws.cloudwatch-alarm-state-change-single-metric.json') as {
    detail: Record<string, unknown> & {
      configuration: { metrics: { metricStat: { metric: Record<string, unknown> } }[] };
      state: Record<string, unknown>;
      previousState: Record<string, unknown>;
    };
  } & Record<string, unknown>;
  const metric = event.detail.configuration.metrics[0]?.metricStat.metric;
  if (metric !== undefined) {
    metric.dimensions = { ClusterIdentifier: cluster };
    metric.name = 'DatabaseConnections';
    metric.namespace = 'AWS/Redshift';
  }
  const time = at.replace(/\.\d{3}Z$/, 'Z');
  return {
    ...event,
    id: ids.uuid(),
    account: ACCOUNT,
    region: REGION,
    time,
    resources: [`arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:${alarm}`],
    detail: {
      ...event.detail,
      alarmName: alarm,
      previousState: { ...event.detail.previousState, value: state === 'ALARM' ? 'OK' : 'ALARM' },
      state: {
        ...event.detail.state,
        value: state,
        reason: `Threshold Crossed: 12 out of the last 12 datapoints were less than or equal to the threshold (0.0).`,
        timestamp: `${at.slice(0, 23)}+0000`,
      },
    },
  };
}

/** The Redshift event subscription's SNS record (Lambda event) of REDSHIFT-EVENT-4506. */
export function secretsNotRotated(cluster: string, at: string) {
  return redshiftSnsRecord({
    eventId: 'REDSHIFT-EVENT-4506',
    eventSource: 'cluster',
    resource: cluster,
    at: new Date(at),
    message: renderTemplate(catalogRow('REDSHIFT-EVENT-4506').message, { cluster_name: cluster }),
    region: REGION,
    account: ACCOUNT,
    topicArn: `arn:aws:sns:${REGION}:${ACCOUNT}:redshift-events`,
    publishedAt: new Date(Date.parse(at) + 20_000),
    ids,
  });
}

/** A zero-ETL integration event (0018/0019/0020) as EventBridge delivers it. */
export function zeroEtlEvent(
  eventId: string,
  integration: { arn: string; name: string; sourceArn: string; targetArn: string },
  at: string,
) {
  return integrationEvent({
    eventId,
    integrationArn: integration.arn,
    sourceArn: integration.sourceArn,
    destinationArn: integration.targetArn,
    integrationName: integration.name,
    integrationStatus: 'NEEDS_ATTENTION',
    statusCode: 'TargetClusterPaused',
    at: new Date(at),
    region: REGION,
    account: ACCOUNT,
    ids,
  });
}
