import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type CompiledSchedule, compileSchedule } from '../../../shared/policy/aws-schedule.ts';

/**
 * A compiled cron schedule memoises its answers per minute of its arguments (aws-schedule.ts). The
 * memo must never change an answer: a schedule that has answered many nearby questions (the memo
 * warm) must answer exactly as a freshly compiled one (memo empty), seconds and milliseconds inside
 * the minute included, across DST changes in zones with whole-hour and half-hour shifts.
 */
const EXPRESSIONS = [
  'cron(0 2 * * ? *)',
  'cron(30 1 * * ? *)',
  'cron(15 */2 * * ? *)',
  'cron(0 9 ? * MON-FRI *)',
  'cron(0 3 L * ? *)',
  'cron(*/20 * * * ? *)',
  'cron(30 2 ? * 1#1 2026-2027)',
  'rate(5 minutes)',
] as const;
const ZONES = ['Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kolkata', 'UTC'] as const;
// Around the 2026 DST changes in Europe and North America (March, October/November), a day either side.
const FROM = Date.parse('2026-03-06T00:00:00Z');
const SPAN = 245 * 86_400_000;

function compile(expression: string, zone: string): CompiledSchedule {
  const result = compileSchedule(expression, zone);
  if (!result.ok) throw new Error(result.message);
  return result.schedule;
}

describe('compiled schedule memo', () => {
  it('answers nextAfter and lastAtOrBefore exactly as a fresh schedule does', { timeout: 60_000 }, () => {
    const warm = new Map<string, CompiledSchedule>();
    fc.assert(
      fc.property(
        fc.constantFrom(...EXPRESSIONS),
        fc.constantFrom(...ZONES),
        fc.integer({ min: 0, max: SPAN }),
        fc.array(fc.integer({ min: -90_000, max: 90_000 }), { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 0, max: 2 * 3_600_000 }),
        (expression, zone, offset, jitters, catchUp) => {
          const key = `${expression}|${zone}`;
          const memoised = warm.get(key) ?? compile(expression, zone);
          warm.set(key, memoised);
          for (const jitter of jitters) {
            const ms = FROM + offset + jitter;
            expect(memoised.nextAfter(ms)).toBe(compile(expression, zone).nextAfter(ms));
            const notBefore = ms - catchUp;
            expect(memoised.lastAtOrBefore(ms, notBefore)).toBe(
              compile(expression, zone).lastAtOrBefore(ms, notBefore),
            );
          }
        },
      ),
      { numRuns: 150, seed: 20261125, endOnFailure: true },
    );
  });

  it.each([
    ['Europe/Berlin', '2026-03-28T12:00:00Z'],
    ['Europe/Berlin', '2026-10-24T12:00:00Z'],
    ['America/New_York', '2026-11-01T00:00:00Z'],
    ['Australia/Lord_Howe', '2026-04-04T06:00:00Z'],
  ])(
    'answers alike when asked minute after minute across the DST change in %s after %s',
    { timeout: 60_000 },
    (zone, from) => {
      for (const expression of ['cron(30 2 * * ? *)', 'cron(0 */3 * * ? *)', 'rate(1 hour)']) {
        const memoised = compile(expression, zone);
        const start = Date.parse(from);
        // A sweep every 5 minutes plus events in between: the order a Lambda container sees.
        for (let ms = start; ms < start + 36 * 3_600_000; ms += 5 * 60_000 + 13_000) {
          const fresh = compile(expression, zone);
          expect(memoised.lastAtOrBefore(ms, ms - 3_600_000)).toBe(fresh.lastAtOrBefore(ms, ms - 3_600_000));
          expect(memoised.nextAfter(ms)).toBe(compile(expression, zone).nextAfter(ms));
        }
      }
    },
  );

  it('answers alike inside a repeated (fall-back) hour, second by second', { timeout: 60_000 }, () => {
    const memoised = compile('cron(30 2 * * ? *)', 'Europe/Berlin');
    // 2026-10-25: Berlin repeats 02:00–03:00 local (00:00–02:00 UTC).
    const start = Date.parse('2026-10-24T23:00:00Z');
    for (let ms = start; ms < start + 4 * 3_600_000; ms += 17_000) {
      const fresh = compile('cron(30 2 * * ? *)', 'Europe/Berlin');
      expect(memoised.lastAtOrBefore(ms, ms - 3_600_000)).toBe(fresh.lastAtOrBefore(ms, ms - 3_600_000));
      expect(memoised.nextAfter(ms)).toBe(compile('cron(30 2 * * ? *)', 'Europe/Berlin').nextAfter(ms));
    }
  });
});
