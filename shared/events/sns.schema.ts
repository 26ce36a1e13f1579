import { z } from 'zod';

/**
 * What a Lambda function subscribed to an SNS topic receives, and the two message bodies that arrive
 * on our topics: the Redshift event-subscription notification and the legacy CloudWatch alarm JSON.
 * Loose objects: AWS adds fields, and a new field must never dead-letter an event.
 */

export const SnsRecordSchema = z.looseObject({
  EventSource: z.literal('aws:sns'),
  Sns: z.looseObject({
    TopicArn: z.string().min(1),
    Subject: z.string().nullish(),
    Message: z.string(),
    Timestamp: z.string().optional(),
  }),
});
export type SnsRecord = z.infer<typeof SnsRecordSchema>;

export const SnsLambdaEventSchema = z.looseObject({
  Records: z.array(z.unknown()).min(1, { error: 'expected at least one SNS record, got none' }),
});

/** The JSON string in `Sns.Message` sent by a Redshift event subscription (real sample: REDSHIFT-EVENT-2004). */
export const RedshiftNotificationSchema = z.looseObject({
  'Event Source': z.string().min(1),
  Resource: z.string().min(1),
  /** UTC without a zone: `2015-07-03 06:36:08.053`. */
  'Event Time': z.string().min(1),
  'Identifier Link': z.string().optional(),
  Severity: z.string(),
  Category: z.union([z.array(z.string()), z.string()], { error: 'expected an array of category names' }),
  /** Documentation URL whose fragment is the event id; AWS sends it with a trailing space. */
  'About this Event': z.string(),
  'Event Message': z.string(),
  /** The resource's ARN, when the notification states it (RDS-style bodies do); not in the captured sample. */
  'Source ARN': z.string().optional(),
});
export type RedshiftNotification = z.infer<typeof RedshiftNotificationSchema>;

export const AlarmStateSchema = z.enum(['OK', 'ALARM', 'INSUFFICIENT_DATA']);

/** CloudWatch's own alarm → SNS JSON (not the EventBridge shape). */
export const LegacyAlarmMessageSchema = z.looseObject({
  AlarmName: z.string().min(1),
  AlarmDescription: z.string().nullish(),
  AlarmArn: z.string().optional(),
  AWSAccountId: z.string().optional(),
  NewStateValue: AlarmStateSchema,
  NewStateReason: z.string(),
  /** `2015-05-26T07:49:42.541+0000` */
  StateChangeTime: z.string().min(1),
  Region: z.string().optional(),
  OldStateValue: AlarmStateSchema.nullish(),
  Trigger: z
    .looseObject({
      MetricName: z.string().optional(),
      Namespace: z.string().optional(),
      Dimensions: z.array(z.looseObject({ name: z.string(), value: z.string() })).optional(),
    })
    .nullish(),
});
export type LegacyAlarmMessage = z.infer<typeof LegacyAlarmMessageSchema>;
