import { z } from 'zod';
import { calendarRefsSchema, durationSchema, timezoneSchema } from '../../policy/policy.schema.ts';

/**
 * The `failoverDrill` block (issue 16): when to fail a Multi-AZ cluster's primary compute over on
 * purpose (an AWS cron or rate expression, read in `timezone`), how long recovery may take before the
 * drill fails, the calendars it never runs in (`notDuring`; the cluster's own maintenance window is
 * avoided too), the canary query through the Redshift Data API, and how long after its slot a drill may
 * still start when it waits for another drill of the policy (one at a time). Cron expressions and their
 * zone are checked when the block compiles (drill.capability.ts), where the zone is known.
 */
export const MAX_RECOVERY_LIMITS = [5, 180] as const;

const SECRET_ARN = /^arn:aws(-[a-z]+)*:secretsmanager:[a-z]{2}(-[a-z]+)+-\d:\d{12}:secret:[A-Za-z0-9/_+=.@-]+$/;
const DATABASE = /^[A-Za-z_][A-Za-z0-9_$]{0,126}$/;
/** Views that do not work on Multi-AZ clusters (facts.md §6): only SYS_* monitoring views do. */
const NOT_ON_MULTI_AZ = /\b(stl|stv|svl|svv|svcs)_[a-z0-9_]+/i;

/** Why a canary query is not a single SELECT on SYS_* views, or null. */
export function canarySqlProblem(sql: string): string | null {
  const text = sql.trim().replace(/;\s*$/, '');
  if (!/^select\b/i.test(text) || text.includes(';')) return 'the canary query must be one SELECT';
  const bad = NOT_ON_MULTI_AZ.exec(text);
  if (bad !== null) {
    return `${bad[0]} does not work on a Multi-AZ cluster: only SYS_* monitoring views do (guide L4531–4563)`;
  }
  const sources = [...text.matchAll(/\b(?:from|join)\s+([A-Za-z_][\w.]*)/gi)].map((m) => m[1] as string);
  const other = sources.find((s) => !/^(pg_catalog\.)?sys_/i.test(s));
  if (other !== undefined) return `the canary reads ${other}: a drill query reads SYS_* views only`;
  return null;
}

export const DEFAULT_CANARY_SQL = 'SELECT query_id FROM sys_query_history LIMIT 1';

export const canarySchema = z.strictObject(
  {
    database: z.string({ error: 'expected the database the canary connects to, such as dev' }).regex(DATABASE, {
      error: (iss) => `database ${JSON.stringify(iss.input)} is not a database name; expected such as dev`,
    }),
    secretArn: z
      .string({ error: 'expected the ARN of the Secrets Manager secret the canary signs in with' })
      .regex(SECRET_ARN, {
        error: (iss) =>
          `secretArn ${JSON.stringify(iss.input)} is not a Secrets Manager secret ARN; expected arn:aws:secretsmanager:<region>:<account>:secret:<name>`,
      }),
    sql: z
      .string({ error: 'expected one SELECT on SYS_* views' })
      .superRefine((v, ctx) => {
        const problem = canarySqlProblem(v);
        if (problem !== null)
          ctx.addIssue({ code: 'custom', message: `${problem}; expected one SELECT on SYS_* views` });
      })
      .optional(),
  },
  {
    error: (iss) =>
      iss.code === 'invalid_type' ? 'expected canary: { database: dev, secretArn: "arn:…" }' : undefined,
  },
);

export const failoverDrillSchema = z.strictObject(
  {
    schedule: z.string({
      error: (iss) =>
        iss.input === undefined
          ? 'missing required key "schedule"; expected when to drill, an AWS cron expression read in timezone, such as "cron(0 10 ? 1/3 TUE#2 *)" (the second Tuesday of each quarter, 10:00)'
          : `schedule ${JSON.stringify(iss.input)} is not text; expected an AWS cron expression such as "cron(0 10 ? 1/3 TUE#2 *)"`,
    }),
    timezone: timezoneSchema.optional(),
    maxRecoveryMinutes: z
      .number({
        error: (iss) =>
          `maxRecoveryMinutes ${JSON.stringify(iss.input)} is not a number; expected whole minutes from ${MAX_RECOVERY_LIMITS[0]} to ${MAX_RECOVERY_LIMITS[1]}`,
      })
      .int({
        error: `maxRecoveryMinutes must be whole minutes from ${MAX_RECOVERY_LIMITS[0]} to ${MAX_RECOVERY_LIMITS[1]}`,
      })
      .min(MAX_RECOVERY_LIMITS[0], {
        error: `maxRecoveryMinutes must be whole minutes from ${MAX_RECOVERY_LIMITS[0]} to ${MAX_RECOVERY_LIMITS[1]}`,
      })
      .max(MAX_RECOVERY_LIMITS[1], {
        error: `maxRecoveryMinutes must be whole minutes from ${MAX_RECOVERY_LIMITS[0]} to ${MAX_RECOVERY_LIMITS[1]}`,
      })
      .optional(),
    notDuring: calendarRefsSchema.optional(),
    canary: canarySchema.optional(),
    startWithin: durationSchema.optional(),
  },
  {
    error: (iss) =>
      iss.code === 'invalid_type'
        ? 'expected failoverDrill: { schedule: "cron(…)", timezone, maxRecoveryMinutes, notDuring, canary }'
        : undefined,
  },
);

export type FailoverDrillBlock = z.infer<typeof failoverDrillSchema>;
