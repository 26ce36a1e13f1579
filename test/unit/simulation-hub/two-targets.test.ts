import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../shared/cli/main.ts';
import type { OutputRecord } from '../../../shared/simulation/timeline.ts';
import { fakeIo } from '../../helpers/cli.ts';

/**
 * `autopilot simulate` for a hub with two targets (issue 18): a targets file in the format of
 * docs/multi-account.md and one describe-clusters output per target, `--fleet ACCOUNT/REGION=file`.
 * Each target is its own simulated account: the sweep reads both, the executor acts in each
 * cluster's own account and Region (a call in the wrong one would answer ClusterNotFound), and every
 * record names its target. The clusters' names differ: a name in both targets is withheld by the hub
 * while decision keys are per policy, type and name (the per-target keys had not landed).
 */
const A = { account: '111111111111', region: 'eu-west-1' };
const B = { account: '222222222222', region: 'us-east-1' };

function cluster(id: string, at: { account: string; region: string }) {
  return {
    ClusterIdentifier: id,
    NodeType: 'ra3.xlplus',
    NumberOfNodes: 2,
    ClusterStatus: 'available',
    AutomatedSnapshotRetentionPeriod: 1,
    ClusterNamespaceArn: `arn:aws:redshift:${at.region}:${at.account}:namespace:${id}-0000-4000-8000-000000000000`,
    Tags: [
      { Key: 'autopilot:managed', Value: 'true' },
      { Key: 'env', Value: 'dev' },
    ],
  };
}

const POLICIES = `version: 1
defaults: { timezone: UTC }
policies:
  - name: dev-office-hours
    resource: cluster
    match: { tags: { env: dev } }
    window:
      running: ["Mon-Fri 08:00-18:00"]
`;

const TARGETS = JSON.stringify({
  regions: ['eu-west-1'],
  externalId: 'autopilot-7f3c9a',
  targets: [
    { account: A.account, assumeRole: false },
    { account: B.account, regions: [B.region] },
  ],
});

function workspace(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'hub-sim-'));
  writeFileSync(path.join(dir, 'policies.yml'), POLICIES);
  writeFileSync(path.join(dir, 'targets.json'), TARGETS);
  writeFileSync(path.join(dir, 'a.json'), JSON.stringify({ Clusters: [cluster('sales-dev', A)] }));
  writeFileSync(path.join(dir, 'b.json'), JSON.stringify({ Clusters: [cluster('ml-dev', B)] }));
  return dir;
}

const simulate = (dir: string, ...fleet: string[]) => {
  const io = fakeIo({ cwd: dir });
  const args = ['simulate', '--policies', 'policies.yml', '--targets', 'targets.json', '--fleet', ...fleet];
  return { io, run: main([...args, '--from', '2026-12-07T00:00Z', '--to', '2026-12-07T12:00Z', '--json'], io) };
};

describe('simulate a hub: two targets, each its own simulated account', () => {
  let records: OutputRecord[];
  let text: string;

  beforeAll(async () => {
    const dir = workspace();
    const fleet = [`${A.account}/${A.region}=a.json`, `${B.account}/${B.region}=b.json`];
    const json = simulate(dir, ...fleet);
    expect(await json.run).toBe(0);
    records = json.io
      .out()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as OutputRecord);
    const io = fakeIo({ cwd: dir });
    const args = ['simulate', '--policies', 'policies.yml', '--targets', 'targets.json', '--fleet', ...fleet];
    expect(await main([...args, '--from', '2026-12-07T00:00Z', '--to', '2026-12-07T12:00Z'], io)).toBe(0);
    text = io.out();
  }, 60_000);

  const actions = (resource: string) =>
    records.filter((r) => r.type === 'action' && r.resource === resource).map((r) => r.type === 'action' && r);

  it('pauses and resumes each cluster in its own account and Region, and each record says which', () => {
    for (const [resource, at] of [
      ['cluster/sales-dev', A],
      ['cluster/ml-dev', B],
    ] as const) {
      const done = actions(resource).filter((a) => a !== false && a.outcome === 'succeeded');
      expect(done.map((a) => a !== false && a.action)).toEqual(['PauseCluster', 'ResumeCluster']);
      for (const a of done) expect(a).toMatchObject({ account: at.account, region: at.region });
    }
    const states = records.filter((r) => r.type === 'state' && r.resource === 'cluster/ml-dev');
    expect(states.map((r) => r.type === 'state' && r.to)).toEqual([
      'available',
      'pausing',
      'paused',
      'resuming',
      'available',
    ]);
    expect(states.every((r) => r.type === 'state' && r.account === B.account && r.region === B.region)).toBe(true);
  });

  it('names the target of every record about one resource; no failure, no invocation error', () => {
    // A digest alert ("PauseCluster started on 2 clusters") names no one resource: its body lists each.
    const located = records.filter((r) => r.type !== 'summary' && /^(cluster|workgroup)\//.test(r.resource));
    expect(located.length).toBeGreaterThan(10);
    expect(located.filter((r) => r.type !== 'summary' && r.account === undefined)).toEqual([]);
    const summary = records.find((r) => r.type === 'summary');
    expect(summary).toMatchObject({ totals: { failures: 0 }, invocationErrors: 0, deadLetters: 0 });
    expect(text).toMatch(/cluster\/ml-dev @ 222222222222\/us-east-1 +ACTION PauseCluster succeeded/);
    expect(text).toMatch(/cluster\/sales-dev @ 111111111111\/eu-west-1 +ACTION PauseCluster succeeded/);
  });

  it('refuses a fleet file that names no target, and one whose target is not in the targets file', async () => {
    const dir = workspace();
    const bare = simulate(dir, 'a.json');
    expect(await bare.run).toBe(2);
    expect(bare.io.err()).toContain(
      '--fleet a.json: with --targets every fleet file names its target; expected ACCOUNT/REGION=a.json with one of 111111111111/eu-west-1, 222222222222/us-east-1',
    );
    const elsewhere = simulate(dir, '333333333333/eu-west-1=a.json');
    expect(await elsewhere.run).toBe(2);
    expect(elsewhere.io.err()).toContain('333333333333/eu-west-1 is not a target in targets.json');
  });

  it('refuses one cluster name in two targets (keys are per policy, type and name)', async () => {
    const dir = workspace();
    writeFileSync(path.join(dir, 'b.json'), JSON.stringify({ Clusters: [cluster('sales-dev', B)] }));
    const twice = simulate(dir, `${A.account}/${A.region}=a.json`, `${B.account}/${B.region}=b.json`);
    expect(await twice.run).toBe(1);
    expect(twice.io.err()).toContain(
      'cluster sales-dev is in 111111111111/eu-west-1 and 222222222222/us-east-1; expected each name once across the fleet files',
    );
  });
});
