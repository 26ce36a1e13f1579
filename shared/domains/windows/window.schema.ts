import { z } from 'zod';
import { calendarRefsSchema, durationSchema, parseDuration, timezoneSchema } from '../../policy/policy.schema.ts';
import { parseWindowSpec } from '../../policy/window-spec.ts';

/** Redshift Serverless base capacity: RPUs in multiples of 8 from 8 to 512 (catalog/facts.md §5, guide L985–994). */
export const BASE_RPU = { min: 8, max: 512, step: 8 } as const;
/**
 * Redshift Serverless max capacity: a hard RPU ceiling up to 5632 RPU, and -1 turns it off (facts.md §5,
 * guide L1075–1117). facts.md gives no step for max capacity: the RPU step of base capacity (8) is assumed.
 */
export const MAX_RPU = { min: 8, max: 5632, step: 8, off: -1 } as const;

const BASE_EXPECTED = `a multiple of ${BASE_RPU.step} from ${BASE_RPU.min} to ${BASE_RPU.max}`;
const MAX_EXPECTED = `a multiple of ${MAX_RPU.step} from ${MAX_RPU.min} to ${MAX_RPU.max}, or ${MAX_RPU.off} to turn max capacity off`;

function rpuSchema(range: { min: number; max: number; step: number; off?: number }, expected: string) {
  return z
    .number({ error: (iss) => `${JSON.stringify(iss.input)} is not a number; expected RPUs: ${expected}` })
    .superRefine((v, ctx) => {
      if (v === range.off) return;
      if (!Number.isInteger(v) || v < range.min || v > range.max || v % range.step !== 0) {
        ctx.addIssue({ code: 'custom', message: `${v} RPUs is not valid; expected ${expected}` });
      }
    });
}

const baseRpuSchema = rpuSchema(BASE_RPU, BASE_EXPECTED);
const maxRpuSchema = rpuSchema(MAX_RPU, MAX_EXPECTED);

const windowSpecSchema = z
  .string({ error: 'expected a window such as "Mon-Fri 07:00-19:00"' })
  .superRefine((value, ctx) => {
    const parsed = parseWindowSpec(value);
    if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.message });
  });

/**
 * `idle`: pause early inside the running window when a CloudWatch alarm goes to ALARM. Only the alarm
 * form is built: the alarm's state change is an event (EventBridge `CloudWatch Alarm State Change`), so
 * the pause follows within seconds and costs nothing between changes, while reading metrics in the
 * sweep would cost a GetMetricData per cluster per tick and re-implement CloudWatch's evaluation
 * (periods, datapoints to alarm, missing data). Generating the alarm from `{ metric, below, for }`
 * would tie the policy file to the deployed stack (a policy edit would need a redeploy of infra):
 * rejected with a pointer to `idle.alarm` (docs/policy-language.md).
 */
const IDLE_METRIC_KEYS = ['metric', 'below', 'for', 'threshold', 'period'];
export const idleSchema = z
  .unknown()
  .superRefine((value, ctx) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      ctx.addIssue({ code: 'custom', message: 'expected idle: { alarm: <CloudWatch alarm name> }' });
      return;
    }
    const entries = Object.entries(value);
    const metricForm = entries.some(([k]) => IDLE_METRIC_KEYS.includes(k));
    let reported = false;
    for (const [key, v] of entries) {
      if (key === 'alarm') {
        if (typeof v !== 'string' || v.length === 0 || v.length > 255) {
          ctx.addIssue({
            code: 'custom',
            path: ['alarm'],
            message: `alarm ${JSON.stringify(v)} is not valid; expected the name of a CloudWatch alarm (1-255 characters)`,
          });
        }
      } else if (IDLE_METRIC_KEYS.includes(key)) {
        // One message for the metric form, at its first key.
        if (reported) continue;
        reported = true;
        ctx.addIssue({
          code: 'custom',
          path: [key],
          params: { atKey: true },
          message: `idle.${key} is not supported yet; use idle: { alarm: <CloudWatch alarm name> } (an alarm such as DatabaseConnections <= 0 for 60 minutes), see docs/policy-language.md`,
        });
      } else {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          params: { atKey: true },
          message: `unknown key "${key}" in idle; expected idle: { alarm: <CloudWatch alarm name> }`,
        });
      }
    }
    if (!metricForm && !entries.some(([k]) => k === 'alarm')) {
      ctx.addIssue({ code: 'custom', message: 'idle has no alarm; expected idle: { alarm: <CloudWatch alarm name> }' });
    }
  })
  .transform((value) => value as { alarm: string });

/** `next-boundary` (default: left running until the window's next boundary) or a duration such as 2h. */
export const NEXT_BOUNDARY = 'next-boundary';
const graceSchema = z
  .string({ error: 'expected next-boundary or a duration such as 30m or 2h' })
  .superRefine((v, ctx) => {
    if (v !== NEXT_BOUNDARY && parseDuration(v) === null) {
      ctx.addIssue({
        code: 'custom',
        message: `graceAfterManualResume "${v}" is not valid; expected next-boundary or a duration such as 30m or 2h`,
      });
    }
  });

export const windowSchema = z.strictObject({
  running: z
    .array(windowSpecSchema, { error: 'expected a list of windows such as ["Mon-Fri 07:00-19:00"]' })
    .min(1, { error: 'running is empty; expected at least one window such as "Mon-Fri 07:00-19:00"' }),
  timezone: timezoneSchema.optional(),
  closedOn: calendarRefsSchema.optional(),
  idle: idleSchema.optional(),
  resumeLeadTime: durationSchema.optional(),
  graceAfterManualResume: graceSchema.optional(),
  pauseZeroEtlTargets: z.boolean({ error: 'expected true or false' }).optional(),
  runningBaseCapacity: baseRpuSchema.optional(),
  pausedBaseCapacity: baseRpuSchema.optional(),
  /** Max capacity in both states; or per state with runningMaxCapacity / pausedMaxCapacity. */
  maxCapacity: maxRpuSchema.optional(),
  runningMaxCapacity: maxRpuSchema.optional(),
  pausedMaxCapacity: maxRpuSchema.optional(),
});

export type WindowBlock = z.infer<typeof windowSchema>;
