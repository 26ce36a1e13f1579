import type { CompiledSchedule } from '../../policy/aws-schedule.ts';
import type { RunningWindow } from '../../policy/running-window.ts';

/**
 * The size a policy wants over time: `default.nodes`, except inside a window, where the window's
 * `nodes` hold. A cron window is open from a `from` occurrence until the next `to` occurrence (open when
 * the latest `from` is later than the latest `to`); a running window is open inside its ranges, read
 * exactly as `window` reads them (shared/policy/running-window.ts). When several windows are open, the
 * largest size wins: a window is a peak to serve, and serving the larger one serves both.
 */
export type SizeWindow =
  | { kind: 'cron'; index: number; nodes: number; from: CompiledSchedule; to: CompiledSchedule; text: string }
  | { kind: 'running'; index: number; nodes: number; window: RunningWindow; text: string };

export interface DesiredSize {
  nodes: number;
  /** The window that sets it, or null for the default. */
  window: SizeWindow | null;
  /** The latest boundary of any window at or before now (the period this size belongs to), or null. */
  since: number | null;
  /** The next boundary of any window after now, or null. */
  next: number | null;
}

/** How far back a cron window's latest `from`/`to` is looked for (a yearly window still counts). */
const LOOKBACK_MS = 400 * 86_400_000;

interface WindowAt {
  open: boolean;
  since: number | null;
  next: number | null;
}

function cronAt(w: Extract<SizeWindow, { kind: 'cron' }>, now: number): WindowAt {
  const lastFrom = w.from.lastAtOrBefore(now, now - LOOKBACK_MS);
  const lastTo = w.to.lastAtOrBefore(now, now - LOOKBACK_MS);
  const open = lastFrom !== null && (lastTo === null || lastFrom > lastTo);
  const since = Math.max(lastFrom ?? -Infinity, lastTo ?? -Infinity);
  const nextFrom = w.from.nextAfter(now);
  const nextTo = w.to.nextAfter(now);
  const next = open ? nextTo : nextFrom;
  return { open, since: Number.isFinite(since) ? since : null, next };
}

function windowAt(w: SizeWindow, now: number): WindowAt {
  if (w.kind === 'cron') return cronAt(w, now);
  const seg = w.window.segment(now);
  return { open: seg.running, since: seg.prev, next: seg.next };
}

export function desiredSizeAt(defaultNodes: number, windows: readonly SizeWindow[], now: number): DesiredSize {
  let chosen: SizeWindow | null = null;
  let since: number | null = null;
  let next: number | null = null;
  for (const w of windows) {
    const at = windowAt(w, now);
    if (at.open && (chosen === null || w.nodes > chosen.nodes)) chosen = w;
    if (at.since !== null && (since === null || at.since > since)) since = at.since;
    if (at.next !== null && (next === null || at.next < next)) next = at.next;
  }
  return { nodes: chosen === null ? defaultNodes : chosen.nodes, window: chosen, since, next };
}

/** Every instant after `from` at which some window opens or closes, in order, until `until`. */
export function boundariesBetween(windows: readonly SizeWindow[], from: number, until: number): number[] {
  const found = new Set<number>();
  for (const w of windows) {
    for (let t: number | null = from; t !== null && t < until; ) {
      const at = windowAt(w, t);
      t = at.next;
      if (t !== null && t < until) found.add(t);
    }
  }
  return [...found].sort((a, b) => a - b);
}
