import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { command } from '../../../shared/cli/commands/validate.command.ts';
import type { CliIo } from '../../../shared/cli/io.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const EXAMPLES = path.join(ROOT, 'examples/policies');

/** How many policies the example files hold, read from the YAML itself (the folder grows with each capability). */
function policiesIn(files: readonly string[]): number {
  return files
    .map((file) => parse(readFileSync(path.join(EXAMPLES, file), 'utf8')) as { policies?: unknown[] })
    .reduce((sum, doc) => sum + (doc.policies?.length ?? 0), 0);
}
const EXAMPLE_FILES = readdirSync(EXAMPLES).filter((f) => f.endsWith('.yml'));

function fakeIo(cwd: string) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = {
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    readStdin: async () => '',
    cwd,
    now: () => new Date('2026-12-07T00:00:00Z'),
  };
  return { io, out: () => out.join(''), err: () => err.join('') };
}

function dirWith(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'validate-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

const TWO_WINDOWS = `version: 1
defaults: { timezone: Europe/Berlin }
policies:
  - name: by-tag
    resource: cluster
    match: { tags: { env: dev } }
    window: { running: ["Mon-Fri 07:00-19:00"] }
  - name: by-name
    resource: cluster
    match: { identifiers: ["dev-*"] }
    window: { running: ["Mon-Fri 08:00-20:00"] }
  - name: prod-only
    resource: cluster
    match: { tags: { env: prod } }
    window: { running: ["daily 00:00-24:00"] }
`;

describe('autopilot validate', () => {
  it('accepts the example policies (the file npm start uses)', async () => {
    // Prepare
    const { io, out } = fakeIo(ROOT);
    // Act
    const code = await command.run(['examples/policies'], io);
    // Assess
    expect(code).toBe(0);
    expect(EXAMPLE_FILES.length).toBeGreaterThan(1);
    expect(out()).toBe(`${policiesIn(EXAMPLE_FILES)} policies OK\n`);
  });

  it('finds no conflict in the example policies against the example fleet', async () => {
    // Prepare
    const { io, out } = fakeIo(ROOT);
    // Act
    const code = await command.run(
      ['examples/policies/example.yml', '--fleet', 'examples/fleet/fleet.json', 'examples/fleet/workgroups.json'],
      io,
    );
    // Assess
    expect([code, out()]).toEqual([0, `${policiesIn(['example.yml'])} policies OK\n`]);
  });

  it('exits 1 with one file:line:col line per problem', async () => {
    // Prepare
    const dir = dirWith({
      'a.yml':
        'version: 1\npolicies:\n  - name: x\n    resource: cluster\n    window: { running: ["Mon 07:00-07:00"], timezone: UTC }\n    shedule: daily\n',
    });
    const { io, out, err } = fakeIo(dir);
    // Act
    const code = await command.run(['a.yml'], io);
    // Assess
    expect(code).toBe(1);
    expect(out()).toBe('');
    expect(err()).toBe(
      [
        'a.yml:5:25: window "Mon 07:00-07:00" is empty: it starts and ends at 07:00; expected an end different from the start (an end before the start, like 19:00-07:00, runs into the next day)',
        'a.yml:6:5: unknown key "shedule"; expected one of: name, description, resource, match, maxResources, dryRun, freeze, window, snapshots, usageLimits, resize, failoverDrill, on, do, foldWindow, allow',
        '2 errors',
        '',
      ].join('\n'),
    );
  });

  it('warns about window policies whose selectors may meet, with both positions, and still exits 0', async () => {
    // Prepare
    const dir = dirWith({ 'p.yml': TWO_WINDOWS });
    const { io, out, err } = fakeIo(dir);
    // Act
    const code = await command.run(['p.yml'], io);
    // Assess
    expect(code).toBe(0);
    expect(out()).toBe('3 policies OK\n');
    expect(err()).toBe(
      [
        'p.yml:8:5: warning: window policies "by-tag" (p.yml:4:5) and "by-name" (p.yml:8:5) may select the same cluster; expected selectors that cannot meet (different tag values, identifier globs, accounts or regions), or run validate with --fleet to check the real resources',
        // by-tag (env: dev) and prod-only (env: prod) are provably disjoint; by-name is not disjoint from prod-only.
        'p.yml:12:5: warning: window policies "by-name" (p.yml:8:5) and "prod-only" (p.yml:12:5) may select the same cluster; expected selectors that cannot meet (different tag values, identifier globs, accounts or regions), or run validate with --fleet to check the real resources',
        '',
      ].join('\n'),
    );
  });

  it('warns when a snapshot slot falls while a window keeps a cluster paused, and not when the slot is inside it', async () => {
    // Prepare: 02:00 Berlin is outside office hours (clash); 12:00 Berlin on weekdays is inside them.
    const policy = (cron: string) => `version: 1
defaults: { timezone: Europe/Berlin }
policies:
  - name: office
    resource: cluster
    match: { tags: { env: dev } }
    window: { running: ["Mon-Fri 07:00-19:00"] }
  - name: nightly
    resource: cluster
    match: { tags: { backup: gold } }
    snapshots: { schedule: "${cron}", retain: { daily: 7 } }
`;
    const clash = fakeIo(dirWith({ 'p.yml': policy('cron(0 1 * * ? *)') }));
    const fine = fakeIo(dirWith({ 'p.yml': policy('cron(0 11 ? * MON-FRI *)') }));
    // Act
    const codes = [await command.run(['p.yml'], clash.io), await command.run(['p.yml'], fine.io)];
    // Assess: cron is read in the policy zone: 01:00 Berlin = 00:00Z; after 2026-12-07T00:00Z and before
    // 2026-12-21T00:00Z that is Dec 8..20, 13 slots, all while the office window has the cluster paused.
    expect(codes).toEqual([0, 0]);
    expect(clash.out()).toBe('2 policies OK\n');
    expect(clash.err()).toBe(
      [
        'p.yml:8:5: warning: snapshots policy "nightly" (p.yml:8:5) has 13 slot(s) in the next 14 days while window policy "office" (p.yml:4:5) keeps clusters both may select paused, first 2026-12-08T00:00Z; a paused cluster takes no snapshot; expected slots inside the running window',
        '',
      ].join('\n'),
    );
    expect([fine.out(), fine.err()]).toEqual(['2 policies OK\n', '']);
  });

  it('names the resources in conflict when given a fleet', async () => {
    // Prepare
    const fleet = {
      Clusters: [
        {
          ClusterIdentifier: 'dev-etl',
          ClusterStatus: 'available',
          Tags: [
            { Key: 'autopilot:managed', Value: 'true' },
            { Key: 'env', Value: 'dev' },
          ],
        },
        {
          ClusterIdentifier: 'dev-prod-mirror',
          ClusterStatus: 'available',
          Tags: [
            { Key: 'autopilot:managed', Value: 'true' },
            { Key: 'env', Value: 'prod' },
          ],
        },
        {
          ClusterIdentifier: 'ops',
          ClusterStatus: 'available',
          Tags: [
            { Key: 'autopilot:managed', Value: 'true' },
            { Key: 'env', Value: 'dev' },
          ],
        },
      ],
    };
    const dir = dirWith({ 'p.yml': TWO_WINDOWS, 'fleet.json': JSON.stringify(fleet) });
    const { io, out, err } = fakeIo(dir);
    // Act
    const code = await command.run(['p.yml', '--fleet', 'fleet.json'], io);
    // Assess
    expect([code, out()]).toEqual([1, '']);
    expect(err()).toBe(
      [
        'p.yml:8:5: window policies "by-tag" (p.yml:4:5) and "by-name" (p.yml:8:5) both select dev-etl; expected each cluster in at most one window policy',
        'p.yml:12:5: window policies "by-name" (p.yml:8:5) and "prod-only" (p.yml:12:5) both select dev-prod-mirror; expected each cluster in at most one window policy',
        '2 errors',
        '',
      ].join('\n'),
    );
  });

  it('reports an unreadable path as a problem, not a crash', async () => {
    // Prepare
    const { io, out, err } = fakeIo(ROOT);
    // Act
    const code = await command.run(['does/not/exist.yml'], io);
    // Assess
    expect([code, out()]).toEqual([1, '']);
    expect(err()).toBe('does/not/exist.yml:1:1: cannot read (ENOENT); expected a policy file or folder\n1 error\n');
  });
});
