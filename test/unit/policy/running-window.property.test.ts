import fc from 'fast-check';
import type { IANAZone } from 'luxon';
import { describe, expect, it } from 'vitest';
import { compileCalendar } from '../../../shared/policy/calendar.ts';
import {
  dayNumberFromIsoDate,
  ianaZone,
  isoDateFromDayNumber,
  localDayOf,
  localMinuteOf,
  resolveLocal,
  weekdayOfDay,
} from '../../../shared/policy/local-time.ts';
import { compileRunningWindow } from '../../../shared/policy/running-window.ts';
import { parseWindowSpec, WEEKDAYS } from '../../../shared/policy/window-spec.ts';

// Time is the input here, so the window semantics are checked as invariants over generated windows,
// zones with DST (and Kolkata without), periods straddling DST changes, and random closed days.
const ZONES = ['Europe/Berlin', 'America/New_York', 'Australia/Sydney', 'Asia/Kolkata'] as const;
// Period starts: a few days before each 2026 DST change of the zones above, plus ordinary weeks.
const PERIOD_STARTS = [
  '2026-03-05',
  '2026-03-25',
  '2026-04-01',
  '2026-09-30',
  '2026-10-21',
  '2026-10-29',
  '2026-06-10',
  '2028-02-25',
];
const PERIOD_DAYS = 21;

const clock = (minute: number) =>
  `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;

const windowArb = fc.record({
  zone: fc.constantFrom(...ZONES),
  periodStart: fc.constantFrom(...PERIOD_STARTS),
  days: fc.uniqueArray(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 7 }),
  // Quarter-hour starts over the whole day (so some fall in DST gaps and repeated hours).
  start: fc.integer({ min: 0, max: 95 }).map((q) => q * 15),
  // Between 2 h and 22 h long, so consecutive days' ranges never touch.
  duration: fc.integer({ min: 8, max: 88 }).map((q) => q * 15),
  closedOffsets: fc.uniqueArray(fc.integer({ min: 0, max: PERIOD_DAYS - 1 }), { maxLength: 5 }),
});

type WindowCase = typeof windowArb extends fc.Arbitrary<infer T> ? T : never;

function build(c: WindowCase) {
  const end = (c.start + c.duration) % 1440;
  const spec = `${[...c.days]
    .sort()
    .map((d) => WEEKDAYS[d - 1])
    .join(',')} ${clock(c.start)}-${end === 0 ? '24:00' : clock(end)}`;
  const parsed = parseWindowSpec(spec);
  if (!parsed.ok) throw new Error(parsed.message);
  const first = dayNumberFromIsoDate(c.periodStart);
  const closedDays = new Set(c.closedOffsets.map((o) => first + o));
  const calendar = compileCalendar(
    { name: 'closed', dates: [...closedDays].map(isoDateFromDayNumber), ranges: [], timezone: null },
    c.zone,
  );
  const window = compileRunningWindow({ ranges: [parsed.range], zoneName: c.zone, closedOn: [calendar] });
  const zone = ianaZone(c.zone) as IANAZone;
  const from = resolveLocal(first, 0, zone);
  const to = resolveLocal(first + PERIOD_DAYS, 0, zone);
  const transitions: { at: number; running: boolean }[] = [];
  for (let t = window.nextTransition(from); t !== null && t < to; t = window.nextTransition(t)) {
    transitions.push({ at: t, running: window.isRunning(t) });
  }
  return { spec, window, zone, first, closedDays, from, to, transitions };
}

describe('running window (property)', () => {
  it('every start fires exactly once on each open matching day, at the local start time, and never on a closed day', () => {
    fc.assert(
      fc.property(windowArb, (c) => {
        // Prepare
        const { zone, first, closedDays, transitions } = build(c);
        const resumes = transitions.filter((t) => t.running);
        // Act: count the resumes that land on each local day (edges excluded).
        for (let day = first + 1; day < first + PERIOD_DAYS - 1; day++) {
          const onDay = resumes.filter((r) => localDayOf(r.at, zone) === day);
          const expected = c.days.includes(weekdayOfDay(day)) && !closedDays.has(day) ? 1 : 0;
          // Assess
          expect(onDay.length, `day ${isoDateFromDayNumber(day)}`).toBe(expected);
          for (const r of onDay) {
            const minute = localMinuteOf(r.at, zone);
            if (minute !== c.start) {
              // Only a start inside a DST gap moves: to the first valid instant after it, within the hour.
              expect(minute).toBeGreaterThan(c.start);
              expect(minute - c.start).toBeLessThanOrEqual(60);
              expect(resolveLocal(day, c.start, zone)).toBe(r.at);
            }
          }
        }
      }),
      { numRuns: 150 },
    );
  });

  it('transitions alternate, each boundary happens once, and prev/next agree', () => {
    fc.assert(
      fc.property(windowArb, (c) => {
        // Prepare
        const { window, transitions } = build(c);
        // Act / Assess
        for (let i = 1; i < transitions.length; i++) {
          const prev = transitions[i - 1] as { at: number; running: boolean };
          const cur = transitions[i] as { at: number; running: boolean };
          expect(cur.running).toBe(!prev.running);
          expect(cur.at).toBeGreaterThan(prev.at);
          // Anywhere inside [prev, cur) the state began at prev and changes next at cur.
          const mid = prev.at + Math.floor((cur.at - prev.at) / 2);
          expect(window.prevTransition(mid)).toBe(prev.at);
          expect(window.nextTransition(mid)).toBe(cur.at);
          expect(window.isRunning(mid)).toBe(prev.running);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('is paused throughout every closed day', () => {
    fc.assert(
      fc.property(windowArb, (c) => {
        // Prepare
        const { window, zone, closedDays } = build(c);
        for (const day of closedDays) {
          const start = resolveLocal(day, 0, zone);
          const end = resolveLocal(day + 1, 0, zone);
          // Act / Assess: every quarter hour of the closed day
          for (let t = start; t < end; t += 15 * 60_000) expect(window.isRunning(t)).toBe(false);
        }
      }),
      { numRuns: 60 },
    );
  });
});

describe('running window (examples)', () => {
  const compile = (spec: string, zoneName: string, leadMs = 0) => {
    const parsed = parseWindowSpec(spec);
    if (!parsed.ok) throw new Error(parsed.message);
    return compileRunningWindow({ ranges: [parsed.range], zoneName, closedOn: [], leadMs });
  };

  it('runs a Friday night range into Saturday (the range belongs to its start day)', () => {
    // Prepare
    const window = compile('Fri 22:00-02:00', 'Europe/Berlin');
    // Act
    const saturdayOne = Date.parse('2026-12-12T00:00Z'); // Sat 01:00 Berlin
    // Assess
    expect(window.isRunning(saturdayOne)).toBe(true);
    expect(window.prevTransition(saturdayOne)).toBe(Date.parse('2026-12-11T21:00Z'));
    expect(window.nextTransition(saturdayOne)).toBe(Date.parse('2026-12-12T01:00Z'));
  });

  it('starts a boundary inside the spring-forward gap at the jump (Berlin 02:30 → 03:00 CEST)', () => {
    // Prepare
    const window = compile('daily 02:30-05:00', 'Europe/Berlin');
    // Act
    const start = window.nextTransition(Date.parse('2026-03-28T12:00Z'));
    // Assess
    expect(start).toBe(Date.parse('2026-03-29T01:00Z'));
  });

  it('fires a boundary in the repeated hour once, at its first occurrence (New York 01:30 EDT)', () => {
    // Prepare
    const window = compile('daily 01:30-04:00', 'America/New_York');
    // Act
    const start = window.nextTransition(Date.parse('2026-11-01T00:00Z'));
    const end = start === null ? null : window.nextTransition(start);
    // Assess
    expect(start).toBe(Date.parse('2026-11-01T05:30Z'));
    expect(end).toBe(Date.parse('2026-11-01T09:00Z'));
  });

  it('handles a leap day like any other day', () => {
    // Prepare
    const window = compile('Tue 07:00-19:00', 'Australia/Sydney');
    // Act
    const start = window.nextTransition(Date.parse('2028-02-28T00:00Z'));
    // Assess: Tue 2028-02-29 07:00 AEDT (+11)
    expect(start).toBe(Date.parse('2028-02-28T20:00Z'));
  });

  it('resumes ahead of the window by the lead time', () => {
    // Prepare
    const window = compile('Mon-Fri 07:00-19:00', 'Europe/Berlin', 15 * 60_000);
    // Act
    const start = window.nextTransition(Date.parse('2026-12-07T00:00Z'));
    // Assess
    expect(start).toBe(Date.parse('2026-12-07T05:45Z'));
  });
});
