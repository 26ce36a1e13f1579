import type { FleetResource } from './decision.ts';
import { parseInstant } from './local-time.ts';

/**
 * Targeting: which resources a policy selects. Tag conditions (all must hold):
 *   env: dev            equality
 *   env: [dev, test]    one of
 *   team: "*"           present, any value
 *   env: "!=prod"       absent, or present with another value
 *   legacy: "!*"        absent
 * Identifiers are globs (`*` any run, `?` one character), accounts and regions are exact lists.
 * The opt-in tag is checked separately: a resource without it is never selected, whatever matches.
 */
export type TagCondition =
  | { kind: 'equals'; values: readonly string[] }
  | { kind: 'present' }
  | { kind: 'absent' }
  | { kind: 'not-equals'; value: string };

export const TAG_SYNTAX_EXPECTED =
  'expected "value", "*" (present), "!=value" (absent or different), "!*" (absent) or a list of values';

/** Parse one tag value written in a policy, or return what is wrong with it. */
export function parseTagCondition(value: string | readonly string[]): TagCondition | { error: string } {
  if (Array.isArray(value)) {
    const list = value as readonly string[];
    for (const v of list) {
      if (v === '' || /[*]/.test(v) || v.startsWith('!=')) {
        return { error: `"${v}" cannot be used inside a list of values; a list holds plain values only` };
      }
    }
    if (list.length === 0) return { error: 'the list of values is empty' };
    return { kind: 'equals', values: list };
  }
  const text = value as string;
  if (text === '*') return { kind: 'present' };
  if (text === '!*') return { kind: 'absent' };
  if (text.startsWith('!=')) {
    const rest = text.slice(2);
    if (rest === '' || rest.includes('*') || rest.startsWith('='))
      return { error: `"${text}" is not a valid tag condition` };
    return { kind: 'not-equals', value: rest };
  }
  if (text.includes('*') || text.startsWith('!') || text.startsWith('=')) {
    return { error: `"${text}" is not a valid tag condition` };
  }
  return { kind: 'equals', values: [text] };
}

export interface SelectorDefinition {
  tags: Record<string, TagCondition>;
  identifiers: readonly string[] | null;
  accounts: readonly string[] | null;
  regions: readonly string[] | null;
}

export interface CompiledSelector extends SelectorDefinition {
  matches(resource: FleetResource): boolean;
}

const globCache = new Map<string, RegExp>();
export function globToRegExp(glob: string): RegExp {
  let re = globCache.get(glob);
  if (re === undefined) {
    const body = glob
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.');
    re = new RegExp(`^${body}$`);
    globCache.set(glob, re);
  }
  return re;
}

export function tagConditionHolds(condition: TagCondition, value: string | undefined): boolean {
  switch (condition.kind) {
    case 'equals':
      return value !== undefined && condition.values.includes(value);
    case 'present':
      return value !== undefined;
    case 'absent':
      return value === undefined;
    case 'not-equals':
      return value !== condition.value;
  }
}

/** One tag condition as an expression on `t` (the resource's tags); literals are JSON, sets are arguments. */
function tagExpression(key: string, condition: TagCondition, sets: ReadonlySet<string>[]): string {
  const value = `t[${JSON.stringify(key)}]`;
  switch (condition.kind) {
    case 'equals':
      if (condition.values.length === 1) return `${value} === ${JSON.stringify(condition.values[0])}`;
      sets.push(new Set(condition.values));
      return `(v = ${value}) !== undefined && sets[${sets.length - 1}].has(v)`;
    case 'present':
      return `${value} !== undefined`;
    case 'absent':
      return `${value} === undefined`;
    case 'not-equals':
      return `${value} !== ${JSON.stringify(condition.value)}`;
  }
}

/**
 * The selector as one function, generated once when the policy loads (decide() runs it for every policy
 * on every event): each tag is read by its literal name, only the parts the policy writes are tested.
 * Keys and values enter the code only as JSON string literals. It answers what tagConditionHolds, the
 * globs and the lists answer read one by one (test/unit/policy/engine-fast-paths.test.ts).
 */
export function compileSelector(def: SelectorDefinition): CompiledSelector {
  const sets: ReadonlySet<string>[] = [];
  const parts = Object.entries(def.tags).map(([key, condition]) => tagExpression(key, condition, sets));
  const ids = def.identifiers?.map(globToRegExp) ?? null;
  if (ids !== null) parts.push('ids.some((re) => re.test(r.id))');
  const accounts = def.accounts === null ? null : new Set(def.accounts);
  if (accounts !== null) parts.push('r.account !== null && accounts.has(r.account)');
  const regions = def.regions === null ? null : new Set(def.regions);
  if (regions !== null) parts.push('r.region !== null && regions.has(r.region)');
  const body = parts.length === 0 ? 'true' : parts.map((p) => `(${p})`).join(' && ');
  const make = new Function(
    'sets',
    'ids',
    'accounts',
    'regions',
    `"use strict"; return function matches(r) { const t = r.tags; let v; return ${body}; };`,
  ) as (...args: unknown[]) => (resource: FleetResource) => boolean;
  return { ...def, matches: make(sets, ids, accounts, regions) };
}

export interface OptInTag {
  key: string;
  value: string;
}

export function parseOptInTag(text: string): OptInTag | null {
  const i = text.indexOf('=');
  if (i <= 0 || i === text.length - 1) return null;
  return { key: text.slice(0, i), value: text.slice(i + 1) };
}

export function isOptedIn(resource: FleetResource, optIn: OptInTag): boolean {
  return resource.tags[optIn.key] === optIn.value;
}

/** The resource override tag: a person keeps a cluster running (or paused) until a time. */
export const OVERRIDE_TAG = 'autopilot:override';

export type Override =
  | { kind: 'none' }
  | { kind: 'running' | 'paused'; until: number; text: string }
  | { kind: 'expired'; text: string }
  | { kind: 'invalid'; text: string; reason: string };

const NO_OVERRIDE: Override = Object.freeze({ kind: 'none' });

type ParsedOverride = { kind: 'running' | 'paused'; until: number } | { kind: 'invalid'; reason: string };
/** Override texts read, by text: a fleet carries a few distinct ones, read per resource and policy on every sweep. */
const overrideTexts = new Map<string, ParsedOverride>();

function parseOverride(text: string): ParsedOverride {
  let parsed = overrideTexts.get(text);
  if (parsed !== undefined) return parsed;
  const m = /^(running|paused)-until=(.+)$/.exec(text);
  const until = m?.[2] === undefined ? null : parseInstant(m[2]);
  parsed =
    m === null || until === null
      ? {
          kind: 'invalid',
          reason: `override tag ${OVERRIDE_TAG}="${text}" is not valid; expected running-until=<ISO time with zone> or paused-until=<ISO time with zone>, e.g. running-until=2026-12-01T18:00Z`,
        }
      : { kind: m[1] === 'running' ? 'running' : 'paused', until };
  if (overrideTexts.size >= 10_000) overrideTexts.clear();
  overrideTexts.set(text, parsed);
  return parsed;
}

export function readOverride(resource: FleetResource, now: number): Override {
  const text = resource.tags[OVERRIDE_TAG];
  if (text === undefined || text === '') return NO_OVERRIDE;
  const parsed = parseOverride(text);
  if (parsed.kind === 'invalid') return { kind: 'invalid', text, reason: parsed.reason };
  if (parsed.until <= now) return { kind: 'expired', text };
  return { kind: parsed.kind, until: parsed.until, text };
}
