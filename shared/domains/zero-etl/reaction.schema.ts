import { z } from 'zod';
import { SEVERITIES } from '../../events/normalized-event.ts';
import { durationSchema } from '../../policy/policy.schema.ts';

/** Event ids look like REDSHIFT-EVENT-3618, REDSHIFT-SERVERLESS-EVENT-1001, REDSHIFT-INTEGRATION-EVENT-0018. */
export const EVENT_ID_PATTERN = /^REDSHIFT-(EVENT|SERVERLESS-EVENT|INTEGRATION-EVENT)-\d{4}$/;

/**
 * What a reaction may do. `resume-target` and `fix-target-parameter` act on a zero-ETL integration's
 * target cluster (`resource: integration`); `pause`, `resume` and `snapshot` act on the cluster an alarm
 * or event is about (`resource: cluster`); `alert` on anything.
 */
export const REACTION_ACTIONS = [
  'resume-target',
  'fix-target-parameter',
  'recreate',
  'pause',
  'resume',
  'snapshot',
  'alert',
] as const;
export type ReactionAction = (typeof REACTION_ACTIONS)[number];

/** Where each action applies; validate refuses it elsewhere. */
export const ACTION_RESOURCES: Readonly<Record<ReactionAction, readonly string[]>> = {
  'resume-target': ['integration'],
  'fix-target-parameter': ['integration'],
  recreate: ['integration'],
  pause: ['cluster'],
  resume: ['cluster'],
  snapshot: ['cluster'],
  alert: ['cluster', 'workgroup', 'integration'],
};

export const onSchema = z.strictObject({
  events: z
    .array(z.string({ error: 'expected an event id such as REDSHIFT-INTEGRATION-EVENT-0018' }))
    .min(1)
    .optional(),
  categories: z.array(z.string()).min(1).optional(),
  severities: z
    .array(
      z.enum(SEVERITIES, {
        error: (iss) => `severity ${JSON.stringify(iss.input)} is not valid; expected one of ${SEVERITIES.join(', ')}`,
      }),
    )
    .min(1)
    .optional(),
  /** Alarm names: `{cluster}`, `{workgroup}` or `{integration}` stand for the resource's id, `*` for any text. */
  alarms: z
    .array(z.string({ error: 'expected an alarm name such as "{cluster}-disk-high" or "lag-*"' }))
    .min(1)
    .optional(),
  /** Any alarm on this metric going to ALARM. */
  metric: z
    .strictObject({
      namespace: z.string({ error: 'expected a CloudWatch namespace such as AWS/Redshift' }),
      name: z.string({ error: 'expected a metric name such as PercentageDiskSpaceUsed' }),
    })
    .optional(),
});

export const doSchema = z
  .array(
    z.enum(REACTION_ACTIONS, {
      error: (iss) =>
        `${JSON.stringify(iss.input)} is not a supported reaction; expected one of ${REACTION_ACTIONS.join(', ')}`,
    }),
    { error: 'expected a list of reactions such as [resume-target, alert]' },
  )
  .min(1, { error: 'do is empty; expected at least one reaction such as resume-target' });

/** `0` or `off`: every warning alerts; otherwise a duration such as 6h (the default). */
export const foldWindowSchema = z.union([z.literal(0), z.literal('off'), durationSchema], {
  error: 'expected a duration such as 6h or 30m, or off',
});

/** Remediations that change something beyond the event's own resource: each needs the policy's explicit yes. */
export const allowSchema = z.strictObject({
  modifyTargetParameterGroup: z.boolean({ error: 'expected true or false' }).optional(),
  /** `recreate`: DeleteIntegration then CreateIntegration with the same settings (recreate.action.ts). */
  recreateIntegration: z.boolean({ error: 'expected true or false' }).optional(),
});

export type OnBlock = z.infer<typeof onSchema>;
export type AllowBlock = z.infer<typeof allowSchema>;
