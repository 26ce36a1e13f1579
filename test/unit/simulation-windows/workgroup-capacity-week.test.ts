import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DateTime } from 'luxon';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadPolicySources } from '../../../shared/policy/policy-loader.ts';
import { realHandlers } from '../../../shared/simulation/real-handlers.ts';
import { Simulation, type SimulationResult } from '../../../shared/simulation/simulation.ts';
import type { ActionRecord } from '../../../shared/simulation/timeline.ts';

/**
 * A week of a Serverless capacity window with base and max capacity, through the real handlers on the
 * simulator (which refuses an UpdateWorkgroup with two attributes, as AWS does). Mon 2026-10-19 00:00
 * Berlin to Mon 2026-10-26 12:00 Berlin, across the end of summer time. analytics-dev starts at base
 * 32 / max 256 RPU (examples/fleet/workgroups.json); the first sweep (Mon 00:00) is mid-segment (the
 * paused period began Fri 19:00), so nothing changes before the 07:00 boundary.
 *   running (Mon-Fri 07:00-19:00): base 128, max 512 — raised: max first, then base
 *   paused:                          base 8,   max 64 — lowered: base first, then max
 */
const ROOT = path.resolve(import.meta.dirname, '../../..');
const ZONE = 'Europe/Berlin';
const FROM = Date.parse('2026-10-18T22:00:00Z');
const TO = Date.parse('2026-10-26T11:00:00Z');

const POLICIES = `version: 1
defaults: { timezone: Europe/Berlin }
policies:
  - name: dev-serverless-capacity
    resource: workgroup
    match: { tags: { env: dev } }
    window:
      running: ["Mon-Fri 07:00-19:00"]
      runningBaseCapacity: 128
      pausedBaseCapacity: 8
      runningMaxCapacity: 512
      pausedMaxCapacity: 64
`;

const workgroups = JSON.parse(readFileSync(path.join(ROOT, 'examples/fleet/workgroups.json'), 'utf8')) as unknown;

async function simulate(): Promise<SimulationResult> {
  const loaded = loadPolicySources([{ file: 'capacity.yml', text: POLICIES }]);
  expect(loaded.problems).toEqual([]);
  const sim = new Simulation({
    policies: loaded.policySet,
    fleet: [{ name: 'workgroups.json', json: workgroups }],
    from: FROM,
    to: TO,
    seed: 7,
    events: [],
    handlers: realHandlers,
  });
  return sim.run();
}

const local = (at: string) => DateTime.fromISO(at, { zone: 'utc' }).setZone(ZONE).toFormat('ccc dd HH:mm');

describe('a week of a workgroup window with base and max capacity', () => {
  let week: SimulationResult;
  beforeAll(async () => {
    week = await simulate();
  }, 120_000);

  /** Each UpdateWorkgroup call: when (Berlin) and the one attribute it set. */
  function updates(outcome: string) {
    return week.records
      .filter(
        (x): x is ActionRecord =>
          x.type === 'action' &&
          x.resource === 'workgroup/analytics-dev' &&
          x.action === 'UpdateWorkgroup' &&
          x.outcome === outcome,
      )
      .map((a) => {
        const params = week.ledger.records.get(a.key)?.params ?? {};
        const [attribute, value] = Object.entries(params).filter(([k]) => k !== 'workgroupName')[0] ?? [];
        return { at: a.at, local: local(a.at), set: `${attribute}=${value}`, keys: Object.keys(params).length };
      });
  }

  it('runs without errors, dead letters, failures or ERROR alerts', () => {
    expect(week.invocationErrors).toEqual([]);
    expect(week.summary.deadLetters).toBe(0);
    expect(week.records.filter((x) => x.type === 'action' && x.outcome === 'failed')).toEqual([]);
    expect(week.alerts.filter((a) => a.attributes.severity === 'ERROR')).toEqual([]);
  });

  it('makes two calls per boundary, one attribute each, max first when raising and base first when lowering', () => {
    const calls = updates('in-progress');
    expect(week.records.find((x) => x.type === 'skipped' && x.resource === 'workgroup/analytics-dev')).toMatchObject({
      reason:
        'max capacity 256 RPU differs from 64 RPU mid-window; the window sets capacity at its boundaries only, so it waits for the next boundary 2026-10-19T05:00Z',
    });
    expect(calls.every((c) => c.keys === 2)).toBe(true);
    // Pairs of consecutive calls: [when the boundary's first call went out, first, second].
    const pairs: [string, string, string | undefined][] = [];
    for (let i = 0; i < calls.length; i += 2)
      pairs.push([calls[i]?.local ?? '', calls[i]?.set ?? '', calls[i + 1]?.set]);
    const raise = ['maxCapacity=512', 'baseCapacity=128'] as const;
    const lower = ['baseCapacity=8', 'maxCapacity=64'] as const;
    const weekdays = ['Mon 19', 'Tue 20', 'Wed 21', 'Thu 22', 'Fri 23'];
    expect(pairs).toEqual([
      ...weekdays.flatMap((d) => [
        [`${d} 07:00`, ...raise],
        [`${d} 19:00`, ...lower],
      ]),
      // After the clock change (CET): still 07:00 local.
      ['Mon 26 07:00', ...raise],
    ]);
  });

  it('every call succeeds: the second call of a boundary waits until the first is applied, within minutes', () => {
    const started = updates('in-progress');
    const succeeded = updates('succeeded');
    expect(succeeded.map((s) => s.set)).toEqual(started.map((s) => s.set));
    const executorSkips = week.records.filter(
      (x) => x.type === 'skipped' && x.resource === 'workgroup/analytics-dev' && x.by === 'executor',
    );
    expect(executorSkips).toEqual([]);
    for (let i = 1; i < started.length; i += 2) {
      const gap = Date.parse(started[i]?.at ?? '') - Date.parse(started[i - 1]?.at ?? '');
      expect(gap).toBeGreaterThan(0);
      expect(gap).toBeLessThanOrEqual(15 * 60_000);
    }
    const open = [...week.ledger.records.values()].filter((r) => r.status === 'in-progress');
    expect(open).toEqual([]);
  });
});
