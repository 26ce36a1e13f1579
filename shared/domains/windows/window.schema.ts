import { z } from 'zod';
import { calendarRefsSchema, durationSchema, timezoneSchema } from '../../policy/policy.schema.ts';
import { parseWindowSpec } from '../../policy/window-spec.ts';

/** Redshift Serverless base capacity: RPUs in multiples of 8 from 8 to 512 (catalog/facts.md). */
const rpuSchema = z
  .number({
    error: (iss) => `${JSON.stringify(iss.input)} is not a number; expected RPUs: a multiple of 8 from 8 to 512`,
  })
  .int()
  .superRefine((v, ctx) => {
    if (v < 8 || v > 512 || v % 8 !== 0) {
      ctx.addIssue({ code: 'custom', message: `${v} RPUs is not valid; expected a multiple of 8 from 8 to 512` });
    }
  });

const windowSpecSchema = z
  .string({ error: 'expected a window such as "Mon-Fri 07:00-19:00"' })
  .superRefine((value, ctx) => {
    const parsed = parseWindowSpec(value);
    if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.message });
  });

function notSupportedYet(what: string) {
  return z.unknown().superRefine((_v, ctx) => {
    ctx.addIssue({
      code: 'custom',
      message: `${what} is not supported yet; remove it or comment it out`,
      params: { atKey: true },
    });
  });
}

export const windowSchema = z.strictObject({
  running: z
    .array(windowSpecSchema, { error: 'expected a list of windows such as ["Mon-Fri 07:00-19:00"]' })
    .min(1, { error: 'running is empty; expected at least one window such as "Mon-Fri 07:00-19:00"' }),
  timezone: timezoneSchema.optional(),
  closedOn: calendarRefsSchema.optional(),
  idle: notSupportedYet('window.idle').optional(),
  resumeLeadTime: durationSchema.optional(),
  graceAfterManualResume: z
    .string()
    .superRefine((v, ctx) => {
      if (v !== 'next-boundary') {
        ctx.addIssue({
          code: 'custom',
          message: `graceAfterManualResume "${v}" is not supported yet; expected next-boundary (a cluster resumed by hand is left running until the next window boundary)`,
        });
      }
    })
    .optional(),
  pauseZeroEtlTargets: z.boolean({ error: 'expected true or false' }).optional(),
  runningBaseCapacity: rpuSchema.optional(),
  pausedBaseCapacity: rpuSchema.optional(),
  maxCapacity: rpuSchema.optional(),
});

export type WindowBlock = z.infer<typeof windowSchema>;
