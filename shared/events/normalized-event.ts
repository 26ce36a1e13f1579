import { z } from 'zod';

/**
 * The one shape every ingress payload becomes (DESIGN.md §1, issue #2). Handlers, the policy engine
 * and the simulator only ever see this.
 */
export const EVENT_KINDS = [
  'redshift-event',
  'integration-event',
  'serverless-event',
  'alarm',
  'schedule',
  'api-call',
] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

export const SEVERITIES = ['INFO', 'WARNING', 'ERROR'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const RESOURCE_TYPES = [
  'cluster',
  'snapshot',
  'workgroup',
  'namespace',
  'integration',
  'parameter-group',
  'security-group',
  // The Redshift event-subscription source type `scheduled-action` (its notifications name the action, not a cluster).
  'scheduled-action',
  // A CloudTrail DeleteUsageLimit/ModifyUsageLimit names only the usage limit id.
  'usage-limit',
  'alarm',
  'schedule',
] as const;
export type ResourceType = (typeof RESOURCE_TYPES)[number];

export const ResourceRefSchema = z.strictObject({
  type: z.enum(RESOURCE_TYPES),
  id: z.string().min(1),
  arn: z.string().optional(),
});
export type ResourceRef = z.infer<typeof ResourceRefSchema>;

export const AlarmDetailSchema = z.strictObject({
  name: z.string(),
  state: z.enum(['OK', 'ALARM', 'INSUFFICIENT_DATA']),
  previousState: z.enum(['OK', 'ALARM', 'INSUFFICIENT_DATA']).nullable(),
  reason: z.string(),
  metric: z
    .strictObject({
      namespace: z.string(),
      name: z.string(),
      dimensions: z.record(z.string(), z.string()),
    })
    .nullable(),
});
export type AlarmDetail = z.infer<typeof AlarmDetailSchema>;

export const ScheduleDetailSchema = z.strictObject({
  name: z.string(),
  scheduledTime: z.string(),
});
export type ScheduleDetail = z.infer<typeof ScheduleDetailSchema>;

export const ApiCallDetailSchema = z.strictObject({
  operation: z.string(),
  service: z.enum(['redshift', 'redshift-serverless']),
  principal: z.string().nullable(),
  parameters: z.record(z.string(), z.unknown()),
  errorCode: z.string().nullable(),
});
export type ApiCallDetail = z.infer<typeof ApiCallDetailSchema>;

export const NormalizedEventSchema = z.strictObject({
  kind: z.enum(EVENT_KINDS),
  /** Catalog id (`REDSHIFT-EVENT-3618`), an id AWS added that the catalog does not know yet, or null. */
  eventId: z.string().nullable(),
  /** True when `eventId` is in the project's copy of the catalog. */
  known: z.boolean(),
  category: z.string().nullable(),
  severity: z.enum(SEVERITIES),
  resource: ResourceRefSchema,
  /** ISO 8601 UTC, e.g. `2015-07-03T06:36:08.053Z`. */
  time: z.iso.datetime(),
  message: z.string(),
  /** Values pulled out of the message by the catalog template (`cluster_name`, `time_in_utc`, …). */
  values: z.record(z.string(), z.string()),
  account: z.string().nullable(),
  region: z.string().nullable(),
  alarm: AlarmDetailSchema.optional(),
  schedule: ScheduleDetailSchema.optional(),
  apiCall: ApiCallDetailSchema.optional(),
});
export type NormalizedEvent = z.infer<typeof NormalizedEventSchema>;
