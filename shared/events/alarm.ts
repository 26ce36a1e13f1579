import type { z } from 'zod';
import type { AlarmStateChangeDetailSchema, EventBridgeEnvelope } from './eventbridge.schema.ts';
import type { AlarmDetail, NormalizedEvent, ResourceRef, Severity } from './normalized-event.ts';
import { fail, joinPath, parseArn, receivedTime, type Sink, type SnsOrigin, toUtcIso } from './parse-support.ts';
import type { LegacyAlarmMessage } from './sns.schema.ts';

/**
 * An alarm going to ALARM is a warning, not an error: it says a threshold was crossed, and what that
 * means is the policy's business. OK and INSUFFICIENT_DATA are information.
 */
export const ALARM_SEVERITY: Readonly<Record<AlarmDetail['state'], Severity>> = {
  ALARM: 'WARNING',
  OK: 'INFO',
  INSUFFICIENT_DATA: 'INFO',
};

/** Dimensions that name the resource an alarm watches, per namespace. */
const RESOURCE_DIMENSIONS: Readonly<Record<string, readonly [string, ResourceRef['type']][]>> = {
  'AWS/Redshift': [['ClusterIdentifier', 'cluster']],
  'AWS/Redshift-Serverless': [
    ['Workgroup', 'workgroup'],
    ['Namespace', 'namespace'],
  ],
};

function alarmResource(name: string, metric: AlarmDetail['metric'], arn: string | undefined): ResourceRef {
  for (const [dimension, type] of RESOURCE_DIMENSIONS[metric?.namespace ?? ''] ?? []) {
    const id = metric?.dimensions[dimension];
    if (id !== undefined && id !== '') return { type, id };
  }
  return arn === undefined ? { type: 'alarm', id: name } : { type: 'alarm', id: name, arn };
}

function alarmEvent(
  alarm: AlarmDetail,
  time: string,
  account: string | null,
  region: string | null,
  arn: string | undefined,
): NormalizedEvent {
  const from = alarm.previousState === null ? '' : ` from ${alarm.previousState}`;
  return {
    kind: 'alarm',
    eventId: null,
    known: false,
    category: null,
    severity: ALARM_SEVERITY[alarm.state],
    resource: alarmResource(alarm.name, alarm.metric, arn),
    time,
    message: `Alarm ${alarm.name} changed${from} to ${alarm.state}: ${alarm.reason}`,
    values: {},
    account,
    region,
    alarm,
  };
}

/** CloudWatch's own alarm → SNS JSON (`AlarmName`, `NewStateValue`, `Trigger.Dimensions`). */
export function fromLegacyAlarm(body: LegacyAlarmMessage, path: string, origin: SnsOrigin): NormalizedEvent {
  const trigger = body.Trigger;
  const metric =
    trigger?.Namespace !== undefined && trigger.MetricName !== undefined
      ? {
          namespace: trigger.Namespace,
          name: trigger.MetricName,
          dimensions: Object.fromEntries((trigger.Dimensions ?? []).map((d) => [d.name, d.value])),
        }
      : null;
  const arn = body.AlarmArn === undefined ? undefined : parseArn(body.AlarmArn);
  // CloudWatch states the account twice; a message where they differ was not written by CloudWatch.
  if (body.AWSAccountId !== undefined && arn?.account && arn.account !== body.AWSAccountId) {
    fail(
      joinPath(path, 'AWSAccountId'),
      `${body.AWSAccountId} differs from the account of AlarmArn (${arn.account}); expected the same account`,
    );
  }
  // `Region` is the console's display name ("US - N. Virginia"), not a region code.
  return alarmEvent(
    {
      name: body.AlarmName,
      state: body.NewStateValue,
      previousState: body.OldStateValue ?? null,
      reason: body.NewStateReason,
      metric,
    },
    toUtcIso(body.StateChangeTime, joinPath(path, 'StateChangeTime')),
    body.AWSAccountId ?? arn?.account ?? origin.account,
    arn?.region ?? origin.region,
    body.AlarmArn,
  );
}

/** EventBridge `CloudWatch Alarm State Change`, single-metric or composite. */
export function fromAlarmStateChange(
  envelope: EventBridgeEnvelope,
  detail: z.output<typeof AlarmStateChangeDetailSchema>,
  path: string,
  sink: Sink,
): NormalizedEvent {
  const stat = detail.configuration?.metrics?.find((m) => m.metricStat !== undefined)?.metricStat;
  const time =
    envelope.time === undefined
      ? receivedTime(sink.options, joinPath(path, 'time'))
      : toUtcIso(envelope.time, joinPath(path, 'time'));
  return alarmEvent(
    {
      name: detail.alarmName,
      state: detail.state.value,
      previousState: detail.previousState?.value ?? null,
      reason: detail.state.reason,
      metric:
        stat === undefined
          ? null
          : { namespace: stat.metric.namespace, name: stat.metric.name, dimensions: { ...stat.metric.dimensions } },
    },
    time,
    envelope.account ?? null,
    envelope.region ?? null,
    envelope.resources?.[0],
  );
}
