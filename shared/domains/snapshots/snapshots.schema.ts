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
    last: count('retain.last').optional(),
    hourly: count('retain.hourly').optional(),
    daily: count('retain.daily').optional(),
    weekly: count('retain.weekly').optional(),
    monthly: count('retain.monthly').optional(),
    yearly: count('retain.yearly').optional(),
  })
  .superRefine((value, ctx) => {
    const total = Object.values(value).reduce<number>((sum, n) => sum + (n ?? 0), 0);
    if (total === 0) {
      ctx.addIssue({
        code: 'custom',
        message: 'retain keeps nothing; expected at least one of last, hourly, daily, weekly, monthly, yearly above 0',
      });
    }
  });

const REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/;

/**
 * A snapshot copy grant's name (CreateSnapshotCopyGrant, API reference): 1–63 lower-case letters,
 * digits and hyphens, first a letter, no `--`, no trailing hyphen.
 */
const GRANT_NAME = /^(?!.*--)[a-z][a-z0-9-]{0,62}(?<!-)$/;

export const copyToSchema = z.strictObject({
  region: z
    .string({ error: 'expected a Region such as eu-west-1' })
    .regex(REGION, { error: (iss) => `${JSON.stringify(iss.input)} is not a Region; expected e.g. eu-west-1` }),
  retainDays: days('copyTo.retainDays'),
  /**
   * The snapshot copy grant in the destination Region (EnableSnapshotCopy SnapshotCopyGrantName): a
   * KMS-encrypted cluster's snapshots are copied only with one (facts.md §4, L3983).
   */
  snapshotCopyGrant: z
    .string({ error: 'expected the name of a snapshot copy grant in the destination Region' })
    .regex(GRANT_NAME, {
      error: (iss) =>
        `${JSON.stringify(iss.input)} is not a snapshot copy grant name; expected 1–63 lower-case letters, digits and hyphens, starting with a letter, no "--", not ending with "-"`,
    })
    .optional(),
});

const DEADLINE_EXPECTED = 'expected a duration such as 2h, or { first: 12h, incremental: 2h }';

/**
 * `deadline: 3h` holds for every slot; `{ first, incremental }` sets the two defaults apart (the first
 * snapshot of a source copies all its data, later ones only the changed blocks).
 */
export const deadlineSchema = z.union(
  [durationSchema, z.strictObject({ first: durationSchema.optional(), incremental: durationSchema.optional() })],
  { error: (iss) => `deadline ${JSON.stringify(iss.input)} is not valid; ${DEADLINE_EXPECTED}` },
);

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
    deadline: deadlineSchema.optional(),
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
