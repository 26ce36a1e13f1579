import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { isMap, isPair, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import type { z } from 'zod';
import { CAPABILITIES } from '../domains/index.ts';
import { type PolicyProblem, PolicyValidationError } from '../errors.ts';
import { catalogEvents } from '../events/catalog.ts';
import { type CalendarDefinition, type CompiledCalendar, compileCalendar } from './calendar.ts';
import type { CapabilityRegistration, CompileContext, CompiledPolicy, CompileProblem } from './capability.ts';
import {
  buildPolicySchema,
  type CalendarBlock,
  calendarSchema,
  documentSchema,
  type PolicyBlock,
} from './policy.schema.ts';
import { compileSelector, parseOptInTag, parseTagCondition, type TagCondition } from './targeting.ts';

/**
 * Loads policy files: YAML with node positions → zod (strict) → cross-references → compiled
 * policies. Every problem is reported as `file:line:col: message` (1-based), all at once.
 * Compilation happens here, once, so decide() never re-parses windows or schedules.
 */

export interface PolicySource {
  file: string;
  text: string;
}

export interface PolicySet {
  policies: readonly CompiledPolicy[];
  files: readonly string[];
}

export interface LoadResult {
  policySet: PolicySet;
  /** Errors and warnings, ordered by file, line, column. */
  problems: PolicyProblem[];
}

export interface LoadOptions {
  /** Event ids the catalog knows; when absent, event ids are checked by pattern only. */
  knownEventIds?: ReadonlySet<string> | null;
  registrations?: readonly CapabilityRegistration[];
}

export const DEFAULT_OPT_IN_TAG = 'autopilot:managed=true';

type Path = readonly (string | number)[];

interface FileContext {
  file: string;
  lineCounter: LineCounter;
  root: Node | null;
}

/** The YAML node at a path: the value, or its key when `atKey` (or when the value is missing). */
function nodeAt(root: Node | null, at: Path, atKey: boolean): Node | null {
  let node: Node | null = root;
  for (const [i, segment] of at.entries()) {
    const last = i === at.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(segment));
      if (pair === undefined) return node;
      const key = pair.key as Node;
      if ((last && atKey) || pair.value === null) return key;
      node = pair.value as Node;
    } else if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment] as Node | undefined;
      if (item === undefined) return node;
      node = item;
    } else return node;
  }
  return node;
}

function problemAt(
  ctx: FileContext,
  at: Path,
  message: string,
  options: { atKey?: boolean; severity?: 'error' | 'warning' } = {},
): PolicyProblem {
  const node = nodeAt(ctx.root, at, options.atKey ?? false);
  const offset = node?.range?.[0] ?? 0;
  const { line, col } = ctx.lineCounter.linePos(offset);
  return { file: ctx.file, line, col, message, severity: options.severity ?? 'error' };
}

// ---------- zod issues → messages ----------

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

interface Issue {
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

function problemsFromIssues(
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
    let message = issue.message;
    if (issue.code === 'invalid_type' && value === undefined && !message.includes('; expected')) {
      message = `missing required key "${subject}"; expected ${issue.expected ?? 'a value'}`;
      out.push(problemAt(ctx, at.slice(0, -1), message));
      continue;
    }
    if (issue.code === 'custom') {
      // Our own checks already say what is wrong and what was expected.
    } else if (message.startsWith('expected')) message = `${subject} is ${describeValue(value)}; ${message}`;
    else if (!message.includes('; expected')) {
      // A zod default message: keep its meaning, in our form.
      if (issue.code === 'invalid_type') message = `${subject} is ${describeValue(value)}; expected ${issue.expected}`;
      else if (issue.code === 'too_small') {
        message = `${subject} is too small; expected ${issue.origin === 'array' ? `at least ${issue.minimum} item(s)` : `at least ${issue.minimum}`}`;
      } else if (issue.code === 'too_big') message = `${subject} is too big; expected at most ${issue.maximum}`;
      else if (issue.code === 'invalid_value')
        message = `${subject} is ${describeValue(value)}; expected one of ${(issue.values ?? []).join(', ')}`;
      else message = `${subject} is ${describeValue(value)}; ${message}`;
    }
    if (issue.code === 'invalid_type' && value === undefined) {
      out.push(problemAt(ctx, at.slice(0, -1), message));
      continue;
    }
    out.push(problemAt(ctx, at, message, { atKey: issue.params?.atKey === true }));
  }
  return out;
}

// ---------- event catalog ----------

let catalogIds: ReadonlySet<string> | undefined;
/** Event ids from the project's copy of the Redshift event catalog (shared/events). */
export function catalogEventIds(): ReadonlySet<string> {
  catalogIds ??= new Set(catalogEvents().map((e) => e.id));
  return catalogIds;
}

// ---------- loading ----------

interface ParsedFile {
  ctx: FileContext;
  defaults: { timezone?: string | undefined; dryRun?: boolean | undefined; optInTag?: string | undefined };
  calendars: { name: string; block: CalendarBlock }[];
  policies: { index: number; block: PolicyBlock }[];
}

const DEFAULT_REGISTRATIONS = CAPABILITIES;

export function loadPolicySources(sources: readonly PolicySource[], options: LoadOptions = {}): LoadResult {
  const registrations = options.registrations ?? DEFAULT_REGISTRATIONS;
  const knownEventIds = options.knownEventIds === undefined ? catalogEventIds() : options.knownEventIds;
  const policySchema = buildPolicySchema(registrations);
  const problems: PolicyProblem[] = [];
  const parsed: ParsedFile[] = [];

  for (const source of sources) {
    const lineCounter = new LineCounter();
    const doc = parseDocument(source.text, { lineCounter, prettyErrors: false, uniqueKeys: true });
    const ctx: FileContext = { file: source.file, lineCounter, root: doc.contents as Node | null };
    if (doc.errors.length > 0) {
      for (const error of doc.errors) {
        const { line, col } = lineCounter.linePos(error.pos[0]);
        const text = error.message.split('\n')[0] ?? error.message;
        problems.push({
          file: source.file,
          line,
          col,
          message: `YAML syntax error: ${text}; expected valid YAML`,
          severity: 'error',
        });
      }
      continue;
    }
    const data: unknown = doc.toJS();
    if (data === null || data === undefined) {
      problems.push({
        file: source.file,
        line: 1,
        col: 1,
        message: 'file is empty; expected version: 1 and a list of policies',
        severity: 'error',
      });
      continue;
    }
    const top = documentSchema.safeParse(data);
    if (!top.success) {
      problems.push(...problemsFromIssues(ctx, documentSchema, data, [], top.error.issues as unknown as Issue[]));
      continue;
    }
    const file: ParsedFile = { ctx, defaults: top.data.defaults ?? {}, calendars: [], policies: [] };
    for (const [name, raw] of Object.entries(top.data.calendars ?? {})) {
      const result = calendarSchema.safeParse(raw);
      if (result.success) file.calendars.push({ name, block: result.data });
      else
        problems.push(
          ...problemsFromIssues(
            ctx,
            calendarSchema,
            raw,
            ['calendars', name],
            result.error.issues as unknown as Issue[],
          ),
        );
    }
    for (const [index, raw] of (top.data.policies ?? []).entries()) {
      const result = policySchema.safeParse(raw);
      if (result.success) file.policies.push({ index, block: result.data as PolicyBlock });
      else
        problems.push(
          ...problemsFromIssues(ctx, policySchema, raw, ['policies', index], result.error.issues as unknown as Issue[]),
        );
    }
    parsed.push(file);
  }

  // Calendars are shared by every file of the set; a name may be defined once.
  const calendarDefs = new Map<string, CalendarDefinition>();
  for (const file of parsed) {
    for (const { name, block } of file.calendars) {
      if (calendarDefs.has(name)) {
        problems.push(
          problemAt(
            file.ctx,
            ['calendars', name],
            `duplicate calendar "${name}"; expected each calendar name once across all policy files`,
            { atKey: true },
          ),
        );
        continue;
      }
      calendarDefs.set(name, {
        name,
        dates: block.dates ?? [],
        ranges: block.ranges ?? [],
        timezone: block.timezone ?? null,
      });
    }
  }
  const compiledCalendars = new Map<string, CompiledCalendar>();
  const calendar = (name: string, zoneName: string) => {
    const def = calendarDefs.get(name);
    if (def === undefined) return undefined;
    const key = `${name}\u0000${zoneName}`;
    let compiled = compiledCalendars.get(key);
    if (compiled === undefined) {
      compiled = compileCalendar(def, zoneName);
      compiledCalendars.set(key, compiled);
    }
    return compiled;
  };

  const policies: CompiledPolicy[] = [];
  const seenNames = new Map<string, string>();
  for (const file of parsed) {
    const { ctx, defaults } = file;
    for (const { index, block } of file.policies) {
      const base: Path = ['policies', index];
      const local: CompileProblem[] = [];
      const position = problemAt(ctx, base, '');
      const firstSeen = seenNames.get(block.name);
      if (firstSeen !== undefined) {
        local.push({
          path: ['name'],
          message: `duplicate policy name "${block.name}" (first defined at ${firstSeen}); expected unique names`,
        });
      } else seenNames.set(block.name, `${ctx.file}:${position.line}:${position.col}`);

      const present = registrations.filter((r) => r.keys.some((k) => block[k] !== undefined));
      if (present.length === 0) {
        local.push({
          path: [],
          message: `policy "${block.name}" has no capability; expected one of: ${registrations.map((r) => r.keys.join('/')).join(', ')}`,
        });
      } else if (present.length > 1) {
        const second = present[1] as CapabilityRegistration;
        local.push({
          path: [second.keys.find((k) => block[k] !== undefined) ?? ''],
          atKey: true,
          message: `policy "${block.name}" has both ${present.map((r) => r.name).join(' and ')}; expected one capability per policy (split it into two policies)`,
        });
      }
      const registration = present[0];
      const ownBlock =
        registration === undefined
          ? undefined
          : (block[registration.keys[0] as string] as Record<string, unknown> | undefined);
      const zoneName =
        (typeof ownBlock?.timezone === 'string' ? ownBlock.timezone : undefined) ?? defaults.timezone ?? 'UTC';
      if (registration !== undefined && !registration.resources.includes(block.resource)) {
        local.push({
          path: ['resource'],
          message: `${registration.name} does not apply to resource: ${block.resource}; expected resource: ${registration.resources.join(' or ')}`,
        });
      }
      if (
        registration?.keys.includes('window') &&
        ownBlock?.timezone === undefined &&
        defaults.timezone === undefined
      ) {
        local.push({
          path: ['window'],
          atKey: true,
          severity: 'warning',
          message:
            'window has no timezone and defaults has none; it is read in UTC (set window.timezone or defaults.timezone)',
        });
      }
      const freeze: CompiledCalendar[] = [];
      for (const [i, name] of (block.freeze ?? []).entries()) {
        const compiled = calendar(name, zoneName);
        if (compiled === undefined)
          local.push({
            path: ['freeze', i],
            message: `unknown calendar "${name}"; expected a name defined under calendars`,
          });
        else freeze.push(compiled);
      }
      const tags: Record<string, TagCondition> = {};
      for (const [key, value] of Object.entries(block.match?.tags ?? {})) {
        const condition = parseTagCondition(value);
        if (!('error' in condition)) tags[key] = condition;
      }
      const compileCtx: CompileContext = {
        policyName: block.name,
        resource: block.resource,
        zoneName,
        calendar,
        knownEventId: (id) => knownEventIds === null || knownEventIds === undefined || knownEventIds.has(id),
        problems: local,
      };
      const capability =
        registration?.supported === true && present.length === 1
          ? (registration.compile?.(block, compileCtx) ?? null)
          : null;
      for (const p of local) {
        problems.push(
          problemAt(ctx, [...base, ...p.path], p.message, { atKey: p.atKey ?? false, severity: p.severity ?? 'error' }),
        );
      }
      if (capability === null || local.some((p) => (p.severity ?? 'error') === 'error')) continue;
      const maxResources =
        block.maxResources === undefined
          ? null
          : typeof block.maxResources === 'number'
            ? { count: block.maxResources }
            : { percent: Number(block.maxResources.slice(0, -1)) };
      const optIn = parseOptInTag(defaults.optInTag ?? DEFAULT_OPT_IN_TAG) ?? {
        key: 'autopilot:managed',
        value: 'true',
      };
      policies.push({
        name: block.name,
        file: ctx.file,
        line: position.line,
        col: position.col,
        resource: block.resource,
        selector: compileSelector({
          tags,
          identifiers: block.match?.identifiers ?? null,
          accounts: block.match?.accounts ?? null,
          regions: block.match?.regions ?? null,
        }),
        optInTag: optIn,
        maxResources,
        dryRun: block.dryRun ?? defaults.dryRun ?? false,
        zoneName,
        freeze,
        capability,
      });
    }
  }
  problems.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.col - b.col);
  return { policySet: { policies, files: sources.map((s) => s.file) }, problems };
}

/** Expand files and folders (`.yml`/`.yaml`, sorted) and read them; unreadable paths become problems. */
export async function readPolicySources(
  paths: readonly string[],
  cwd: string,
): Promise<{ sources: PolicySource[]; problems: PolicyProblem[] }> {
  const sources: PolicySource[] = [];
  const problems: PolicyProblem[] = [];
  for (const given of paths) {
    const absolute = path.resolve(cwd, given);
    try {
      const info = await stat(absolute);
      const files = info.isDirectory()
        ? (await readdir(absolute))
            .filter((name) => /\.ya?ml$/.test(name))
            .sort()
            .map((name) => path.join(given, name))
        : [given];
      if (files.length === 0) {
        problems.push({
          file: given,
          line: 1,
          col: 1,
          message: 'folder has no .yml or .yaml files; expected policy files',
          severity: 'error',
        });
      }
      for (const file of files) sources.push({ file, text: await readFile(path.resolve(cwd, file), 'utf8') });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      problems.push({
        file: given,
        line: 1,
        col: 1,
        message: `cannot read (${code ?? 'error'}); expected a policy file or folder`,
        severity: 'error',
      });
    }
  }
  return { sources, problems };
}

export async function loadPolicyPaths(
  paths: readonly string[],
  cwd: string,
  options: LoadOptions = {},
): Promise<LoadResult> {
  const { sources, problems } = await readPolicySources(paths, cwd);
  const result = loadPolicySources(sources, options);
  return { policySet: result.policySet, problems: [...problems, ...result.problems] };
}

/** For runtime callers (handlers, plan): a policy set, or a PolicyValidationError with every problem. */
export async function loadPoliciesOrThrow(
  paths: readonly string[],
  cwd: string,
  options: LoadOptions = {},
): Promise<PolicySet> {
  const result = await loadPolicyPaths(paths, cwd, options);
  const errors = result.problems.filter((p) => p.severity === 'error');
  if (errors.length > 0) throw new PolicyValidationError(errors);
  return result.policySet;
}

export function formatProblem(p: PolicyProblem): string {
  return `${p.file}:${p.line}:${p.col}: ${p.severity === 'warning' ? 'warning: ' : ''}${p.message}`;
}
