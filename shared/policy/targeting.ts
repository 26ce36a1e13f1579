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

export function compileSelector(def: SelectorDefinition): CompiledSelector {
  const tagEntries = Object.entries(def.tags);
  const idPatterns = def.identifiers?.map(globToRegExp) ?? null;
  return {
    ...def,
    matches: (resource) => {
      for (const [key, condition] of tagEntries) if (!tagConditionHolds(condition, resource.tags[key])) return false;
      if (idPatterns !== null && !idPatterns.some((re) => re.test(resource.id))) return false;
      if (def.accounts !== null && (resource.account === null || !def.accounts.includes(resource.account)))
        return false;
      if (def.regions !== null && (resource.region === null || !def.regions.includes(resource.region))) return false;
      return true;
    },
  };
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

export function readOverride(resource: FleetResource, now: number): Override {
  const text = resource.tags[OVERRIDE_TAG];
  if (text === undefined || text === '') return { kind: 'none' };
  const m = /^(running|paused)-until=(.+)$/.exec(text);
  const until = m?.[2] === undefined ? null : parseInstant(m[2]);
  if (m === null || until === null) {
    return {
      kind: 'invalid',
      text,
      reason: `override tag ${OVERRIDE_TAG}="${text}" is not valid; expected running-until=<ISO time with zone> or paused-until=<ISO time with zone>, e.g. running-until=2026-12-01T18:00Z`,
    };
  }
  if (until <= now) return { kind: 'expired', text };
  return { kind: m[1] === 'running' ? 'running' : 'paused', until, text };
}
