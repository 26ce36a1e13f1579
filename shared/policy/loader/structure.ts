import { LineCounter, type Node } from 'yaml';
import type { z } from 'zod';
import type { PolicyProblem } from '../../errors.ts';
import {
  type CalendarBlock,
  calendarSchema,
  defaultsSchema,
  documentSchema,
  type PolicyBlock,
} from '../policy.schema.ts';
import { decodePolicyBytes } from './encoding.ts';
import { type Issue, problemsFromIssues } from './schema-issues.ts';
import { type FileContext, problemAt, yamlFileContext } from './yaml-positions.ts';
import { readYaml, toData } from './yaml-syntax.ts';

/**
 * One policy file's structure: encoding, YAML syntax, then the document (version, defaults, calendars,
 * policies), then each calendar and each policy on its own, so no problem hides another: a bad top
 * level still lets the policies be checked, a bad key of a policy still lets its other keys (and its
 * capability's own checks: event ids, calendars) be checked. Cross-file checks come later.
 */

export interface PolicySource {
  file: string;
  /** The file's text, or its bytes (then checked to be UTF-8). */
  text: string | Uint8Array;
}

export interface ParsedPolicy {
  index: number;
  /** The keys that passed their schema; complete when `broken` is empty. */
  block: PolicyBlock;
  /** Keys present but invalid (their problems are reported), and `name`/`resource` when missing. */
  broken: ReadonlySet<string>;
  /** The policy has keys its schema does not know (reported): one may be its misspelt capability. */
  unknownKeys: boolean;
}

export interface ParsedCalendar {
  name: string;
  block: CalendarBlock;
  /** Defined but invalid (its problems are reported): known by name, never used. */
  broken: boolean;
}

export interface ParsedFile {
  ctx: FileContext;
  defaults: { timezone?: string | undefined; dryRun?: boolean | undefined; optInTag?: string | undefined };
  calendars: ParsedCalendar[];
  policies: ParsedPolicy[];
}

type Json = Record<string, unknown>;
const isMapping = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

function issuesOf(error: z.ZodError): Issue[] {
  return error.issues as unknown as Issue[];
}

/** Parse one file; problems go to `problems`. Null when there is no document to check. */
export function parsePolicyFile(
  source: PolicySource,
  policySchema: z.ZodObject,
  problems: PolicyProblem[],
): ParsedFile | null {
  let text: string;
  if (typeof source.text === 'string') text = source.text;
  else {
    const decoded = decodePolicyBytes(source.file, source.text);
    text = decoded.text;
    if (decoded.problem !== null) problems.push(decoded.problem);
  }
  const lineCounter = new LineCounter();
  const yaml = readYaml(source.file, text, lineCounter);
  problems.push(...yaml.problems);
  if (yaml.doc === null || !yaml.usable) {
    if (yaml.doc === null) problems.push(emptyFile(source.file));
    return null;
  }
  const ctx: FileContext = yamlFileContext(source.file, lineCounter, yaml.doc.contents as Node | null);
  const read = toData(source.file, yaml.doc, lineCounter);
  if ('problem' in read) {
    problems.push(read.problem);
    return null;
  }
  const data = read.data;
  if (data === null || data === undefined) {
    problems.push(emptyFile(source.file));
    return null;
  }
  if (!isMapping(data)) {
    const what = Array.isArray(data) ? 'a list' : `the value ${JSON.stringify(data)}`;
    problems.push(problemAt(ctx, [], `the document is ${what}; expected a mapping with version: 1 and policies`));
    return null;
  }
  const top = documentSchema.safeParse(data);
  if (!top.success) problems.push(...problemsFromIssues(ctx, documentSchema, data, [], issuesOf(top.error)));
  const file: ParsedFile = { ctx, defaults: defaultsOf(data.defaults), calendars: [], policies: [] };
  if (isMapping(data.calendars)) {
    for (const [name, raw] of Object.entries(data.calendars)) {
      const result = calendarSchema.safeParse(raw);
      if (result.success) file.calendars.push({ name, block: result.data, broken: false });
      else {
        file.calendars.push({ name, block: {}, broken: true });
        problems.push(...problemsFromIssues(ctx, calendarSchema, raw, ['calendars', name], issuesOf(result.error)));
      }
    }
  }
  if (Array.isArray(data.policies)) {
    for (const [index, raw] of data.policies.entries()) {
      const result = policySchema.safeParse(raw);
      if (result.success) {
        file.policies.push({ index, block: result.data as PolicyBlock, broken: new Set(), unknownKeys: false });
        continue;
      }
      problems.push(...problemsFromIssues(ctx, policySchema, raw, ['policies', index], issuesOf(result.error)));
      const partial = partialPolicy(raw, policySchema);
      if (partial !== null) file.policies.push({ index, ...partial });
    }
  }
  return file;
}

function emptyFile(file: string): PolicyProblem {
  return {
    file,
    line: 1,
    col: 1,
    message: 'file is empty; expected version: 1 and a list of policies',
    severity: 'error',
  };
}

/** The defaults that are valid on their own (the invalid ones are reported by the document's schema). */
function defaultsOf(raw: unknown): ParsedFile['defaults'] {
  if (!isMapping(raw)) return {};
  const whole = defaultsSchema.safeParse(raw);
  if (whole.success) return whole.data;
  const out: Json = {};
  for (const [key, schema] of Object.entries(defaultsSchema.shape)) {
    const one = (schema as z.ZodType).safeParse(raw[key]);
    if (one.success && one.data !== undefined) out[key] = one.data;
  }
  return out as ParsedFile['defaults'];
}

/**
 * A policy that failed its schema, key by key: the keys that pass on their own are kept so the later
 * checks (duplicate names, calendars, the capability's compile) still run on them.
 */
function partialPolicy(raw: unknown, policySchema: z.ZodObject): Omit<ParsedPolicy, 'index'> | null {
  if (!isMapping(raw)) return null;
  const shape = policySchema.shape as Record<string, z.ZodType>;
  const block: Json = {};
  const broken = new Set<string>();
  let unknownKeys = false;
  for (const [key, value] of Object.entries(raw)) {
    const schema = shape[key];
    if (schema === undefined) {
      unknownKeys = true;
      continue;
    }
    const one = schema.safeParse(value);
    if (one.success && one.data !== undefined) block[key] = one.data;
    else broken.add(key);
  }
  for (const required of ['name', 'resource']) if (block[required] === undefined) broken.add(required);
  return { block: block as PolicyBlock, broken, unknownKeys };
}
