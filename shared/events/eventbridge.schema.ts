import { z } from 'zod';
import { AlarmStateSchema } from './sns.schema.ts';

/**
 * EventBridge envelopes the ingest functions receive. `time`, `account`, `region` and `id` are always
 * there on a real delivery, but the one real zero-ETL capture elided them, so they are optional here
 * and the normalizer decides what an absent `time` means.
 */
export const EventBridgeEnvelopeSchema = z.looseObject({
  version: z.string().optional(),
  id: z.string().optional(),
  'detail-type': z.string().min(1),
  source: z.string().min(1),
  account: z.string().optional(),
  time: z.string().optional(),
  region: z.string().optional(),
  resources: z.array(z.string()).optional(),
  detail: z.unknown(),
});
export type EventBridgeEnvelope = z.infer<typeof EventBridgeEnvelopeSchema>;

export const EVENTBRIDGE_SOURCES = {
  redshift: 'aws.redshift',
  serverless: 'aws.redshift-serverless',
  cloudwatch: 'aws.cloudwatch',
  events: 'aws.events',
} as const;

/** The three zero-ETL detail-types `aws.redshift` sends directly (EventBridge event reference, "Amazon Redshift events"). */
export const INTEGRATION_DETAIL_TYPES = [
  'Redshift Integration Monitoring',
  'Redshift Integration Configuration',
  'Redshift Integration Operation',
] as const;

/**
 * `aws.redshift-serverless` detail-types are not listed: the guide names none, so the rule matches on
 * the source and the normalizer takes any detail-type (an unknown one becomes a serverless-event with
 * eventId null unless its text identifies it, and its category is the detail-type).
 */
export const API_CALL_DETAIL_TYPE = 'AWS API Call via CloudTrail';
export const ALARM_DETAIL_TYPE = 'CloudWatch Alarm State Change';
export const SCHEDULED_EVENT_DETAIL_TYPE = 'Scheduled Event';

/** Severity arrives title case (`Info`, `Warning`, `Error`). */
const TitleCaseSeverity = z
  .string()
  .transform((s) => s.toUpperCase())
  .pipe(z.enum(['INFO', 'WARNING', 'ERROR']));

/** Confirmed fields (SOURCES.md): severity, sourceArn, destinationArn, eventDescription, integrationStatus, statusCode. */
export const IntegrationDetailSchema = z.looseObject({
  severity: TitleCaseSeverity,
  eventDescription: z.string(),
  sourceArn: z.string().optional(),
  destinationArn: z.string().optional(),
  integrationStatus: z.string().optional(),
  statusCode: z.string().optional(),
  eventId: z.string().optional(),
});

/**
 * No real or AWS-published serverless payload is known (SOURCES.md): every field is optional and the
 * normalizer looks in the places the sibling zero-ETL events use.
 */
export const ServerlessDetailSchema = z.looseObject({
  severity: TitleCaseSeverity.optional(),
  eventId: z.string().optional(),
  id: z.string().optional(),
  eventDescription: z.string().optional(),
  message: z.string().optional(),
  description: z.string().optional(),
  workgroupName: z.string().optional(),
  namespaceName: z.string().optional(),
});

const AlarmStateValueSchema = z.looseObject({
  value: AlarmStateSchema,
  reason: z.string().default(''),
  timestamp: z.string().optional(),
});

export const AlarmStateChangeDetailSchema = z.looseObject({
  alarmName: z.string().min(1),
  state: AlarmStateValueSchema,
  previousState: AlarmStateValueSchema.optional(),
  configuration: z
    .looseObject({
      description: z.string().nullish(),
      metrics: z
        .array(
          z.looseObject({
            metricStat: z
              .looseObject({
                metric: z.looseObject({
                  namespace: z.string(),
                  name: z.string(),
                  dimensions: z.record(z.string(), z.string()).default({}),
                }),
              })
              .optional(),
          }),
        )
        .optional(),
    })
    .optional(),
});
