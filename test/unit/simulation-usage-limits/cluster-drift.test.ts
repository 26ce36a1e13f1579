import { readFileSync } from 'node:fs';
import type { UsageLimit } from '@aws-sdk/client-redshift';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadPolicySources } from '../../../shared/policy/policy-loader.ts';
import type { PublishedAlert } from '../../../shared/simulation/aws-services.ts';
import { realHandlers } from '../../../shared/simulation/real-handlers.ts';
import { Simulation, type SimulationResult } from '../../../shared/simulation/simulation.ts';
import type { RedshiftSimulator } from '../../../shared/simulator/redshift-simulator.ts';
import type { MetricProfile } from '../../../shared/simulator/workload.ts';

/**
 * Issue 14's cluster example over the first ten days of December 2026, with people at the console: a
 * person's own limit on analytics-3 from the start (untagged), autopilot's spectrum limit of analytics-2
 * deleted by hand on the 3rd at 10:02, autopilot's concurrency-scaling limit of analytics-3 edited by
 * hand on the 5th at 10:02 (999 minutes, disable). analytics-1 climbs its daily spectrum budget every
 * day (84 %, 104 %, 156 %), as in usage-limits-month.test.ts.
 */
const FIXTURES = new URL('../../fixtures/usage-limits/', import.meta.url);
const FROM = Date.parse('2026-12-01T00:00:00Z');
const TO = Date.parse('2026-12-11T00:00:00Z');

const daily: MetricProfile = (at) => {
  const minute = Math.floor((at.getTime() % 86_400_000) / 60_000);
  if (minute === 6 * 60) return 4.2 * 12;
  if (minute === 7 * 60) return 12;
  if (minute === 7 * 60 + 5) return 2.6 * 12;
  return 0;
};

const limitsOf = (s: RedshiftSimulator, cluster: string): UsageLimit[] =>
  (s.call('redshift', 'DescribeUsageLimits', { ClusterIdentifier: cluster }) as { UsageLimits: UsageLimit[] })
    .UsageLimits;

let personsLimit = '';

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
      const made = s.call('redshift', 'CreateUsageLimit', {
        ClusterIdentifier: 'analytics-3',
        FeatureType: 'cross-region-datasharing',
        LimitType: 'data-scanned',
        Amount: 7,
        Period: 'monthly',
        BreachAction: 'log',
        Tags: [{ Key: 'owner', Value: 'ana' }],
      }) as UsageLimit;
      personsLimit = made.UsageLimitId ?? '';
      s.clock.schedule(Date.parse('2026-12-03T10:02:00Z'), () => {
        const spectrum = limitsOf(s, 'analytics-2').find((l) => l.FeatureType === 'spectrum');
        s.call('redshift', 'DeleteUsageLimit', { UsageLimitId: spectrum?.UsageLimitId });
      });
      s.clock.schedule(Date.parse('2026-12-05T10:02:00Z'), () => {
        const scaling = limitsOf(s, 'analytics-3').find((l) => l.FeatureType === 'concurrency-scaling');
        s.call('redshift', 'ModifyUsageLimit', {
          UsageLimitId: scaling?.UsageLimitId,
          Amount: 999,
          BreachAction: 'disable',
        });
      });
    },
  }).run();
}

const line = (a: PublishedAlert) =>
  `${a.at.slice(5, 16)} ${(a.subject ?? '').replace(/ \(analytics-spectrum-budget\)$/, '')}`;
const why = (a: PublishedAlert) => /^Why: +(.*)$/m.exec(a.message ?? '')?.[1] ?? '';

describe('usage limits: drift by hand within the month, a person’s limit, the daily climb', () => {
  let result: SimulationResult;
  beforeAll(async () => {
    result = await run();
  }, 300_000);

  it('a limit deleted by hand is created again on the next sweep, one edited by hand is put back', () => {
    const on = (cluster: string) =>
      result.alerts.filter((a) => a.attributes.resource === `cluster/${cluster}` && !a.at.startsWith('2026-12-01'));
    expect(on('analytics-2').map(line)).toEqual(['12-03T10:05 [autopilot] CreateUsageLimit analytics-2: done']);
    expect(why(on('analytics-2')[0] as PublishedAlert)).toBe(
      'declared spectrum#1 (spectrum 5 TB scanned daily, emit-metric) is missing on analytics-2: create',
    );
    // The person's limit is reported (one INFO a day, usage-limits.notices.ts), never changed.
    const changes = on('analytics-3').filter((a) => !(a.subject ?? '').includes('made outside autopilot'));
    expect(changes.map(line)).toEqual(['12-05T10:05 [autopilot] ModifyUsageLimit analytics-3: done']);
    expect(on('analytics-3').length - changes.length).toBe(10);
    expect(why(changes[0] as PublishedAlert)).toMatch(
      /^usage limit lim-\w+ is concurrency-scaling 999 minutes weekly, disable; declared concurrency-scaling#1 is concurrency-scaling 120 minutes weekly, log: put back$/,
    );
    const shape = (cluster: string) =>
      limitsOf(result.simulator, cluster)
        .map((l) => `${l.FeatureType} ${l.Amount} ${l.Period} ${l.BreachAction}`)
        .sort();
    expect(shape('analytics-2')).toEqual(['concurrency-scaling 120 weekly log', 'spectrum 5 daily emit-metric']);
    expect(shape('analytics-3')).toEqual([
      'concurrency-scaling 120 weekly log',
      'cross-region-datasharing 7 monthly log',
      'spectrum 5 daily emit-metric',
    ]);
  });

  it('the person’s limit is never modified or deleted: no decision names it', () => {
    const named = [...result.ledger.records.values()].filter((r) => r.params?.UsageLimitId === personsLimit);
    expect(personsLimit).toMatch(/^lim-/);
    expect(named).toEqual([]);
  });

  it('every day analytics-1 climbs 80 % → 100 % → 150 %, one alert per grade, undone at midnight', () => {
    for (const day of ['02', '06', '10']) {
      const alerts = result.alerts
        .filter((a) => a.at.startsWith(`2026-12-${day}`) && a.attributes.resource === 'cluster/analytics-1')
        .map((a) =>
          line(a)
            .slice(6)
            .replace(/daily \d[\d.]*%/, 'daily N%'),
        );
      expect(alerts).toEqual([
        '00:00 [autopilot] ResumeCluster analytics-1: started',
        '00:10 [autopilot] ModifyUsageLimit analytics-1: done',
        '06:15 [autopilot] usage grade 80%: spectrum daily N% on analytics-1',
        '07:15 [autopilot] ModifyUsageLimit analytics-1: done',
        '07:30 [autopilot] PauseCluster analytics-1: started',
      ]);
    }
  });

  it('no WARNING or ERROR, no failure, no dead letter', () => {
    expect(result.alerts.filter((a) => a.attributes.severity !== 'INFO').map(line)).toEqual([]);
    expect(result.summary.totals.failures).toBe(0);
    expect(result.deadLetters).toEqual([]);
    expect(result.invocationErrors).toEqual([]);
  });
});
