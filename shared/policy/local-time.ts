import { DateTime, IANAZone } from 'luxon';

/**
 * Wall-clock → instant resolution with the DST rules the policy language promises:
 * - a wall time that does not exist (spring-forward gap) happens at the first valid instant after it
 *   (the moment the clocks jump), not "one hour later" as luxon's default would give;
 * - a wall time that exists twice (fall-back overlap) happens once, at its first occurrence
 *   (luxon's default picks the second one).
 * Everything here works on epoch milliseconds and plain numbers so decide() stays cheap.
 */

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

const zoneCache = new Map<string, IANAZone | null>();

/** The IANA zone, or null when the name is not a valid IANA zone (luxon knows the tz database). */
export function ianaZone(name: string): IANAZone | null {
  let zone = zoneCache.get(name);
  if (zone === undefined) {
    zone = IANAZone.isValidZone(name) ? IANAZone.create(name) : null;
    zoneCache.set(name, zone);
  }
  return zone;
}

const QUARTER_MS = 15 * 60_000;
const offsetCaches = new WeakMap<IANAZone, Map<number, number>>();

/**
 * The zone's UTC offset in minutes at an instant. luxon asks Intl each time (microseconds); offsets
 * only change on quarter-hour UTC instants in the tz database, so a memo per quarter hour is exact.
 */
export function offsetAt(zone: IANAZone, ms: number): number {
  let cache = offsetCaches.get(zone);
  if (cache === undefined) {
    cache = new Map();
    offsetCaches.set(zone, cache);
  }
  const quarter = Math.floor(ms / QUARTER_MS);
  let offset = cache.get(quarter);
  if (offset === undefined) {
    offset = zone.offset(quarter * QUARTER_MS);
    if (cache.size > 200_000) cache.clear();
    cache.set(quarter, offset);
  }
  return offset;
}

export function isValidZone(name: string): boolean {
  return ianaZone(name) !== null;
}

/** A local calendar day as an integer count of days since 1970-01-01 (timezone-free arithmetic). */
export type DayNumber = number;

export function dayNumberFromIsoDate(iso: string): DayNumber {
  return Math.floor(Date.UTC(Number(iso.slice(0, 4)), Number(iso.slice(5, 7)) - 1, Number(iso.slice(8, 10))) / DAY_MS);
}

export function isoDateFromDayNumber(day: DayNumber): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** ISO weekday (1 = Monday … 7 = Sunday) of a day number. 1970-01-01 was a Thursday. */
export function weekdayOfDay(day: DayNumber): number {
  return ((((day + 3) % 7) + 7) % 7) + 1;
}

/** The local day (in `zone`) an instant falls on. */
export function localDayOf(ms: number, zone: IANAZone): DayNumber {
  return Math.floor((ms + offsetAt(zone, ms) * MINUTE_MS) / DAY_MS);
}

/** Minutes since local midnight of an instant. */
export function localMinuteOf(ms: number, zone: IANAZone): number {
  const local = ms + offsetAt(zone, ms) * MINUTE_MS;
  return Math.floor((((local % DAY_MS) + DAY_MS) % DAY_MS) / MINUTE_MS);
}

/**
 * The instant of local wall time `minuteOfDay` (0…1440) on local `day`, with the DST rules above.
 * 1440 means the following midnight.
 */
export function resolveLocal(day: DayNumber, minuteOfDay: number, zone: IANAZone): number {
  const wall = day * DAY_MS + minuteOfDay * MINUTE_MS;
  // Real zones change offset at most once within a day, so the offsets a day either side bound the options.
  const before = offsetAt(zone, wall - DAY_MS);
  const after = offsetAt(zone, wall + DAY_MS);
  let best: number | null = null;
  for (const offset of before === after ? [before] : [before, after]) {
    const candidate = wall - offset * MINUTE_MS;
    if (offsetAt(zone, candidate) === offset && (best === null || candidate < best)) best = candidate;
  }
  if (best !== null) return best;
  // In a gap: the first valid instant after is the transition itself. Between wall-after and
  // wall-before the offset flips exactly once; find that minute.
  let lo = wall - after * MINUTE_MS;
  let hi = wall - before * MINUTE_MS;
  if (lo > hi) [lo, hi] = [hi, lo];
  const offsetAtLo = offsetAt(zone, lo);
  while (hi - lo > MINUTE_MS) {
    const mid = lo + Math.floor((hi - lo) / 2 / MINUTE_MS) * MINUTE_MS;
    if (offsetAt(zone, mid) === offsetAtLo) lo = mid;
    else hi = mid;
  }
  return hi;
}

const minuteTexts = new Map<number, string>();

/**
 * `2026-12-07T06:00Z`: minute precision, the form reasons use. Memoised by instant: a sweep writes the
 * same boundary into the reason of every resource of a policy.
 */
export function formatUtcMinute(ms: number): string {
  let text = minuteTexts.get(ms);
  if (text === undefined) {
    text = `${new Date(ms).toISOString().slice(0, 16)}Z`;
    if (minuteTexts.size >= 10_000) minuteTexts.clear();
    minuteTexts.set(ms, text);
  }
  return text;
}

/** `2026-12-07 Mon 07:00 CET`: for people reading a plan. */
export function formatLocal(ms: number, zoneName: string): string {
  return DateTime.fromMillis(ms, { zone: zoneName }).toFormat('yyyy-MM-dd ccc HH:mm ZZ');
}

/**
 * Parse an ISO 8601 instant. Accepts `2026-12-01T18:00Z` (no seconds) as well as full forms; an
 * instant without an offset is rejected because the tag or file that carries it has no zone.
 */
export function parseInstant(text: string): number | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(text)) return null;
  const dt = DateTime.fromISO(text, { setZone: true });
  return dt.isValid ? dt.toMillis() : null;
}

/** Parse a local date-time (`2026-12-20T00:00`, no offset) in `zone` with the DST rules above. */
export function parseLocalDateTime(text: string, zone: IANAZone): number | null {
  const m = /^(\d{4}-\d{2}-\d{2})(?:T(\d{2}):(\d{2}))?$/.exec(text);
  if (m === null || m[1] === undefined) return null;
  if (!isValidIsoDate(m[1])) return null;
  const hour = m[2] === undefined ? 0 : Number(m[2]);
  const minute = m[3] === undefined ? 0 : Number(m[3]);
  if (hour > 24 || minute > 59 || (hour === 24 && minute !== 0)) return null;
  return resolveLocal(dayNumberFromIsoDate(m[1]), hour * 60 + minute, zone);
}

export function isValidIsoDate(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  return isoDateFromDayNumber(dayNumberFromIsoDate(text)) === text;
}
