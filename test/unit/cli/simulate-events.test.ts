import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../../shared/cli/main.ts';
import type { ActionRecord, EventRecord, OutputRecord } from '../../../shared/simulation/timeline.ts';
import { integrationEvent } from '../../../shared/simulator/event-envelopes.ts';
import { Prng } from '../../../shared/simulator/prng.ts';
import { fakeIo } from '../../helpers/cli.ts';

// `simulate` matches injected events against the fleet as AWS sends them: a zero-ETL event names its
// integration by the ARN describe-integrations gave (examples/fleet/integrations.json), and finds it.
// An event that decides nothing leaves a record of its own, with why, in --json, the text and the report.

const ROOT = path.resolve(import.meta.dirname, '../../..');
const integrations = JSON.parse(readFileSync(path.join(ROOT, 'examples/fleet/integrations.json'), 'utf8')) as {
  Integrations: { IntegrationArn: string; IntegrationName: string; SourceArn: string; TargetArn: string }[];
};
const ORDERS = integrations.Integrations[0] as (typeof integrations.Integrations)[number];
const AT = '2026-12-08T22:30:00Z';

/** REDSHIFT-INTEGRATION-EVENT-0019 ("target cluster is paused") as EventBridge delivers it. */
function event0019(integrationArn: string, integrationName: string) {
  return integrationEvent({
    eventId: 'REDSHIFT-INTEGRATION-EVENT-0019',
    integrationArn,
    sourceArn: ORDERS.SourceArn,
    destinationArn: ORDERS.TargetArn,
    integrationName,
    integrationStatus: 'needs_attention',
    statusCode: 'TARGET_PAUSED',
    at: new Date(AT),
    region: 'eu-central-1',
    account: '123456789012',
    ids: new Prng('test'),
  });
}

/** The example fleet with its zero-ETL target paused (someone paused it by hand). */
function inputs(): { dir: string; fleet: string; events: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'simulate-events-'));
  const fleet = JSON.parse(readFileSync(path.join(ROOT, 'examples/fleet/fleet.json'), 'utf8')) as {
    Clusters: { ClusterIdentifier: string; ClusterStatus: string; ClusterAvailabilityStatus?: string }[];
  };
  const target = fleet.Clusters.find((c) => c.ClusterIdentifier === 'dev-zetl-target');
  if (target === undefined) throw new Error('examples/fleet/fleet.json has no dev-zetl-target');
  target.ClusterStatus = 'paused';
  target.ClusterAvailabilityStatus = 'Paused';
  writeFileSync(path.join(dir, 'fleet.json'), JSON.stringify(fleet));
  const unknownArn = 'arn:aws:redshift:eu-central-1:123456789012:integration:00000000-0000-4000-8000-000000000000';
  const lines = [
    { at: AT, payload: event0019(ORDERS.IntegrationArn, ORDERS.IntegrationName) },
    { at: AT, payload: event0019(unknownArn, 'deleted-last-week') },
  ];
  writeFileSync(path.join(dir, 'events.jsonl'), `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`);
  return { dir, fleet: path.join(dir, 'fleet.json'), events: path.join(dir, 'events.jsonl') };
}

async function simulate(extra: string[]) {
  const { fleet, events } = inputs();
  const io = fakeIo({ cwd: ROOT });
  const args = [
    'simulate',
    '--policies',
    'examples/policies/example.yml',
    '--fleet',
    fleet,
    'examples/fleet/integrations.json',
    'examples/fleet/workgroups.json',
    '--events',
    events,
    '--from',
    '2026-12-08T22:00Z',
    '--to',
    '2026-12-08T23:30Z',
    ...extra,
  ];
  const code = await main(args, io);
  return { code, out: io.out(), err: io.err() };
}

describe('simulate with injected events', () => {
  it('resumes a paused zero-ETL target on an injected 0019, and records the event for nothing the fleet holds', async () => {
    // Act
    const { code, out, err } = await simulate(['--json']);

    // Assess: the 0019 for the fleet's integration resumes its target, as plan decides.
    expect(err).toBe('');
    expect(code).toBe(0);
    const records = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as OutputRecord);
    const resumes = records.filter(
      (r): r is ActionRecord =>
        r.type === 'action' && r.action === 'ResumeCluster' && r.policy === 'zero-etl-target-resume',
    );
    // One decision (one key), called and then seen done.
    expect(new Set(resumes.map((r) => `${r.resource} ${r.key}`)).size).toBe(1);
    expect(resumes.map((r) => [r.resource, r.outcome])).toEqual([
      ['cluster/dev-zetl-target', 'in-progress'],
      ['cluster/dev-zetl-target', 'succeeded'],
    ]);
    expect(resumes[0]?.reason).toContain('zero-ETL integration orders-aurora-to-dev needs its target running');
    expect(records).toContainEqual(
      expect.objectContaining({
        type: 'state',
        resource: 'cluster/dev-zetl-target',
        from: 'resuming',
        to: 'available',
      }),
    );
    // The other names an integration the fleet does not hold: a record of its own, with the reason.
    const events = records.filter((r): r is EventRecord => r.type === 'event');
    const unknown = events.filter((e) => e.resource.includes('00000000-0000-4000-8000-000000000000'));
    expect(unknown).toHaveLength(1);
    expect(unknown[0]).toMatchObject({
      eventId: 'REDSHIFT-INTEGRATION-EVENT-0019',
      outcome: 'no-resource',
      source: expect.stringMatching(/^injected .*events\.jsonl:2$/),
    });
    expect(unknown[0]?.reason).toContain(
      'the fleet holds no integration 00000000-0000-4000-8000-000000000000 (arn:aws:redshift:eu-central-1:123456789012:integration:00000000-0000-4000-8000-000000000000)',
    );
    expect(records.at(-1)).toMatchObject({ type: 'summary', unmatchedEvents: { 'no-resource': 1 } });
  }, 60_000);

  it('shows the event that decided nothing in the text timeline and the HTML report', async () => {
    // Act
    const report = path.join(mkdtempSync(path.join(tmpdir(), 'simulate-report-')), 'report.html');
    const { code, out } = await simulate(['--report', report]);
    const html = readFileSync(report, 'utf8');

    // Assess
    expect(code).toBe(0);
    expect(out).toMatch(
      /integration\/00000000-0000-4000-8000-000000000000 +event REDSHIFT-INTEGRATION-EVENT-0019 decided nothing \(no-resource, injected .*events\.jsonl:2\): the fleet holds no integration/,
    );
    expect(out).toContain('events that decided nothing: no-resource 1');
    expect(html).toContain('<h2>Events that decided nothing</h2>');
    expect(html).toMatch(/<tr class="event-row" data-outcome="no-resource">.*REDSHIFT-INTEGRATION-EVENT-0019/);
  }, 60_000);
});
