import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseEventText, payloadsOf } from '../../../shared/cli/event-file.ts';
import { main } from '../../../shared/cli/main.ts';
import { normalizeDetailed } from '../../../shared/events/normalize.ts';
import type { OutputRecord } from '../../../shared/simulation/timeline.ts';
import { integrationEvent } from '../../../shared/simulator/event-envelopes.ts';
import { Prng } from '../../../shared/simulator/prng.ts';
import { fakeIo } from '../../helpers/cli.ts';
import { eventFixturePath, loadEventFixture } from '../../helpers/fixtures.ts';

// `plan --events` and `simulate --events` read the same files through one reader: normalized events
// (what `autopilot normalize` prints), {"at","payload"} lines, and raw SNS/EventBridge payloads.

const ROOT = path.resolve(import.meta.dirname, '../../..');
const AT = '2026-12-08T22:30:00Z';
const integrations = JSON.parse(readFileSync(path.join(ROOT, 'examples/fleet/integrations.json'), 'utf8')) as {
  Integrations: { IntegrationArn: string; IntegrationName: string; SourceArn: string; TargetArn: string }[];
};
const ORDERS = integrations.Integrations[0] as (typeof integrations.Integrations)[number];

/** REDSHIFT-INTEGRATION-EVENT-0019 ("target cluster is paused") for the example integration, as EventBridge sends it. */
const event0019 = () =>
  integrationEvent({
    eventId: 'REDSHIFT-INTEGRATION-EVENT-0019',
    integrationArn: ORDERS.IntegrationArn,
    sourceArn: ORDERS.SourceArn,
    destinationArn: ORDERS.TargetArn,
    integrationName: ORDERS.IntegrationName,
    integrationStatus: 'needs_attention',
    statusCode: 'TARGET_PAUSED',
    at: new Date(AT),
    region: 'eu-central-1',
    account: '123456789012',
    ids: new Prng('test'),
  });

/** The example fleet with its zero-ETL target paused by hand, and an events file written by `write`. */
async function inputs(write: (dir: string) => Promise<string>) {
  const dir = mkdtempSync(path.join(tmpdir(), 'events-file-'));
  const fleet = JSON.parse(readFileSync(path.join(ROOT, 'examples/fleet/fleet.json'), 'utf8')) as {
    Clusters: { ClusterIdentifier: string; ClusterStatus: string; ClusterAvailabilityStatus?: string }[];
  };
  const target = fleet.Clusters.find((c) => c.ClusterIdentifier === 'dev-zetl-target');
  if (target === undefined) throw new Error('examples/fleet/fleet.json has no dev-zetl-target');
  target.ClusterStatus = 'paused';
  target.ClusterAvailabilityStatus = 'Paused';
  writeFileSync(path.join(dir, 'fleet.json'), JSON.stringify(fleet));
  return { fleet: path.join(dir, 'fleet.json'), events: await write(dir) };
}

async function run(command: 'plan' | 'simulate', fleet: string, events: string) {
  const io = fakeIo({ cwd: ROOT });
  const args = [
    command,
    ...['--policies', 'examples/policies/example.yml'],
    ...['--fleet', fleet, 'examples/fleet/integrations.json', 'examples/fleet/workgroups.json'],
    ...['--events', events, '--from', '2026-12-08T22:00Z', '--to', '2026-12-08T23:30Z', '--json'],
  ];
  const code = await main(args, io);
  return { code, out: io.out(), err: io.err() };
}

const lines = (out: string) =>
  out
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

/** The three forms of one event, each a file. */
const FORMS: [string, (dir: string) => Promise<string>][] = [
  [
    'the output of autopilot normalize (pretty-printed)',
    async (dir) => {
      writeFileSync(path.join(dir, 'raw.json'), JSON.stringify(event0019()));
      const io = fakeIo({ cwd: dir });
      expect(await main(['normalize', 'raw.json'], io)).toBe(0);
      writeFileSync(path.join(dir, 'events.json'), io.out());
      return path.join(dir, 'events.json');
    },
  ],
  [
    'an {"at","payload"} line',
    async (dir) => {
      writeFileSync(path.join(dir, 'events.jsonl'), `${JSON.stringify({ at: AT, payload: event0019() })}\n`);
      return path.join(dir, 'events.jsonl');
    },
  ],
  [
    'a raw EventBridge payload',
    async (dir) => {
      writeFileSync(path.join(dir, 'event.json'), JSON.stringify(event0019(), null, 2));
      return path.join(dir, 'event.json');
    },
  ],
];

describe('plan and simulate read the same --events files', () => {
  it.each(FORMS)(
    '%s: plan decides the resume and simulate performs it',
    async (_, write) => {
      // Prepare
      const { fleet, events } = await inputs(write);
      // Act
      const planned = await run('plan', fleet, events);
      const simulated = await run('simulate', fleet, events);
      // Assess: plan decides ResumeCluster at the event's time; simulate calls it and sees it done.
      expect([planned.code, planned.err]).toEqual([0, '']);
      expect(
        lines(planned.out)
          .filter((d) => d.policy === 'zero-etl-target-resume' && d.action === 'ResumeCluster')
          .map((d) => [d.at, (d.target as { id: string }).id]),
      ).toEqual([['2026-12-08T22:30:00.000Z', 'dev-zetl-target']]);
      expect([simulated.code, simulated.err]).toEqual([0, '']);
      const resumes = (lines(simulated.out) as unknown as OutputRecord[]).filter(
        (r) => r.type === 'action' && r.action === 'ResumeCluster' && r.policy === 'zero-etl-target-resume',
      );
      expect(resumes.map((r) => (r.type === 'action' ? [r.resource, r.outcome] : null))).toEqual([
        ['cluster/dev-zetl-target', 'in-progress'],
        ['cluster/dev-zetl-target', 'succeeded'],
      ]);
    },
    60_000,
  );

  it('gives both commands the same file:line error for a bad entry, before running', async () => {
    // Prepare: line 1 is fine, the entry starting on line 2 is a normalized event with a wrong severity.
    const dir = mkdtempSync(path.join(tmpdir(), 'events-file-bad-'));
    const good = normalizeDetailed(event0019()).events[0];
    const file = path.join(dir, 'events.jsonl');
    writeFileSync(file, `${JSON.stringify(good)}\n${JSON.stringify({ ...good, severity: 'LOUD' })}\n`);
    // Act
    const planned = await run('plan', 'examples/fleet/fleet.json', file);
    const simulated = await run('simulate', 'examples/fleet/fleet.json', file);
    // Assess
    const expected = `${file}:2: not a normalized event (severity: Invalid option: expected one of "INFO"|"WARNING"|"ERROR"); expected the output of autopilot normalize\n`;
    expect([planned.code, planned.out, planned.err]).toEqual([1, '', expected]);
    expect([simulated.code, simulated.out, simulated.err]).toEqual([1, '', expected]);
  });
});

describe('the events reader', () => {
  const fixtures = readdirSync(eventFixturePath('')).filter((f) =>
    /^(sns|eventbridge-aws|cloudtrail-record)-.*\.json$/.test(f),
  );

  it.each(fixtures.filter((f) => !f.includes('redshift-data') && !f.includes('CAPTURED-PARTIAL')))(
    'rebuilds %s from its normalized event into a payload that normalizes back to the same event',
    (name) => {
      // Prepare: what `autopilot normalize` prints for the fixture.
      const events = normalizeDetailed(loadEventFixture(name), { receivedAt: AT }).events;
      const text = `${JSON.stringify(events.length === 1 ? events[0] : events, null, 2)}\n`;
      // Act
      const injected = payloadsOf(parseEventText(text, 'events.json'));
      // Assess
      expect(injected.flatMap((i) => normalizeDetailed(i.payload).events)).toEqual(events);
      expect(injected.map((i) => i.at)).toEqual(events.map((e) => Date.parse(e.time)));
    },
  );

  it('takes JSON Lines, values one after another and an array, naming where each entry starts', () => {
    // Prepare
    const event = normalizeDetailed(event0019()).events[0];
    const text = [
      JSON.stringify(event),
      '',
      JSON.stringify(event, null, 2),
      `[${JSON.stringify(event)},`,
      ` ${JSON.stringify({ at: '2026-12-08T23:00Z', payload: event0019() })}]`,
    ].join('\n');
    // Act
    const entries = parseEventText(text, 'e.json');
    // Assess: the pretty value spans lines 3..16; the array's elements start on its two lines.
    const prettyLines = JSON.stringify(event, null, 2).split('\n').length;
    expect(entries.map((e) => [e.origin, e.form])).toEqual([
      ['e.json:1', 'normalized'],
      ['e.json:3', 'normalized'],
      [`e.json:${3 + prettyLines}`, 'normalized'],
      [`e.json:${4 + prettyLines}`, 'timed-payload'],
    ]);
    // A timed payload's event is read at its `at`, as simulate delivers it then.
    expect(entries[3]?.events.map((e) => e.time)).toEqual(['2026-12-08T23:00:00.000Z']);
  });

  it.each([
    ['{"kind":"alarm"}\n{"a": 1,}\n', 'e.json:2:9: not JSON'],
    ['[{"at": "2026-12-08T23:00Z", "payload": {}}\n', 'e.json:2:1: the array is not closed; expected "]"'],
    ['\n\n42\n', 'e.json:3: 42 is not an event; expected one entry per line or JSON value'],
    ['{"at": "tomorrow", "payload": {}}', 'e.json:1: expected {"at": "<ISO time with zone>", "payload": {...}}'],
    ['{"at": "2026-12-08T23:00Z", "payload": {"hello": 1}}', 'e.json:1: payload is not a supported ingress shape'],
    ['{"hello": 1}', 'e.json:1: (payload): unrecognised payload'],
  ])('refuses %j naming file:line', (text, message) => {
    expect(() => parseEventText(text, 'e.json')).toThrow(message);
  });

  it('refuses a raw payload over 256 KB, naming the limit', () => {
    const big = { ...event0019(), detail: { ...event0019().detail, eventDescription: 'x'.repeat(300_000) } };
    expect(() => parseEventText(JSON.stringify(big), 'e.json')).toThrow(
      /^e\.json:1: payload is \d+ bytes; expected at most 262144 \(256 KB/,
    );
  });
});
