import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { command } from '../../../shared/cli/commands/plan.command.ts';
import type { CliIo } from '../../../shared/cli/io.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const FIXTURES = path.join(ROOT, 'test/fixtures/api');

function fakeIo(cwd: string) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = {
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    readStdin: async () => '',
    cwd,
    now: () => new Date('2026-12-06T23:00:00.000Z'),
  };
  return { io, out: () => out.join(''), err: () => err.join('') };
}

type Placebo = { status_code: number; data: { Clusters: Record<string, unknown>[] } };
const readPlacebo = (rel: string) => JSON.parse(readFileSync(path.join(FIXTURES, rel), 'utf8')) as Placebo;

/**
 * A fleet built from the recorded DescribeClusters responses (Cloud Custodian placebo files, kept
 * in their {status_code, data} form): the available cluster of test_redshift_pause and the paused
 * one of test_redshift_resume, renamed and tagged so the example's dev policy selects them; one more
 * copy without the opt-in tag; and test_redshift_snapshot's cluster untouched (no policy selects it).
 */
function writeFixtureFleet(dir: string): string[] {
  const retag = (file: Placebo, id: string, tags: { Key: string; Value: string }[]): Placebo => ({
    ...file,
    data: { ...file.data, Clusters: file.data.Clusters.map((c) => ({ ...c, ClusterIdentifier: id, Tags: tags })) },
  });
  const managed = [
    { Key: 'autopilot:managed', Value: 'true' },
    { Key: 'env', Value: 'dev' },
  ];
  const files: [string, Placebo][] = [
    [
      'available.json',
      retag(readPlacebo('test_redshift_pause/redshift.DescribeClusters_1.json'), 'dev-fixture-available', managed),
    ],
    [
      'paused.json',
      retag(readPlacebo('test_redshift_resume/redshift.DescribeClusters_1.json'), 'dev-fixture-paused', managed),
    ],
    [
      'untagged.json',
      retag(readPlacebo('test_redshift_pause/redshift.DescribeClusters_1.json'), 'dev-fixture-untagged', [
        { Key: 'env', Value: 'dev' },
      ]),
    ],
    ['snapshot.json', readPlacebo('test_redshift_snapshot/redshift.DescribeClusters_1.json')],
  ];
  for (const [name, json] of files) writeFileSync(path.join(dir, name), JSON.stringify(json));
  return files.map(([name]) => path.join(dir, name));
}

/**
 * The expected week, reasoned from the example policy `dev-office-hours` (Mon-Fri 07:00-19:00
 * Europe/Berlin, resumeLeadTime 15m; December is CET = UTC+1):
 * - Mon 00:00 local (Sun 23:00Z): the available cluster is outside the window → pause at once;
 *   the paused one is already where it should be.
 * - each weekday Mon 7 … Fri 11 Dec: both resume at 06:45 local (05:45Z) and pause at 19:00 (18:00Z).
 * - Saturday and Sunday: nothing. No holiday or freeze falls in this week.
 */
function expectedWeek(): string[] {
  const lines = ['2026-12-06T23:00Z PauseCluster dev-fixture-available'];
  for (let day = 7; day <= 11; day++) {
    for (const [time, action] of [
      ['05:45', 'ResumeCluster'],
      ['18:00', 'PauseCluster'],
    ] as const) {
      for (const id of ['dev-fixture-available', 'dev-fixture-paused'])
        lines.push(`2026-12-${String(day).padStart(2, '0')}T${time}Z ${action} ${id}`);
    }
  }
  return lines;
}

describe('autopilot plan', () => {
  it('plans the week for the example policy over a fleet from the recorded DescribeClusters responses', async () => {
    // Prepare
    const dir = mkdtempSync(path.join(tmpdir(), 'plan-'));
    const fleet = writeFixtureFleet(dir);
    const { io, out } = fakeIo(ROOT);
    // Act
    const code = await command.run(
      [
        '--policies',
        'examples/policies/example.yml',
        '--fleet',
        ...fleet,
        '--from',
        '2026-12-07T00:00+01:00',
        '--to',
        '2026-12-14T00:00+01:00',
        '--json',
      ],
      io,
    );
    // Assess
    expect(code).toBe(0);
    const entries = out()
      .trim()
      .split('\n')
      .map(
        (line) =>
          JSON.parse(line) as {
            at: string;
            policy: string;
            action?: string;
            target: { id: string };
            reason: string;
            mode?: string;
          },
      );
    const decisions = entries.filter((e) => e.action !== undefined);
    expect(decisions.map((d) => `${d.at.slice(0, 16)}Z ${d.action} ${d.target.id}`)).toEqual(expectedWeek());
    expect(new Set(decisions.map((d) => `${d.policy}/${d.mode}`))).toEqual(new Set(['dev-office-hours/act']));
    expect(decisions[0]?.reason).toBe(
      'outside window Mon-Fri 07:00-19:00 Europe/Berlin; next resume 2026-12-07T05:45Z',
    );
    const skips = entries.filter((e) => e.action === undefined);
    expect(skips.map((s) => `${s.policy} ${s.target.id} ${s.reason}`)).toEqual([
      'dev-office-hours dev-fixture-untagged not opted in',
    ]);
  });

  it('prints a table grouped by policy with local and UTC times and the savings', async () => {
    // Prepare
    const dir = mkdtempSync(path.join(tmpdir(), 'plan-'));
    const fleet = writeFixtureFleet(dir);
    const { io, out } = fakeIo(ROOT);
    // Act
    const code = await command.run(
      [
        '--policies',
        'examples/policies/example.yml',
        '--fleet',
        ...fleet,
        '--from',
        '2026-12-07T00:00+01:00',
        '--to',
        '2026-12-14T00:00+01:00',
      ],
      io,
    );
    // Assess
    expect(code).toBe(0);
    const text = out();
    expect(text).toContain(
      'dev-office-hours  (examples/policies/example.yml:19:5)  window Mon-Fri 07:00-19:00 Europe/Berlin',
    );
    expect(text).toMatch(/2026-12-07 Mon 06:45 \+01:00 {2}2026-12-07T05:45Z {2}ResumeCluster {2}dev-fixture-available/);
    // Node-hours (1 node each): available cluster paused Sun 23:00Z→Mon 05:45Z (6.75 h), four
    // weeknights 18:00Z→05:45Z (4 × 11.75 h), Fri 18:00Z→Sun 23:00Z (53 h) = 106.75; the paused one
    // counts only pauses the policy made: 47 + 53 = 100 h.
    expect(text).toContain(
      'savings: 206.8 node-hours paused — dev-fixture-available 106.8 (1× dc2.large, 106.8 h); dev-fixture-paused 100.0 (1× dc2.large, 100.0 h)',
    );
    expect(text).toContain('Savings: 206.8 node-hours paused over the period');
    expect(text).toContain('test-nightly-batch  (examples/policies/example.yml:31:5)');
  });

  it('runs events from a JSONL file at their time', async () => {
    // Prepare
    const dir = mkdtempSync(path.join(tmpdir(), 'plan-'));
    const event = {
      kind: 'integration-event',
      eventId: 'REDSHIFT-INTEGRATION-EVENT-0019',
      known: true,
      category: 'Operation',
      severity: 'WARNING',
      resource: { type: 'integration', id: 'orders-aurora-to-dev' },
      time: '2026-12-08T20:00:00.000Z',
      message: 'The target is being paused.',
      values: {},
      account: null,
      region: null,
    };
    writeFileSync(path.join(dir, 'events.jsonl'), `${JSON.stringify(event)}\n`);
    const { io, out } = fakeIo(ROOT);
    // Act
    const code = await command.run(
      [
        '--policies',
        'examples/policies/example.yml',
        '--fleet',
        'examples/fleet/fleet.json',
        'examples/fleet/integrations.json',
        '--events',
        path.join(dir, 'events.jsonl'),
        '--from',
        '2026-12-08T19:00Z',
        '--to',
        '2026-12-08T21:00Z',
        '--json',
      ],
      io,
    );
    // Assess: the target (dev-zetl-target) is available, so only the alert is published.
    expect(code).toBe(0);
    const actions = out()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { policy: string; action?: string; at: string })
      .filter((e) => e.policy === 'zero-etl-target-resume');
    expect(actions.map((a) => [a.at, a.action])).toEqual([['2026-12-08T20:00:00.000Z', 'Publish']]);
  });

  it('refuses bad usage', async () => {
    // Prepare
    const { io } = fakeIo(ROOT);
    // Act / Assess
    await expect(command.run(['--fleet', 'x.json'], io)).rejects.toThrow('--policies is required');
    await expect(command.run(['--policies', 'p.yml', '--fleet', 'f.json', '--tick', '0'], io)).rejects.toThrow(
      '--tick must be whole minutes',
    );
  });
});
