import type { PolicyProblem } from '../errors.ts';
import type { CompiledPolicy } from './capability.ts';
import type { FleetSnapshot } from './decision.ts';
import { type CompiledSelector, isOptedIn, type TagCondition } from './targeting.ts';

/**
 * Static conflict analysis: two policies with the same desired-state capability on the same
 * resource type fight over any resource both select (one pauses what the other resumes).
 * Without a fleet we can only prove selectors disjoint (a warning when we cannot); with a fleet
 * the resources actually selected by both are named (an error).
 */

function literalPrefix(glob: string): string {
  const i = glob.search(/[*?]/);
  return i === -1 ? glob : glob.slice(0, i);
}
function literalSuffix(glob: string): string {
  const i = Math.max(glob.lastIndexOf('*'), glob.lastIndexOf('?'));
  return i === -1 ? glob : glob.slice(i + 1);
}

/** True when no string can match both globs (checked on their fixed prefixes and suffixes). */
export function globsDisjoint(a: string, b: string): boolean {
  const pa = literalPrefix(a);
  const pb = literalPrefix(b);
  if (!pa.startsWith(pb) && !pb.startsWith(pa)) return true;
  const sa = literalSuffix(a);
  const sb = literalSuffix(b);
  if (!sa.endsWith(sb) && !sb.endsWith(sa)) return true;
  const hasWild = (g: string) => /[*?]/.test(g);
  if (!hasWild(a) && !hasWild(b)) return a !== b;
  return false;
}

function conditionsDisjoint(a: TagCondition, b: TagCondition): boolean {
  const pair = (x: TagCondition, y: TagCondition): boolean => {
    if (x.kind === 'equals' && y.kind === 'equals') return !x.values.some((v) => y.values.includes(v));
    if (x.kind === 'absent' && (y.kind === 'equals' || y.kind === 'present')) return true;
    if (x.kind === 'not-equals' && y.kind === 'equals') return y.values.every((v) => v === x.value);
    return false;
  };
  return pair(a, b) || pair(b, a);
}

export function selectorsDisjoint(a: CompiledSelector, b: CompiledSelector): boolean {
  for (const [key, condition] of Object.entries(a.tags)) {
    const other = b.tags[key];
    if (other !== undefined && conditionsDisjoint(condition, other)) return true;
  }
  if (a.identifiers !== null && b.identifiers !== null) {
    const ids = b.identifiers;
    if (a.identifiers.every((x) => ids.every((y) => globsDisjoint(x, y)))) return true;
  }
  const listsDisjoint = (x: readonly string[] | null, y: readonly string[] | null) =>
    x !== null && y !== null && !x.some((v) => y.includes(v));
  return listsDisjoint(a.accounts, b.accounts) || listsDisjoint(a.regions, b.regions);
}

const where = (p: CompiledPolicy) => `${p.file}:${p.line}:${p.col}`;

export function analyzeConflicts(policies: readonly CompiledPolicy[], fleet: FleetSnapshot | null): PolicyProblem[] {
  const problems: PolicyProblem[] = [];
  const stateful = policies.filter((p) => p.capability.reconcile !== undefined);
  for (let i = 0; i < stateful.length; i++) {
    for (let j = i + 1; j < stateful.length; j++) {
      const a = stateful[i] as CompiledPolicy;
      const b = stateful[j] as CompiledPolicy;
      if (a.resource !== b.resource || a.capability.key !== b.capability.key) continue;
      const what = `${a.capability.key} policies "${a.name}" (${where(a)}) and "${b.name}" (${where(b)})`;
      if (fleet !== null) {
        const both = fleet.resources
          .filter((r) => r.type === a.resource && isOptedIn(r, a.optInTag) && isOptedIn(r, b.optInTag))
          .filter((r) => a.selector.matches(r) && b.selector.matches(r))
          .map((r) => r.id);
        if (both.length > 0) {
          problems.push({
            file: b.file,
            line: b.line,
            col: b.col,
            severity: 'error',
            message: `${what} both select ${both.join(', ')}; expected each ${a.resource} in at most one ${a.capability.key} policy`,
          });
        }
      } else if (!selectorsDisjoint(a.selector, b.selector)) {
        problems.push({
          file: b.file,
          line: b.line,
          col: b.col,
          severity: 'warning',
          message: `${what} may select the same ${a.resource}; expected selectors that cannot meet (different tag values, identifier globs, accounts or regions), or run validate with --fleet to check the real resources`,
        });
      }
    }
  }
  return problems;
}
