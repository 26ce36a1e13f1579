import type { PolicyProblem } from '../../errors.ts';
import type { CompiledPolicy } from '../../policy/capability.ts';
import { selectorsDisjoint } from '../../policy/conflicts.ts';
import type { ClusterResource, FleetSnapshot } from '../../policy/decision.ts';
import { isOptedIn } from '../../policy/targeting.ts';
import { desiredSizeAt, type SizeWindow } from '../resize/resize-schedule.ts';
import type { DrillSettings } from './drill.prechecks.ts';
import { cannotBeMultiAz } from './drill.rules.ts';

/**
 * validate's checks of a drill policy against the document (CompiledCapability.clashes). What can be
 * known statically, and what needs `--fleet`:
 * - Without a fleet: a drill slot in the next year inside another policy's pause window (its
 *   `runningWindow` says paused) or inside a resize window (the resize policy wants a size other than its
 *   default then), when the other policy's selector covers the drill's (each of its conditions is one of
 *   the drill's) — a warning with both positions and the first slot.
 * - With a fleet: the same, on the clusters both select; and every selected cluster that cannot be
 *   Multi-AZ (node type other than RA3 such as DC2, one node, not encrypted, a port outside
 *   5431–5455/8191–8215, an Elastic IP) or is single-AZ — named, a warning: the drill will skip it.
 * Node types, encryption and Multi-AZ are not in a selector, so without a fleet they cannot be known.
 */
const HORIZON_MS = 366 * 86_400_000;

const where = (p: CompiledPolicy) => `${p.file}:${p.line}:${p.col}`;

function slotsOf(settings: DrillSettings, from: number): number[] {
  const out: number[] = [];
  for (let t = settings.schedule.nextAfter(from); t !== null && t < from + HORIZON_MS && out.length < 400; ) {
    out.push(t);
    t = settings.schedule.nextAfter(t);
  }
  return out;
}

/**
 * Without a fleet, a clash is certain only when the other policy's selector selects every cluster the
 * drill's does: each of its conditions is one of the drill's (so `tier: critical` is covered by `{}` or
 * by `tier: critical`, not by `env: test`). Selectors that merely may meet would warn about every pair.
 */
function covers(self: CompiledPolicy, other: CompiledPolicy): boolean {
  const a = self.selector;
  const b = other.selector;
  const same = (x: unknown, y: unknown) => JSON.stringify(x) === JSON.stringify(y);
  const tagsCovered = Object.entries(b.tags).every(([key, condition]) => same(a.tags[key], condition));
  const listCovered = (x: readonly string[] | null, y: readonly string[] | null) => y === null || same(x, y);
  return (
    tagsCovered &&
    listCovered(a.identifiers, b.identifiers) &&
    listCovered(a.accounts, b.accounts) &&
    listCovered(a.regions, b.regions)
  );
}

/** The clusters both policies select (with a fleet); without one, 'all' when the other covers the drill's. */
function shared(a: CompiledPolicy, b: CompiledPolicy, fleet: FleetSnapshot | null): string[] | 'maybe' | null {
  if (fleet === null) return !selectorsDisjoint(a.selector, b.selector) && covers(a, b) ? 'maybe' : null;
  const both = fleet.resources
    .filter((r) => r.type === 'cluster' && isOptedIn(r, a.optInTag) && isOptedIn(r, b.optInTag))
    .filter((r) => a.selector.matches(r) && b.selector.matches(r))
    .map((r) => r.id);
  return both.length === 0 ? null : both;
}

interface ResizeLike {
  key: string;
  settings?: { defaultNodes?: number; windows?: readonly SizeWindow[] };
}

/** What another policy does to the cluster at `t` that a drill must not meet, or null. */
function busyAt(other: CompiledPolicy, t: number): string | null {
  const window = other.capability.runningWindow;
  if (window !== undefined && !window.segment(t).running) return `keeps it paused (${window.description})`;
  const resize = other.capability as ResizeLike;
  if (resize.key === 'resize' && resize.settings?.windows !== undefined && resize.settings.defaultNodes !== undefined) {
    const size = desiredSizeAt(resize.settings.defaultNodes, resize.settings.windows, t);
    if (size.window !== null) return `resizes it to ${size.nodes} nodes (window ${size.window.text})`;
  }
  return null;
}

function windowClashes(
  self: CompiledPolicy,
  settings: DrillSettings,
  policies: readonly CompiledPolicy[],
  fleet: FleetSnapshot | null,
  from: number,
): PolicyProblem[] {
  const problems: PolicyProblem[] = [];
  const slots = slotsOf(settings, from);
  for (const other of policies) {
    if (other === self || other.resource !== 'cluster') continue;
    const both = shared(self, other, fleet);
    if (both === null) continue;
    const hits = slots.map((t) => ({ t, what: busyAt(other, t) })).filter((h) => h.what !== null);
    const first = hits[0];
    if (first === undefined) continue;
    const who = both === 'maybe' ? 'every cluster the drill selects' : both.join(', ');
    problems.push({
      file: self.file,
      line: self.line,
      col: self.col,
      severity: 'warning',
      message: `failoverDrill policy "${self.name}" (${where(self)}) has ${hits.length} slot(s) in the next year while ${other.capability.key} policy "${other.name}" (${where(other)}) ${first.what} on ${who}, first ${new Date(first.t).toISOString().slice(0, 16)}Z; the drill's pre-checks will skip those slots; expected drill slots outside other policies' pause and resize windows`,
    });
  }
  return problems;
}

function ineligible(self: CompiledPolicy, fleet: FleetSnapshot): PolicyProblem[] {
  const named = fleet.resources
    .filter(
      (r): r is ClusterResource => r.type === 'cluster' && self.selector.matches(r) && isOptedIn(r, self.optInTag),
    )
    .flatMap((c) => {
      const why = cannotBeMultiAz(c) ?? (c.multiAz ? null : 'single-AZ (MultiAZ Disabled)');
      return why === null ? [] : [`${c.id} (${why})`];
    });
  if (named.length === 0) return [];
  return [
    {
      file: self.file,
      line: self.line,
      col: self.col,
      severity: 'warning',
      message: `failoverDrill policy "${self.name}" selects ${named.length} cluster(s) that cannot be drilled: ${named.join('; ')}; each drill slot skips them with one notice; expected a selector matching Multi-AZ RA3 clusters only`,
    },
  ];
}

export function drillClashes(
  self: CompiledPolicy,
  settings: DrillSettings,
  policies: readonly CompiledPolicy[],
  fleet: FleetSnapshot | null,
  from: number,
): PolicyProblem[] {
  return [...windowClashes(self, settings, policies, fleet, from), ...(fleet === null ? [] : ineligible(self, fleet))];
}
