/**
 * The window form people write: `Mon-Fri 07:00-19:00`, `Sat 10:00-14:00`, `Mon,Wed 08:00-12:00`,
 * `daily 00:00-06:00`, `Fri 22:00-02:00` (crosses midnight; belongs to the day it starts on).
 */

export const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'] as const;

export interface WindowRange {
  /** As written, for reasons and reports. */
  text: string;
  /** ISO weekdays (1 = Monday … 7 = Sunday) on which the range starts. */
  days: ReadonlySet<number>;
  /** Minutes after local midnight, 0…1439. */
  start: number;
  /** Minutes after local midnight, 1…1440; `end <= start` means the range ends on the next day. */
  end: number;
  crossesMidnight: boolean;
}

export type WindowSpecResult = { ok: true; range: WindowRange } | { ok: false; message: string };

const EXPECTED =
  'expected "<days> HH:MM-HH:MM" such as "Mon-Fri 07:00-19:00", "Sat 10:00-14:00", "Mon,Wed 08:00-12:00" or "daily 00:00-06:00"';

function weekdayIndex(token: string): number | null {
  const i = WEEKDAYS.findIndex((d) => d.toLowerCase() === token.toLowerCase());
  return i === -1 ? null : i + 1;
}

function parseDays(text: string): Set<number> | { what: string; expected: string } {
  if (text.toLowerCase() === 'daily') return new Set([1, 2, 3, 4, 5, 6, 7]);
  const days = new Set<number>();
  for (const part of text.split(',')) {
    const [from, to, ...rest] = part.split('-');
    if (from === undefined || rest.length > 0) {
      return { what: `"${part}" is not a day or day range`, expected: 'a day such as Mon or a range such as Mon-Fri' };
    }
    const a = weekdayIndex(from);
    if (a === null) return { what: `"${from}" is not a day`, expected: `one of ${WEEKDAYS.join(', ')} or "daily"` };
    if (to === undefined) {
      days.add(a);
      continue;
    }
    const b = weekdayIndex(to);
    if (b === null) return { what: `"${to}" is not a day`, expected: `one of ${WEEKDAYS.join(', ')}` };
    // Ranges wrap around the week: `Fri-Mon` is Fri, Sat, Sun, Mon.
    for (let d = a; ; d = (d % 7) + 1) {
      days.add(d);
      if (d === b) break;
    }
  }
  return days;
}

function parseClock(text: string, allow24: boolean): number | null {
  const m = /^(\d{2}):(\d{2})$/.exec(text);
  if (m === null) return null;
  const h = Number(m[1]);
  const min = Number(m[2]);
  if (min > 59) return null;
  if (h === 24 && min === 0 && allow24) return 1440;
  if (h > 23) return null;
  return h * 60 + min;
}

export function parseWindowSpec(text: string): WindowSpecResult {
  const m = /^\s*(\S+)\s+(\S+)-(\S+)\s*$/.exec(text);
  if (m === null || m[1] === undefined || m[2] === undefined || m[3] === undefined) {
    return { ok: false, message: `"${text}" is not a window; ${EXPECTED}` };
  }
  const days = parseDays(m[1]);
  if (!(days instanceof Set))
    return { ok: false, message: `${days.what} in window "${text}"; expected ${days.expected}` };
  const start = parseClock(m[2], false);
  if (start === null) {
    return {
      ok: false,
      message: `"${m[2]}" is not a start time in window "${text}"; expected HH:MM from 00:00 to 23:59`,
    };
  }
  const end = parseClock(m[3], true);
  if (end === null) {
    return {
      ok: false,
      message: `"${m[3]}" is not an end time in window "${text}"; expected HH:MM from 00:00 to 24:00`,
    };
  }
  if (end === start) {
    return {
      ok: false,
      message: `window "${text.trim()}" is empty: it starts and ends at ${m[2]}; expected an end different from the start (an end before the start, like 19:00-07:00, runs into the next day)`,
    };
  }
  return { ok: true, range: { text: text.trim(), days, start, end, crossesMidnight: end <= start } };
}
