import { describe, expect, it } from 'vitest';
import { compileSchedule } from '../../../shared/policy/aws-schedule.ts';

function next3(expression: string, zone: string, from: string): string[] {
  const result = compileSchedule(expression, zone);
  if (!result.ok) throw new Error(result.message);
  const out: string[] = [];
  for (let t: number | null = Date.parse(from), i = 0; i < 3; i++) {
    t = t === null ? null : result.schedule.nextAfter(t);
    if (t !== null) out.push(new Date(t).toISOString().slice(0, 16));
  }
  return out;
}

describe('AWS schedule expressions', () => {
  it.each([
    [
      'cron(0 2 * * ? *)',
      'Europe/Berlin',
      '2026-03-27T00:00Z',
      ['2026-03-27T01:00', '2026-03-28T01:00', '2026-03-29T01:00'],
    ],
    [
      'cron(0 9 ? * MON-FRI *)',
      'Europe/Berlin',
      '2026-03-27T00:00Z',
      ['2026-03-27T08:00', '2026-03-30T07:00', '2026-03-31T07:00'],
    ],
    // AWS numbers weekdays 1 = SUN, so 2-6 is MON-FRI.
    ['cron(0 9 ? * 2-6 *)', 'UTC', '2026-12-05T00:00Z', ['2026-12-07T09:00', '2026-12-08T09:00', '2026-12-09T09:00']],
    ['cron(0 3 L * ? *)', 'UTC', '2026-01-30T00:00Z', ['2026-01-31T03:00', '2026-02-28T03:00', '2026-03-31T03:00']],
    ['cron(0 3 ? * 6L *)', 'UTC', '2026-03-01T00:00Z', ['2026-03-27T03:00', '2026-04-24T03:00', '2026-05-29T03:00']],
    [
      'cron(30 4 ? * 6#2 2027)',
      'UTC',
      '2026-03-01T00:00Z',
      ['2027-01-08T04:30', '2027-02-12T04:30', '2027-03-12T04:30'],
    ],
    ['cron(0 0 29 FEB ? *)', 'UTC', '2026-01-01T00:00Z', ['2028-02-29T00:00', '2032-02-29T00:00', '2036-02-29T00:00']],
    ['rate(5 minutes)', 'UTC', '2026-03-27T00:02Z', ['2026-03-27T00:05', '2026-03-27T00:10', '2026-03-27T00:15']],
    ['rate(1 day)', 'UTC', '2026-03-27T10:00Z', ['2026-03-28T00:00', '2026-03-29T00:00', '2026-03-30T00:00']],
  ])('%s in %s', (expression, zone, from, expected) => {
    expect(next3(expression, zone, from)).toEqual(expected);
  });

  it.each([
    ['cron(0 2 * * * *)', 'exactly one of Day-of-month and Day-of-week must be "?"'],
    ['cron(0 2 * *)', 'expected 6 fields (Minutes Hours Day-of-month Month Day-of-week Year), got 4'],
    ['cron(0 25 * * ? *)', 'Hours value "25" is out of range; expected 0-23'],
    ['cron(0 2 1W * ? *)', 'Day-of-month "1W": W (nearest weekday) is not supported'],
    ['cron(0 2 ? * 8 *)', 'Day-of-week value "8" is out of range; expected 1-7 or SUN-SAT'],
    ['cron(0 2 ? * MON *x)', 'Year value "*x" is out of range; expected 1970-2199'],
    ['rate(1 hours)', 'use "1 hour" (AWS requires the singular unit for 1 and the plural otherwise)'],
    ['rate(0 minutes)', 'the rate must be at least 1'],
    ['every day', 'expected cron(Minutes Hours Day-of-month Month Day-of-week Year) or rate(N minutes|hours|days)'],
  ])('rejects %s', (expression, why) => {
    // Act
    const result = compileSchedule(expression, 'UTC');
    // Assess
    expect(result).toEqual({ ok: false, message: `"${expression}" is not a valid schedule: ${why}` });
  });
});
