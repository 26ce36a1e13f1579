import type { z } from 'zod';
import type { PolicyProblem } from '../../errors.ts';
import { type FileContext, type Path, problemAt } from './positions.ts';

/**
 * zod issues → `what; expected` messages at the node they are about. Our own schema checks (custom
 * issues) already speak that form; zod's default messages are rephrased into it.
 */

function valueAt(data: unknown, at: Path): unknown {
  let value = data;
  for (const segment of at) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string | number, unknown>)[segment];
  }
  return value;
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'empty';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `"${value}"`;
  return `${typeof value} ${String(value)}`;
}

function subjectOf(at: Path): string {
  const last = at[at.length - 1];
  if (typeof last === 'number') {
    const parent = at[at.length - 2];
    return parent === undefined ? `item ${last + 1}` : `${String(parent)}[${last}]`;
  }
  return last === undefined ? 'the document' : String(last);
}

interface ZodDef {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  element?: z.ZodType;
  valueType?: z.ZodType;
  options?: z.ZodType[];
  in?: z.ZodType;
}

const defOf = (schema: z.ZodType): ZodDef => (schema as unknown as { _zod: { def: ZodDef } })._zod.def;

/** The keys an object schema at `at` allows, for "expected one of" in unknown-key messages. */
function allowedKeysAt(schema: z.ZodType, at: Path): string[] {
  let current: z.ZodType | undefined = schema;
  const unwrap = () => {
    while (current !== undefined) {
      const def = defOf(current);
      if (def.type === 'optional' || def.type === 'default' || def.type === 'nullable') current = def.innerType;
      else if (def.type === 'pipe') current = def.in;
      else break;
    }
  };
  for (const segment of at) {
    unwrap();
    if (current === undefined) return [];
    const def = defOf(current);
    if (def.type === 'object') current = def.shape?.[String(segment)];
    else if (def.type === 'array') current = def.element;
    else if (def.type === 'record') current = def.valueType;
    else return [];
  }
  unwrap();
  if (current === undefined) return [];
  const def = defOf(current);
  return def.type === 'object' ? Object.keys(def.shape ?? {}) : [];
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j] as number;
      row[j] = Math.min((row[j] as number) + 1, (row[j - 1] as number) + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length] as number;
}

function unknownKeyMessage(key: string, allowed: string[]): string {
  const close = allowed.filter((k) => editDistance(k.toLowerCase(), key.toLowerCase()) <= 2);
  const hint = close.length > 0 ? ` (did you mean ${close.map((k) => `"${k}"`).join(' or ')}?)` : '';
  return `unknown key "${key}"${hint}; expected one of: ${allowed.join(', ')}`;
}

/** The fields of a zod issue the messages use (zod's own types differ per issue code). */
export interface Issue {
  code: string;
  path: PropertyKey[];
  message: string;
  keys?: string[];
  expected?: string;
  values?: unknown[];
  minimum?: number | bigint;
  maximum?: number | bigint;
  origin?: string;
  params?: Record<string, unknown>;
}

/** A zod default message (no `; expected` of ours), said again in our form with its meaning kept. */
function rephrased(issue: Issue, subject: string, value: unknown, message: string): string {
  if (issue.code === 'invalid_type') return `${subject} is ${describeValue(value)}; expected ${issue.expected}`;
  if (issue.code === 'too_small') {
    return `${subject} is too small; expected ${issue.origin === 'array' ? `at least ${issue.minimum} item(s)` : `at least ${issue.minimum}`}`;
  }
  if (issue.code === 'too_big') return `${subject} is too big; expected at most ${issue.maximum}`;
  if (issue.code === 'invalid_value')
    return `${subject} is ${describeValue(value)}; expected one of ${(issue.values ?? []).join(', ')}`;
  return `${subject} is ${describeValue(value)}; ${message}`;
}

function messageOf(issue: Issue, subject: string, value: unknown): string {
  const message = issue.message;
  // Our own checks already say what is wrong and what was expected.
  if (issue.code === 'custom') return message;
  if (message.startsWith('expected')) return `${subject} is ${describeValue(value)}; ${message}`;
  if (!message.includes('; expected')) return rephrased(issue, subject, value, message);
  return message;
}

export function problemsFromIssues(
  ctx: FileContext,
  schema: z.ZodType,
  data: unknown,
  prefix: Path,
  issues: readonly Issue[],
): PolicyProblem[] {
  const out: PolicyProblem[] = [];
  for (const issue of issues) {
    const rel = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
    const at = [...prefix, ...rel];
    if (issue.code === 'unrecognized_keys') {
      const allowed = allowedKeysAt(schema, rel);
      for (const key of issue.keys ?? [])
        out.push(problemAt(ctx, [...at, key], unknownKeyMessage(key, allowed), { atKey: true }));
      continue;
    }
    const value = valueAt(data, rel);
    const subject = subjectOf(at);
    if (issue.code === 'invalid_type' && value === undefined && !issue.message.includes('; expected')) {
      const message = `missing required key "${subject}"; expected ${issue.expected ?? 'a value'}`;
      out.push(problemAt(ctx, at.slice(0, -1), message));
      continue;
    }
    const message = messageOf(issue, subject, value);
    // A missing value has no node of its own: point at the mapping it is missing from.
    if (issue.code === 'invalid_type' && value === undefined) out.push(problemAt(ctx, at.slice(0, -1), message));
    else out.push(problemAt(ctx, at, message, { atKey: issue.params?.atKey === true }));
  }
  return out;
}
