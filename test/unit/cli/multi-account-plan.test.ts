import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../../shared/cli/main.ts';
import { fakeIo } from '../../helpers/cli.ts';
import { rawCluster } from '../execute/fakes.ts';

// Issue 18: `plan --fleet ACCOUNT/REGION=file` — AWS CLI output of several accounts and Regions, each
// decision shown with its account and Region (table and --json). The fleet items are the recorded
// describe-clusters answer (test/fixtures/api), without a namespace ARN (an AWS CLI --query may drop it).
const A = '111111111111';
const B = '222222222222';
const POLICY = `version: 1
defaults: { timezone: Europe/Berlin, optInTag: "autopilot:managed=true" }
policies:
  - name: finance-dev-office-hours
    resource: cluster
    match: { tags: { env: dev }, accounts: ["${A}"], regions: [eu-west-1, eu-central-1] }
    window: { running: ["Mon-Fri 07:00-19:00"] }
`;

function clusters(region: string, ...ids: string[]) {
  return {
    Clusters: ids.map((id) => {
      const { ClusterNamespaceArn: _drop, ...raw } = rawCluster({
        ClusterIdentifier: id,
        AvailabilityZone: `${region}a`,
        MultiAZ: 'Disabled',
        Tags: [
          { Key: 'autopilot:managed', Value: 'true' },
          { Key: 'env', Value: 'dev' },
        ],
      }) as Record<string, unknown>;
      return raw;
    }),
  };
}

function workspace(files: Record<string, unknown>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'plan-accounts-'));
  writeFileSync(path.join(dir, 'p.yml'), POLICY);
  for (const [name, json] of Object.entries(files)) writeFileSync(path.join(dir, name), JSON.stringify(json));
  return dir;
}

const PERIOD = ['--from', '2026-12-07T00:00Z', '--to', '2026-12-08T00:00Z'];

describe('plan over several accounts and Regions', () => {
  const dir = workspace({
    'a-west.json': clusters('eu-west-1', 'fin-west'),
    'a-central.json': clusters('eu-central-1', 'fin-central'),
    'b-west.json': clusters('eu-west-1', 'other-team'),
  });
  const fleets = [`${A}/eu-west-1=a-west.json`, `${A}/eu-central-1=a-central.json`, `${B}/eu-west-1=b-west.json`];

  it('shows each decision with its account and Region; the policy selects only its account', async () => {
    const io = fakeIo({ cwd: dir });
    expect(await main(['plan', '--policies', 'p.yml', '--fleet', ...fleets, ...PERIOD], io)).toBe(0);
    const rows = io
      .out()
      .split('\n')
      .filter((l) => /PauseCluster|ResumeCluster/.test(l));
    // Outside the window at the start (Monday 01:00 Berlin): paused, resumed at 07:00, paused at 19:00.
    expect(
      rows
        .map((l) =>
          l
            .trim()
            .split(/\s{2,}/)
            .slice(2, 4)
            .join(' '),
        )
        .sort(),
    ).toEqual(
      [`fin-central (${A}/eu-central-1)`, `fin-west (${A}/eu-west-1)`]
        .flatMap((t) => [`PauseCluster ${t}`, `PauseCluster ${t}`, `ResumeCluster ${t}`])
        .sort(),
    );
    expect(io.out()).not.toContain('other-team');
  });

  it('--json gives every line its account and Region', async () => {
    const io = fakeIo({ cwd: dir });
    expect(await main(['plan', '--policies', 'p.yml', '--fleet', ...fleets, ...PERIOD, '--json'], io)).toBe(0);
    const lines = io
      .out()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { action: string; account: string; region: string; target: { id: string } });
    expect(lines.map((l) => `${l.action} ${l.target.id} ${l.account}/${l.region}`).sort()).toEqual([
      `PauseCluster fin-central ${A}/eu-central-1`,
      `PauseCluster fin-central ${A}/eu-central-1`,
      `PauseCluster fin-west ${A}/eu-west-1`,
      `PauseCluster fin-west ${A}/eu-west-1`,
      `ResumeCluster fin-central ${A}/eu-central-1`,
      `ResumeCluster fin-west ${A}/eu-west-1`,
    ]);
  });
});

describe('plan: fleet files that do not fit several accounts', () => {
  const dir = workspace({ 'a-west.json': clusters('eu-west-1', 'fin-west') });

  it('refuses a file whose ARNs name another account, and a name in two targets', async () => {
    const bad = workspace({
      'arn.json': {
        Clusters: [
          rawCluster({
            ClusterIdentifier: 'x',
            AvailabilityZone: 'eu-west-1a',
            ClusterNamespaceArn: `arn:aws:redshift:eu-west-1:${A}:namespace:3f5a`,
          }),
        ],
      },
      'one.json': clusters('eu-west-1', 'analytics'),
      'two.json': clusters('eu-central-1', 'analytics'),
    });
    const io = fakeIo({ cwd: bad });
    const args = ['--fleet', `${B}/eu-west-1=arn.json`, `${A}/eu-west-1=one.json`, `${B}/eu-central-1=two.json`];
    expect(await main(['plan', '--policies', 'p.yml', ...args, ...PERIOD], io)).not.toBe(0);
    expect(io.err()).toContain(
      `arn.json: cluster x is in ${A}/eu-west-1 by its ARN; expected ${B}/eu-west-1 as --fleet ${B}/eu-west-1=arn.json says`,
    );
    expect(io.err()).toContain(`cluster analytics is in ${A}/eu-west-1 and ${B}/eu-central-1; expected each name once`);
  });

  it('explains a malformed ACCOUNT/REGION prefix', async () => {
    const io = fakeIo({ cwd: dir });
    expect(await main(['plan', '--policies', 'p.yml', '--fleet', '1111/eu-west-1=a-west.json', ...PERIOD], io)).toBe(2);
    expect(io.err()).toContain(
      '--fleet 1111/eu-west-1=a-west.json: expected ACCOUNT/REGION=file such as 111111111111/eu-west-1=clusters.json',
    );
  });
});
