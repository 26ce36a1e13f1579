import { z } from 'zod';

/** The two services whose API calls we watch, by CloudTrail `eventSource`. */
export const API_CALL_SERVICES = {
  'redshift.amazonaws.com': 'redshift',
  'redshift-serverless.amazonaws.com': 'redshift-serverless',
} as const;

/**
 * A CloudTrail management-event record: raw, or the `detail` of an EventBridge
 * `AWS API Call via CloudTrail` event. Secrets arrive masked (`****`, `HIDDEN_DUE_TO_SECURITY_REASONS`)
 * and are passed on as given.
 */
export const CloudTrailRecordSchema = z.looseObject({
  eventVersion: z.string().optional(),
  eventSource: z.enum(Object.keys(API_CALL_SERVICES) as [keyof typeof API_CALL_SERVICES]),
  eventName: z.string().min(1),
  eventTime: z.string().min(1),
  awsRegion: z.string().optional(),
  recipientAccountId: z.string().optional(),
  userIdentity: z
    .looseObject({
      type: z.string().optional(),
      arn: z.string().optional(),
      accountId: z.string().optional(),
      invokedBy: z.string().optional(),
    })
    .optional(),
  requestParameters: z.record(z.string(), z.unknown()).nullish(),
  responseElements: z.unknown().optional(),
  errorCode: z.string().optional(),
  errorMessage: z.string().optional(),
});
export type CloudTrailRecord = z.infer<typeof CloudTrailRecordSchema>;
