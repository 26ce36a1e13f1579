import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadPolicySources } from '../../../shared/policy/policy-loader.ts';
import { realHandlers } from '../../../shared/simulation/real-handlers.ts';
import { Simulation, type SimulationResult } from '../../../shared/simulation/simulation.ts';
import type { MetricProfile } from '../../../shared/simulator/workload.ts';
import { announced, reasonsOf } from './announced.ts';

const FROM = Date.parse('2026-12-07T00:00:00Z');
const TO = Date.parse('2026-12-08T02:00:00Z');
const DEV = ['adhoc-dev', 'bi-dev', 'etl-dev'];

const POLICIES = `version: 1
policies:
  - name: dev-rpu-budget
    resource: workgroup
    match: { tags: { env: dev } }
    usageLimits:
      limits: [{ feature: serverless-compute, amount: 600, period: daily, breachAction: log }]
      escalate:
        - { at: 80%, do: [alert] }
        - { at: 100%, do: [alert, { capMaxCapacity: 32 }] }
        - { at: 150%, do: [alert, deactivate] }
      budget: shared
`;

/** Queries wanting 40 RPU from 08:00 to 18:00 UTC every day, nothing at night. */
const officeHours: MetricProfile = (at) => (at.getUTCHours() >= 8 && at.getUTCHours() < 18 ? 40 : 0);

async function run(): Promise<SimulationResult> {
  const loaded = loadPolicySources([{ file: 'dev-rpu-budget.yml', text: POLICIES }]);
  expect(loaded.problems).toEqual([]);
  const file = path.join(import.meta.dirname, 'shared-workgroups.json');
  return new Simulation({
    policies: loaded.policySet,
    fleet: [{ name: 'shared-workgroups.json', json: JSON.parse(readFileSync(file, 'utf8')) as unknown }],
    from: FROM,
    to: TO,
    seed: 14,
    events: [],
    handlers: realHandlers,
    prepare: (s) => {
      for (const w of [...DEV, 'finance-prod']) s.usageMetrics.setWorkgroupWorkload(w, { rpuDemand: officeHours });
    },
  }).run();
}

/** RPU-hours a workgroup used on 2026-12-07, from the simulator's ComputeSeconds (Sum / 30 / 3600). */
function usedOn7th(r: SimulationResult, workgroup: string): number {
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
    EndTime: new Date(FROM + 86_400_000),
  }) as { MetricDataResults: { Values: number[] }[] };
  return Math.round((out.MetricDataResults[0]?.Values[0] ?? 0) / 30 / 3600);
}

/**
 * `budget: shared` over three dev workgroups (base 24, max 128 RPU; finance-prod is env prod), one
 * simulated day and the next midnight. Each wants 40 RPU from 08:00 UTC: 120 RPU-hours an hour together,
 * so the 600 RPU-hour daily budget reaches 80 % at 12:00, 100 % at 13:00 and — capped at 32 RPU each, 96
 * an hour — 150 % at 16:07; each workgroup alone ends the day at 360 RPU-hours, 60 % of the amount.
 */
describe('usage limits: a shared budget over three Serverless workgroups', () => {
  let result: SimulationResult;
  beforeAll(async () => {
    result = await run();
  }, 300_000);

  it('fires each grade once for the budget, on the sum, in order; each member takes the steps', () => {
    const graded = result.alerts.filter((a) => !(a.subject ?? '').includes('CreateUsageLimit'));
    const day = announced(graded.filter((a) => a.at < '2026-12-08'));
    expect(day).toEqual([
      expect.stringMatching(
        /^12:(15|30) schedule\/usage-budget\/dev-rpu-budget\/serverless-compute UsageGradeAlert \[autopilot\] usage grade 80%: serverless-compute daily 8\d(\.\d+)?% on budget dev-rpu-budget$/,
      ),
      ...DEV.map((w) => expect.stringMatching(new RegExp(`^13:(15|30) workgroup/${w} UpdateWorkgroup started$`))),
      ...DEV.map((w) => expect.stringMatching(new RegExp(`^16:(15|30|45) workgroup/${w} UpdateUsageLimit done$`))),
    ]);
    const reasons = graded.flatMap(reasonsOf);
    expect(reasons[0]).toMatch(
      /^usage grade 80%: the 3 workgroups of the shared budget \(adhoc-dev [\d.]+, bi-dev [\d.]+, etl-dev [\d.]+\) used [\d.]+ RPU-hours of serverless-compute, 8\d/,
    );
    for (const w of DEV) {
      expect(reasons).toContainEqual(
        expect.stringMatching(
          new RegExp(
            `^usage grade 100%: the 3 workgroups .* step capMaxCapacity \\(max capacity of ${w} 128 RPU to 32 RPU\\)`,
          ),
        ),
      );
    }
  });

  it('each alone stays under the amount while the sum goes over', () => {
    const each = DEV.map((w) => usedOn7th(result, w));
    for (const used of each) expect(used).toBeLessThan(600 * 0.8);
    expect(each.reduce((a, b) => a + b, 0)).toBeGreaterThan(600 * 1.5);
    // finance-prod is not matched: it runs at 40 RPU all day, never capped.
    expect(usedOn7th(result, 'finance-prod')).toBe(400);
    expect(result.simulator.serverless.getWorkgroupView('finance-prod')?.maxCapacity).toBe(128);
  });

  it('at 00:00 UTC every step is undone and reported: max capacity back to 128, breach action back to log', () => {
    const midnight = result.alerts.filter((a) => a.at >= '2026-12-08T00:00');
    expect(announced(midnight).sort()).toEqual(
      DEV.flatMap((w) => [
        expect.stringMatching(new RegExp(`^00:0\\d workgroup/${w} UpdateUsageLimit done$`)),
        expect.stringMatching(new RegExp(`^00:0\\d workgroup/${w} UpdateWorkgroup started$`)),
      ]),
    );
    for (const w of DEV) {
      const view = result.simulator.serverless.getWorkgroupView(w);
      expect(view?.maxCapacity).toBe(128);
      const [limit] = result.simulator.serverless.usageLimits.forResource(view?.workgroupArn ?? '');
      expect([limit?.amount, limit?.period, limit?.breachAction]).toEqual([600, 'daily', 'log']);
    }
    // Each undoing says why, in its alert or its run's digest (a digest names up to five reasons; all are in the Action events).
    const undone = midnight.flatMap(reasonsOf);
    expect(undone.filter((t) => t.includes('restored to 128 RPU')).length).toBeGreaterThanOrEqual(2);
    expect(undone.filter((t) => t.includes('put back to log, user queries run again')).length).toBeGreaterThanOrEqual(
      2,
    );
    const events = result.outcomeEvents.filter(
      (e) => e.at >= '2026-12-08T00:00' && e.detailType === 'Autopilot Action',
    );
    expect(events.length).toBeGreaterThanOrEqual(6);
  });

  it('one alert per grade and member step, no WARNING from a failure, no dead letter', () => {
    expect(result.summary.totals.failures).toBe(0);
    expect(result.deadLetters).toEqual([]);
    expect(result.invocationErrors).toEqual([]);
    expect(result.apiCalls.CreateUsageLimit).toBe(3);
  });
});
