import type { PolicyProblem } from '../errors.ts';
import type { CompiledPolicy } from './capability.ts';
import type { FleetSnapshot } from './decision.ts';
import { pairsThatMayMeet } from './loader/meeting-pairs.ts';
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

/** How far ahead `validate` looks for a snapshot slot that falls while a window keeps the cluster paused. */
export const CLASH_HORIZON_MS = 14 * 86_400_000;

/** Both policies select the same resources: the named ones with a fleet, `'maybe'` without one, null when disjoint. */
function sharedResources(a: CompiledPolicy, b: CompiledPolicy, fleet: FleetSnapshot | null): string[] | 'maybe' | null {
  if (fleet === null) return selectorsDisjoint(a.selector, b.selector) ? null : 'maybe';
  const both = fleet.resources
    .filter((r) => r.type === a.resource && isOptedIn(r, a.optInTag) && isOptedIn(r, b.optInTag))
    .filter((r) => a.selector.matches(r) && b.selector.matches(r))
    .map((r) => r.id);
  return both.length === 0 ? null : both;
}

/**
 * A running window that keeps a cluster paused over the times another policy needs it running (a
 * snapshot slot: a paused cluster takes no snapshot, so the slot is skipped and later reported as
 * missed). Warned with the first clash and both policy locations. Read through the capabilities'
 * generic hooks (`runningWindow`, `needsRunning`), so any capability that declares them takes part.
 */
function windowSnapshotClashes(
  policies: readonly CompiledPolicy[],
  fleet: FleetSnapshot | null,
  from: number,
): PolicyProblem[] {
  const problems: PolicyProblem[] = [];
  const windows = policies.filter((p) => p.resource === 'cluster' && p.capability.runningWindow !== undefined);
  const needing = policies.filter((p) => p.resource === 'cluster' && p.capability.needsRunning !== undefined);
  for (const [i, j] of pairsThatMayMeet(windows, needing)) {
    const w = windows[i] as CompiledPolicy;
    const s = needing[j] as CompiledPolicy;
    const window = w.capability.runningWindow;
    const needs = s.capability.needsRunning;
    if (s === w || window === undefined || needs === undefined) continue;
    const shared = sharedResources(w, s, fleet);
    if (shared === null) continue;
    const clashes: number[] = [];
    for (let t = needs.nextAfter(from); t !== null && t < from + CLASH_HORIZON_MS; ) {
      if (!window.segment(t).running) clashes.push(t);
      t = needs.nextAfter(t);
    }
    const first = clashes[0];
    if (first === undefined) continue;
    const who = shared === 'maybe' ? 'clusters both may select' : shared.join(', ');
    problems.push({
      file: s.file,
      line: s.line,
      col: s.col,
      severity: 'warning',
      message: `${s.capability.key} policy "${s.name}" (${where(s)}) has ${clashes.length} slot(s) in the next 14 days while ${w.capability.key} policy "${w.name}" (${where(w)}) keeps ${who} paused, first ${new Date(first).toISOString().slice(0, 16)}Z; a paused cluster takes no ${needs.what}; expected slots inside the running window`,
    });
  }
  return problems;
}

export function analyzeConflicts(
  policies: readonly CompiledPolicy[],
  fleet: FleetSnapshot | null,
  /** Where the look-ahead for clashing slots starts (the engine never reads a clock). */
  from: number,
): PolicyProblem[] {
  const problems: PolicyProblem[] = windowSnapshotClashes(policies, fleet, from);
  // What only a capability can judge about its policy among the others (CompiledCapability.clashes).
  for (const policy of policies) problems.push(...(policy.capability.clashes?.(policy, policies, fleet, from) ?? []));
  const stateful = policies.filter((p) => p.capability.reconcile !== undefined);
  // Only the pairs not proven apart by a pinned tag (see pairsThatMayMeet): linear for separate teams.
  for (const [i, j] of pairsThatMayMeet(stateful, stateful)) {
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
  return problems;
}
