import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runPlan } from '../../../../shared/cli/commands/plan.command.ts';
import type { ClusterResource, WorkgroupResource } from '../../../../shared/policy/decision.ts';
import { parseFleet } from '../../../../shared/policy/fleet.ts';
import { fakeIo } from '../../../helpers/cli.ts';

/**
 * `plan` with usage-limit fleet files as the AWS CLI prints them (issue 14): describe-clusters,
 * describe-usage-limits and get-metric-data of UsageLimitConsumed (Label = UsageLimitId) for clusters;
 * list-workgroups, list-usage-limits and get-metric-data of ComputeSeconds (Label = workgroup name, Stat
 * Sum) for workgroups. It lists the limits to create and the grades the current usage reaches.
 */
const DIR = path.join(import.meta.dirname, 'fleet-files');
const FILES = [
  'describe-clusters.json',
  'describe-usage-limits.json',
  'usage-limit-consumed.json',
  'list-workgroups.json',
  'list-usage-limits.json',
  'compute-seconds.json',
];
const READ_AT = '2026-12-07T08:00:00.000Z';
const json = (file: string): unknown => JSON.parse(readFileSync(path.join(DIR, file), 'utf8'));

async function planText(fleet: readonly string[] = FILES): Promise<string> {
  const io = fakeIo({ cwd: DIR });
  const code = await runPlan(
    {
      policies: ['policies.yml'],
      fleet: [...fleet],
      events: null,
      from: '2026-12-07T08:00Z',
      to: '2026-12-07T09:00Z',
      tickMinutes: 5,
      json: false,
    },
    io,
  );
  expect(code).toBe(0);
  return io.out();
}

describe('fleet files: usage limits and their usage', () => {
  it('gives each cluster its limits (none: []) and each limit its latest UsageLimitConsumed', () => {
    const fleet = parseFleet(
      FILES.map((f) => ({ name: f, json: json(f) })),
      READ_AT,
    );
    const cluster = (id: string) =>
      fleet.resources.find((r): r is ClusterResource => r.type === 'cluster' && r.id === id);
    expect(cluster('analytics-1')?.usageReadAt).toBe(READ_AT);
    expect(cluster('analytics-1')?.limits?.map((l) => [l.id, l.feature, l.amount, l.consumed])).toEqual([
      ['lim-0a1b2c3d4e5f6071', 'spectrum', 5, { amount: 4, at: '2026-12-07T07:55:00.000Z' }],
      ['lim-1b2c3d4e5f607182', 'concurrency-scaling', 120, { amount: 130, at: '2026-12-07T07:55:00.000Z' }],
    ]);
    expect(cluster('analytics-3')?.limits).toEqual([]);
    const wg = fleet.resources.find((r): r is WorkgroupResource => r.type === 'workgroup' && r.id === 'analytics-dev');
    // Six days at 31 RPU-hours and 2 so far today: each ComputeSeconds Sum divided by 30 datapoints and 3600 s.
    expect(wg?.limits?.map((l) => [l.clusterId, l.feature, l.consumed?.amount])).toEqual([
      ['analytics-dev', 'serverless-compute', 188],
    ]);
    expect(wg?.rpuHoursByDay?.['2026-12-01']).toBe(31);
    const other = fleet.resources.find(
      (r): r is WorkgroupResource => r.type === 'workgroup' && r.id === 'finance-prod',
    );
    expect(other?.limits).toEqual([]);
    expect(other?.usageReadAt).toBeUndefined();
  });

  it('names a metric whose Label matches nothing, a limit of an unknown workgroup and a failed query', () => {
    const bad = {
      MetricDataResults: [
        { Id: 'u0', Label: 'UsageLimitConsumed', Timestamps: [], Values: [], StatusCode: 'Complete' },
        { Id: 'u1', Label: 'lim-0a1b2c3d4e5f6071', Timestamps: [], Values: [], StatusCode: 'Forbidden' },
      ],
    };
    const limits = json('list-usage-limits.json') as { usageLimits: Record<string, unknown>[] };
    const stray = {
      usageLimits: [
        {
          ...limits.usageLimits[0],
          resourceArn: 'arn:aws:redshift-serverless:eu-central-1:123456789012:workgroup/nope',
        },
      ],
    };
    const docs = [
      { name: 'describe-clusters.json', json: json('describe-clusters.json') },
      { name: 'describe-usage-limits.json', json: json('describe-usage-limits.json') },
      { name: 'list-workgroups.json', json: json('list-workgroups.json') },
      { name: 'metrics.json', json: bad },
      { name: 'stray.json', json: stray },
    ];
    expect(() => parseFleet(docs, READ_AT)).toThrow(
      [
        'metrics.json: MetricDataResults[1]: GetMetricData answered Forbidden for this query; expected Complete (read it again)',
        'metrics.json: MetricDataResults[0]: Label "UsageLimitConsumed" names no usage limit of the fleet\'s describe-usage-limits nor a workgroup of its list-workgroups; expected each query\'s Label to be the UsageLimitId (AWS/Redshift UsageLimitConsumed) or the workgroup name (AWS/Redshift-Serverless ComputeSeconds, Stat Sum)',
        'stray.json: usageLimits[0]: resourceArn arn:aws:redshift-serverless:eu-central-1:123456789012:workgroup/nope is no workgroup of the fleet; expected the list-workgroups output of the same account and Region beside it',
      ].join('\n'),
    );
    expect(() => parseFleet([{ name: 'l.json', json: { UsageLimits: [{ UsageLimitId: 'x' }] } }], READ_AT)).toThrow(
      'l.json: UsageLimits[0] is {"UsageLimitId":"x"}; expected describe-usage-limits output, where every limit has UsageLimitId, ClusterIdentifier, FeatureType and a numeric Amount',
    );
  });
});

describe('plan: limits to create and the grades current usage reaches (issue 14 example)', () => {
  it('lists the creates, then per resource the usage and every grade it reaches with its steps', async () => {
    const text = await planText();
    const creates = text.split('\n').filter((l) => /CreateUsageLimit\s/.test(l));
    expect(creates.map((l) => l.replace(/^.*CreateUsageLimit\s+/, '').replace(/\s+act\s+.*$/, ''))).toEqual([
      'analytics-2',
      'analytics-3',
      'analytics-3',
      'analytics-dev',
    ]);
    const usage = text.slice(text.indexOf('  usage at 2026-12-07T08:00Z against spectrum#1'));
    expect(usage.split('\n').slice(0, 19).join('\n')).toBe(
      `  usage at 2026-12-07T08:00Z against spectrum#1 (5 TB scanned daily, period from 2026-12-07T00:00Z):
    analytics-1  spectrum 4 of 5 TB scanned (80%)
      would fire 80%: alert
      next 100% at 5 TB scanned (1 TB scanned more)
    analytics-2  spectrum 8 of 5 TB scanned (160%)
      would fire 80%: alert
      would fire 100%: alert, disable-feature not done: usage limit lim-9f8e7d6c5b4a3921 already disables spectrum; AWS allows one disable per feature
      would fire 150%: alert, pause (PauseCluster analytics-2)
      every grade reached; they start again at 2026-12-08T00:00Z
    analytics-3  spectrum: no daily spectrum limit with a measured consumption on it yet; no grade can be judged
  usage at 2026-12-07T08:00Z against concurrency-scaling#1 (120 minutes weekly, period from 2026-12-06T00:00Z):
    analytics-1  concurrency-scaling 130 of 120 minutes (108.33%)
      would fire 80%: alert
      would fire 100%: alert, disable-feature (ModifyUsageLimit lim-1b2c3d4e5f607182 log → disable)
      next 150% at 180 minutes (50 minutes more)
    analytics-2  concurrency-scaling: no weekly concurrency-scaling limit with a measured consumption on it yet; no grade can be judged
    analytics-3  concurrency-scaling: no weekly concurrency-scaling limit with a measured consumption on it yet; no grade can be judged

serverless-rpu-budget  (policies.yml:16:5)  usage limits: serverless-compute 200 RPU-hours monthly, log; escalate at 90% (alert, capMaxCapacity), 110% (alert, deactivate)`,
    );
    expect(
      text,
    ).toContain(`  usage at 2026-12-07T08:00Z against serverless-compute#1 (200 RPU-hours monthly, period from 2026-12-01T00:00Z):
    analytics-dev  serverless-compute 188 of 200 RPU-hours (94%)
      would fire 90%: alert, capMaxCapacity (UpdateWorkgroup: max capacity of analytics-dev 256 RPU to 64 RPU)
      next 110% at 220 RPU-hours (32 RPU-hours more)`);
  });

  it('without a get-metric-data file says usage was not read instead of judging grades', async () => {
    const text = await planText(FILES.filter((f) => f !== 'usage-limit-consumed.json' && f !== 'compute-seconds.json'));
    expect(text).toContain(
      '    analytics-1  spectrum: usage not read (no get-metric-data file for it); no grade can be judged',
    );
    expect(text).toContain(
      '    analytics-dev  serverless-compute: usage not read (no get-metric-data file for it); no grade can be judged',
    );
    expect(text).not.toContain('would fire');
  });

  it('reports each skip once while its reason holds, though a resource has several', async () => {
    const text = await planText();
    const skipped = text.split('\n').filter((l) => l.includes('analytics-3  from'));
    expect(skipped.length).toBeLessThanOrEqual(6);
    expect(new Set(skipped.map((l) => l.replace(/from \S+/, ''))).size).toBe(skipped.length);
  });
});
