import { Cron } from 'croner';
import { DateTime } from 'luxon';
import { isValidZone } from './local-time.ts';

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
  const yearOf = (ms: number) => DateTime.fromMillis(ms, { zone: zoneName }).year;
  const nextAfter = (ms: number): number | null => {
    let from = ms;
    // Skip forward through years the Year field excludes; bounded so an impossible year list ends.
    for (let i = 0; i < 10_000; i++) {
      const next = cron.nextRun(new Date(from));
      if (next === null) return null;
      const at = next.getTime();
      if (inYear(yearOf(at))) return at;
      from = at;
    }
    return null;
  };
  return {
    ok: true,
    schedule: {
      expression,
      zoneName,
      nextAfter,
      lastAtOrBefore: (ms, notBefore) => {
        // Scan from a few hours earlier: asked from inside a repeated (DST fall-back) hour, croner's
        // next run skips that day's occurrence, which would lose the day's slot.
        let last: number | null = null;
        for (let at = nextAfter(notBefore - DST_MARGIN_MS); at !== null && at <= ms; at = nextAfter(at)) {
          if (at > notBefore) last = at;
        }
        return last;
      },
    },
  };
}
