import { Cron } from 'croner';
import { DateTime, type IANAZone } from 'luxon';
import { ianaZone, isValidZone, offsetAt } from './local-time.ts';

/**
 * AWS schedule expressions, evaluated in an IANA zone (AWS itself reads them in UTC):
 * - `rate(5 minutes)`, `rate(1 hour)`, `rate(2 days)`: every N units, anchored at 1970-01-01T00:00Z
 *   so the occurrences are the same on every run (AWS anchors at creation time, which a pure engine
 *   does not know).
 * - `cron(Minutes Hours Day-of-month Month Day-of-week Year)`: the six-field AWS form. Exactly one of
 *   Day-of-month / Day-of-week is `?`. Supported: numbers, names (JAN-DEC, SUN-SAT), `*`, `,`, `-`,
 *   `/`, `L` in Day-of-month, `nL` (last weekday n of the month) and `n#k` (k-th weekday n) in
 *   Day-of-week. AWS numbers weekdays 1 = SUN … 7 = SAT. `W` (nearest weekday) is rejected: croner,
 *   which evaluates the other five fields, has no equivalent. The Year field is checked here.
 */
export interface CompiledSchedule {
  expression: string;
  zoneName: string;
  /** First occurrence strictly after `ms`, or null. */
  nextAfter(ms: number): number | null;
  /** Last occurrence at or before `ms` and after `notBefore`, or null. */
  lastAtOrBefore(ms: number, notBefore: number): number | null;
  /**
   * The shortest time between two occurrences, in local time (a DST change aside): the rate's period;
   * for a cron, from its Minutes and Hours (the next day's first time counted after the day's last).
   */
  minGapMs: number;
}

/**
 * A schedule a compiled capability runs on, for the loader's checks that do not depend on the
 * capability: it fires again after now, and no more often than `minIntervalMs`.
 */
export interface ScheduleUse {
  /** Where the expression is, relative to the policy (`['snapshots', 'schedule']`). */
  path: readonly (string | number)[];
  schedule: CompiledSchedule;
  /** What fires, for messages ("snapshots"). */
  what: string;
  minIntervalMs?: number;
  /** Why the limit, for messages ("a custom snapshot schedule's minimum gap"). */
  limitReason?: string;
}

export type ScheduleResult = { ok: true; schedule: CompiledSchedule } | { ok: false; message: string };

const RATE_UNITS = { minute: 60_000, hour: 3_600_000, day: 86_400_000 } as const;
const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const AWS_DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];
const FIELD_NAMES = ['Minutes', 'Hours', 'Day-of-month', 'Month', 'Day-of-week', 'Year'] as const;
const FIELD_LIMITS: Record<(typeof FIELD_NAMES)[number], [number, number]> = {
  Minutes: [0, 59],
  Hours: [0, 23],
  'Day-of-month': [1, 31],
  Month: [1, 12],
  'Day-of-week': [1, 7],
  Year: [1970, 2199],
};

function fail(expression: string, what: string): ScheduleResult {
  return { ok: false, message: `"${expression}" is not a valid schedule: ${what}` };
}

export function compileSchedule(expression: string, zoneName: string): ScheduleResult {
  if (!isValidZone(zoneName)) return fail(expression, `unknown time zone "${zoneName}"`);
  const rate = /^rate\((.*)\)$/.exec(expression);
  if (rate !== null) return compileRate(expression, rate[1] ?? '', zoneName);
  const cron = /^cron\((.*)\)$/.exec(expression);
  if (cron !== null) return compileCron(expression, cron[1] ?? '', zoneName);
  return fail(
    expression,
    'expected cron(Minutes Hours Day-of-month Month Day-of-week Year) or rate(N minutes|hours|days)',
  );
}

function compileRate(expression: string, body: string, zoneName: string): ScheduleResult {
  const m = /^\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*$/.exec(body);
  if (m === null) return fail(expression, 'expected rate(N minutes|hours|days), e.g. rate(5 minutes)');
  const n = Number(m[1]);
  const unit = (m[2] ?? '').replace(/s$/, '') as keyof typeof RATE_UNITS;
  if (n < 1) return fail(expression, 'the rate must be at least 1');
  if ((n === 1) !== !(m[2] ?? '').endsWith('s')) {
    return fail(
      expression,
      `use "${n} ${n === 1 ? unit : `${unit}s`}" (AWS requires the singular unit for 1 and the plural otherwise)`,
    );
  }
  const period = n * RATE_UNITS[unit];
  return {
    ok: true,
    schedule: {
      expression,
      zoneName,
      minGapMs: period,
      nextAfter: (ms) => (Math.floor(ms / period) + 1) * period,
      lastAtOrBefore: (ms, notBefore) => {
        const last = Math.floor(ms / period) * period;
        return last > notBefore ? last : null;
      },
    },
  };
}

/** Validate one field against AWS's rules and translate it to croner syntax. */
function translateField(field: (typeof FIELD_NAMES)[number], raw: string): string | { error: string } {
  const [lo, hi] = FIELD_LIMITS[field];
  const names = field === 'Month' ? MONTHS : field === 'Day-of-week' ? AWS_DAYS : null;
  if (raw === '?') {
    return field === 'Day-of-month' || field === 'Day-of-week'
      ? '*'
      : { error: `${field} "?" is only allowed in Day-of-month or Day-of-week` };
  }
  if (raw.includes('W')) return { error: `${field} "${raw}": W (nearest weekday) is not supported` };
  const toNumber = (token: string): number | null => {
    const upper = token.toUpperCase();
    if (names !== null) {
      const i = names.indexOf(upper);
      if (i !== -1) return i + 1;
    }
    if (!/^\d+$/.test(token)) return null;
    const n = Number(token);
    return n >= lo && n <= hi ? n : null;
  };
  // Croner numbers weekdays 0 = SUN … 6 = SAT; AWS 1 = SUN … 7 = SAT.
  const out = (n: number) => String(field === 'Day-of-week' ? n - 1 : n);
  const parts: string[] = [];
  for (const part of raw.split(',')) {
    if (part === '') return { error: `${field} "${raw}" has an empty list item` };
    if (field === 'Day-of-month' && part === 'L') {
      parts.push('L');
      continue;
    }
    if (field === 'Day-of-week') {
      const last = /^(\w+)L$/.exec(part);
      const nth = /^(\w+)#([1-5])$/.exec(part);
      if (last !== null || nth !== null) {
        const day = toNumber((last ?? nth)?.[1] ?? '');
        if (day === null) return { error: `Day-of-week "${part}": expected 1-7 or SUN-SAT before ${last ? 'L' : '#'}` };
        parts.push(`${out(day)}#${last !== null ? 'L' : (nth?.[2] ?? '')}`);
        continue;
      }
    }
    const [range, step, ...extra] = part.split('/');
    if (extra.length > 0 || range === undefined) return { error: `${field} "${part}" has more than one "/"` };
    if (step !== undefined && (!/^\d+$/.test(step) || Number(step) < 1)) {
      return { error: `${field} "${part}": the step after "/" must be a positive number` };
    }
    let translated: string;
    if (range === '*') translated = '*';
    else {
      const [a, b, ...more] = range.split('-');
      if (more.length > 0 || a === undefined) return { error: `${field} "${part}" is not a value or range` };
      const from = toNumber(a);
      if (from === null)
        return {
          error: `${field} value "${a}" is out of range; expected ${lo}-${hi}${names ? ` or ${names[0]}-${names[names.length - 1]}` : ''}`,
        };
      if (b === undefined) translated = out(from);
      else {
        const to = toNumber(b);
        if (to === null)
          return {
            error: `${field} value "${b}" is out of range; expected ${lo}-${hi}${names ? ` or ${names[0]}-${names[names.length - 1]}` : ''}`,
          };
        if (to < from) return { error: `${field} range "${range}" ends before it starts` };
        translated = `${out(from)}-${out(to)}`;
      }
    }
    parts.push(step === undefined ? translated : `${translated}/${step}`);
  }
  return parts.join(',');
}

function yearPredicate(raw: string): ((year: number) => boolean) | { error: string } {
  const translated = translateField('Year', raw);
  if (typeof translated !== 'string') return translated;
  const tests: ((y: number) => boolean)[] = [];
  for (const part of translated.split(',')) {
    const [range = '*', stepText] = part.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    const [a, b] = range === '*' ? [1970, 2199] : range.split('-').map(Number);
    const from = a ?? 1970;
    const to = b ?? (range === '*' || stepText !== undefined ? 2199 : from);
    tests.push((y) => y >= from && y <= to && (y - from) % step === 0);
  }
  return (year) => tests.some((t) => t(year));
}

/** From here a schedule that fires at all has a next occurrence (the Year field starts at 1970). */
const NEVER_FROM_MS = Date.UTC(1970, 0, 1) - 1;
const LAST_YEAR = FIELD_LIMITS.Year[1];

/** croner's next run, skipping the years the Year field excludes a year at a time. */
function nextAfterInYears(
  cron: Cron,
  inYear: (year: number) => boolean,
  zoneName: string,
): (ms: number) => number | null {
  return (ms) => {
    let from = ms;
    for (let i = 0; i <= LAST_YEAR - 1970 + 1; i++) {
      const next = cron.nextRun(new Date(from));
      if (next === null) return null;
      const at = next.getTime();
      const year = DateTime.fromMillis(at, { zone: zoneName }).year;
      if (inYear(year)) return at;
      let y = year + 1;
      while (y <= LAST_YEAR && !inYear(y)) y++;
      if (y > LAST_YEAR) return null;
      from = DateTime.fromObject({ year: y }, { zone: zoneName }).toMillis() - 1;
    }
    return null;
  };
}

function neverFires(dom: string, month: string, dow: string, year: string): string {
  const inYear = year === '*' ? '' : ` of Year "${year}"`;
  return dow === '?'
    ? `it never fires: Day-of-month "${dom}" does not occur in Month "${month}"${inYear}; expected a day that exists in that month (L for the last day)`
    : `it never fires: Day-of-week "${dow}" does not occur in Month "${month}"${inYear}; expected a weekday that occurs in that month`;
}

/** The values a translated (croner) Minutes or Hours field matches. */
function expandField(field: string, lo: number, hi: number): number[] {
  const values = new Set<number>();
  for (const part of field.split(',')) {
    const [range = '*', stepText] = part.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    const [a, b] = range === '*' ? [lo, hi] : range.split('-').map(Number);
    const from = a ?? lo;
    const to = b ?? (range === '*' || stepText !== undefined ? hi : from);
    for (let v = from; v <= to; v += step) values.add(v);
  }
  return [...values].sort((x, y) => x - y);
}

function minCronGapMs(minutes: string, hours: string): number {
  const times: number[] = [];
  for (const h of expandField(hours, 0, 23)) for (const m of expandField(minutes, 0, 59)) times.push(h * 60 + m);
  // The next day's first time after the day's last: counted always, as if consecutive days matched.
  let gap = 1_440 - (times[times.length - 1] ?? 0) + (times[0] ?? 0);
  for (let i = 1; i < times.length; i++) gap = Math.min(gap, (times[i] as number) - (times[i - 1] as number));
  return gap * 60_000;
}

/** Larger than any DST shift (1 h; 30 min on Lord Howe Island). */
const DST_MARGIN_MS = 3 * 3_600_000;

function compileCron(expression: string, body: string, zoneName: string): ScheduleResult {
  const fields = body.trim().split(/\s+/);
  if (fields.length !== 6) {
    return fail(
      expression,
      `expected 6 fields (Minutes Hours Day-of-month Month Day-of-week Year), got ${fields.length}`,
    );
  }
  const [min, hour, dom, month, dow, year] = fields as [string, string, string, string, string, string];
  if ((dom === '?') === (dow === '?')) {
    return fail(expression, 'exactly one of Day-of-month and Day-of-week must be "?"');
  }
  const translated: string[] = [];
  for (const [i, raw] of [min, hour, dom, month, dow].entries()) {
    const result = translateField(FIELD_NAMES[i] as (typeof FIELD_NAMES)[number], raw);
    if (typeof result !== 'string') return fail(expression, result.error);
    translated.push(result);
  }
  const inYear = yearPredicate(year);
  if (typeof inYear !== 'function') return fail(expression, inYear.error);
  let cron: Cron;
  try {
    cron = new Cron(`0 ${translated.join(' ')}`, { timezone: zoneName, paused: true, legacyMode: true });
  } catch (error) {
    return fail(expression, error instanceof Error ? error.message : String(error));
  }
  const computeNextAfter = nextAfterInYears(cron, inYear, zoneName);
  if (computeNextAfter(NEVER_FROM_MS) === null) return fail(expression, neverFires(dom, month, dow, year));
  const nextMemo = new MinuteMemo();
  const zone = ianaZone(zoneName);
  // Spans [from, to) in which nextAfter is `to` (see FixedOffsetSpans): most questions fall in one.
  const spans = new FixedOffsetSpans();
  const nextAfter = (ms: number): number | null => {
    const known = spans.find(ms);
    if (known !== null) return known;
    const next = nextMemo.get(ms, ms, computeNextAfter);
    if (next !== null && zone !== null) spans.learn(zone, ms, next);
    return next;
  };
  const computeLast = (ms: number, notBefore: number): number | null => {
    // Scan from a few hours earlier: asked from inside a repeated (DST fall-back) hour, croner's
    // next run skips that day's occurrence, which would lose the day's slot.
    let last: number | null = null;
    for (let at = nextAfter(notBefore - DST_MARGIN_MS); at !== null && at <= ms; at = nextAfter(at)) {
      if (at > notBefore) last = at;
    }
    return last;
  };
  const lastMemo = new MinuteMemo();
  return {
    ok: true,
    schedule: {
      expression,
      zoneName,
      nextAfter,
      lastAtOrBefore: (ms, notBefore) => lastMemo.get(ms, notBefore, computeLast),
      minGapMs: minCronGapMs(translated[0] as string, translated[1] as string),
    },
  };
}

/**
 * Croner walks the calendar in the zone on every call: a snapshot policy asks for its due slot on every
 * decide() call, which made croner a quarter of decide()'s time. The answers only depend on the minutes
 * the arguments fall in — occurrences are whole minutes (seconds field 0), croner's next run from any
 * instant inside a minute is the same, and `at <= ms` / `at > notBefore` hold alike for every instant of
 * the minute — so they are memoised per (minute of ms, minute of notBefore). The memo is a cache of a
 * pure function: decide() stays pure. Before 1973 some zones still had offsets in seconds (LMT), so
 * those instants are not memoised. Bounded: cleared when full (a Lambda container lives for hours).
 */
const MINUTE_MS = 60_000;
const MEMO_FROM_MS = Date.UTC(1973, 0, 1);
const MEMO_MAX_ENTRIES = 4_096;
const GAP_LIMIT = 2 ** 25;
/** 2^27 minutes after 1973 (year 2228) times 2^26 stays below 2^53. */
const MINUTE_LIMIT = 2 ** 27;

class MinuteMemo {
  readonly #entries = new Map<number, number | null>();

  /** compute(ms, notBefore), from the memo when both fall in minutes already asked about. */
  get(ms: number, notBefore: number, compute: (ms: number, notBefore: number) => number | null): number | null {
    if (ms < MEMO_FROM_MS || notBefore < MEMO_FROM_MS) return compute(ms, notBefore);
    // One number key (no string building on the hot path): minutes since 1973 fit in 23 bits for
    // centuries, so minute(ms) * 2^26 + (minute(ms) - minute(notBefore)) is exact in a double as long
    // as the gap stays below 2^26 minutes (127 years); otherwise compute.
    const minute = Math.floor((ms - MEMO_FROM_MS) / MINUTE_MS);
    const gap = minute - Math.floor((notBefore - MEMO_FROM_MS) / MINUTE_MS);
    if (minute >= MINUTE_LIMIT || gap < -GAP_LIMIT || gap >= GAP_LIMIT) return compute(ms, notBefore);
    const key = minute * (2 * GAP_LIMIT) + (gap + GAP_LIMIT);
    const hit = this.#entries.get(key);
    if (hit !== undefined) return hit;
    const value = compute(ms, notBefore);
    if (this.#entries.size >= MEMO_MAX_ENTRIES) this.#entries.clear();
    this.#entries.set(key, value);
    return value;
  }
}

/**
 * Where the zone's UTC offset does not change, croner's next run after x is the first whole-minute
 * local time > x matching the pattern: having found `to` = nextAfter(from), there is no occurrence in
 * (from, to), so nextAfter(x) = `to` for every x in [from, to). A reconcile sweep or a stream of events
 * asks for the slot before `now` minute after minute; with the span known, croner is asked once per
 * occurrence instead of once per minute. A span is only learnt when the offset is the same on every
 * quarter hour (offsets change on quarter hours) from DST_MARGIN_MS before `from` to DST_MARGIN_MS
 * after `to`, and spans longer than SPAN_MAX_MS are not checked (nor kept): around a DST change the
 * answer is croner's, asked each time, as before.
 */
const QUARTER_MS = 15 * 60_000;
const SPAN_MAX_MS = 8 * 86_400_000;
const SPAN_SLOTS = 4;

class FixedOffsetSpans {
  readonly #from: number[] = [];
  readonly #to: number[] = [];
  #next = 0;

  find(ms: number): number | null {
    for (let i = 0; i < this.#from.length; i++) {
      if (ms >= (this.#from[i] as number) && ms < (this.#to[i] as number)) return this.#to[i] as number;
    }
    return null;
  }

  learn(zone: IANAZone, from: number, to: number): void {
    if (!(to > from) || to - from > SPAN_MAX_MS) return;
    const first = Math.floor((from - DST_MARGIN_MS) / QUARTER_MS) * QUARTER_MS;
    const offset = offsetAt(zone, first);
    for (let q = first + QUARTER_MS; q <= to + DST_MARGIN_MS; q += QUARTER_MS) {
      if (offsetAt(zone, q) !== offset) return;
    }
    this.#from[this.#next] = from;
    this.#to[this.#next] = to;
    this.#next = (this.#next + 1) % SPAN_SLOTS;
  }
}
