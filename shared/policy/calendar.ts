import type { IANAZone } from 'luxon';
import {
  type DayNumber,
  dayNumberFromIsoDate,
  ianaZone,
  isoDateFromDayNumber,
  localDayOf,
  parseLocalDateTime,
  resolveLocal,
} from './local-time.ts';

/**
 * Calendars: named sets of whole local days (`dates`) and local date-time ranges (`ranges`,
 * `[from, to)`). A calendar has no zone of its own unless it says so: it is read in the zone of the
 * policy that uses it, which is what "Christmas Eve" means to the people of that policy.
 */
export interface CalendarDefinition {
  name: string;
  dates: readonly string[];
  ranges: readonly { from: string; to: string }[];
  timezone: string | null;
}

export interface CompiledCalendar {
  name: string;
  zoneName: string;
  /** True when the instant falls on one of the dates or inside one of the ranges. */
  contains(ms: number): boolean;
  /** True when the local day (in the calendar's zone) is one of the dates. */
  hasDate(day: DayNumber): boolean;
  /** What covers the instant, for reasons: `2026-12-24` or `2026-12-20T00:00/2027-01-04T00:00`. */
  explain(ms: number): string | null;
  /** Instants where membership may change, sorted: range ends and the midnights around each date. */
  boundaries: readonly number[];
}

export function compileCalendar(def: CalendarDefinition, policyZone: string): CompiledCalendar {
  const zoneName = def.timezone ?? policyZone;
  const zone = ianaZone(zoneName) as IANAZone;
  const dates = new Set(def.dates.map(dayNumberFromIsoDate));
  const ranges = def.ranges.map((r) => ({
    text: `${r.from}/${r.to}`,
    from: parseLocalDateTime(r.from, zone) ?? Number.NaN,
    to: parseLocalDateTime(r.to, zone) ?? Number.NaN,
  }));
  const boundaries: number[] = [];
  for (const day of dates) boundaries.push(resolveLocal(day, 0, zone), resolveLocal(day + 1, 0, zone));
  for (const r of ranges) boundaries.push(r.from, r.to);
  boundaries.sort((a, b) => a - b);
  const explain = (ms: number): string | null => {
    const day = localDayOf(ms, zone);
    if (dates.has(day)) return isoDateFromDayNumber(day);
    for (const r of ranges) if (ms >= r.from && ms < r.to) return r.text;
    return null;
  };
  return {
    name: def.name,
    zoneName,
    contains: (ms) => explain(ms) !== null,
    hasDate: (day) => dates.has(day),
    explain,
    boundaries,
  };
}
