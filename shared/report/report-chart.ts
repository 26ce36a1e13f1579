/**
 * One resource's timeline as SVG, top to bottom: day labels, the running window as a strip of its
 * own (never under the states), alerts and events that decided nothing, the state band, action and
 * skip markers, and the skips' reasons written out under them (readable without hovering).
 */
import { DateTime } from 'luxon';
import type {
  ActionRecord,
  AlertRecord,
  EventRecord,
  SkipRecord,
  StateRecord,
  TimelineRecord,
} from '../simulation/timeline.ts';
import { escapeHtml, fmt } from './report-text.ts';

export interface Lane {
  states: StateRecord[];
  actions: ActionRecord[];
  skips: SkipRecord[];
  alerts: AlertRecord[];
  events: EventRecord[];
}

export interface ChartInput {
  from: number;
  to: number;
  windows: readonly { start: number; end: number; policy: string }[];
}

export const WIDTH = 1000;
const DAY_Y = 11;
const WINDOW_Y = 15;
const WINDOW_H = 6;
const MARK_Y = 23;
const BAND_Y = 31;
const BAND_H = 22;
const MARKER_Y = BAND_Y + BAND_H + 2;
const BASE_HEIGHT = 70;
const LABEL_ROW = 12;
const MAX_LABEL_ROWS = 3;
/** Width of one character of the 10px label font, to keep labels from running into each other. */
const CHAR_W = 5.6;
const MAX_LABEL_CHARS = 90;

export function lanes(records: readonly TimelineRecord[]): Map<string, Lane> {
  const by = new Map<string, Lane>();
  const lane = (name: string) => {
    let l = by.get(name);
    if (l === undefined) {
      l = { states: [], actions: [], skips: [], alerts: [], events: [] };
      by.set(name, l);
    }
    return l;
  };
  for (const r of records) {
    if (r.type === 'state') lane(r.resource).states.push(r);
    else if (r.type === 'action') lane(r.resource).actions.push(r);
    else if (r.type === 'skipped') lane(r.resource).skips.push(r);
    else if (r.type === 'event') lane(r.resource).events.push(r);
    // A run digest shows on the timeline of every resource it lists.
    else for (const name of r.listed ?? [r.resource]) lane(name).alerts.push(r);
  }
  return by;
}

const STATE_CLASS: Record<string, string> = {
  available: 'st-available',
  paused: 'st-paused',
  pausing: 'st-transition',
  resuming: 'st-transition',
  modifying: 'st-modifying',
  resizing: 'st-modifying',
  rebooting: 'st-modifying',
  'available, prep-for-resize': 'st-modifying',
  'available, resize-cleanup': 'st-modifying',
  deleted: 'st-gone',
  deleting: 'st-gone',
};

type X = (at: string | number) => number;

function grid(zone: string, input: ChartInput, x: X, height: number): string[] {
  const parts: string[] = [];
  // Local midnights of the resource's zone: the grid people read a week by.
  let day = DateTime.fromMillis(input.from, { zone }).startOf('day');
  while (day.toMillis() < input.to) {
    if (day.toMillis() >= input.from) {
      const dx = fmt(x(day.toMillis()));
      parts.push(`<line class="grid" x1="${dx}" x2="${dx}" y1="0" y2="${height}"/>`);
    }
    const label = day.plus({ hours: 12 }).toMillis();
    if (label > input.from && label < input.to) {
      parts.push(
        `<text class="day" x="${fmt(x(label))}" y="${DAY_Y}">${escapeHtml(day.toFormat('ccc dd LLL'))}</text>`,
      );
    }
    day = day.plus({ days: 1 });
  }
  return parts;
}

function windows(input: ChartInput, x: X): string[] {
  return input.windows.map((w) => {
    const title = `running window of ${w.policy}: ${new Date(w.start).toISOString()} .. ${new Date(w.end).toISOString()}`;
    return `<rect class="running-window" data-policy="${escapeHtml(w.policy)}" x="${fmt(x(w.start))}" y="${WINDOW_Y}" width="${fmt(Math.max(x(w.end) - x(w.start), 0.5))}" height="${WINDOW_H}"><title>${escapeHtml(title)}</title></rect>`;
  });
}

function states(lane: Lane | undefined, input: ChartInput, x: X): string[] {
  const parts: string[] = [];
  const list = lane?.states ?? [];
  list.forEach((s, i) => {
    const start = Date.parse(s.at);
    const end = i + 1 < list.length ? Date.parse((list[i + 1] as StateRecord).at) : input.to;
    if (end <= start && i + 1 < list.length) return;
    const w = Math.max(x(end) - x(start), 0.5);
    const capacity = s.capacity === undefined ? '' : ` ${s.capacity} RPU`;
    parts.push(
      `<rect class="band ${STATE_CLASS[s.to] ?? 'st-other'}" data-state="${escapeHtml(s.to)}" x="${fmt(x(start))}" y="${BAND_Y}" width="${fmt(w)}" height="${BAND_H}"><title>${escapeHtml(`${s.to}${capacity} from ${s.at}`)}</title></rect>`,
    );
    if (s.capacity !== undefined && w > 40) {
      parts.push(`<text class="cap" x="${fmt(x(start) + 3)}" y="${BAND_Y + 15}">${s.capacity}</text>`);
    }
  });
  return parts;
}

/** A marker's x, kept whole inside the chart (a skip at the period's start is drawn at its edge, not half cut off). */
const inside = (v: number) => Math.min(Math.max(v, 5), WIDTH - 5);

function markers(lane: Lane | undefined, x: X): string[] {
  const parts: string[] = [];
  for (const a of lane?.actions ?? []) {
    const ax = inside(x(a.at));
    const title = `${a.at} ${a.action} ${a.outcome} (${a.policy}): ${a.reason}${a.outcomeReason === null ? '' : `; ${a.outcomeReason}`}`;
    parts.push(
      `<path class="marker action oc-${escapeHtml(a.outcome)}" data-action="${escapeHtml(a.action)}" data-outcome="${escapeHtml(a.outcome)}" d="M${fmt(ax - 5)},${MARKER_Y + 9} L${fmt(ax + 5)},${MARKER_Y + 9} L${fmt(ax)},${MARKER_Y} Z"><title>${escapeHtml(title)}</title></path>`,
    );
  }
  for (const s of lane?.skips ?? []) {
    const sx = inside(x(s.at));
    parts.push(
      `<path class="marker skip" data-policy="${escapeHtml(s.policy)}" data-by="${s.by}" d="M${fmt(sx - 4)},${MARKER_Y} L${fmt(sx + 4)},${MARKER_Y + 8} M${fmt(sx + 4)},${MARKER_Y} L${fmt(sx - 4)},${MARKER_Y + 8}"><title>${escapeHtml(`${s.at} skipped ${s.action ?? ''} (${s.policy}): ${s.reason}`)}</title></path>`,
    );
  }
  for (const a of lane?.alerts ?? []) {
    parts.push(
      `<circle class="marker alert sev-${escapeHtml(a.severity)}" cx="${fmt(x(a.at))}" cy="${MARK_Y + 3}" r="3"><title>${escapeHtml(`${a.at} ${a.severity}: ${a.subject}`)}</title></circle>`,
    );
  }
  for (const e of lane?.events ?? []) {
    parts.push(
      `<rect class="marker event ev-${escapeHtml(e.outcome)}" x="${fmt(x(e.at) - 3)}" y="${MARK_Y}" width="6" height="6"><title>${escapeHtml(`${e.at} ${e.eventId ?? 'event'} decided nothing (${e.outcome}): ${e.reason}`)}</title></rect>`,
    );
  }
  return parts;
}

/**
 * Each skip's reason as text next to its marker, on the first of a few rows where it does not run
 * into the one before; a skip with no room left keeps its marker (the list under the chart names it).
 */
function skipLabels(lane: Lane | undefined, x: X): { parts: string[]; rows: number } {
  const rowEnds: number[] = [];
  const parts: string[] = [];
  for (const s of lane?.skips ?? []) {
    const full = `✕ ${s.policy}: ${s.reason}`;
    const text = full.length > MAX_LABEL_CHARS ? `${full.slice(0, MAX_LABEL_CHARS - 1)}…` : full;
    const width = text.length * CHAR_W;
    const sx = inside(x(s.at)) - 4;
    const atEnd = sx + width > WIDTH;
    const [left, right] = atEnd ? [sx - width, sx] : [sx, sx + width];
    let row = rowEnds.findIndex((end) => end < left);
    if (row === -1 && rowEnds.length < MAX_LABEL_ROWS) row = rowEnds.push(0) - 1;
    if (row === -1) continue;
    rowEnds[row] = right + 8;
    const y = BASE_HEIGHT + LABEL_ROW * row + 8;
    parts.push(
      `<text class="skip-label" data-policy="${escapeHtml(s.policy)}" x="${fmt(sx)}" y="${y}" text-anchor="${atEnd ? 'end' : 'start'}">${escapeHtml(text)}</text>`,
    );
  }
  return { parts, rows: rowEnds.length };
}

export function chart(name: string, zone: string, lane: Lane | undefined, input: ChartInput): string {
  const span = input.to - input.from;
  const x: X = (at) => {
    const ms = typeof at === 'number' ? at : Date.parse(at);
    return ((Math.min(Math.max(ms, input.from), input.to) - input.from) / span) * WIDTH;
  };
  const labels = skipLabels(lane, x);
  const height = BASE_HEIGHT + LABEL_ROW * labels.rows + (labels.rows > 0 ? 2 : 0);
  const parts = [
    ...grid(zone, input, x, height),
    ...windows(input, x),
    ...states(lane, input, x),
    ...markers(lane, x),
    ...labels.parts,
  ];
  return `<svg class="timeline" data-resource="${escapeHtml(name)}" viewBox="0 0 ${WIDTH} ${height}" style="height:${height}px" preserveAspectRatio="none" role="img" aria-label="${escapeHtml(`timeline of ${name}`)}">${parts.join('')}</svg>`;
}
