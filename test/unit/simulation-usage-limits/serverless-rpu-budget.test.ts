import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadPolicySources } from '../../../shared/policy/policy-loader.ts';
import type { PublishedAlert } from '../../../shared/simulation/aws-services.ts';
import { realHandlers } from '../../../shared/simulation/real-handlers.ts';
import { Simulation, type SimulationResult } from '../../../shared/simulation/simulation.ts';
import type { MetricProfile } from '../../../shared/simulator/workload.ts';
import { announced, reasonsOf } from './announced.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const FROM = Date.parse('2026-11-28T00:00:00Z');
const TO = Date.parse('2026-12-01T12:00:00Z');

const POLICIES = `version: 1
policies:
  - name: serverless-rpu-budget
    resource: workgroup
    match: { tags: { env: dev } }
    usageLimits:
      limits: [{ feature: serverless-compute, amount: 200, period: monthly, breachAction: log }]
      escalate:
        - { at: 90%, do: [alert, { capMaxCapacity: 64 }] }
        - { at: 110%, do: [alert, deactivate] }
`;

/** Queries wanting 100 RPU from 08:00 to 18:00 UTC every day, nothing at night. */
const officeHours: MetricProfile = (at) => (at.getUTCHours() >= 8 && at.getUTCHours() < 18 ? 100 : 0);

async function run(): Promise<SimulationResult> {
  const loaded = loadPolicySources([{ file: 'rpu-budget.yml', text: POLICIES }]);
  expect(loaded.problems).toEqual([]);
  const fleet = JSON.parse(readFileSync(path.join(ROOT, 'examples/fleet/workgroups.json'), 'utf8')) as unknown;
  return new Simulation({
    policies: loaded.policySet,
    fleet: [{ name: 'workgroups.json', json: fleet }],
    from: FROM,
    to: TO,
    seed: 14,
    events: [],
    handlers: realHandlers,
    prepare: (s) => {
      s.usageMetrics.setWorkgroupWorkload('analytics-dev', { rpuDemand: officeHours });
      s.usageMetrics.setWorkgroupWorkload('finance-prod', { rpuDemand: officeHours });
    },
  }).run();
}

/** Each alert: when (UTC, to the minute), severity, and what it says happened. */
const line = (a: PublishedAlert) =>
  `${a.at.slice(5, 16)} ${a.attributes.severity} ${(a.subject ?? '').replace(/ \(serverless-rpu-budget\)$/, '')}`;

/** RPU-hours the workgroup used each UTC day, from the simulator's ComputeSeconds (Sum / 30 / 3600). */
function dailyRpuHours(r: SimulationResult, workgroup: string): Record<string, number> {
  const out = r.simulator.callCloudWatch('GetMetricData', {
    MetricDataQueries: [
      {
        Id: 'c',
        MetricStat: {
          Metric: {
            Namespace: 'AWS/Redshift-Serverless',
            MetricName: 'ComputeSeconds',
            Dimensions: [{ Name: 'Workgroup', Value: workgroup }],
          },
          Period: 86_400,
          Stat: 'Sum',
        },
      },
    ],
    StartTime: new Date(FROM),
    EndTime: new Date(TO),
    ScanBy: 'TimestampAscending',
  }) as { MetricDataResults: { Timestamps: Date[]; Values: number[] }[] };
  const [c] = out.MetricDataResults;
  return Object.fromEntries(
    (c?.Timestamps ?? []).map((t, i) => [t.toISOString().slice(5, 10), Math.round((c?.Values[i] ?? 0) / 30 / 3600)]),
  );
}

/**
 * Issue 14's Serverless example on examples/fleet/workgroups.json (analytics-dev: env dev, base 32, max
 * 256 RPU; finance-prod: env prod, not matched), from Sat 2026-11-28 00:00 UTC to Tue 2026-12-01 12:00
 * UTC. Both workgroups' queries want 100 RPU from 08:00 to 18:00 UTC. The limit is created at the first
 * sweep and counts from then; on the 28th the 90 % grade caps max capacity at 64 RPU and the 110 % grade
 * switches the limit to deactivate, which stops the queries for the rest of November; at the December
 * boundary both are undone, queries run again and the grades climb again.
 */
describe('issue 14 Serverless example: serverless-rpu-budget over a month boundary', () => {
  let result: SimulationResult;
  beforeAll(async () => {
    result = await run();
  }, 300_000);

  it('creates the limit once, one alert per grade in order, each step undone and reported at the boundary', () => {
    // Each action alone, or listed in its policy run's digest (the boundary's two undoings are one run).
    expect(announced(result.alerts, true)).toEqual([
      '11-28T00:00 workgroup/analytics-dev redshift-serverless:CreateUsageLimit done',
      '11-28T10:15 workgroup/analytics-dev UpdateWorkgroup started',
      '11-28T10:30 workgroup/analytics-dev UpdateUsageLimit done',
      '12-01T00:00 workgroup/analytics-dev UpdateUsageLimit done',
      '12-01T00:00 workgroup/analytics-dev UpdateWorkgroup started',
      '12-01T10:15 workgroup/analytics-dev UpdateWorkgroup started',
      '12-01T10:30 workgroup/analytics-dev UpdateUsageLimit done',
    ]);
    const [, cap, deactivate, backToLog, restored] = result.alerts.flatMap(reasonsOf);
    expect(cap).toMatch(/^usage grade 90%: workgroup analytics-dev used [\d.]+ RPU-hours of serverless-compute, /);
    expect(cap).toContain('step capMaxCapacity (max capacity of analytics-dev 256 RPU to 64 RPU)');
    expect(deactivate).toMatch(/^usage grade 110%: .* breach action log to deactivate \(user queries stop at 200/);
    expect(backToLog).toMatch(/period 2026-12-01T00:00Z began: .* put back to log, user queries run again$/);
    expect(restored).toMatch(
      /period 2026-12-01T00:00Z began: grade 90% had capped .* at 64 RPU .*; restored to 256 RPU$/,
    );
  });

  it('the API calls: one CreateUsageLimit; the cap and its restore set max capacity (done once AVAILABLE)', () => {
    expect(result.apiCalls.CreateUsageLimit).toBe(1);
    expect(result.apiCalls.DeleteUsageLimit).toBeUndefined();
    const sets = result.records
      .filter((x) => x.type === 'action' && x.action === 'UpdateWorkgroup' && x.outcome === 'succeeded')
      .map((x) => {
        const params = x.type === 'action' ? (result.ledger.records.get(x.key)?.params ?? {}) : {};
        return `${x.at.slice(5, 16)} ${String(params.workgroupName)} maxCapacity=${String(params.maxCapacity)}`;
      });
    expect(sets).toEqual([
      '11-28T10:20 analytics-dev maxCapacity=64',
      '12-01T00:05 analytics-dev maxCapacity=256',
      '12-01T10:20 analytics-dev maxCapacity=64',
    ]);
    const [limit] = result.simulator.serverless.usageLimits.forResource(
      result.simulator.serverless.getWorkgroupView('analytics-dev')?.workgroupArn ?? '',
    );
    expect([limit?.amount, limit?.period, limit?.breachAction]).toEqual([200, 'monthly', 'deactivate']);
  });

  it('deactivate stops the queries until the month turns; the prod workgroup is never touched', () => {
    // 28th: 100 RPU from 08:00, 64 from the cap, none from the deactivate; 29th-30th none; 1st: again.
    const dev = dailyRpuHours(result, 'analytics-dev');
    expect(dev['11-29']).toBe(0);
    expect(dev['11-30']).toBe(0);
    expect(dev['11-28']).toBeGreaterThanOrEqual(200);
    expect(dev['11-28']).toBeLessThan(250);
    expect(dev['12-01']).toBeGreaterThanOrEqual(200);
    // finance-prod runs at its base capacity, 128 RPU, 10 hours a day.
    expect(dailyRpuHours(result, 'finance-prod')).toMatchObject({ '11-28': 1280, '11-29': 1280, '11-30': 1280 });
    expect(result.simulator.serverless.getWorkgroupView('finance-prod')?.maxCapacity).toBeUndefined();
  });

  it('no WARNING or ERROR, no failure, no dead letter', () => {
    expect(result.alerts.filter((a) => a.attributes.severity !== 'INFO').map(line)).toEqual([]);
    expect(result.summary.totals.failures).toBe(0);
    expect(result.deadLetters).toEqual([]);
    expect(result.invocationErrors).toEqual([]);
  });
});
