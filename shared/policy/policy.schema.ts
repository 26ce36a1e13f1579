import { z } from 'zod';
import { type CapabilityRegistration, POLICY_RESOURCES } from './capability.ts';
import { isValidIsoDate, isValidZone } from './local-time.ts';
import { parseOptInTag, parseTagCondition, TAG_SYNTAX_EXPECTED } from './targeting.ts';

/**
 * The policy document's shape (zod 4, strict objects everywhere: an unknown key is an error, because a
 * typo that passes silently is a policy that silently does nothing). Messages are written to be read
 * as `file:line:col: <message>`: what is wrong, then what was expected.
 */

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `"${value}"`;
  return `${typeof value} ${String(value)}`;
}

/** A string with a custom check; the message says what is wrong and what was expected. */
function checkedString(check: (value: string) => string | null, expected: string) {
  return z.string({ error: (iss) => `${describe(iss.input)} is not text; ${expected}` }).superRefine((value, ctx) => {
    const problem = check(value);
    if (problem !== null) ctx.addIssue({ code: 'custom', message: problem, input: value });
  });
}

export const timezoneSchema = checkedString(
  (v) =>
    isValidZone(v) ? null : `unknown time zone "${v}"; expected an IANA zone such as Europe/Berlin or America/New_York`,
  'expected an IANA zone such as Europe/Berlin',
);

const DURATION = /^(?:(\d+)h)?(?:(\d+)m)?$/;
export function parseDuration(text: string): number | null {
  const m = DURATION.exec(text);
  if (m === null || text === '') return null;
  return (Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0)) * 60_000;
}
export const durationSchema = checkedString(
  (v) =>
    parseDuration(v) === null ? `"${v}" is not a duration; expected minutes or hours such as 15m, 2h or 1h30m` : null,
  'expected a duration such as 15m or 2h',
);

export const calendarRefsSchema = z.array(z.string({ error: 'expected a calendar name' }), {
  error: (iss) => `${describe(iss.input)} is not a list; expected a list of calendar names, e.g. [de-holidays]`,
});

const isoDateSchema = checkedString(
  (v) => (isValidIsoDate(v) ? null : `"${v}" is not a date; expected YYYY-MM-DD`),
  'expected a date YYYY-MM-DD',
);
const LOCAL_DATE_TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2})?$/;
const localDateTimeSchema = checkedString(
  (v) =>
    LOCAL_DATE_TIME.test(v) && isValidIsoDate(v.slice(0, 10))
      ? null
      : `"${v}" is not a local date-time; expected YYYY-MM-DD or YYYY-MM-DDTHH:MM (no zone: the policy's zone applies)`,
  'expected YYYY-MM-DDTHH:MM',
);

export const calendarSchema = z.strictObject({
  dates: z.array(isoDateSchema).optional(),
  ranges: z
    .array(
      z.strictObject({ from: localDateTimeSchema, to: localDateTimeSchema }).superRefine((r, ctx) => {
        // Lexical order works for these fixed-width forms; date-only means midnight.
        const norm = (s: string) => (s.length === 10 ? `${s}T00:00` : s);
        if (norm(r.to) <= norm(r.from)) {
          ctx.addIssue({
            code: 'custom',
            path: ['to'],
            message: `range ends (${r.to}) before it starts (${r.from}); expected "to" after "from"`,
          });
        }
      }),
    )
    .optional(),
  timezone: timezoneSchema.optional(),
});

const tagValueSchema = z
  .union([z.string(), z.array(z.string())], {
    error: (iss) =>
      `tag value ${describe(iss.input)} is not text; ${TAG_SYNTAX_EXPECTED} (quote values such as "true" or "123")`,
  })
  .superRefine((value, ctx) => {
    const parsed = parseTagCondition(value);
    if ('error' in parsed) ctx.addIssue({ code: 'custom', message: `${parsed.error}; ${TAG_SYNTAX_EXPECTED}` });
  });

export const matchSchema = z.strictObject({
  tags: z
    .record(z.string(), tagValueSchema)
    .superRefine((tags, ctx) => {
      for (const key of Object.keys(tags)) {
        if (key.length === 0 || key.length > 128 || key.startsWith('aws:')) {
          ctx.addIssue({
            code: 'custom',
            path: [key],
            message: `tag key "${key}" is not valid; expected 1-128 characters not starting with "aws:"`,
          });
        }
      }
    })
    .optional(),
  identifiers: z
    .array(z.string().min(1, { error: 'an empty identifier matches nothing; expected a name or glob such as dev-*' }))
    .optional(),
  accounts: z
    .array(
      z
        .string({
          error: (iss) =>
            `account ${describe(iss.input)} is not quoted text; expected a 12-digit account id in quotes, e.g. "123456789012"`,
        })
        .regex(/^\d{12}$/, {
          error: (iss) => `account ${describe(iss.input)} is not valid; expected a 12-digit account id`,
        }),
    )
    .optional(),
  regions: z
    .array(
      z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, {
        error: (iss) => `region ${describe(iss.input)} is not valid; expected a region name such as eu-central-1`,
      }),
    )
    .optional(),
});

const MAX_RESOURCES_EXPECTED = 'expected a whole number ≥ 1 or a percentage from 1% to 100% such as "25%"';
const maxResourcesSchema = z.union(
  [
    z
      .number()
      .int({ error: (iss) => `maxResources ${describe(iss.input)} is not valid; ${MAX_RESOURCES_EXPECTED}` })
      .min(1, { error: (iss) => `maxResources ${describe(iss.input)} is not valid; ${MAX_RESOURCES_EXPECTED}` }),
    z.string().regex(/^(100|[1-9]\d?)%$/, {
      error: (iss) => `maxResources ${describe(iss.input)} is not valid; ${MAX_RESOURCES_EXPECTED}`,
    }),
  ],
  { error: (iss) => `maxResources ${describe(iss.input)} is not valid; ${MAX_RESOURCES_EXPECTED}` },
);

export const POLICY_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export const defaultsSchema = z.strictObject({
  timezone: timezoneSchema.optional(),
  dryRun: z
    .boolean({ error: (iss) => `dryRun ${describe(iss.input)} is not true or false; expected true or false` })
    .optional(),
  optInTag: checkedString(
    (v) =>
      parseOptInTag(v) === null
        ? `optInTag "${v}" is not valid; expected "key=value", e.g. "autopilot:managed=true"`
        : null,
    'expected "key=value"',
  ).optional(),
});

/** Keys every policy may have, whatever its capability. */
function commonPolicyShape() {
  return {
    name: z
      .string({
        error: (iss) =>
          iss.input === undefined
            ? 'policy has no name; expected name: <unique name>'
            : `name ${describe(iss.input)} is not text; expected a policy name`,
      })
      .regex(POLICY_NAME, {
        error: (iss) =>
          `name ${describe(iss.input)} is not valid; expected letters, digits, ".", "_" or "-" (at most 128)`,
      }),
    description: z.string().optional(),
    resource: z.enum(POLICY_RESOURCES, {
      error: (iss) =>
        iss.input === undefined
          ? `policy has no resource; expected resource: ${POLICY_RESOURCES.join(' | ')}`
          : `resource ${describe(iss.input)} is not valid; expected one of ${POLICY_RESOURCES.join(', ')}`,
    }),
    match: matchSchema.optional(),
    maxResources: maxResourcesSchema.optional(),
    dryRun: z
      .boolean({ error: (iss) => `dryRun ${describe(iss.input)} is not true or false; expected true or false` })
      .optional(),
    freeze: calendarRefsSchema.optional(),
  };
}

/** Marks a key whose capability is not built: validate says so at the key instead of ignoring the block. */
function notSupportedYet(key: string) {
  return z.unknown().superRefine((_value, ctx) => {
    ctx.addIssue({
      code: 'custom',
      message: `${key} is not supported yet; remove it or comment it out`,
      params: { atKey: true },
    });
  });
}

export function buildPolicySchema(registrations: readonly CapabilityRegistration[]) {
  const shape: Record<string, z.ZodType> = commonPolicyShape();
  for (const registration of registrations) {
    for (const key of registration.keys) {
      const schema = registration.supported ? registration.schemas?.[key] : undefined;
      shape[key] = schema === undefined ? notSupportedYet(key).optional() : schema.optional();
    }
  }
  return z.strictObject(shape);
}

/**
 * The document's top level. Calendars and policies are checked one by one afterwards (against
 * `calendarSchema` and the policy schema) so one bad policy does not hide the problems of the others.
 */
export const documentSchema = z.strictObject({
  version: z.literal(1, {
    error: (iss) =>
      iss.input === undefined
        ? 'document has no version; expected version: 1'
        : `version ${describe(iss.input)} is not supported; expected version: 1`,
  }),
  defaults: defaultsSchema.optional(),
  calendars: z
    .record(z.string(), z.unknown(), {
      error: (iss) => `calendars is ${describe(iss.input)}; expected a mapping of calendar names to { dates, ranges }`,
    })
    .optional(),
  policies: z
    .array(z.unknown(), { error: (iss) => `policies is ${describe(iss.input)}; expected a list of policies` })
    .optional(),
});

export type DocumentTop = z.infer<typeof documentSchema>;
export type CalendarBlock = z.infer<typeof calendarSchema>;
export type PolicyBlock = Record<string, unknown> & {
  name: string;
  resource: (typeof POLICY_RESOURCES)[number];
  match?: {
    tags?: Record<string, string | string[]>;
    identifiers?: string[];
    accounts?: string[];
    regions?: string[];
  };
  maxResources?: number | string;
  dryRun?: boolean;
  freeze?: string[];
};
