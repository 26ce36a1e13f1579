import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadPolicySources } from '../../../shared/policy/policy-loader.ts';
import type { PublishedAlert } from '../../../shared/simulation/aws-services.ts';
import { realHandlers } from '../../../shared/simulation/real-handlers.ts';
import { Simulation, type SimulationResult } from '../../../shared/simulation/simulation.ts';
import type { MetricProfile } from '../../../shared/simulator/workload.ts';

/**
 * A simulated month (December 2026) of issue 14's cluster example, read alert by alert. Every day
 * analytics-1 scans 4.2 TB at 06:00, 1 TB at 07:00 and 2.6 TB at 07:05 (84 %, 104 %, 156 % of its 5 TB
 * daily budget); analytics-2 scans 0.2 TB an hour (96 % a day); analytics-3 scans nothing.
 */
const FIXTURES = new URL('../../fixtures/usage-limits/', import.meta.url);
const FROM = Date.parse('2026-12-01T00:00:00Z');
const TO = Date.parse('2026-12-31T00:00:00Z');
const DAYS = 30;

const daily: MetricProfile = (at) => {
  const minute = Math.floor((at.getTime() % 86_400_000) / 60_000);
  if (minute === 6 * 60) return 4.2 * 12;
  if (minute === 7 * 60) return 12;
  if (minute === 7 * 60 + 5) return 2.6 * 12;
  return 0;
};

async function run(): Promise<SimulationResult> {
  const text = readFileSync(new URL('escalation-policies.yml', FIXTURES), 'utf8');
  const loaded = loadPolicySources([{ file: 'escalation-policies.yml', text }]);
  expect(loaded.problems).toEqual([]);
  const fleet = JSON.parse(readFileSync(new URL('escalation-fleet.json', FIXTURES), 'utf8')) as unknown;
  return new Simulation({
    policies: loaded.policySet,
    fleet: [{ name: 'escalation-fleet.json', json: fleet }],
    from: FROM,
    to: TO,
    seed: 12,
    events: [],
    handlers: realHandlers,
    prepare: (s) => {
      s.setWorkload('analytics-1', { 'usage:spectrum': daily });
      s.setWorkload('analytics-2', { 'usage:spectrum': { kind: 'constant', value: 0.2 } });
      s.setWorkload('analytics-3', { 'usage:spectrum': { kind: 'constant', value: 0 } });
    },
  }).run();
}

/** An alert without its times and numbers: what kind of alert it is. */
const kind = (a: PublishedAlert) =>
  `${a.attributes.severity} ${(a.subject ?? '')
    .replace(/daily \d[\d.]*%/, 'daily N%')
    .replace(/ on \d+ clusters$/, ' on N clusters')
    .replace(/ \(analytics-spectrum-budget\)$/, '')}`;

/** The resources a run digest lists (`  cluster/x  PauseCluster  started  …` under `Resources:`); null for any other alert. */
const listed = (message: string) => {
  const at = message.indexOf('\nResources:\n');
  if (!message.startsWith('What:    policy ') || at < 0) return null;
  return (message.slice(at + '\nResources:\n'.length).split('\n\n')[0] ?? '').split('\n').map((l) => {
    const [resource, action, verb] = l.trim().split(/ {2}/);
    return `${resource} ${action} ${verb}`;
  });
};

describe('usage-limit escalation: a simulated month', () => {
  let month: SimulationResult;
  beforeAll(async () => {
    month = await run();
  }, 300_000);

  it('every day: one alert per grade in order on analytics-1, undone at midnight; grade 80 % on analytics-2', () => {
    const counts: Record<string, number> = {};
    for (const a of month.alerts) counts[kind(a)] = (counts[kind(a)] ?? 0) + 1;
    expect(counts).toEqual({
      // The first sweep creates the two declared limits on each cluster: one run, one digest (issue 19).
      'INFO [autopilot] analytics-spectrum-budget: CreateUsageLimit done on N clusters': 1,
      'INFO [autopilot] usage grade 80%: spectrum daily N% on analytics-1': DAYS,
      'INFO [autopilot] ModifyUsageLimit analytics-1: done': DAYS * 2 - 1,
      'INFO [autopilot] PauseCluster analytics-1: started': DAYS,
      'INFO [autopilot] ResumeCluster analytics-1: started': DAYS - 1,
      'INFO [autopilot] usage grade 80%: spectrum daily N% on analytics-2': DAYS,
    });
    const created = month.alerts.find((a) => a.subject?.includes('CreateUsageLimit'));
    expect(created?.at.slice(0, 16)).toBe('2026-12-01T00:00');
    expect(created?.attributes).toMatchObject({ severity: 'INFO', action: 'CreateUsageLimit', outcome: 'succeeded' });
    expect(listed(created?.message ?? '')).toEqual(
      ['analytics-1', 'analytics-1', 'analytics-2', 'analytics-2', 'analytics-3', 'analytics-3'].map(
        (id) => `cluster/${id} CreateUsageLimit done`,
      ),
    );
    const day = (d: string) =>
      month.alerts
        .filter((a) => a.at.startsWith(`2026-12-${d}`) && a.attributes.resource === 'cluster/analytics-1')
        .map((a) => `${a.at.slice(11, 16)} ${kind(a)}`);
    expect(day('15')).toEqual([
      '00:00 INFO [autopilot] ResumeCluster analytics-1: started',
      '00:10 INFO [autopilot] ModifyUsageLimit analytics-1: done',
      '06:15 INFO [autopilot] usage grade 80%: spectrum daily N% on analytics-1',
      '07:15 INFO [autopilot] ModifyUsageLimit analytics-1: done',
      '07:30 INFO [autopilot] PauseCluster analytics-1: started',
    ]);
  });

  it('no ERROR or WARNING, no failure, no dead letter', () => {
    expect(month.alerts.filter((a) => a.attributes.severity !== 'INFO').map(kind)).toEqual([]);
    expect(month.summary.totals.failures).toBe(0);
    expect(month.deadLetters).toEqual([]);
    expect(month.invocationErrors).toEqual([]);
  });
});
