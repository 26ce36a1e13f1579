import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { command, parseSimulateArgs } from '../../../shared/cli/commands/simulate.command.ts';
import { startPeriod } from '../../../shared/cli/commands/start.command.ts';
import { main } from '../../../shared/cli/main.ts';
import type { OutputRecord } from '../../../shared/simulation/timeline.ts';
import { fakeIo } from '../../helpers/cli.ts';
import { loadEventFixture } from '../../helpers/fixtures.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const FLEET = ['examples/fleet/fleet.json', 'examples/fleet/integrations.json', 'examples/fleet/workgroups.json'];
const base = (from: string, to: string, ...rest: string[]) => [
  '--policies',
  'examples/policies/example.yml',
  '--fleet',
  ...FLEET,
  '--from',
  from,
  '--to',
  to,
  ...rest,
];

async function run(args: string[]) {
  const io = fakeIo({ cwd: ROOT });
  const code = await main(['simulate', ...args], io);
  return { code, out: io.out(), err: io.err() };
}

const records = (out: string) =>
  out
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as OutputRecord);

describe('autopilot simulate', () => {
  it('prints byte-identical --json for the same inputs and seed, and a different run for another seed', async () => {
    const args = base('2026-12-07T16:00Z', '2026-12-08T08:00Z', '--seed', '42', '--json');
    const first = await run(args);
    const second = await run(args);
    const other = await run(base('2026-12-07T16:00Z', '2026-12-08T08:00Z', '--seed', '43', '--json'));
    expect(first.code).toBe(0);
    expect(first.err).toBe('');
    expect(second.out).toBe(first.out);
    // Durations and delivery latencies come from the seed.
    expect(other.out).not.toBe(first.out);

    const lines = records(first.out);
    expect(new Set(lines.map((l) => l.type))).toEqual(new Set(['state', 'action', 'skipped', 'alert', 'summary']));
    expect(lines.at(-1)).toMatchObject({ type: 'summary', seed: '42', from: '2026-12-07T16:00:00.000Z' });
    expect(lines.slice(0, -1).every((l) => l.type !== 'summary')).toBe(true);
  }, 60_000);

  it('prints a readable timeline in local and UTC time, then the summary per policy', async () => {
    const { code, out } = await run(base('2026-12-07T17:30Z', '2026-12-07T18:30Z'));
    expect(code).toBe(0);
    expect(out).toMatch(
      /Mon 2026-12-07 19:00 CET {2}2026-12-07 18:00Z {2}cluster\/dev-etl-1 +ACTION PauseCluster in-progress \[dev-office-hours\] outside window Mon-Fri 07:00-19:00 Europe\/Berlin/,
    );
    // The policy's two pauses of the 18:00Z run are one digest alert (issue 19); a lone pause of
    // another policy in its run keeps its own alert.
    expect(out).toMatch(
      /Mon 2026-12-07 19:00 CET {2}2026-12-07 18:00Z {2}2 clusters +ALERT INFO \[autopilot\] dev-office-hours: PauseCluster started on 2 clusters\n/,
    );
    expect(out).not.toMatch(/ALERT INFO \[autopilot\] PauseCluster dev-etl-[12]: started/);
    expect(out).toMatch(
      /cluster\/test-qa-2 +ALERT INFO \[autopilot\] PauseCluster test-qa-2: started \(test-nightly-batch\)/,
    );
    expect(out).toMatch(/\ndev-office-hours +2 +0 +\d+ +0 +1 +[\d.]+\n/);
  }, 60_000);

  it('injects --events payloads at their time through the function AWS would route them to', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'simulate-events-'));
    const file = path.join(dir, 'events.jsonl');
    const payload = loadEventFixture('sns-lambda-event-redshift-event-notification-REDSHIFT-EVENT-2004.json');
    writeFileSync(file, `${JSON.stringify({ at: '2026-12-07T10:00Z', payload })}\n\n`);
    const args = base('2026-12-07T09:00Z', '2026-12-07T11:00Z', '--json');
    const without = records((await run(args)).out).at(-1);
    const withEvent = records((await run([...args, '--events', file])).out).at(-1);
    expect(without?.type === 'summary' && withEvent?.type === 'summary').toBe(true);
    if (without?.type !== 'summary' || withEvent?.type !== 'summary') return;
    expect(withEvent.deliveries.events).toBe(without.deliveries.events + 1);
    expect(withEvent.invocationErrors).toBe(0);
  }, 60_000);

  it('writes the HTML report and says where, keeping stdout JSON-only with --json', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'simulate-report-'));
    const report = path.join(dir, 'nested', 'week.html');
    const { code, out, err } = await run(base('2026-12-07T17:00Z', '2026-12-07T19:00Z', '--json', '--report', report));
    expect(code).toBe(0);
    expect(err).toBe(`report written to ${report}\n`);
    expect(() => records(out)).not.toThrow();
    const html = readFileSync(report, 'utf8');
    expect(html.match(/<svg class="timeline"/g)).toHaveLength(14);
    expect(html).not.toMatch(/(src|href)="https?:/);
  }, 60_000);

  it.each([
    [['--fleet', 'x.json', '--from', '2026-12-07', '--to', '2026-12-08'], '--policies is required'],
    [base('2026-12-07', '2026-12-08').slice(0, 6), '--from and --to are required'],
    [base('2026-12-08', '2026-12-07'), '--to must be after --from'],
    [base('yesterday', '2026-12-07'), '--from "yesterday" is not a time'],
    [base('2026-12-07', '2027-12-07'), 'spans more than 92 days'],
    [base('2026-12-07', '2026-12-08', '--verbose'), 'unknown option --verbose'],
    [base('2026-12-07', '2026-12-08', '--duplicate-rate', '2'), '--duplicate-rate must be a probability'],
  ])('exits 2 with the usage for bad usage (%#)', async (args, message) => {
    const { code, out, err } = await run(args);
    expect(code).toBe(2);
    expect(out).toBe('');
    expect(err).toContain(message);
    expect(err).toContain('usage: autopilot simulate');
  });

  it('exits 1 naming the file for a missing fleet file or a bad --events line, before simulating', async () => {
    const missing = await run([
      '--policies',
      'examples/policies/example.yml',
      '--fleet',
      'nope.json',
      '--from',
      '2026-12-07',
      '--to',
      '2026-12-08',
    ]);
    expect(missing.code).toBe(1);
    expect(missing.err).toBe('nope.json: cannot read fleet file\n');

    const dir = mkdtempSync(path.join(tmpdir(), 'simulate-bad-events-'));
    const file = path.join(dir, 'bad.jsonl');
    writeFileSync(file, `${JSON.stringify({ at: '2026-12-07T10:00Z', payload: { hello: 'world' } })}\n`);
    const bad = await run(base('2026-12-07', '2026-12-08', '--events', file));
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(
      new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:1: payload is not a supported ingress shape`),
    );
    expect(bad.out).toBe('');

    writeFileSync(file, '{"payload": {}}\n');
    const noTime = await run(base('2026-12-07', '2026-12-08', '--events', file));
    expect(noTime.code).toBe(1);
    expect(noTime.err).toContain(':1: expected {"at": "<ISO time with zone>", "payload": {...}}');
  });

  it('reads --policies and --fleet as lists up to the next flag', () => {
    const options = parseSimulateArgs([
      '--fleet',
      'a.json',
      'b.json',
      '--seed',
      '7',
      '--policies',
      'p.yml',
      '--from',
      'x',
      '--to',
      'y',
    ]);
    expect(options).toMatchObject({
      fleet: ['a.json', 'b.json'],
      policies: ['p.yml'],
      seed: '7',
      json: false,
      report: null,
    });
    expect(command.usage).toContain('--report <out.html>');
  });
});

describe('npm start', () => {
  it('simulates the week from the next full hour', () => {
    expect(startPeriod(new Date('2026-11-25T09:10:11Z'))).toEqual({
      from: '2026-11-25T10:00:00.000Z',
      to: '2026-12-02T10:00:00.000Z',
    });
    expect(startPeriod(new Date('2026-11-25T09:00:00Z')).from).toBe('2026-11-25T09:00:00.000Z');
  });
});
