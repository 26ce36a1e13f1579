import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { compileSchedule } from '../../../shared/policy/aws-schedule.ts';
import type { CapabilityRegistration } from '../../../shared/policy/capability.ts';
import { formatProblem, loadPolicySources } from '../../../shared/policy/policy-loader.ts';

// Schedules that can never fire, fire only in the past, or fire more often than their capability
// allows are errors (issue 13). The last two are checked by the loader for any capability that
// declares its schedules; a toy capability proves it without naming a real one.

const HOUR = 3_600_000;
const ticker: CapabilityRegistration = {
  keys: ['ticker'],
  name: 'ticker',
  supported: true,
  resources: ['cluster'],
  schemas: { ticker: z.strictObject({ schedule: z.string() }) },
  compile: (block, ctx) => {
    const { schedule } = block.ticker as { schedule: string };
    const result = compileSchedule(schedule, ctx.zoneName);
    if (!result.ok) {
      ctx.problems.push({ path: ['ticker', 'schedule'], message: result.message });
      return null;
    }
    return {
      key: 'ticker',
      summary: 'ticker',
      schedules: [
        {
          path: ['ticker', 'schedule'],
          schedule: result.schedule,
          what: 'ticks',
          minIntervalMs: HOUR,
          limitReason: 'the toy limit',
        },
      ],
    };
  },
};

function problemsOf(schedule: string, now: number | null = Date.UTC(2026, 11, 7)): string[] {
  const text = `version: 1\npolicies:\n  - name: t\n    resource: cluster\n    ticker: { schedule: "${schedule}" }\n`;
  return loadPolicySources([{ file: 'p.yml', text }], {
    registrations: [ticker],
    ...(now === null ? {} : { now }),
  }).problems.map(formatProblem);
}

describe('schedule checks', () => {
  it.each([
    [
      'cron(0 2 30 2 ? *)',
      'it never fires: Day-of-month "30" does not occur in Month "2"; expected a day that exists in that month (L for the last day)',
    ],
    [
      'cron(0 2 31 4 ? *)',
      'it never fires: Day-of-month "31" does not occur in Month "4"; expected a day that exists in that month (L for the last day)',
    ],
    [
      'cron(0 0 29 2 ? 2027)',
      'it never fires: Day-of-month "29" does not occur in Month "2" of Year "2027"; expected a day that exists in that month (L for the last day)',
    ],
    [
      'cron(0 2 ? 2 2#5 2026)',
      'it never fires: Day-of-week "2#5" does not occur in Month "2" of Year "2026"; expected a weekday that occurs in that month',
    ],
  ])('rejects %s, which never fires', (expression, why) => {
    expect(compileSchedule(expression, 'UTC')).toEqual({
      ok: false,
      message: `"${expression}" is not a valid schedule: ${why}`,
    });
  });

  it.each([
    ['cron(0 0 29 2 ? *)', 'UTC', '2028-02-29T00:00'],
    ['cron(30 4 ? * 6#2 2150)', 'UTC', '2150-01-09T04:30'],
  ])('keeps %s, which fires (years are skipped, not walked)', (expression, zone, first) => {
    const result = compileSchedule(expression, zone);
    if (!result.ok) throw new Error(result.message);
    expect(new Date(result.schedule.nextAfter(Date.UTC(2026, 11, 7)) ?? 0).toISOString().slice(0, 16)).toBe(first);
  });

  it.each([
    ['rate(1 minute)', 60_000],
    ['rate(2 hours)', 2 * HOUR],
    ['cron(0/30 * * * ? *)', 30 * 60_000],
    ['cron(0 0,23 * * ? *)', HOUR],
    ['cron(15 2 * * ? *)', 24 * HOUR],
    ['cron(0 8-18/5 ? * MON-FRI *)', 5 * HOUR],
  ])('%s fires at least %i ms apart', (expression, gap) => {
    const result = compileSchedule(expression, 'UTC');
    if (!result.ok) throw new Error(result.message);
    expect(result.schedule.minGapMs).toBe(gap);
  });

  it('rejects a schedule more frequent than its capability allows, naming the limit', () => {
    expect(problemsOf('rate(1 minute)')).toEqual([
      'p.yml:5:25: "rate(1 minute)" fires 1 minute apart; expected ticks at most once every 1 hour (the toy limit)',
    ]);
    expect(problemsOf('cron(0/30 * * * ? *)')).toEqual([
      'p.yml:5:25: "cron(0/30 * * * ? *)" fires 30 minutes apart; expected ticks at most once every 1 hour (the toy limit)',
    ]);
    expect(problemsOf('rate(1 hour)')).toEqual([]);
  });

  it('rejects a schedule that fires only in the past when now is given, not at cold start', () => {
    expect(problemsOf('cron(0 2 * * ? 2020-2025)')).toEqual([
      'p.yml:5:25: "cron(0 2 * * ? 2020-2025)" fires only in the past (no time after 2026-12-07T00:00Z); expected a schedule that fires again, e.g. a Year field of * or one still to come',
    ]);
    expect(problemsOf('cron(0 2 * * ? 2020-2027)')).toEqual([]);
    expect(problemsOf('cron(0 2 * * ? 2020-2025)', null)).toEqual([]);
  });
});
