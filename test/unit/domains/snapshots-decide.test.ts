import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runPlan } from '../../../shared/cli/commands/plan.command.ts';
import { isValidSnapshotId } from '../../../shared/domains/snapshots/snapshot-id.ts';
import { decide } from '../../../shared/policy/decide.ts';
import type { Decision, LedgerEntryView } from '../../../shared/policy/decision.ts';
import { parseFleet } from '../../../shared/policy/fleet.ts';
import { loadPolicySources, type PolicySet } from '../../../shared/policy/policy-loader.ts';
import { fakeIo } from '../../helpers/cli.ts';

const OPT_IN = { Key: 'autopilot:managed', Value: 'true' };
const DAY = 86_400_000;

function policies(yaml: string): PolicySet {
  const result = loadPolicySources([{ file: 'p.yml', text: yaml }]);
  expect(result.problems.filter((p) => p.severity === 'error')).toEqual([]);
  return result.policySet;
}

function nightly(extra = '', resource = 'cluster'): PolicySet {
  return policies(`version: 1
policies:
  - name: nightly
    resource: ${resource}
    snapshots:
      schedule: "cron(0 2 * * ? *)"
      timezone: Europe/Berlin
${extra}`);
}

const cluster = (id: string, status = 'available', more: Record<string, unknown> = {}) => ({
  ClusterIdentifier: id,
  ClusterStatus: status,
  NodeType: 'ra3.xlplus',
  NumberOfNodes: 2,
  AvailabilityZone: 'eu-central-1a',
  Tags: [OPT_IN],
  ...more,
});

/** A snapshot autopilot made for `slot` (ISO), as describe-cluster-snapshots prints it. */
function ours(clusterId: string, slot: string, status = 'available', attempt = 0, policy = 'nightly') {
  const stamp = slot.slice(0, 16).replace(/[-:T]/g, '');
  return {
    SnapshotIdentifier: `autopilot-${clusterId}-${policy}-${stamp}${attempt > 0 ? `-r${attempt}` : ''}`,
    ClusterIdentifier: clusterId,
    SnapshotType: 'manual',
    Status: status,
    SnapshotCreateTime: new Date(Date.parse(slot) + attempt * 20 * 60_000).toISOString(),
    Tags: [
      { Key: 'managed-by', Value: 'redshift-autopilot' },
      { Key: 'autopilot:policy', Value: policy },
      { Key: 'autopilot:slot', Value: slot },
      { Key: 'autopilot:attempt', Value: String(attempt) },
    ],
  };
}

function run(set: PolicySet, docs: unknown[], now: string, ledger: LedgerEntryView[] = []) {
  const fleet = parseFleet(
    docs.map((json, i) => ({ name: `doc${i}`, json })),
    now,
  );
  return decide({ policies: set, fleet, trigger: { kind: 'tick', at: now }, now, ledger: { entries: ledger } });
}

const brief = (d: Decision) => [d.action, d.params.SnapshotIdentifier ?? d.params.snapshotName ?? '', d.reason];

describe('snapshots: creating', () => {
  it('creates the due slot with a valid id, tags and the retention period', () => {
    const { decisions } = run(nightly(), [{ Clusters: [cluster('etl-prod')] }], '2026-12-08T01:05:00.000Z');
    expect(decisions.map((d) => d.params)).toEqual([
      {
        SnapshotIdentifier: 'autopilot-etl-prod-nightly-202612080100',
        ClusterIdentifier: 'etl-prod',
        ManualSnapshotRetentionPeriod: -1,
        Tags: [
          { Key: 'managed-by', Value: 'redshift-autopilot' },
          { Key: 'autopilot:policy', Value: 'nightly' },
          { Key: 'autopilot:slot', Value: '2026-12-08T01:00:00.000Z' },
          { Key: 'autopilot:attempt', Value: '0' },
        ],
      },
    ]);
    expect(isValidSnapshotId(String(decisions[0]?.params.SnapshotIdentifier))).toBe(true);
  });

  it('sets ManualSnapshotRetentionPeriod from expireAfterDays', () => {
    const { decisions } = run(
      nightly('      expireAfterDays: 400\n'),
      [{ Clusters: [cluster('etl-prod')] }],
      '2026-12-08T01:05:00.000Z',
    );
    expect(decisions[0]?.params.ManualSnapshotRetentionPeriod).toBe(400);
  });

  it.each([
    ['paused', '2026-12-08T01:00Z snapshot: cluster paused: a paused cluster takes no snapshots'],
    [
      'available, prep-for-resize',
      '2026-12-08T01:00Z snapshot: cluster available, prep-for-resize: snapshots are blocked during an elastic resize',
    ],
    [
      'available, resize-cleanup',
      '2026-12-08T01:00Z snapshot: cluster available, resize-cleanup: snapshots are blocked during an elastic resize',
    ],
    ['modifying', '2026-12-08T01:00Z snapshot: status modifying'],
  ])('skips a %s cluster with the reason', (status, reason) => {
    const out = run(nightly(), [{ Clusters: [cluster('etl-prod', status)] }], '2026-12-08T01:05:00.000Z');
    expect(out.decisions).toEqual([]);
    expect(out.skips.map((s) => s.reason)).toEqual([reason]);
  });

  it('skips while a snapshot of this policy is still in progress (listing or ledger)', () => {
    const fromListing = run(
      nightly(),
      [{ Clusters: [cluster('etl-prod')] }, { Snapshots: [ours('etl-prod', '2026-12-07T01:00:00.000Z', 'creating')] }],
      '2026-12-08T01:05:00.000Z',
    );
    expect(fromListing.skips.map((s) => s.reason)).toEqual([
      '2026-12-08T01:00Z snapshot: snapshot autopilot-etl-prod-nightly-202612070100 from this policy is still in progress',
    ]);
    const fromLedger = run(nightly(), [{ Clusters: [cluster('etl-prod')] }], '2026-12-08T01:05:00.000Z', [
      {
        idempotencyKey: 'k1',
        policy: 'nightly',
        action: 'CreateClusterSnapshot',
        target: { type: 'cluster', id: 'etl-prod' },
        status: 'in-progress',
        at: '2026-12-07T01:00:00.000Z',
      },
    ]);
    expect(fromLedger.decisions).toEqual([]);
    expect(fromLedger.skips).toHaveLength(1);
  });

  it('does not ask twice for a slot whose snapshot exists, and nothing between slots', () => {
    const docs = [{ Clusters: [cluster('etl-prod')] }, { Snapshots: [ours('etl-prod', '2026-12-08T01:00:00.000Z')] }];
    expect(run(nightly(), docs, '2026-12-08T01:20:00.000Z').decisions).toEqual([]);
    expect(run(nightly(), [{ Clusters: [cluster('etl-prod')] }], '2026-12-08T12:00:00.000Z').decisions).toEqual([]);
  });

  it('retries a failed attempt after its backoff, with the next -r id, at most `attempts` times', () => {
    const slot = '2026-12-08T01:00:00.000Z';
    const failed = (n: number) => ({
      Snapshots: [...Array(n + 1).keys()].map((a) => ours('etl-prod', slot, 'failed', a)),
    });
    const c = { Clusters: [cluster('etl-prod')] };
    // Attempt 0 created 01:00, failed; backoff 15m → due 01:15.
    expect(run(nightly(), [c, failed(0)], '2026-12-08T01:10:00.000Z').decisions).toEqual([]);
    const r1 = run(nightly(), [c, failed(0)], '2026-12-08T01:16:00.000Z').decisions;
    expect(r1.map(brief)).toEqual([
      [
        'CreateClusterSnapshot',
        'autopilot-etl-prod-nightly-202612080100-r1',
        'retry 1/3 of the 2026-12-08T01:00Z snapshot: autopilot-etl-prod-nightly-202612080100 failed',
      ],
    ]);
    expect(r1[0]?.at).toBe('2026-12-08T01:15:00.000Z');
    // Attempt 2 created 01:40 (20 min per attempt here), failed; backoff 1h → due 02:40.
    expect(run(nightly(), [c, failed(2)], '2026-12-08T02:39:00.000Z').decisions).toEqual([]);
    expect(run(nightly(), [c, failed(2)], '2026-12-08T02:41:00.000Z').decisions.map(brief)[0]?.[1]).toBe(
      'autopilot-etl-prod-nightly-202612080100-r3',
    );
    expect(run(nightly(), [c, failed(3)], '2026-12-08T05:00:00.000Z').decisions).toEqual([]);
  });
});

describe('snapshots: retention', () => {
  const slots = (n: number, last: string) =>
    [...Array(n).keys()].map((i) => new Date(Date.parse(last) - i * DAY).toISOString());

  it('deletes what no class keeps, with the reason, and only its own available snapshots', () => {
    const mine = slots(30, '2026-12-08T01:00:00.000Z').map((s) => ours('etl-prod', s));
    const foreign = [
      { ...ours('etl-prod', '2026-10-01T00:00:00.000Z'), SnapshotIdentifier: 'by-hand', Tags: [] },
      { ...ours('etl-prod', '2026-10-02T00:00:00.000Z', 'available', 0, 'weekly'), SnapshotIdentifier: 'weekly-one' },
      {
        ...ours('etl-prod', '2026-10-03T00:00:00.000Z'),
        SnapshotIdentifier: 'rs:auto',
        SnapshotType: 'automated',
        Tags: [],
      },
      ours('etl-prod', '2026-11-01T00:00:00.000Z', 'failed'),
    ];
    const out = run(
      nightly('      retain: { daily: 3, weekly: 2, monthly: 2 }\n'),
      [{ Clusters: [cluster('etl-prod')] }, { Snapshots: [...mine, ...foreign] }],
      '2026-12-08T12:00:00.000Z',
    );
    const deleted = out.decisions.map((d) => String(d.params.SnapshotIdentifier));
    // Kept: Dec 8, 7, 6 (daily); Dec 8 (newest of ISO week 50, the current one) and Dec 6 (Sunday,
    // newest of week 49) weekly; Dec 8 (December so far) and Nov 30 (November) monthly.
    const kept = mine.map((s) => s.SnapshotIdentifier).filter((id) => !deleted.includes(id));
    expect(kept.sort()).toEqual(
      [
        'autopilot-etl-prod-nightly-202612080100',
        'autopilot-etl-prod-nightly-202612070100',
        'autopilot-etl-prod-nightly-202612060100',
        'autopilot-etl-prod-nightly-202611300100',
      ].sort(),
    );
    expect(deleted).not.toContain('by-hand');
    expect(deleted).not.toContain('weekly-one');
    expect(deleted).not.toContain('rs:auto');
    expect(deleted).not.toContain('autopilot-etl-prod-nightly-202611010000');
    expect(out.decisions.every((d) => d.action === 'DeleteClusterSnapshot')).toBe(true);
    expect(out.decisions[0]?.params).toEqual({
      SnapshotIdentifier: out.decisions[0]?.params.SnapshotIdentifier,
      SnapshotClusterIdentifier: 'etl-prod',
    });
    expect(
      out.decisions.find((d) => d.params.SnapshotIdentifier === 'autopilot-etl-prod-nightly-202611280100')?.reason,
    ).toBe(
      'retention: autopilot-etl-prod-nightly-202611280100 (slot 2026-11-28T01:00Z) beyond retain daily 3, weekly 2, monthly 2 (Europe/Berlin)',
    );
  });

  it('with maxAgeDays deletes older ones but never the last good snapshot', () => {
    const mine = slots(5, '2026-11-01T01:00:00.000Z').map((s) => ours('etl-prod', s));
    const out = run(
      nightly('      maxAgeDays: 14\n'),
      [{ Clusters: [cluster('etl-prod', 'paused')] }, { Snapshots: mine }],
      '2026-12-08T12:00:00.000Z',
    );
    const deletes = out.decisions.filter((d) => d.action === 'DeleteClusterSnapshot');
    expect(deletes.map((d) => d.params.SnapshotIdentifier)).not.toContain('autopilot-etl-prod-nightly-202611010100');
    expect(deletes).toHaveLength(4);
    expect(deletes[0]?.reason).toMatch(/days old > maxAgeDays 14$/);
  });

  it('reports deletes as dry-run or frozen like any other decision', () => {
    const docs = [
      { Clusters: [cluster('etl-prod')] },
      { Snapshots: slots(3, '2026-12-08T01:00:00.000Z').map((s) => ours('etl-prod', s)) },
    ];
    const dry = policies(`version: 1
calendars:
  year-end: { ranges: [{ from: 2026-12-01, to: 2027-01-02 }] }
policies:
  - name: nightly
    resource: cluster
    dryRun: true
    snapshots: { schedule: "cron(0 2 * * ? *)", timezone: Europe/Berlin, retain: { daily: 1 } }
  - name: frozen
    resource: cluster
    freeze: [year-end]
    snapshots: { schedule: "cron(0 2 * * ? *)", timezone: Europe/Berlin, retain: { daily: 1 } }
`);
    const frozenDocs = [
      docs[0],
      {
        Snapshots: slots(3, '2026-12-08T01:00:00.000Z').map((s) => ({
          ...ours('etl-prod', s, 'available', 0, 'frozen'),
          SnapshotIdentifier: `autopilot-f-${s.slice(0, 10)}`,
        })),
      },
    ];
    const out = run(dry, [...docs, frozenDocs[1]], '2026-12-08T12:00:00.000Z');
    expect(out.decisions.map((d) => [d.policy, d.mode])).toEqual([
      ['frozen', 'frozen'],
      ['frozen', 'frozen'],
      ['nightly', 'dry-run'],
      ['nightly', 'dry-run'],
    ]);
  });

  it('feeds the recorded DescribeClusterSnapshots (mixed automated/manual): untagged ones are never deleted', () => {
    const recorded = (dir: string) =>
      JSON.parse(
        readFileSync(
          new URL(`../../fixtures/api/${dir}/redshift.DescribeClusterSnapshots_1.json`, import.meta.url),
          'utf8',
        ),
      );
    const consecutive = recorded('test_redshift_consecutive_snapshot_count_filter');
    const set = nightly('      retain: { daily: 1 }\n');
    const docs = [
      { Clusters: [cluster('redshift-cluster-1'), cluster('xxx'), cluster('yyy'), cluster('test-cluster')] },
      consecutive,
      recorded('test_redshift_snapshot_delete'),
      recorded('test_redshift_snapshot'),
    ];
    const untouched = run(set, docs, '2026-12-08T12:00:00.000Z');
    expect(untouched.decisions.filter((d) => d.action === 'DeleteClusterSnapshot')).toEqual([]);

    // The same recorded snapshots as if autopilot had made them: the manual ones become candidates,
    // the automated one stays out, the newest manual one is kept.
    const tagged = (prefix: string) => {
      const copy = structuredClone(consecutive);
      for (const s of copy.data.Snapshots) {
        if (s.SnapshotType !== 'manual') continue;
        s.SnapshotIdentifier = `${prefix}${s.SnapshotIdentifier}-${s.SnapshotCreateTime.day}-${s.SnapshotCreateTime.hour}`;
        s.Tags = [
          { Key: 'managed-by', Value: 'redshift-autopilot' },
          { Key: 'autopilot:policy', Value: 'nightly' },
        ];
      }
      return copy;
    };
    const deletes = (snapshots: unknown) =>
      run(set, [docs[0], snapshots], '2026-12-08T12:00:00.000Z')
        .decisions.filter((d) => d.action === 'DeleteClusterSnapshot')
        .map((d) => d.params.SnapshotIdentifier)
        .sort();
    expect(deletes(tagged('autopilot-'))).toEqual([
      'autopilot-test-snap-2-8-20',
      'autopilot-test-snap-3-2-21',
      'autopilot-test-snap-3-7-21',
      'autopilot-test-snap-3-8-19',
    ]);
    // Tagged as autopilot's but named without the prefix (made before it, or tagged by someone): never deleted.
    expect(deletes(tagged(''))).toEqual([]);
  });
});

describe('snapshots: Serverless and cross-Region copy', () => {
  const workgroup = {
    workgroups: [
      {
        workgroupName: 'analytics',
        namespaceName: 'analytics-ns',
        status: 'AVAILABLE',
        baseCapacity: 32,
        workgroupArn: 'arn:aws:redshift-serverless:eu-central-1:123456789012:workgroup/0b1c',
        tags: [{ key: 'autopilot:managed', value: 'true' }],
      },
    ],
  };

  it('snapshots the workgroup namespace with CreateSnapshot, tags and retentionPeriod', () => {
    const out = run(
      nightly('      expireAfterDays: 90\n      retain: { daily: 1 }\n', 'workgroup'),
      [
        workgroup,
        {
          snapshots: [
            {
              snapshotName: 'autopilot-analytics-ns-nightly-202612060100',
              namespaceName: 'analytics-ns',
              status: 'AVAILABLE',
              snapshotCreateTime: '2026-12-06T01:00:00Z',
              tags: [
                { key: 'managed-by', value: 'redshift-autopilot' },
                { key: 'autopilot:policy', value: 'nightly' },
                { key: 'autopilot:slot', value: '2026-12-06T01:00:00.000Z' },
              ],
            },
            {
              snapshotName: 'autopilot-analytics-ns-nightly-202612070100',
              namespaceName: 'analytics-ns',
              status: 'AVAILABLE',
              snapshotCreateTime: '2026-12-07T01:00:00Z',
              tags: [
                { key: 'managed-by', value: 'redshift-autopilot' },
                { key: 'autopilot:policy', value: 'nightly' },
                { key: 'autopilot:slot', value: '2026-12-07T01:00:00.000Z' },
              ],
            },
          ],
        },
      ],
      '2026-12-08T01:05:00.000Z',
    );
    expect(out.decisions.map((d) => [d.action, d.target.type, d.target.id, d.params])).toEqual([
      [
        'CreateSnapshot',
        'workgroup',
        'analytics',
        {
          namespaceName: 'analytics-ns',
          snapshotName: 'autopilot-analytics-ns-nightly-202612080100',
          retentionPeriod: 90,
          tags: [
            { key: 'managed-by', value: 'redshift-autopilot' },
            { key: 'autopilot:policy', value: 'nightly' },
            { key: 'autopilot:slot', value: '2026-12-08T01:00:00.000Z' },
            { key: 'autopilot:attempt', value: '0' },
          ],
        },
      ],
      ['DeleteSnapshot', 'workgroup', 'analytics', { snapshotName: 'autopilot-analytics-ns-nightly-202612060100' }],
    ]);
  });

  it('enables copy on a cluster, fixes its retention, and leaves a copy to another Region to a person', () => {
    const set = nightly('      copyTo: { region: eu-west-1, retainDays: 60 }\n');
    const at = '2026-12-08T12:00:00.000Z';
    const enable = run(set, [{ Clusters: [cluster('etl-prod')] }], at).decisions;
    expect(enable.map((d) => [d.action, d.params])).toEqual([
      [
        'EnableSnapshotCopy',
        {
          ClusterIdentifier: 'etl-prod',
          DestinationRegion: 'eu-west-1',
          RetentionPeriod: 35,
          ManualSnapshotRetentionPeriod: 60,
        },
      ],
    ]);
    const copying = (region: string, manual: number, automated: number) =>
      cluster('etl-prod', 'available', {
        ClusterSnapshotCopyStatus: {
          DestinationRegion: region,
          RetentionPeriod: automated,
          ManualSnapshotRetentionPeriod: manual,
        },
      });
    expect(run(set, [{ Clusters: [copying('eu-west-1', 60, 35)] }], at).decisions).toEqual([]);
    expect(run(set, [{ Clusters: [copying('eu-west-1', 7, 7)] }], at).decisions.map((d) => d.params)).toEqual([
      { ClusterIdentifier: 'etl-prod', RetentionPeriod: 60, Manual: true },
      { ClusterIdentifier: 'etl-prod', RetentionPeriod: 35 },
    ]);
    const elsewhere = run(set, [{ Clusters: [copying('us-west-2', 60, 35)] }], at);
    expect(elsewhere.decisions).toEqual([]);
    expect(elsewhere.skips.map((s) => s.reason)).toEqual([
      'snapshot copy goes to us-west-2, policy wants eu-west-1: disable it by hand first (disabling deletes copied automated snapshots)',
    ]);
  });

  it('configures Serverless copy with CreateSnapshotCopyConfiguration', () => {
    const set = nightly('      copyTo: { region: eu-west-1, retainDays: 60 }\n', 'workgroup');
    const out = run(set, [workgroup], '2026-12-08T12:00:00.000Z');
    expect(out.decisions.map((d) => [d.action, d.params])).toEqual([
      [
        'CreateSnapshotCopyConfiguration',
        { namespaceName: 'analytics-ns', destinationRegion: 'eu-west-1', snapshotRetentionPeriod: 60 },
      ],
    ]);
  });
});

describe('snapshots: validate', () => {
  it.each([
    [
      '      retain: { daily: 0 }\n',
      'retain keeps nothing; expected at least one of last, hourly, daily, weekly, monthly, yearly above 0',
    ],
    [
      '      retain: { daily: 3 }\n      maxAgeDays: 30\n',
      'retain and maxAgeDays are alternatives; expected one of them',
    ],
    ['      maxAgeDays: 4000\n', 'maxAgeDays is too big; expected at most 3653'],
    ['      copyTo: { region: mars, retainDays: 7 }\n', '"mars" is not a Region; expected e.g. eu-west-1'],
    ['      retry: { attempts: 9 }\n', 'attempts is too big; expected at most 5'],
  ])('refuses %j', (extra, message) => {
    const result = loadPolicySources([
      {
        file: 'p.yml',
        text: `version: 1
policies:
  - name: nightly
    resource: cluster
    snapshots:
      schedule: "cron(0 2 * * ? *)"
${extra}`,
      },
    ]);
    expect(result.problems.map((p) => p.message)).toEqual([message]);
  });
});

describe('plan shows snapshot creates and deletes with reasons', () => {
  it('reads describe-cluster-snapshots output as another --fleet file', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'snap-plan-'));
    writeFileSync(
      path.join(dir, 'p.yml'),
      `version: 1
policies:
  - name: nightly
    resource: cluster
    snapshots: { schedule: "cron(0 2 * * ? *)", timezone: Europe/Berlin, retain: { daily: 2 } }
`,
    );
    writeFileSync(path.join(dir, 'clusters.json'), JSON.stringify({ Clusters: [cluster('etl-prod')] }));
    writeFileSync(
      path.join(dir, 'snapshots.json'),
      JSON.stringify({
        Snapshots: ['2026-12-05', '2026-12-06', '2026-12-07'].map((d) => ours('etl-prod', `${d}T01:00:00.000Z`)),
      }),
    );
    const io = fakeIo({ cwd: dir });
    const code = await runPlan(
      {
        policies: ['p.yml'],
        fleet: ['clusters.json', 'snapshots.json'],
        events: null,
        from: '2026-12-08T00:00Z',
        to: '2026-12-08T03:00Z',
        tickMinutes: 15,
        json: true,
      },
      io,
    );
    expect(code).toBe(0);
    const lines = io
      .out()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Decision)
      .filter((d) => 'action' in d);
    expect(lines.map((d) => [d.action, d.params.SnapshotIdentifier, d.reason])).toEqual([
      [
        'DeleteClusterSnapshot',
        'autopilot-etl-prod-nightly-202612050100',
        'retention: autopilot-etl-prod-nightly-202612050100 (slot 2026-12-05T01:00Z) beyond retain daily 2 (Europe/Berlin)',
      ],
      [
        'CreateClusterSnapshot',
        'autopilot-etl-prod-nightly-202612080100',
        'schedule cron(0 2 * * ? *) Europe/Berlin due 2026-12-08T01:00Z; next 2026-12-09T01:00Z',
      ],
    ]);
  });
});
