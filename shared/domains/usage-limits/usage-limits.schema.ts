import { z } from 'zod';
import { MAX_RPU } from '../windows/window.schema.ts';

/**
 * `usageLimits`: the YAML block and the facts it is checked against (../shared/catalog/facts.md §5,
 * copied here because the project never reads ../shared). What depends on the policy's resource
 * (which features, which breach actions, how many limits) is checked in usage-limits.rules.ts.
 */

/** Provisioned features and their LimitType (guide L3148–3156; API CreateUsageLimit). */
export const CLUSTER_FEATURES = {
  spectrum: { limitType: 'data-scanned', unit: 'TB scanned' },
  'concurrency-scaling': { limitType: 'time', unit: 'minutes' },
  'cross-region-datasharing': { limitType: 'data-scanned', unit: 'TB scanned' },
} as const;

/** Serverless usage types (guide L2095–2111, L2394). */
export const WORKGROUP_FEATURES = {
  'serverless-compute': { unit: 'RPU-hours' },
  'cross-region-datasharing': { unit: 'TB transferred or scanned' },
} as const;

export const CLUSTER_BREACH_ACTIONS = ['log', 'emit-metric', 'disable'] as const;
export const WORKGROUP_BREACH_ACTIONS = ['log', 'emit-metric', 'deactivate'] as const;
export const PERIODS = ['daily', 'weekly', 'monthly'] as const;

/** Up to three limits per feature on a cluster, one of them `disable` (guide L3163, L3167). */
export const MAX_LIMITS_PER_FEATURE = 3;
/** Up to four limits per workgroup (guide L1964). */
export const MAX_LIMITS_PER_WORKGROUP = 4;

/** AWS's defaults when the call leaves them out (CreateUsageLimit: Period monthly, BreachAction log). */
export const DEFAULT_PERIOD = 'monthly';
export const DEFAULT_BREACH_ACTION = 'log';

const FEATURES = [...new Set([...Object.keys(CLUSTER_FEATURES), ...Object.keys(WORKGROUP_FEATURES)])];
const BREACH_ACTIONS = [...new Set([...CLUSTER_BREACH_ACTIONS, ...WORKGROUP_BREACH_ACTIONS])];
export const ESCALATION_WORDS = ['alert', 'disable-feature', 'pause', 'deactivate'] as const;
export const BUDGETS = ['per-resource', 'shared'] as const;

const show = (v: unknown): string => (v === undefined ? 'missing' : JSON.stringify(v));

function choice<T extends string>(what: string, values: readonly T[]) {
  return z.enum(values as unknown as [T, ...T[]], {
    error: (iss) => `${what} ${show(iss.input)} is not valid; expected one of ${values.join(', ')}`,
  });
}

const amountSchema = z.unknown().superRefine((v, ctx) => {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1) {
    ctx.addIssue({
      code: 'custom',
      message: `amount ${show(v)} is not valid; expected a positive whole number (TB, minutes or RPU-hours, by feature)`,
    });
  }
});

export const limitSchema = z.strictObject(
  {
    feature: choice('feature', FEATURES),
    amount: amountSchema,
    period: choice('period', PERIODS).optional(),
    breachAction: choice('breachAction', BREACH_ACTIONS).optional(),
  },
  { error: (iss) => `limit ${show(iss.input)} is not valid; expected { feature, amount, period, breachAction }` },
);

/** `80%`: a whole percentage of the declared amount, above 0. */
const PERCENT = /^([1-9][0-9]*)%$/;
export function percentOf(at: string): number | null {
  const m = PERCENT.exec(at);
  return m === null ? null : Number(m[1]);
}

const atSchema = z.unknown().superRefine((v, ctx) => {
  if (typeof v !== 'string' || percentOf(v) === null) {
    ctx.addIssue({ code: 'custom', message: `at ${show(v)} is not valid; expected a percentage such as 80%` });
  }
});

const capSchema = z.strictObject(
  {
    capMaxCapacity: z.unknown().superRefine((v, ctx) => {
      const ok = typeof v === 'number' && Number.isInteger(v) && v >= MAX_RPU.min && v <= MAX_RPU.max;
      if (!ok || (v as number) % MAX_RPU.step !== 0) {
        ctx.addIssue({
          code: 'custom',
          message: `capMaxCapacity ${show(v)} is not valid; expected RPUs: a multiple of ${MAX_RPU.step} from ${MAX_RPU.min} to ${MAX_RPU.max}`,
        });
      }
    }),
  },
  { error: () => `expected { capMaxCapacity: <RPUs> }` },
);

const stepSchema = z.union([choice('step', ESCALATION_WORDS), capSchema], {
  error: (iss) =>
    `step ${show(iss.input)} is not valid; expected one of ${ESCALATION_WORDS.join(', ')} or { capMaxCapacity: <RPUs> }`,
});

export const gradeSchema = z.strictObject(
  {
    at: atSchema,
    do: z.array(stepSchema, { error: 'expected do: a list of steps such as [alert, pause]' }).min(1, {
      error: 'do is empty; expected at least one step',
    }),
  },
  { error: (iss) => `grade ${show(iss.input)} is not valid; expected { at: <percent>, do: [steps] }` },
);

export const usageLimitsSchema = z.strictObject(
  {
    limits: z
      .array(limitSchema, { error: (iss) => `limits is ${show(iss.input)}; expected a list of limits` })
      .min(1, { error: 'limits is empty; expected at least one { feature, amount, period, breachAction }' }),
    escalate: z
      .array(gradeSchema, { error: (iss) => `escalate is ${show(iss.input)}; expected a list of grades` })
      .min(1, { error: 'escalate is empty; expected at least one { at, do }' })
      .optional(),
    budget: choice('budget', BUDGETS).optional(),
  },
  { error: (iss) => `usageLimits is ${show(iss.input)}; expected { limits: [...] }` },
);

export type LimitDecl = z.infer<typeof limitSchema> & { amount: number };
export type UsageLimitsBlock = Omit<z.infer<typeof usageLimitsSchema>, 'limits'> & { limits: LimitDecl[] };
export type EscalationStep = z.infer<typeof stepSchema>;
