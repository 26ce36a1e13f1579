import { z } from 'zod';
import { durationSchema, timezoneSchema } from '../../policy/policy.schema.ts';
import { parseWindowSpec } from '../../policy/window-spec.ts';
import { MAX_NODES_PER_CLUSTER } from './resize.rules.ts';

/**
 * The `resize` block (issue 15): a default size, windows with a larger or smaller size (an AWS cron
 * pair `from`/`to`, or the running ranges of `window`), whether a classic resize may stand in for an
 * elastic one, a snapshot before each resize (`snapshotBefore`), and growth on a CloudWatch alarm
 * (`grow`). Cron expressions, their zone and the relations between sizes are checked when the block
 * compiles (resize.capability.ts), where the zone is known.
 */
const NODES_EXPECTED = `a whole number of nodes from 1 to ${MAX_NODES_PER_CLUSTER}`;

export const nodesSchema = z
  .number({ error: (iss) => `${JSON.stringify(iss.input)} is not a number; expected ${NODES_EXPECTED}` })
  .superRefine((v, ctx) => {
    if (!Number.isInteger(v) || v < 1 || v > MAX_NODES_PER_CLUSTER) {
      ctx.addIssue({
        code: 'custom',
        message: `${v} nodes is not valid; expected ${NODES_EXPECTED} (nodes per cluster, guide L27975)`,
      });
    }
  });

const windowSpecSchema = z
  .string({ error: 'expected a window such as "Mon-Fri 07:00-19:00"' })
  .superRefine((value, ctx) => {
    const parsed = parseWindowSpec(value);
    if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.message });
  });

const WINDOW_FORMS =
  'expected { from: "cron(…)", to: "cron(…)", nodes: N } or { running: ["Mon 06:00-12:00"], nodes: N }';

export const resizeWindowSchema = z
  .strictObject(
    {
      from: z.string({ error: 'expected an AWS cron expression such as "cron(0 16 L * ? *)"' }).optional(),
      to: z.string({ error: 'expected an AWS cron expression such as "cron(0 6 1 * ? *)"' }).optional(),
      running: z
        .array(windowSpecSchema, { error: 'expected a list of windows such as ["Mon 06:00-12:00"]' })
        .min(1, { error: 'running is empty; expected at least one window such as "Mon 06:00-12:00"' })
        .optional(),
      nodes: nodesSchema,
    },
    { error: (iss) => (iss.code === 'invalid_type' ? `expected a resize window; ${WINDOW_FORMS}` : undefined) },
  )
  .superRefine((w, ctx) => {
    const cron = w.from !== undefined || w.to !== undefined;
    if (cron && w.running !== undefined) {
      ctx.addIssue({ code: 'custom', message: `a window has either from/to or running, not both; ${WINDOW_FORMS}` });
    } else if (cron && (w.from === undefined || w.to === undefined)) {
      const missing = w.from === undefined ? 'from' : 'to';
      ctx.addIssue({ code: 'custom', message: `window has no ${missing}; ${WINDOW_FORMS}` });
    } else if (!cron && w.running === undefined) {
      ctx.addIssue({ code: 'custom', message: `window has no from/to and no running; ${WINDOW_FORMS}` });
    }
  });

export const growSchema = z.strictObject({
  onAlarm: z
    .string({ error: 'expected the name of a CloudWatch alarm, {cluster} standing for the cluster identifier' })
    .min(1, { error: 'onAlarm is empty; expected the name of a CloudWatch alarm' })
    .max(255, { error: 'onAlarm is longer than 255 characters; expected a CloudWatch alarm name' }),
  step: nodesSchema,
  max: nodesSchema,
  cooldown: durationSchema,
});

export const resizeSchema = z.strictObject({
  timezone: timezoneSchema.optional(),
  default: z.strictObject({ nodes: nodesSchema }, { error: 'expected default: { nodes: N }' }),
  windows: z.array(resizeWindowSchema, { error: `expected a list of windows; ${WINDOW_FORMS}` }).optional(),
  allowClassic: z.boolean({ error: 'expected true or false' }).optional(),
  snapshotBefore: z.boolean({ error: 'expected true or false' }).optional(),
  grow: growSchema.optional(),
});

export type ResizeBlock = z.infer<typeof resizeSchema>;
export type ResizeWindowBlock = z.infer<typeof resizeWindowSchema>;
