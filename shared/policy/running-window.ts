import type { IANAZone } from 'luxon';
import type { CompiledCalendar } from './calendar.ts';
import { type DayNumber, ianaZone, localDayOf, resolveLocal } from './local-time.ts';
import type { WindowRange } from './window-spec.ts';

/**
 * A compiled `window`: when should the resource run? Compiled once per policy (loader), evaluated
 * many times (decide). Semantics:
 * - running inside any range; a range belongs to the local day it starts on (so `Fri 22:00-02:00`
 *   runs into Saturday) and is resolved to instants with the DST rules of `resolveLocal`;
 * - a `closedOn` day is a whole local day outside the window, including the tail of a range that
 *   started the day before, and a range starting on a closed day does not run at all;
 * - `leadMs` moves every start earlier (resume ahead of first use).
 * The state only changes at candidate instants (range starts/ends, midnights, calendar range ends),
 * so transitions are found by checking candidates in order rather than by stepping through time.
 */
export interface WindowState {
  running: boolean;
  /** The range whose interval contains the instant, when running. */
  range: WindowRange | null;
  /** The closedOn calendar that forces "paused", with what covers the instant. */
  closedBy: { calendar: string; what: string } | null;
}

export interface RunningWindow {
  zoneName: string;
  ranges: readonly WindowRange[];
  leadMs: number;
  /** `Mon-Fri 07:00-19:00 Europe/Berlin` */
  description: string;
  stateAt(ms: number): WindowState;
  isRunning(ms: number): boolean;
  /** First instant > ms at which the running state changes, or null if it never does within ~14 months. */
  nextTransition(ms: number): number | null;
  /** The instant ≤ ms at which the current state began, or null if it never changed within ~14 months. */
  prevTransition(ms: number): number | null;
  /** prevTransition and nextTransition together, memoised per segment (many ticks share one). */
  segment(ms: number): WindowSegment;
}

export interface WindowSegment extends WindowState {
  prev: number | null;
  next: number | null;
}

interface Interval {
  start: number;
  end: number;
  range: WindowRange;
}

const CHUNK_DAYS = 7;
const MAX_CHUNKS = 62;
const MEMO_LIMIT = 4096;

export function compileRunningWindow(options: {
  ranges: readonly WindowRange[];
  zoneName: string;
  closedOn: readonly CompiledCalendar[];
  leadMs?: number;
}): RunningWindow {
  const { ranges, zoneName, closedOn } = options;
  const leadMs = options.leadMs ?? 0;
  const zone = ianaZone(zoneName) as IANAZone;
  const intervalsStartingOn = dayIntervals(ranges, zone, leadMs, closedOn);
  const stateAt = stateFinder(closedOn, zone, leadMs, intervalsStartingOn);
  const isRunning = (ms: number) => stateAt(ms).running;
  const candidatesIn = candidateFinder(closedOn, zone, intervalsStartingOn);
  const { nextTransition, prevTransition } = transitionFinders(zone, isRunning, candidatesIn);
  return {
    zoneName,
    ranges,
    segment: segmentMemo(stateAt, prevTransition, nextTransition),
    leadMs,
    description: `${ranges.map((r) => r.text).join(', ')} ${zoneName}`,
    stateAt,
    isRunning,
    nextTransition,
    prevTransition,
  };
}

type DayIntervals = (day: DayNumber) => Interval[];

/** Memoised per local day: the evaluation is pure, the memo only saves luxon work across calls. */
function memoByDay<T>(compute: (day: DayNumber) => T): (day: DayNumber) => T {
  const memo = new Map<DayNumber, T>();
  return (day) => {
    let found = memo.get(day);
    if (found !== undefined) return found;
    found = compute(day);
    if (memo.size > MEMO_LIMIT) memo.clear();
    memo.set(day, found);
    return found;
  };
}

/** The intervals of the ranges that start on a local day (none on a closed day). */
function dayIntervals(
  ranges: readonly WindowRange[],
  zone: IANAZone,
  leadMs: number,
  closedOn: readonly CompiledCalendar[],
): DayIntervals {
  return memoByDay((day) => {
    const found: Interval[] = [];
    if (closedOn.some((c) => c.hasDate(day))) return found;
    const weekday = ((((day + 3) % 7) + 7) % 7) + 1;
    for (const range of ranges) {
      if (!range.days.has(weekday)) continue;
      const start = resolveLocal(day, range.start, zone) - leadMs;
      const end = resolveLocal(range.crossesMidnight ? day + 1 : day, range.end, zone);
      if (end > start) found.push({ start, end, range });
    }
    return found;
  });
}

function stateFinder(
  closedOn: readonly CompiledCalendar[],
  zone: IANAZone,
  leadMs: number,
  intervalsStartingOn: DayIntervals,
): (ms: number) => WindowState {
  return (ms) => {
    for (const calendar of closedOn) {
      const what = calendar.explain(ms);
      if (what !== null) return { running: false, range: null, closedBy: { calendar: calendar.name, what } };
    }
    const day = localDayOf(ms, zone);
    for (let d = day - 1; d <= day + (leadMs > 0 ? 1 : 0); d++) {
      for (const interval of intervalsStartingOn(d)) {
        if (ms >= interval.start && ms < interval.end) return { running: true, range: interval.range, closedBy: null };
      }
    }
    return { running: false, range: null, closedBy: null };
  };
}

/** Sorted candidate instants whose local day is in [from, to). */
function candidateFinder(
  closedOn: readonly CompiledCalendar[],
  zone: IANAZone,
  intervalsStartingOn: DayIntervals,
): (from: DayNumber, to: DayNumber) => number[] {
  const calendarBoundaries = closedOn.flatMap((c) => c.boundaries).sort((a, b) => a - b);
  const candidatesOfDay = memoByDay((day) => {
    const found = [resolveLocal(day, 0, zone)];
    for (const interval of intervalsStartingOn(day)) found.push(interval.start, interval.end);
    return found;
  });
  return (from, to) => {
    const all: number[] = [];
    // Intervals may start up to a day before (lead) or end a day after the day they belong to.
    for (let d = from - 2; d < to + 2; d++) for (const c of candidatesOfDay(d)) all.push(c);
    const lo = resolveLocal(from, 0, zone);
    const hi = resolveLocal(to, 0, zone);
    for (const c of calendarBoundaries) if (c >= lo && c < hi) all.push(c);
    return all.filter((c) => c >= lo && c < hi).sort((a, b) => a - b);
  };
}

function transitionFinders(
  zone: IANAZone,
  isRunning: (ms: number) => boolean,
  candidatesIn: (from: DayNumber, to: DayNumber) => number[],
): Pick<RunningWindow, 'nextTransition' | 'prevTransition'> {
  const nextTransition = (ms: number): number | null => {
    const current = isRunning(ms);
    const first = localDayOf(ms, zone);
    for (let chunk = 0; chunk < MAX_CHUNKS; chunk++) {
      const from = first + chunk * CHUNK_DAYS;
      for (const c of candidatesIn(from, from + CHUNK_DAYS)) {
        if (c > ms && isRunning(c) !== current) return c;
      }
    }
    return null;
  };
  const prevTransition = (ms: number): number | null => {
    const current = isRunning(ms);
    const last = localDayOf(ms, zone) + 1;
    for (let chunk = 0; chunk < MAX_CHUNKS; chunk++) {
      const to = last - chunk * CHUNK_DAYS;
      const candidates = candidatesIn(to - CHUNK_DAYS, to);
      for (let i = candidates.length - 1; i >= 0; i--) {
        const c = candidates[i] as number;
        if (c <= ms && isRunning(c - 1) !== current) return c;
      }
    }
    return null;
  };
  return { nextTransition, prevTransition };
}

// Pure memo: a segment [prev, next) has one state, so every instant inside it has the same answer.
function segmentMemo(
  stateAt: (ms: number) => WindowState,
  prevTransition: (ms: number) => number | null,
  nextTransition: (ms: number) => number | null,
): (ms: number) => WindowSegment {
  const segments: WindowSegment[] = [];
  return (ms) => {
    for (const seg of segments) {
      if ((seg.prev === null || seg.prev <= ms) && seg.next !== null && ms < seg.next) {
        // A closed stretch can span several calendar entries; say which one covers this instant.
        return seg.closedBy === null ? seg : { ...seg, ...stateAt(ms) };
      }
    }
    const seg: WindowSegment = { ...stateAt(ms), prev: prevTransition(ms), next: nextTransition(ms) };
    if (seg.next !== null && (seg.prev === null || seg.prev <= ms)) {
      segments.unshift(seg);
      if (segments.length > 8) segments.pop();
    }
    return seg;
  };
}
