import { describe, expect, it } from 'vitest';
import { evaluateRetention, type RetentionCandidate } from '../../../shared/domains/snapshots/retention.ts';
import { isCompiledSnapshots } from '../../../shared/domains/snapshots/snapshots.capability.ts';
import { formatProblem, loadPolicySources } from '../../../shared/policy/policy-loader.ts';

/**
 * `last` and `hourly` (restic's / borg's keep-last and keep-hourly): `last: N` keeps the N newest
 * snapshots whatever their time; `hourly: N` the newest of each of the N newest hours that have one.
 */
const HOUR = 3_600_000;

function slots(fromIso: string, everyHours: number, count: number): RetentionCandidate[] {
  const from = Date.parse(fromIso);
  return Array.from({ length: count }, (_, i) => {
    const at = from + i * everyHours * HOUR;
    return { id: `s-${new Date(at).toISOString().slice(0, 16)}`, at, available: true };
  });
}

const keptIds = (verdicts: ReturnType<typeof evaluateRetention>) =>
  verdicts
    .filter((v) => v.keep)
    .map((v) => v.id)
    .sort();

describe('retention: last and hourly', () => {
  it('last: 4 with daily: 2 on a 6-hourly schedule keeps the last day whole and one per earlier day', () => {
    // Prepare: three days of 00/06/12/18 UTC snapshots.
    const all = slots('2026-12-07T00:00:00Z', 6, 12);

    // Act
    const verdicts = evaluateRetention(
      all,
      { kind: 'classes', retain: { last: 4, daily: 2 } },
      'UTC',
      Date.parse('2026-12-09T19:00:00Z'),
    );

    // Assess
    expect(keptIds(verdicts)).toEqual([
      's-2026-12-08T18:00',
      's-2026-12-09T00:00',
      's-2026-12-09T06:00',
      's-2026-12-09T12:00',
      's-2026-12-09T18:00',
    ]);
    expect(verdicts.find((v) => v.id === 's-2026-12-09T18:00')?.reason).toBe('kept as last 4, daily 2026-12-09');
    expect(verdicts.find((v) => v.id === 's-2026-12-09T00:00')?.reason).toBe('kept as last 4');
    expect(verdicts.find((v) => v.id === 's-2026-12-08T12:00')?.reason).toBe('beyond retain last 4, daily 2 (UTC)');
  });

  it('hourly: 3 keeps the newest snapshot of each of the 3 newest hours', () => {
    // Prepare: every 20 minutes for 5 hours.
    const all = Array.from({ length: 15 }, (_, i) => {
      const at = Date.parse('2026-12-08T10:00:00Z') + i * 20 * 60_000;
      return { id: `m${String(i).padStart(2, '0')}`, at, available: true };
    });

    // Act
    const verdicts = evaluateRetention(
      all,
      { kind: 'classes', retain: { hourly: 3 } },
      'UTC',
      Date.parse('2026-12-08T15:00:00Z'),
    );

    // Assess: 12:40, 13:40, 14:40.
    expect(keptIds(verdicts)).toEqual(['m08', 'm11', 'm14']);
  });

  it('hourly counts the repeated hour when summer time ends as two hours', () => {
    // Prepare: 2026-10-25 in Berlin, 02:00–03:00 local happens twice (00:30Z at +02:00, 01:30Z at +01:00).
    const all = [
      { id: 'first-0230', at: Date.parse('2026-10-25T00:30:00Z'), available: true },
      { id: 'second-0230', at: Date.parse('2026-10-25T01:30:00Z'), available: true },
    ];

    // Act
    const verdicts = evaluateRetention(
      all,
      { kind: 'classes', retain: { hourly: 2 } },
      'Europe/Berlin',
      Date.parse('2026-10-25T02:00:00Z'),
    );

    // Assess
    expect(keptIds(verdicts)).toEqual(['first-0230', 'second-0230']);
  });
});

describe('snapshots block: retain and deadline keys', () => {
  const load = (snapshots: string) =>
    loadPolicySources([
      {
        file: 'p.yml',
        text: `version: 1
policies:
  - name: p
    resource: cluster
    snapshots: ${snapshots}
`,
      },
    ]);

  it.each([
    ['{ schedule: "rate(6 hours)", retain: { last: 4, hourly: 24 } }', { firstMs: 12 * HOUR, incrementalMs: 2 * HOUR }],
    ['{ schedule: "rate(6 hours)", deadline: 3h }', { firstMs: 3 * HOUR, incrementalMs: 3 * HOUR }],
    ['{ schedule: "rate(6 hours)", deadline: { first: 1d } }', null],
    [
      '{ schedule: "rate(6 hours)", deadline: { incremental: 30m } }',
      { firstMs: 12 * HOUR, incrementalMs: 30 * 60_000 },
    ],
    [
      '{ schedule: "rate(6 hours)", deadline: { first: 24h, incremental: 1h } }',
      { firstMs: 24 * HOUR, incrementalMs: HOUR },
    ],
  ])('%s → deadlines %j', (block, expected) => {
    const result = load(block);
    const capability = result.policySet.policies[0]?.capability;
    if (expected === null) {
      expect(result.problems.map(formatProblem)).toEqual([
        'p.yml:5:64: "1d" is not a duration; expected minutes or hours such as 15m, 2h or 1h30m',
      ]);
      return;
    }
    expect(result.problems.map(formatProblem)).toEqual([]);
    expect(capability !== undefined && isCompiledSnapshots(capability) ? capability.settings.deadline : null).toEqual(
      expected,
    );
  });

  it('says what is wrong with a deadline that is neither a duration nor { first, incremental }', () => {
    const result = load('{ schedule: "rate(6 hours)", deadline: { slow: 2h } }');
    expect(result.problems.map((p) => p.message)).toEqual([
      'deadline {"slow":"2h"} is not valid; expected a duration such as 2h, or { first: 12h, incremental: 2h }',
    ]);
  });
});
