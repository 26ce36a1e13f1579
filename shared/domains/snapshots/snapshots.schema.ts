import { z } from 'zod';
import { compileSchedule } from '../../policy/aws-schedule.ts';
import { durationSchema, timezoneSchema } from '../../policy/policy.schema.ts';

/**
 * The `snapshots` block. Limits come from catalog/facts.md: manual snapshot retention is -1 (until
 * deleted) or 1–3653 days, for provisioned and Serverless alike (L853, L2429); copied snapshots too.
 */
export const RETENTION_DAYS_MAX = 3653;

const count = (what: string) =>
  z
    .number({ error: (iss) => `${what} ${JSON.stringify(iss.input)} is not a number; expected a whole number ≥ 0` })
    .int({ error: `${what} must be a whole number` })
    .min(0, { error: `${what} must be 0 or more` })
    .max(1000, { error: `${what} must be at most 1000` });

const days = (what: string) =>
  z
    .number({
      error: (iss) =>
        `${what} ${JSON.stringify(iss.input)} is not a number; expected days from 1 to ${RETENTION_DAYS_MAX}`,
    })
    .int({ error: `${what} must be whole days` })
    .min(1, { error: `${what} must be from 1 to ${RETENTION_DAYS_MAX} days` })
    .max(RETENTION_DAYS_MAX, { error: `${what} must be from 1 to ${RETENTION_DAYS_MAX} days` });

export const retainSchema = z
  .strictObject({
    daily: count('retain.daily').optional(),
    weekly: count('retain.weekly').optional(),
    monthly: count('retain.monthly').optional(),
    yearly: count('retain.yearly').optional(),
  })
  .superRefine((value, ctx) => {
    const total = (value.daily ?? 0) + (value.weekly ?? 0) + (value.monthly ?? 0) + (value.yearly ?? 0);
    if (total === 0) {
      ctx.addIssue({
        code: 'custom',
        message: 'retain keeps nothing; expected at least one of daily, weekly, monthly, yearly above 0',
      });
    }
  });

const REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/;

export const copyToSchema = z.strictObject({
  region: z
    .string({ error: 'expected a Region such as eu-west-1' })
    .regex(REGION, { error: (iss) => `${JSON.stringify(iss.input)} is not a Region; expected e.g. eu-west-1` }),
  retainDays: days('copyTo.retainDays'),
});

export const retrySchema = z.strictObject({
  attempts: z
    .number({ error: 'expected the number of retries, 0 to 5' })
    .int()
    .min(0, { error: 'retry.attempts must be from 0 to 5' })
    .max(5, { error: 'retry.attempts must be from 0 to 5' }),
  backoff: z
    .array(durationSchema, { error: 'expected a list of durations such as [15m, 30m, 1h]' })
    .min(1, { error: 'retry.backoff is empty; expected durations such as [15m, 30m, 1h]' })
    .optional(),
});

export const snapshotsSchema = z
  .strictObject({
    schedule: z
      .string({ error: 'expected a schedule such as "cron(0 2 * * ? *)" or "rate(12 hours)"' })
      .superRefine((value, ctx) => {
        // The zone does not change what is valid; it is applied when the policy compiles.
        const result = compileSchedule(value, 'UTC');
        if (!result.ok) ctx.addIssue({ code: 'custom', message: result.message });
      }),
    timezone: timezoneSchema.optional(),
    retain: retainSchema.optional(),
    maxAgeDays: days('maxAgeDays').optional(),
    /** Redshift deletes the snapshot by itself after this many days (a backstop); default: never (-1). */
    expireAfterDays: days('expireAfterDays').optional(),
    /** A slot with no completed snapshot this long after it raises an alert. */
    deadline: durationSchema.optional(),
    retry: retrySchema.optional(),
    copyTo: copyToSchema.optional(),
  })
  .superRefine((value, ctx) => {
    if (value.retain !== undefined && value.maxAgeDays !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['maxAgeDays'],
        message: 'retain and maxAgeDays are alternatives; expected one of them',
      });
    }
  });

export type SnapshotsBlock = z.infer<typeof snapshotsSchema>;
export type RetainRule = z.infer<typeof retainSchema>;
