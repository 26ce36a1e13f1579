import type { z } from 'zod';
import { EventParseError } from '../errors.ts';
import { type NormalizedEvent, NormalizedEventSchema } from './normalized-event.ts';

/** `['Records', 0, 'Sns', 'Message']` → `Records[0].Sns.Message` (the form users see in errors). */
export function formatPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const key of path) {
    if (typeof key === 'number') text += `[${key}]`;
    else text += text === '' ? String(key) : `.${String(key)}`;
  }
  return text;
}

export function joinPath(base: string, key: string | number): string {
  return formatPath([...(base === '' ? [] : [base]), key]);
}

function issueText(issue: z.core.$ZodIssue): string {
  // zod says "Invalid input: expected string, received undefined"; the path already says where.
  return issue.message.replace(/^Invalid (input|option): /, '').replace(/received undefined$/, 'but it is missing');
}

/** Parses with a zod schema; the first problems become one EventParseError naming the path. */
export function parseWith<S extends z.ZodType>(schema: S, value: unknown, basePath: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues.slice(0, 3);
  const first = issues[0];
  const firstPath = formatPath([...(basePath === '' ? [] : [basePath]), ...(first?.path ?? [])]);
  const message = issues
    .map((issue) => {
      const where = formatPath([...(basePath === '' ? [] : [basePath]), ...issue.path]);
      return `${where === '' ? '(payload)' : where}: ${issueText(issue)}`;
    })
    .join('; ');
  throw new EventParseError(message, { cause: result.error, path: firstPath });
}

export function fail(path: string, problem: string, cause?: unknown): never {
  throw new EventParseError(`${path === '' ? '(payload)' : path}: ${problem}`, { cause, path });
}

export function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// `2015-07-03 06:36:08.053` (SNS Event Time: UTC, no zone), `2015-05-26T07:49:42.541+0000` (CloudWatch),
// `2019-10-02T17:04:40Z` (EventBridge). Anything else is refused rather than guessed.
const TIME = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)\s*(Z|[+-]\d{2}:?\d{2})?$/i;

/** Any AWS timestamp form above → ISO 8601 UTC with `Z` and milliseconds. A missing zone means UTC. */
export function toUtcIso(text: string, path: string): string {
  const match = TIME.exec(text.trim());
  if (match === null) fail(path, `expected a UTC timestamp like 2015-07-03 06:36:08.053 or ISO 8601, got '${text}'`);
  const [, date, clock, zone] = match;
  const fraction = /\.(\d+)$/.exec(clock ?? '');
  // Date keeps milliseconds only; longer fractions are truncated, never rounded into the next second.
  const base = (clock ?? '').replace(/\.\d+$/, '');
  const millis = fraction?.[1] === undefined ? '' : `.${fraction[1].slice(0, 3).padEnd(3, '0')}`;
  const offset = zone === undefined || zone.toUpperCase() === 'Z' ? 'Z' : zone.replace(/^([+-]\d{2})(\d{2})$/, '$1:$2');
  const parsed = new Date(`${date}T${base.length === 5 ? `${base}:00` : base}${millis}${offset}`);
  // Date rolls 2015-02-30 over into March; a timestamp AWS sent never needs that.
  const [year, month, day] = (date ?? '').split('-').map(Number);
  const calendar = new Date(Date.UTC(year ?? 0, (month ?? 1) - 1, day ?? 0));
  if (Number.isNaN(parsed.getTime()) || calendar.getUTCDate() !== day || calendar.getUTCMonth() !== (month ?? 1) - 1) {
    fail(path, `expected a valid date and time, got '${text}'`);
  }
  return parsed.toISOString();
}

export function parseArn(
  arn: string,
): { service: string; region: string; account: string; resourceType: string; resourceId: string } | null {
  const match = /^arn:[^:]+:([^:]+):([^:]*):([^:]*):(.+)$/.exec(arn);
  if (match === null) return null;
  const [, service = '', region = '', account = '', resource = ''] = match;
  // `workgroup/uuid`, `integration:uuid`, `rule/bus/name`, `alarm:name`: type first, id last.
  const pieces = resource.split(/[:/]/);
  return {
    service,
    region,
    account,
    resourceType: pieces.length > 1 ? (pieces[0] ?? '') : '',
    resourceId: pieces[pieces.length - 1] ?? resource,
  };
}

export interface NormalizeOptions {
  /**
   * When the payload arrived. Used only where a payload carries no time of its own (a partial
   * EventBridge capture without `time`); the handler passes the invocation time, the CLI the wall clock.
   */
  receivedAt?: Date | string;
}

/** Input that was understood and deliberately produces no event (the subscription's test message). */
export interface IgnoredInput {
  path: string;
  reason: string;
}

export interface Sink {
  readonly options: NormalizeOptions;
  readonly events: NormalizedEvent[];
  readonly ignored: IgnoredInput[];
}

/** Where an SNS-delivered body came from: the topic tells the account and region when the body does not. */
export interface SnsOrigin {
  account: string | null;
  region: string | null;
}

/** Every event leaves through here, so nothing that breaks the NormalizedEvent contract ever reaches decide(). */
export function emit(sink: Sink, event: NormalizedEvent, path: string): void {
  sink.events.push(parseWith(NormalizedEventSchema, event, path));
}

export function receivedTime(options: NormalizeOptions, path: string): string {
  if (options.receivedAt === undefined) {
    fail(path, 'missing (a partial capture?); pass receivedAt to normalize() to use the time of receipt');
  }
  const date = typeof options.receivedAt === 'string' ? new Date(options.receivedAt) : options.receivedAt;
  if (Number.isNaN(date.getTime())) fail(path, `missing, and receivedAt '${String(options.receivedAt)}' is not a time`);
  return date.toISOString();
}
