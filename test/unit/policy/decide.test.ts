import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { NormalizedEvent } from '../../../shared/events/normalized-event.ts';
import { type DecideInput, decide } from '../../../shared/policy/decide.ts';
import type { FleetSnapshot, LedgerView } from '../../../shared/policy/decision.ts';
import { parseFleet } from '../../../shared/policy/fleet.ts';
import { loadPolicySources, type PolicySet } from '../../../shared/policy/policy-loader.ts';

const ACCOUNT = '123456789012';
const NS = (id: string) => `arn:aws:redshift:eu-central-1:${ACCOUNT}:namespace:${id}`;
const MANAGED = { Key: 'autopilot:managed', Value: 'true' };

function cluster(
  id: string,
  extra: Record<string, unknown> = {},
  tags: { Key: string; Value: string }[] = [MANAGED, { Key: 'env', Value: 'dev' }],
) {
  return {
    ClusterIdentifier: id,
    NodeType: 'ra3.xlplus',
    ClusterStatus: 'available',
    NumberOfNodes: 2,
    AutomatedSnapshotRetentionPeriod: 1,
    MultiAZ: 'Disabled',
    AvailabilityZone: 'eu-central-1a',
    ClusterNamespaceArn: NS(`ns-${id}`),
    Tags: tags,
    ...extra,
  };
}

function policies(yaml: string): PolicySet {
  const result = loadPolicySources([{ file: 'p.yml', text: yaml }], { knownEventIds: null });
  const errors = result.problems.filter((p) => p.severity === 'error');
  if (errors.length > 0) throw new Error(errors.map((p) => `${p.line}:${p.col} ${p.message}`).join('\n'));
  return result.policySet;
}

const OFFICE = `version: 1
defaults: { timezone: Europe/Berlin }
calendars:
  holidays: { dates: [2026-12-24] }
  freeze: { ranges: [{ from: "2026-12-20T00:00", to: "2027-01-04T00:00" }] }
policies:
  - name: office
    resource: cluster
    match: { tags: { env: dev } }
    window: { running: ["Mon-Fri 07:00-19:00"], closedOn: [holidays] }
    freeze: [freeze]
`;

const EMPTY_LEDGER: LedgerView = { entries: [] };
const tick = (now: string) => ({ kind: 'tick' as const, at: now });

function run(set: PolicySet, fleet: FleetSnapshot, now: string, ledger: LedgerView = EMPTY_LEDGER) {
  return decide({ policies: set, fleet, trigger: tick(now), now, ledger });
}

function fleetOf(clusters: unknown[], more: unknown[] = []): FleetSnapshot {
  return parseFleet(
    [{ name: 'c.json', json: { Clusters: clusters } }, ...more.map((json, i) => ({ name: `m${i}.json`, json }))],
    '2026-12-07T00:00:00.000Z',
  );
}

describe('decide: window on clusters', () => {
  const set = policies(OFFICE);

  it('pauses an available cluster outside the window, with the reason and the next resume', () => {
    // Prepare
    const fleet = fleetOf([cluster('dev-1')]);
    // Act
    const { decisions, skips } = run(set, fleet, '2026-12-07T20:00:00.000Z');
    // Assess
    expect(skips).toEqual([]);
    expect(decisions).toHaveLength(1);
    expect(decisions[0]).toMatchObject({
      at: '2026-12-07T20:00:00.000Z',
      policy: 'office',
      action: 'PauseCluster',
      target: {
        type: 'cluster',
        id: 'dev-1',
        region: 'eu-central-1',
        arn: `arn:aws:redshift:eu-central-1:${ACCOUNT}:cluster:dev-1`,
      },
      params: { ClusterIdentifier: 'dev-1' },
      reason: 'outside window Mon-Fri 07:00-19:00 Europe/Berlin; next resume 2026-12-08T06:00Z',
      mode: 'act',
      guard: { optInTag: { key: 'autopilot:managed', value: 'true' }, allowZeroEtlTarget: false, maxResources: null },
    });
  });

  it('resumes a paused cluster inside the window', () => {
    // Prepare
    const fleet = fleetOf([cluster('dev-1', { ClusterStatus: 'paused' })]);
    // Act
    const { decisions } = run(set, fleet, '2026-12-08T09:00:00.000Z');
    // Assess
    expect(decisions.map((d) => [d.action, d.reason])).toEqual([
      ['ResumeCluster', 'inside window Mon-Fri 07:00-19:00 Europe/Berlin; next pause 2026-12-08T18:00Z'],
    ]);
  });

  it('gives two ticks in one slot the same idempotency key and the next slot another', () => {
    // Prepare
    const fleet = fleetOf([cluster('dev-1')]);
    // Act
    const a = run(set, fleet, '2026-12-07T18:05:00.000Z').decisions[0];
    const b = run(set, fleet, '2026-12-07T23:55:00.000Z').decisions[0];
    const c = run(set, fleet, '2026-12-08T18:05:00.000Z').decisions[0];
    // Assess
    expect(a?.idempotencyKey).toMatch(/^[0-9a-f]{64}$/);
    expect(b?.idempotencyKey).toBe(a?.idempotencyKey);
    expect(c?.idempotencyKey).not.toBe(a?.idempotencyKey);
  });

  it('skips with a reason for every resource it must not touch', () => {
    // Prepare
    const integration = {
      Integrations: [
        {
          IntegrationArn: `arn:aws:redshift:eu-central-1:${ACCOUNT}:integration:abc`,
          IntegrationName: 'orders',
          SourceArn: `arn:aws:rds:eu-central-1:${ACCOUNT}:cluster:orders`,
          TargetArn: NS('ns-dev-zetl'),
          Status: 'active',
          Tags: [MANAGED],
        },
      ],
    };
    const fleet = fleetOf(
      [
        cluster('dev-untagged', {}, [{ Key: 'env', Value: 'dev' }]),
        cluster('dev-modifying', { ClusterStatus: 'modifying' }),
        cluster('dev-multiaz', { MultiAZ: 'Enabled' }),
        cluster('dev-nosnap', { AutomatedSnapshotRetentionPeriod: 0 }),
        cluster('dev-zetl'),
        cluster('dev-override-bad', {}, [
          MANAGED,
          { Key: 'env', Value: 'dev' },
          { Key: 'autopilot:override', Value: 'running-until=soon' },
        ]),
        cluster('prod-1', {}, [MANAGED, { Key: 'env', Value: 'prod' }]),
      ],
      [integration],
    );
    // Act
    const { decisions, skips } = run(set, fleet, '2026-12-07T20:00:00.000Z');
    // Assess
    expect(decisions).toEqual([]);
    expect(skips.map((s) => [s.target.id, s.reason])).toEqual([
      ['dev-modifying', 'status modifying'],
      ['dev-multiaz', 'Multi-AZ cluster cannot be paused'],
      ['dev-nosnap', 'automated snapshots off'],
      [
        'dev-override-bad',
        'override tag autopilot:override="running-until=soon" is not valid; expected running-until=<ISO time with zone> or paused-until=<ISO time with zone>, e.g. running-until=2026-12-01T18:00Z',
      ],
      ['dev-untagged', 'not opted in'],
      ['dev-zetl', 'zero-ETL target (pauseZeroEtlTargets not set)'],
    ]);
  });

  it('pauses a zero-ETL target only when the policy says so, and tells the executor', () => {
    // Prepare
    const allow = policies(
      OFFICE.replace('closedOn: [holidays] }', 'closedOn: [holidays], pauseZeroEtlTargets: true }'),
    );
    const fleet = fleetOf(
      [cluster('dev-zetl')],
      [
        {
          Integrations: [
            {
              IntegrationArn: 'arn:aws:redshift:eu-central-1:1:integration:x',
              SourceArn: 'arn:s',
              TargetArn: NS('ns-dev-zetl'),
            },
          ],
        },
      ],
    );
    // Act
    const { decisions } = run(allow, fleet, '2026-12-07T20:00:00.000Z');
    // Assess
    expect(decisions.map((d) => [d.action, d.guard.allowZeroEtlTarget])).toEqual([['PauseCluster', true]]);
  });

  it('pauses on a closedOn day with the calendar named, and still decides (frozen) in a freeze', () => {
    // Prepare
    const fleet = fleetOf([cluster('dev-1')]);
    // Act
    const holiday = run(set, fleet, '2026-12-24T10:00:00.000Z').decisions[0];
    // Assess
    expect(holiday).toMatchObject({
      action: 'PauseCluster',
      mode: 'frozen',
      reason:
        'closed on holidays (2026-12-24) Europe/Berlin; next resume 2026-12-25T06:00Z; frozen by freeze (2026-12-20T00:00/2027-01-04T00:00)',
    });
  });

  it('marks decisions dry-run when the policy says so', () => {
    // Prepare
    const dry = policies(OFFICE.replace('    freeze: [freeze]\n', '    dryRun: true\n'));
    // Act
    const { decisions } = run(dry, fleetOf([cluster('dev-1')]), '2026-12-07T20:00:00.000Z');
    // Assess
    expect(decisions.map((d) => d.mode)).toEqual(['dry-run']);
  });

  it('refuses the whole policy when it would act on more than maxResources', () => {
    // Prepare
    const limited = policies(OFFICE.replace('    freeze: [freeze]\n', '    maxResources: 2\n'));
    const fleet = fleetOf([cluster('dev-1'), cluster('dev-2'), cluster('dev-3')]);
    // Act
    const { decisions, skips } = run(limited, fleet, '2026-12-07T20:00:00.000Z');
    // Assess
    expect(decisions).toEqual([]);
    expect(skips.map((s) => `${s.target.id}: ${s.reason}`)).toEqual([
      'dev-1: maxResources exceeded: 3 > 2',
      'dev-2: maxResources exceeded: 3 > 2',
      'dev-3: maxResources exceeded: 3 > 2',
    ]);
  });

  it('applies a percentage limit to the selected, opted-in resources', () => {
    // Prepare
    const limited = policies(OFFICE.replace('    freeze: [freeze]\n', '    maxResources: "50%"\n'));
    const fleet = fleetOf([
      cluster('dev-1'),
      cluster('dev-2'),
      cluster('dev-3', { ClusterStatus: 'paused' }),
      cluster('dev-4', { ClusterStatus: 'paused' }),
    ]);
    // Act
    const { decisions, skips } = run(limited, fleet, '2026-12-07T20:00:00.000Z');
    // Assess: 2 to pause out of 4 selected is within 50%
    expect(decisions.map((d) => [d.target.id, d.guard.maxResources])).toEqual([
      ['dev-1', 2],
      ['dev-2', 2],
    ]);
    expect(skips).toEqual([]);
  });

  it('lets the override tag win until it expires', () => {
    // Prepare
    const tags = [
      MANAGED,
      { Key: 'env', Value: 'dev' },
      { Key: 'autopilot:override', Value: 'running-until=2026-12-08T18:00Z' },
    ];
    const fleet = fleetOf([cluster('dev-1', { ClusterStatus: 'paused' }, tags)]);
    // Act
    const during = run(set, fleet, '2026-12-07T22:00:00.000Z').decisions;
    const after = run(set, fleet, '2026-12-08T18:30:00.000Z').decisions;
    // Assess
    expect(during.map((d) => [d.action, d.reason])).toEqual([
      ['ResumeCluster', 'override running-until=2026-12-08T18:00Z until 2026-12-08T18:00Z; window says paused'],
    ]);
    expect(after).toEqual([]);
  });

  it('leaves a cluster resumed by hand until the next boundary (ledger shows our pause succeeded)', () => {
    // Prepare
    const fleet = fleetOf([cluster('dev-1')]);
    const pause = run(set, fleet, '2026-12-07T18:00:00.000Z').decisions[0];
    if (pause === undefined) throw new Error('expected a pause');
    const ledger: LedgerView = {
      entries: [
        {
          idempotencyKey: pause.idempotencyKey,
          policy: 'office',
          action: 'PauseCluster',
          target: pause.target,
          status: 'succeeded',
          at: pause.at,
        },
      ],
    };
    // Act
    const later = run(set, fleet, '2026-12-07T21:00:00.000Z', ledger);
    const note = later.decisions[0];
    if (note === undefined) throw new Error('expected a note');
    const noted: LedgerView = {
      entries: [
        ...ledger.entries,
        {
          ...pause,
          idempotencyKey: note.idempotencyKey,
          action: 'Publish',
          status: 'succeeded',
          at: note.at,
        },
      ],
    };
    const after = run(set, fleet, '2026-12-07T21:05:00.000Z', noted);
    // Assess: one alert notes the manual resume (its record says when), then the window leaves it alone.
    expect(later.decisions.map((d) => [d.action, d.at])).toEqual([['Publish', '2026-12-07T21:00:00.000Z']]);
    expect(note.params.Subject).toBe('[autopilot] dev-1 resumed by hand in a paused period (office)');
    expect(after.decisions).toEqual([]);
    expect(after.skips.map((s) => s.reason)).toEqual([
      'resumed by hand at 2026-12-07T21:00Z after the pause at 2026-12-07T18:00Z; left running until the next boundary 2026-12-08T06:00Z',
    ]);
  });

  it('never pauses while a long-running operation is in progress (ledger)', () => {
    // Prepare
    const fleet = fleetOf([cluster('dev-1')]);
    const ledger: LedgerView = {
      entries: [
        {
          idempotencyKey: 'k',
          policy: 'resize-x',
          action: 'ResizeCluster',
          target: { type: 'cluster', id: 'dev-1' },
          status: 'in-progress',
          at: '2026-12-07T17:00:00.000Z',
        },
      ],
    };
    // Act
    const { decisions, skips } = run(set, fleet, '2026-12-07T20:00:00.000Z', ledger);
    // Assess
    expect(decisions).toEqual([]);
    expect(skips.map((s) => s.reason)).toEqual(['ResizeCluster by resize-x in progress (ledger)']);
  });
});

describe('decide: reactions', () => {
  const set = policies(`version: 1
policies:
  - name: zero-etl-target-resume
    resource: integration
    on: { events: [REDSHIFT-INTEGRATION-EVENT-0018, REDSHIFT-INTEGRATION-EVENT-0019] }
    do: [resume-target, alert]
`);
  const integrationArn = `arn:aws:redshift:eu-central-1:${ACCOUNT}:integration:7c9e`;
  const fleet = fleetOf(
    [cluster('dev-zetl', { ClusterStatus: 'paused' })],
    [
      {
        Integrations: [
          {
            IntegrationArn: integrationArn,
            IntegrationName: 'orders',
            SourceArn: 'arn:aws:rds:x',
            TargetArn: NS('ns-dev-zetl'),
            Tags: [MANAGED],
          },
        ],
      },
    ],
  );
  const event: NormalizedEvent = {
    kind: 'integration-event',
    eventId: 'REDSHIFT-INTEGRATION-EVENT-0018',
    known: true,
    category: 'Operation',
    severity: 'WARNING',
    resource: { type: 'integration', id: '7c9e', arn: integrationArn },
    time: '2026-12-08T20:00:00.000Z',
    message: 'The target cluster of the integration is paused.',
    values: {},
    account: ACCOUNT,
    region: 'eu-central-1',
  };

  it('resumes the paused target cluster of the integration and alerts', () => {
    // Act
    const { decisions } = decide({ policies: set, fleet, trigger: event, now: event.time, ledger: EMPTY_LEDGER });
    // Assess
    expect(decisions.map((d) => [d.action, d.target.id, d.params])).toEqual([
      ['ResumeCluster', 'dev-zetl', { ClusterIdentifier: 'dev-zetl' }],
      [
        'Publish',
        'orders',
        {
          Subject: '[autopilot] zero-etl-target-resume: REDSHIFT-INTEGRATION-EVENT-0018 on orders',
          Message: `Policy zero-etl-target-resume alerts on REDSHIFT-INTEGRATION-EVENT-0018 for integration orders (2026-12-08T20:00:00.000Z).\nEvent text: "The target cluster of the integration is paused."`,
          MessageAttributes: {
            severity: { DataType: 'String', StringValue: 'WARNING' },
            policy: { DataType: 'String', StringValue: 'zero-etl-target-resume' },
            resource: { DataType: 'String', StringValue: 'orders' },
          },
        },
      ],
    ]);
  });

  it('ignores events the policy does not name', () => {
    // Act
    const { decisions, skips } = decide({
      policies: set,
      fleet,
      trigger: { ...event, eventId: 'REDSHIFT-INTEGRATION-EVENT-0020' },
      now: event.time,
      ledger: EMPTY_LEDGER,
    });
    // Assess
    expect([decisions, skips]).toEqual([[], []]);
  });
});

describe('decide: workgroup base capacity and snapshots', () => {
  const set = policies(`version: 1
defaults: { timezone: Europe/Berlin }
policies:
  - name: wg
    resource: workgroup
    window: { running: ["Mon-Fri 07:00-19:00"], runningBaseCapacity: 64, pausedBaseCapacity: 8 }
  - name: nightly
    resource: cluster
    snapshots: { schedule: "cron(0 2 * * ? *)" }
`);
  const fleet = parseFleet(
    [
      {
        name: 'w',
        json: {
          workgroups: [
            {
              workgroupName: 'wg-1',
              baseCapacity: 8,
              status: 'AVAILABLE',
              tags: [{ key: 'autopilot:managed', value: 'true' }],
            },
          ],
        },
      },
      { name: 'c', json: { Clusters: [cluster('dev-1')] } },
    ],
    '2026-12-07T00:00:00.000Z',
  );

  it('changes base capacity at the boundary, not mid-window', () => {
    // Act
    const atBoundary = run(set, fleet, '2026-12-07T06:05:00.000Z');
    const midWindow = run(set, fleet, '2026-12-07T09:00:00.000Z');
    // Assess
    expect(atBoundary.decisions.map((d) => [d.action, d.params])).toEqual([
      ['UpdateWorkgroup', { workgroupName: 'wg-1', baseCapacity: 64 }],
    ]);
    expect(midWindow.decisions).toEqual([]);
    expect(midWindow.skips.map((s) => s.reason)).toEqual([
      'base capacity 8 RPU differs from 64 RPU mid-window; a change can cancel running queries, so it waits for the next boundary 2026-12-07T18:00Z',
    ]);
  });

  it('takes a snapshot at the schedule occurrence in the policy zone', () => {
    // Act
    const { decisions } = run(set, fleet, '2026-12-08T01:10:00.000Z');
    // Assess: 02:00 Berlin = 01:00Z
    expect(decisions.map((d) => [d.at, d.action, d.params])).toEqual([
      [
        '2026-12-08T01:00:00.000Z',
        'CreateClusterSnapshot',
        {
          SnapshotIdentifier: 'autopilot-dev-1-nightly-202612080100',
          ClusterIdentifier: 'dev-1',
          // Kept until retention deletes it; tags mark it as this policy's (issue 6).
          ManualSnapshotRetentionPeriod: -1,
          Tags: [
            { Key: 'managed-by', Value: 'redshift-autopilot' },
            { Key: 'autopilot:policy', Value: 'nightly' },
            { Key: 'autopilot:slot', Value: '2026-12-08T01:00:00.000Z' },
            { Key: 'autopilot:attempt', Value: '0' },
          ],
        },
      ],
    ]);
  });
});

describe('decide: determinism (property)', () => {
  const set = policies(`${OFFICE}  - name: nights
    resource: cluster
    match: { tags: { env: "!=dev" } }
    maxResources: "50%"
    window: { running: ["daily 22:00-02:00"], timezone: Australia/Sydney }
`);
  const statuses = ['available', 'paused', 'modifying', 'pausing', 'resuming'];
  const arb = fc.record({
    minutes: fc.integer({ min: 0, max: 14 * 24 * 60 }),
    clusters: fc.array(
      fc.record({
        id: fc.stringMatching(/^[a-z][a-z0-9-]{0,11}$/),
        status: fc.constantFrom(...statuses),
        env: fc.constantFrom('dev', 'prod', 'test'),
        managed: fc.boolean(),
        multiAz: fc.boolean(),
      }),
      { maxLength: 12 },
    ),
    seed: fc.integer(),
  });

  it('gives byte-identical output for the same input, whatever the order of the fleet', () => {
    fc.assert(
      fc.property(arb, ({ minutes, clusters, seed }) => {
        // Prepare
        const raw = clusters.map((c) =>
          cluster(c.id, { ClusterStatus: c.status, MultiAZ: c.multiAz ? 'Enabled' : 'Disabled' }, [
            ...(c.managed ? [MANAGED] : []),
            { Key: 'env', Value: c.env },
          ]),
        );
        const shuffled = [...raw].sort(
          (a, b) => ((a.ClusterIdentifier.length * 31 + seed) % 7) - ((b.ClusterIdentifier.length * 31 + seed) % 7),
        );
        const now = new Date(Date.parse('2026-12-14T00:00:00.000Z') + minutes * 60_000).toISOString();
        const input = (list: unknown[]): DecideInput => ({
          policies: set,
          fleet: fleetOf(list),
          trigger: tick(now),
          now,
          ledger: EMPTY_LEDGER,
        });
        // Act
        const first = JSON.stringify(decide(input(raw)));
        const again = JSON.stringify(decide(input(raw)));
        const reordered = JSON.stringify(decide(input(shuffled)));
        // Assess
        expect(again).toBe(first);
        expect(reordered).toBe(first);
      }),
      { numRuns: 200 },
    );
  });
});
