import { z } from 'zod';
import { SEVERITIES } from '../../events/normalized-event.ts';

/** Event ids look like REDSHIFT-EVENT-3618, REDSHIFT-SERVERLESS-EVENT-1001, REDSHIFT-INTEGRATION-EVENT-0018. */
export const EVENT_ID_PATTERN = /^REDSHIFT-(EVENT|SERVERLESS-EVENT|INTEGRATION-EVENT)-\d{4}$/;

export const REACTION_ACTIONS = ['resume-target', 'alert'] as const;
export type ReactionAction = (typeof REACTION_ACTIONS)[number];

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
  alarms: z.array(z.string()).min(1).optional(),
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

export type OnBlock = z.infer<typeof onSchema>;
