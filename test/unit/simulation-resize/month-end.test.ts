import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { payloadsOf, readEventFile } from '../../../shared/cli/event-file.ts';
import { loadPoliciesOrThrow } from '../../../shared/policy/policy-loader.ts';
import { realHandlers } from '../../../shared/simulation/real-handlers.ts';
import { Simulation, type SimulationResult } from '../../../shared/simulation/simulation.ts';
import type { ActionRecord, EventRecord } from '../../../shared/simulation/timeline.ts';

/**
 * The issue 15 example exactly as written (test/fixtures/resize) over the April month-end, through the
 * real handlers and the simulated account: the snapshot first, the scale-up at 16:00 Berlin on the last
 * day, a disk alarm's growth on top, the scale-back at 06:00 on the 1st — each closed by the sweep only
 * at the size asked — and an xlplus alarm its elastic limits refuse.
 */
const ROOT = path.resolve(import.meta.dirname, '../../..');
const DIR = 'test/fixtures/resize';

let run: SimulationResult;
beforeAll(async () => {
  const from = Date.parse('2026-04-30T12:00:00Z');
  const policies = await loadPoliciesOrThrow([`${DIR}/policies.yml`], ROOT, { now: from });
  const fleet = [
    { name: `${DIR}/fleet.json`, json: JSON.parse(readFileSync(path.join(ROOT, DIR, 'fleet.json'), 'utf8')) },
  ];
  const events = payloadsOf(await readEventFile(`${DIR}/events.jsonl`, ROOT)).filter((e) => e.at >= from);
  run = await new Simulation({
    policies,
    fleet,
    from,
    to: Date.parse('2026-05-01T06:00:00Z'),
    seed: 15,
    events,
    handlers: realHandlers,
  }).run();
}, 120_000);

const done = (resource: string) =>
  run.records
    .filter((r): r is ActionRecord => r.type === 'action' && r.resource === resource && r.outcome === 'succeeded')
    .map((r) => [
      r.at.slice(0, 13),
      r.action,
      /^(?:snapshot before resize[^:]*: )?(scale \w+ \d+ → \d+)/.exec(r.reason)?.[1],
      r.outcomeReason?.split(' (')[0],
    ]);

describe('resize month-end, simulated', () => {
  it('fin-a: snapshot, then 4 → 8 at 16:00 Berlin, grown to 10 on its disk alarm, back to 4 at 06:00 on the 1st', () => {
    expect(done('cluster/fin-a')).toEqual([
      [
        '2026-04-30T14',
        'CreateClusterSnapshot',
        'scale up 4 → 8',
        expect.stringMatching(/^snapshot autopilot-fin-a-finance-month-end-202604301400 completed/),
      ],
      ['2026-04-30T14', 'ResizeCluster', 'scale up 4 → 8', 'reached available'],
      [
        '2026-04-30T15',
        'CreateClusterSnapshot',
        'scale up 8 → 10',
        expect.stringMatching(/^snapshot autopilot-fin-a-finance-month-end-202604301500 completed/),
      ],
      ['2026-04-30T15', 'ResizeCluster', 'scale up 8 → 10', 'reached available'],
      [
        '2026-05-01T04',
        'CreateClusterSnapshot',
        'scale down 10 → 4',
        expect.stringMatching(/^snapshot autopilot-fin-a-finance-month-end-202605010400 completed/),
      ],
      ['2026-05-01T04', 'ResizeCluster', 'scale down 10 → 4', 'reached available'],
    ]);
    expect(run.simulator.getCluster('fin-a')?.NumberOfNodes).toBe(4);
  });

  it('fin-b: the alarm asks 10 nodes an xlplus cannot reach elastically from 4: a skip with the reason, no resize', () => {
    const alarm = run.records.find(
      (r): r is EventRecord => r.type === 'event' && r.resource === 'cluster/fin-b' && r.eventId === 'alarm',
    );
    expect(alarm?.outcome).toBe('skipped');
    expect(alarm?.reason).toMatch(
      /^finance-month-end: alarm fin-b-disk-high in ALARM at 2026-04-30T15:00Z: not grown now: cannot resize to 10: 10 nodes is not an elastic target of fin-b \(ra3\.xlplus, 8 nodes/,
    );
    expect(done('cluster/fin-b').map((d) => d[2])).toEqual([
      'scale up 4 → 8',
      'scale up 4 → 8',
      'scale down 8 → 4',
      'scale down 8 → 4',
    ]);
  });

  it('nothing failed, and no alert but the executor’s INFO notes', () => {
    expect(run.records.filter((r) => r.type === 'action' && r.outcome === 'failed')).toEqual([]);
    expect(run.alerts.filter((a) => a.attributes.severity !== 'INFO')).toEqual([]);
  });
});
