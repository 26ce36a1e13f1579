import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { command } from '../../../shared/cli/commands/validate.command.ts';
import type { CliIo } from '../../../shared/cli/io.ts';
import { main } from '../../../shared/cli/main.ts';

// Issue 13: one run of `validate` names every problem of a file, each once, at its file:line:col.

function run(files: Record<string, string | Buffer>, args: string[]) {
  const dir = mkdtempSync(path.join(tmpdir(), 'validate-all-'));
  for (const [name, content] of Object.entries(files)) writeFileSync(path.join(dir, name), content);
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = {
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    readStdin: async () => '',
    cwd: dir,
    now: () => new Date('2026-12-07T00:00:00Z'),
  };
  return command.run(args, io).then((code) => ({ code, out: out.join(''), err: err.join('') }));
}

/** Seven problems in seven places; line 11 holds "café" with é as the Latin-1 byte 0xE9. */
const SEVEN = Buffer.concat([
  Buffer.from(
    [
      'version: 1',
      'defautls: { timezone: Europe/Berlin }',
      'calendars:',
      '  bad: { dates: [2026-13-01] }',
      'policies:',
      '  - name: a',
      '    resource: clustr',
      '    window: { running: ["Mon-Fri 07:00-19:00"], timezone: UTC, closedOn: [bad] }',
      '  - name: b',
      '    resource: cluster',
      '    match: { tags: { team: "caf',
    ].join('\n'),
  ),
  Buffer.from([0xe9]),
  Buffer.from(
    [
      '" } }',
      '    snapshots: { schedule: "cron(0 2 30 2 ? *)", timezone: UTC }',
      '  - name: c',
      '    resource: integration',
      '    maxResources: 0',
      '    on: { events: [REDSHIFT-INTEGRATION-EVENT-9999] }',
      '    do: [alert]',
      '',
    ].join('\n'),
  ),
]);

describe('autopilot validate: every problem at once', () => {
  it('names all seven problems of one file in one run, in file order, each once', async () => {
    // Act
    const { code, out, err } = await run({ 'p.yml': SEVEN }, ['p.yml']);
    // Assess
    expect(code).toBe(1);
    expect(out).toBe('');
    expect(err.split('\n').filter((l) => l !== '')).toEqual([
      'p.yml:2:1: unknown key "defautls" (did you mean "defaults"?); expected one of: version, defaults, calendars, policies',
      'p.yml:4:18: "2026-13-01" is not a date; expected YYYY-MM-DD',
      'p.yml:7:15: resource "clustr" is not valid; expected one of cluster, workgroup, integration',
      'p.yml:11:32: byte 0xE9 is not UTF-8; expected the file saved as UTF-8 (an editor\'s "Latin-1" or "Windows-1252" encoding writes é, ü, ß this way)',
      'p.yml:12:28: "cron(0 2 30 2 ? *)" is not a valid schedule: it never fires: Day-of-month "30" does not occur in Month "2"; expected a day that exists in that month (L for the last day)',
      'p.yml:15:19: maxResources number 0 is not valid; expected a whole number ≥ 1 or a percentage from 1% to 100% such as "25%"',
      'p.yml:16:20: unknown event id "REDSHIFT-INTEGRATION-EVENT-9999"; expected an id from the Redshift event catalog',
      '7 errors',
    ]);
  });
});

describe('autopilot validate: problems no longer hidden or said in library words', () => {
  it('checks the policies of a document whose top level is wrong', async () => {
    // Prepare
    const text = [
      'version: 2',
      'defaults: { timezone: Mars/Base, dryRun: maybe }',
      'extra: 1',
      'policies:',
      '  - name: a',
      '    resource: cluster',
      '    window: { running: ["Mon-Fri 07:00-25:00"] }',
      '',
    ].join('\n');
    // Act
    const { code, out, err } = await run({ 'p.yml': text }, ['p.yml']);
    // Assess
    expect([code, out]).toEqual([1, '']);
    expect(err.split('\n').filter((l) => l !== '')).toEqual([
      'p.yml:1:10: version number 2 is not supported; expected version: 1',
      'p.yml:2:23: unknown time zone "Mars/Base"; expected an IANA zone such as Europe/Berlin or America/New_York',
      'p.yml:2:42: dryRun "maybe" is not true or false; expected true or false',
      'p.yml:3:1: unknown key "extra"; expected one of: version, defaults, calendars, policies',
      'p.yml:7:25: "25:00" is not an end time in window "Mon-Fri 07:00-25:00"; expected HH:MM from 00:00 to 24:00',
      '5 errors',
    ]);
  });

  it('reports a defined but invalid calendar once, at the calendar, and not as unknown where it is used', async () => {
    // Prepare
    const text = [
      'version: 1',
      'calendars:',
      '  bad: { ranges: [{ from: "2026-12-24", to: "2026-12-20" }] }',
      'policies:',
      '  - name: a',
      '    resource: cluster',
      '    freeze: [bad]',
      '    window: { running: ["daily 08:00-18:00"], timezone: UTC, closedOn: [bad, missing] }',
      '',
    ].join('\n');
    // Act
    const { err } = await run({ 'p.yml': text }, ['p.yml']);
    // Assess
    expect(err.split('\n').filter((l) => l !== '')).toEqual([
      'p.yml:3:45: range ends (2026-12-20) before it starts (2026-12-24); expected "to" after "from"',
      'p.yml:8:78: unknown calendar "missing"; expected a name defined under calendars',
      '2 errors',
    ]);
  });

  it('supports YAML merge keys', async () => {
    // Prepare
    const text = [
      'version: 1',
      'policies:',
      '  - &base',
      '    name: a',
      '    resource: cluster',
      '    match: { tags: { team: a } }',
      '    window: { running: ["daily 08:00-18:00"], timezone: UTC }',
      '  - <<: *base',
      '    name: b',
      '    match: { tags: { team: b } }',
      '',
    ].join('\n');
    // Act
    const { code, out } = await run({ 'p.yml': text }, ['p.yml']);
    // Assess
    expect([code, out]).toEqual([0, '2 policies OK\n']);
  });

  it('says a file holds several documents, and still checks the first', async () => {
    // Prepare
    const text = 'version: 1\npolicies: []\nextra: 1\n---\nversion: 1\n';
    // Act
    const { out, err } = await run({ 'p.yml': text }, ['p.yml']);
    // Assess
    expect(out).toBe('');
    expect(err).toBe(
      [
        'p.yml:3:1: unknown key "extra"; expected one of: version, defaults, calendars, policies',
        'p.yml:4:1: the file holds 2 YAML documents (separated by "---"); expected one document per policy file (put each in a file of its own)',
        '2 errors',
        '',
      ].join('\n'),
    );
  });

  it('says a YAML mistake in its own words', async () => {
    // Prepare
    const text = 'version: 1\npolicies:\n  - name: a\n    resource: cluster: x\n\twindow: {}\n';
    // Act
    const { out, err } = await run({ 'p.yml': text }, ['p.yml']);
    // Assess
    expect(out).toBe('');
    expect(err).not.toMatch(/token|YAML stream|compact mapping/);
    expect(err.split('\n').filter((l) => l !== '')[0]).toBe(
      'p.yml:4:15: a second "key:" on the line of another key; expected one "key: value" per line (quote a value that contains ": ")',
    );
  });
});

describe('autopilot validate --fleet: a fleet file with wrong types or missing fields', () => {
  it('exits 1 naming each problem with its path', async () => {
    // Prepare
    const policies =
      'version: 1\npolicies:\n  - name: a\n    resource: cluster\n    window: { running: ["daily 08:00-18:00"], timezone: UTC }\n';
    const fleet = JSON.stringify({
      Clusters: [
        { ClusterIdentifier: 'a', ClusterStatus: 'available', NumberOfNodes: 'two' },
        { ClusterIdentifier: 'b' },
      ],
    });
    const dir = mkdtempSync(path.join(tmpdir(), 'validate-fleet-'));
    writeFileSync(path.join(dir, 'p.yml'), policies);
    writeFileSync(path.join(dir, 'fleet.json'), fleet);
    const out: string[] = [];
    const err: string[] = [];
    const io: CliIo = {
      stdout: (t) => out.push(t),
      stderr: (t) => err.push(t),
      readStdin: async () => '',
      cwd: dir,
      now: () => new Date('2026-12-07T00:00:00Z'),
    };
    // Act
    const code = await main(['validate', 'p.yml', '--fleet', 'fleet.json'], io);
    // Assess
    expect(code).toBe(1);
    expect(err.join('')).toBe(
      [
        'fleet.json: Clusters[0] (a).NumberOfNodes is "two"; expected a whole number of nodes ≥ 1, such as 2 (not in quotes)',
        'fleet.json: Clusters[1] (b) has no ClusterStatus; expected describe-clusters output, where every cluster has ClusterIdentifier and ClusterStatus',
        '',
      ].join('\n'),
    );
  });
});
