import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { FleetResource } from '../../../shared/policy/decision.ts';
import { parseFleet } from '../../../shared/policy/fleet.ts';
import { loadPolicySources } from '../../../shared/policy/policy-loader.ts';
import { renderReport, reportContext } from '../../../shared/report/html-report.ts';
import { usageCharts } from '../../../shared/report/report-usage.ts';
import { UsageRecorder } from '../../../shared/report/usage-series.ts';
import { realHandlers } from '../../../shared/simulation/real-handlers.ts';
import { Simulation, type SimulationResult } from '../../../shared/simulation/simulation.ts';

/**
 * The report draws usage against the amount per resource (issue 14): a chart per managed limit under
 * the resource's timeline — consumption as the sweeps read it, the amount, each grade's threshold, the
 * period boundaries, and for a shared budget the members' sum — and groups resources by account/Region
 * when the fleet spans several (issue 18).
 */
const DIR = path.resolve(import.meta.dirname, '../simulation-usage-limits');
const FROM = Date.parse('2026-12-07T00:00:00Z');
const TO = Date.parse('2026-12-08T06:00:00Z');
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

const loaded = loadPolicySources([{ file: 'dev-rpu-budget.yml', text: POLICIES }]);
const fleetFiles = [
  { name: 'shared-workgroups.json', json: JSON.parse(readFileSync(path.join(DIR, 'shared-workgroups.json'), 'utf8')) },
];

/** All `attr="…"` values of the elements of `tag` with class `cls` in `html`. */
function attrs(html: string, tag: string, cls: string, attr: string): string[] {
  const out: string[] = [];
  for (const m of html.matchAll(new RegExp(`<${tag} class="${cls}"[^>]*>`, 'g'))) {
    const v = new RegExp(`${attr}="([^"]*)"`).exec(m[0])?.[1];
    if (v !== undefined) out.push(v);
  }
  return out;
}

function section(html: string, name: string): string {
  const start = html.indexOf(`<section class="resource" data-resource="${name}">`);
  return start < 0 ? '' : html.slice(start, html.indexOf('</section>', start));
}

describe('report: usage against the amount, from a simulated shared Serverless budget', () => {
  let result: SimulationResult;
  let html: string;
  beforeAll(async () => {
    expect(loaded.problems).toEqual([]);
    result = await new Simulation({
      policies: loaded.policySet,
      fleet: fleetFiles,
      from: FROM,
      to: TO,
      seed: 14,
      handlers: realHandlers,
      prepare: (s) => {
        for (const w of ['adhoc-dev', 'bi-dev', 'etl-dev', 'finance-prod'])
          s.usageMetrics.setWorkgroupWorkload(w, {
            rpuDemand: (at) => (at.getUTCHours() >= 8 && at.getUTCHours() < 18 ? 40 : 0),
          });
      },
    }).run();
    const fleet = parseFleet(fleetFiles, new Date(FROM).toISOString()).resources;
    html = renderReport({
      title: 'usage',
      from: FROM,
      to: TO,
      records: result.records,
      summary: result.summary,
      resources: result.resources,
      ...reportContext(loaded.policySet.policies, fleet, FROM, TO, result.usage),
      sources: ['dev-rpu-budget.yml'],
    });
  }, 300_000);

  it('the run carries a sample per member per usage read (every 15 minutes once the limits exist)', () => {
    const etl = result.usage.filter((s) => s.resource === 'workgroup/etl-dev');
    expect(etl.length).toBeGreaterThanOrEqual(110);
    expect(new Set(result.usage.map((s) => s.resource))).toEqual(
      new Set(['workgroup/adhoc-dev', 'workgroup/bi-dev', 'workgroup/etl-dev']),
    );
    // The daily consumption starts again at 00:00 UTC.
    const last = etl.filter((s) => s.at < '2026-12-08T00:00').at(-1);
    const next = etl.find((s) => s.at >= '2026-12-08T00:00');
    expect(last?.consumed).toBeGreaterThan(300);
    expect(next?.consumed).toBe(0);
  });

  it('draws each member’s consumption and the budget’s sum against the amount and the grades', () => {
    const etl = section(html, 'workgroup/etl-dev');
    expect(attrs(etl, 'svg', 'usage-chart', 'data-feature')).toEqual(['serverless-compute']);
    expect(attrs(etl, 'line', 'usage-amount', 'data-amount')).toEqual(['600']);
    expect(attrs(etl, 'line', 'usage-grade', 'data-percent')).toEqual(['80', '150']);
    expect(etl).toContain('amount 600 RPU-hours · 100% alert, capMaxCapacity 32');
    expect(etl).toContain('150% alert, deactivate');
    // One period boundary inside the chart: 2026-12-08T00:00Z at 24/30 of the width.
    expect(attrs(etl, 'line', 'usage-period', 'x1')).toEqual(['800']);
    const own = attrs(etl, 'polyline', 'usage-own', 'points')[0] ?? '';
    const sum = attrs(etl, 'polyline', 'usage-sum', 'points')[0] ?? '';
    expect(own.split(' ').length).toBeGreaterThanOrEqual(110);
    // The sum is drawn above the member (smaller y) once there is use.
    const yAt = (points: string, i: number) => Number(points.split(' ')[i]?.split(',')[1]);
    const i = Math.floor(own.split(' ').length * 0.6);
    expect(yAt(sum, i)).toBeLessThan(yAt(own, i));
    const caption = /<p class="usage-caption">([^<]*)<\/p>/.exec(etl)?.[1] ?? '';
    expect(caption).toMatch(
      /^serverless-compute daily, dev-rpu-budget: at most 3\d\d(\.\d+)? of 600 RPU-hours \(6\d(\.\d+)?%\) · shared budget of 3: at most 1\d{3}(\.\d+)? \(1[5-9]\d(\.\d+)?%\) · grades 80% alert; 100% alert, capMaxCapacity 32; 150% alert, deactivate$/,
    );
  });

  it('no chart for a resource no usage-limits policy covers; one location, no grouping', () => {
    expect(section(html, 'workgroup/finance-prod')).not.toContain('usage-chart');
    expect(html).not.toContain('class="location"');
  });
});

const cluster = (id: string, account: string, region: string): FleetResource => ({
  type: 'cluster',
  id,
  arn: `arn:aws:redshift:${region}:${account}:cluster:${id}`,
  region,
  account,
  status: 'available',
  availabilityStatus: 'Available',
  tags: { 'autopilot:managed': 'true', team: 'analytics' },
  nodeType: 'ra3.xlplus',
  numberOfNodes: 2,
  multiAz: false,
  automatedSnapshotRetentionPeriod: 1,
  namespaceArn: null,
});
const clusterPolicy = loadPolicySources([
  {
    file: 'p.yml',
    text: `version: 1
policies:
- name: analytics-spectrum-budget
  resource: cluster
  match: { tags: { team: analytics } }
  usageLimits:
    limits: [{ feature: spectrum, amount: 5, period: daily, breachAction: emit-metric }]
    escalate:
      - { at: 80%, do: [alert] }
      - { at: 100%, do: [alert, disable-feature] }
`,
  },
]).policySet.policies;

describe('report: usage charts and grouping, from given samples', () => {
  it('a cluster chart per escalated limit, from the sweeps’ reads of its limits', () => {
    const recorder = new UsageRecorder();
    for (const [at, amount] of [
      ['2026-12-07T10:00:00.000Z', 1],
      ['2026-12-07T10:15:00.000Z', 4.5],
    ] as const) {
      recorder.observe([
        {
          ...(cluster('a-1', '111111111111', 'eu-west-1') as Extract<FleetResource, { type: 'cluster' }>),
          usageReadAt: at,
          limits: [
            {
              id: 'lim-1',
              clusterId: 'a-1',
              feature: 'spectrum',
              limitType: 'data-scanned',
              amount: 5,
              period: 'daily',
              breachAction: 'emit-metric',
              tags: {},
              consumed: { amount, at },
            },
          ],
        },
      ]);
    }
    const charts = usageCharts(clusterPolicy, [cluster('a-1', '111111111111', 'eu-west-1')], recorder.samples);
    expect(
      charts.get('cluster/a-1')?.map((c) => [c.budget.feature, c.budget.amount, c.own.map((p) => p.value)]),
    ).toEqual([['spectrum', 5, [1, 4.5]]]);
    expect(charts.get('cluster/a-1')?.[0]?.sum).toBeUndefined();
  });

  it('groups resources by account and Region when they span several', () => {
    const resources = [cluster('a-1', '111111111111', 'eu-west-1'), cluster('b-1', '222222222222', 'us-east-1')];
    const html = renderReport({
      title: 't',
      from: FROM,
      to: TO,
      records: [],
      summary: {
        type: 'summary',
        from: new Date(FROM).toISOString(),
        to: new Date(TO).toISOString(),
        seed: '1',
        policies: [],
        totals: { actions: 0, dryRuns: 0, skips: 0, failures: 0, alerts: 0, nodeHoursSaved: 0 },
        invocationErrors: 0,
        deadLetters: 0,
        deliveries: { events: 0, ticks: 0, batches: 0, duplicatesDropped: 0 },
        unmatchedEvents: [],
      } as never,
      resources: resources.map((r) => ({ name: `cluster/${r.id}`, zone: 'UTC', nodes: 2 })),
      ...reportContext(clusterPolicy, resources, FROM, TO),
      sources: [],
    });
    expect(attrs(html, 'h3', 'location', 'data-location')).toEqual([
      '111111111111/eu-west-1',
      '222222222222/us-east-1',
    ]);
    const first = html.indexOf('data-location="111111111111/eu-west-1"');
    const second = html.indexOf('data-location="222222222222/us-east-1"');
    const a = html.indexOf('data-resource="cluster/a-1"');
    const b = html.indexOf('data-resource="cluster/b-1"');
    expect(first < a && a < second && second < b).toBe(true);
  });
});
