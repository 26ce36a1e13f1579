import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadPolicySources } from '../../../shared/policy/policy-loader.ts';
import type { PublishedAlert } from '../../../shared/simulation/aws-services.ts';
import { realHandlers } from '../../../shared/simulation/real-handlers.ts';
import { Simulation, type SimulationResult } from '../../../shared/simulation/simulation.ts';
import type { MetricProfile } from '../../../shared/simulator/workload.ts';

/**
 * Issue 14's cluster example, as written, over two simulated days through the real handlers: the
 * simulator's UsageLimitConsumed follows each cluster's `usage:spectrum` workload, the sweep reads it
 * every 15 minutes, grades fire one per read in order, and the next UTC day undoes the steps.
 *
 * analytics-1 scans 4.2 TB in 06:00–06:05 (84 % of the 5 TB daily budget), then 1 TB at 07:00 (104 %)
 * and 2.6 TB at 07:05 (156 %) — a burst larger than the budget, before any read sees it. Reads at
 * 06:15 (grade 80 %: alert only), 07:15 (100 %: breach action to disable), 07:30 (150 %: pause).
 * analytics-2 scans 0.2 TB an hour (4.8 TB a day: 96 %): grade 80 % only. analytics-3 scans nothing.
 * At 00:00 UTC analytics-1 resumes, and once available its limit is put back to emit-metric.
 */
const FIXTURES = new URL('../../fixtures/usage-limits/', import.meta.url);
const FROM = Date.parse('2026-12-07T00:00:00Z');
const TO = Date.parse('2026-12-08T12:00:00Z');

const burst: MetricProfile = (at) => {
  const day = at.getTime() - Date.parse(at.toISOString().slice(0, 10));
  const minute = Math.floor(day / 60_000);
  if (at.getTime() >= Date.parse('2026-12-08T00:00:00Z')) return 0;
  // Per hour, for one 5-minute step: TB in the step × 12.
  if (minute === 6 * 60) return 4.2 * 12;
  if (minute === 7 * 60) return 1 * 12;
  if (minute === 7 * 60 + 5) return 2.6 * 12;
  return 0;
};

async function run(): Promise<SimulationResult> {
  const loaded = loadPolicySources([
    { file: 'escalation-policies.yml', text: readFileSync(new URL('escalation-policies.yml', FIXTURES), 'utf8') },
  ]);
  expect(loaded.problems).toEqual([]);
  const fleet = JSON.parse(readFileSync(new URL('escalation-fleet.json', FIXTURES), 'utf8')) as unknown;
  const sim = new Simulation({
    policies: loaded.policySet,
    fleet: [{ name: 'escalation-fleet.json', json: fleet }],
    from: FROM,
    to: TO,
    seed: 14,
    events: [],
    handlers: realHandlers,
    prepare: (s) => {
      s.setWorkload('analytics-1', { 'usage:spectrum': burst });
      s.setWorkload('analytics-2', { 'usage:spectrum': { kind: 'constant', value: 0.2 } });
      s.setWorkload('analytics-3', { 'usage:spectrum': { kind: 'constant', value: 0 } });
    },
  });
  return sim.run();
}

const line = (a: PublishedAlert) => `${a.at.slice(5, 16)} ${a.attributes.severity} ${a.subject}`;

describe('usage-limit escalation: a climb 80 → 100 → 150 % and the period boundary', () => {
  let result: SimulationResult;
  beforeAll(async () => {
    result = await run();
  }, 120_000);

  it('alerts once per grade, in order, for analytics-1; then undoes both steps at 00:00 UTC', () => {
    const mine = result.alerts.filter((a) => a.attributes.resource === 'cluster/analytics-1').map(line);
    expect(mine.filter((l) => !l.includes('CreateUsageLimit'))).toEqual([
      '12-07T06:15 INFO [autopilot] usage grade 80%: spectrum daily 84% on analytics-1 (analytics-spectrum-budget)',
      expect.stringMatching(/^12-07T07:1\d INFO \[autopilot\] ModifyUsageLimit analytics-1: done/),
      expect.stringMatching(/^12-07T07:3\d INFO \[autopilot\] PauseCluster analytics-1: (started|done)/),
      // Limits change on an available cluster: the put-back waits for the resume.
      '12-08T00:00 INFO [autopilot] ResumeCluster analytics-1: started (analytics-spectrum-budget)',
      '12-08T00:10 INFO [autopilot] ModifyUsageLimit analytics-1: done (analytics-spectrum-budget)',
    ]);
  });

  it('each alert names usage, amount, period, grade, what was done and what to do', () => {
    const bodies = result.alerts.filter((a) => a.attributes.resource === 'cluster/analytics-1').map((a) => a.message);
    const grade100 = bodies.find((b) => b.includes('usage grade 100%'));
    // The 07:15 read sees 156 % (the burst came before it): grade 100 % first, 150 % on the next read.
    expect(grade100).toContain(
      'used 7.8 TB scanned of spectrum, 156% of 5 TB scanned (daily period 2026-12-07T00:00Z to 2026-12-08T00:00Z)',
    );
    expect(grade100).toContain('breach action emit-metric to disable');
    expect(grade100).toContain('undone at 2026-12-08T00:00Z');
    expect(grade100).toContain("raise spectrum#1's amount in policy analytics-spectrum-budget");
    expect(bodies.find((b) => b.includes('usage grade 150%'))).toContain('156%');
    expect(bodies.find((b) => b.includes('period 2026-12-08T00:00Z began: grade 100%'))).toContain(
      'put back to emit-metric',
    );
    expect(bodies.find((b) => b.includes('had paused analytics-1'))).toContain('resumed (no window wants it paused)');
  });

  it('analytics-2 gets grade 80 % once a day; analytics-3 none; no ERROR or WARNING anywhere', () => {
    const two = result.alerts.filter((a) => a.attributes.resource === 'cluster/analytics-2').map(line);
    // 0.2 TB an hour from the limit's creation at 00:00: 4 TB (80 %) just after 20:00, seen at the 20:15 read.
    expect(two.filter((l) => !l.includes('CreateUsageLimit'))).toEqual([
      '12-07T20:15 INFO [autopilot] usage grade 80%: spectrum daily 80.67% on analytics-2 (analytics-spectrum-budget)',
    ]);
    const three = result.alerts.filter((a) => a.attributes.resource === 'cluster/analytics-3').map(line);
    expect(three.filter((l) => !l.includes('CreateUsageLimit'))).toEqual([]);
    expect(result.alerts.filter((a) => a.attributes.severity !== 'INFO').map(line)).toEqual([]);
    expect(result.deadLetters).toEqual([]);
    expect(result.invocationErrors).toEqual([]);
  });
});
