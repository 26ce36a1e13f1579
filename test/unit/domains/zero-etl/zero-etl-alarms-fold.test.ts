import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { reactionTracker } from '../../../../shared/domains/zero-etl/reaction-tracker.ts';
import { normalize } from '../../../../shared/events/normalize.ts';
import { actionRegistry } from '../../../../shared/execute/action-registry.ts';
import { MemoryLedger } from '../../../../shared/execute/memory-ledger.ts';
import type { Alert } from '../../../../shared/execute/ports.ts';
import { decideWithLedger } from '../../../../shared/execute/reconcile.ts';
import { authorizeDecision } from '../../../../shared/policy/authorize.ts';
import { decide } from '../../../../shared/policy/decide.ts';
import type { Decision } from '../../../../shared/policy/decision.ts';
import { parseFleet } from '../../../../shared/policy/fleet.ts';
import type { PolicySet } from '../../../../shared/policy/policy-loader.ts';
import { registry } from '../../../../shared/policy/registry.ts';
import { fleet, integrationEvent, policies } from './zero-etl-fixtures.ts';

const FIXTURES = join(import.meta.dirname, '../../../fixtures/events');
const read = (name: string) => JSON.parse(readFileSync(join(FIXTURES, name), 'utf8'));

function authorized(decision: Decision, set: PolicySet) {
  return authorizeDecision(decision, set, {
    now: Date.parse(decision.at),
    maxAgeMs: 45 * 60_000,
    action: (name) => actionRegistry.action(name),
    capability: (key) => registry.capabilities.find((c) => c.keys.includes(key)),
  });
}

const DISK = policies(`version: 1
policies:
  - name: disk-guard
    resource: cluster
    on: { metric: { namespace: AWS/Redshift, name: PercentageDiskSpaceUsed } }
    do: [snapshot, alert]
  - name: disk-named
    resource: cluster
    on: { alarms: ["{cluster}-disk-high", "lag-*"] }
    do: [alert]
`);

const seznam = parseFleet(
  [
    {
      name: 'c',
      json: {
        Clusters: [
          {
            ClusterIdentifier: 'sapi-03-seznam',
            NodeType: 'dc2.large',
            ClusterStatus: 'available',
            NumberOfNodes: 2,
            AutomatedSnapshotRetentionPeriod: 1,
            Tags: [{ Key: 'autopilot:managed', Value: 'true' }],
          },
        ],
      },
    },
  ],
  '2015-05-26T07:49:00Z',
);

describe('alarms for any policy', () => {
  it('the legacy SNS disk alarm takes a snapshot and alerts through a metric policy; the executor would admit both', () => {
    // Arrange: the real alarm → SNS record (legacy JSON)
    const [event] = normalize(read('sns-lambda-event-cloudwatch-alarm-AWS-Redshift-PercentageDiskSpaceUsed.json'));
    if (event === undefined) throw new Error('no event');
    // Act
    const { decisions } = decide({
      policies: DISK,
      fleet: seznam,
      trigger: event,
      now: event.time,
      ledger: { entries: [] },
    });
    // Assess: martin-test matches no name pattern, only the metric
    expect(decisions.map((d) => [d.policy, d.action, d.target.id])).toEqual([
      ['disk-guard', 'CreateClusterSnapshot', 'sapi-03-seznam'],
      ['disk-guard', 'Publish', 'sapi-03-seznam'],
    ]);
    expect(decisions[0]?.params.SnapshotIdentifier).toBe('autopilot-sapi-03-seznam-disk-guard-201505260749');
    expect(decisions.map((d) => authorized(d, DISK).ok)).toEqual([true, true]);
    expect(String(decisions[1]?.params.Message)).toContain('autopilot: CreateClusterSnapshot: snapshot autopilot-');
  });

  it('a forged snapshot name from the same policy is refused by authorize (permitsParam delegates to the snapshot rules)', () => {
    const [event] = normalize(read('sns-lambda-event-cloudwatch-alarm-AWS-Redshift-PercentageDiskSpaceUsed.json'));
    if (event === undefined) throw new Error('no event');
    const [snapshot] = decide({
      policies: DISK,
      fleet: seznam,
      trigger: event,
      now: event.time,
      ledger: { entries: [] },
    }).decisions;
    if (snapshot === undefined) throw new Error('no decision');
    const forged = { ...snapshot, params: { ...snapshot.params, SnapshotIdentifier: 'prod-final' } };
    expect(authorized(forged, DISK)).toMatchObject({ ok: false, cause: 'param-not-in-policy' });
  });
});

describe('alarms by name', () => {
  it('{cluster}-disk-high matches the alarm of that cluster, in the EventBridge shape too', () => {
    // Arrange: the real EventBridge single-metric envelope, renamed onto a Redshift disk alarm
    const raw = read('eventbridge-aws.cloudwatch-alarm-state-change-single-metric.json');
    raw.detail.alarmName = 'sapi-03-seznam-disk-high';
    raw.detail.configuration.metrics[0].metricStat.metric = {
      namespace: 'AWS/Redshift',
      name: 'PercentageDiskSpaceUsed',
      dimensions: { ClusterIdentifier: 'sapi-03-seznam' },
    };
    const [event] = normalize(raw);
    if (event === undefined) throw new Error('no event');
    // Act
    const { decisions } = decide({
      policies: DISK,
      fleet: seznam,
      trigger: event,
      now: event.time,
      ledger: { entries: [] },
    });
    // Assess
    expect(decisions.map((d) => `${d.policy} ${d.action}`)).toEqual([
      'disk-guard CreateClusterSnapshot',
      'disk-guard Publish',
      'disk-named Publish',
    ]);
  });

  it('an IntegrationLag alarm routes to the integration policy', () => {
    const raw = read('eventbridge-aws.cloudwatch-alarm-state-change-single-metric.json');
    raw.account = '123456789012';
    raw.region = 'eu-central-1';
    raw.resources = ['arn:aws:cloudwatch:eu-central-1:123456789012:alarm:lag-orders'];
    raw.detail.alarmName = 'lag-orders';
    raw.detail.configuration.metrics[0].metricStat.metric = {
      namespace: 'AWS/Redshift',
      name: 'IntegrationLag',
      dimensions: { IntegrationId: '7c9e6679-7425-40de-944b-e07fc1f90ae7' },
    };
    const [event] = normalize(raw);
    if (event === undefined) throw new Error('no event');
    const set = policies(`version: 1
policies:
  - name: lag
    resource: integration
    on: { alarms: ["lag-*"] }
    do: [alert]
`);
    const { decisions } = decide({
      policies: set,
      fleet: fleet('available'),
      trigger: event,
      now: event.time,
      ledger: { entries: [] },
    });
    expect(decisions.map((d) => [d.action, d.target.type, d.target.id])).toEqual([
      ['Publish', 'integration', 'orders-aurora-to-dev'],
    ]);
  });
});

const WINDOWED = policies(`version: 1
defaults: { timezone: Europe/Berlin }
policies:
  - name: office
    resource: cluster
    match: { tags: { env: dev } }
    window: { running: ["Mon-Fri 07:00-19:00"], pauseZeroEtlTargets: true }
  - name: zetl
    resource: integration
    on: { events: [REDSHIFT-INTEGRATION-EVENT-0018, REDSHIFT-INTEGRATION-EVENT-0019] }
    do: [resume-target, alert]
`);

describe('pause window and zero-ETL target, both ways', () => {
  const at = (time: string) => {
    const event = integrationEvent('REDSHIFT-INTEGRATION-EVENT-0019', time);
    return decide({
      policies: WINDOWED,
      fleet: fleet('paused'),
      trigger: event,
      now: event.time,
      ledger: { entries: [] },
    });
  };

  it('outside the window the target stays paused: one INFO alert per paused period, not per event', () => {
    // Tuesday 2026-12-08 21:00 and 23:30 Berlin: the same paused period
    const first = at('2026-12-08T20:00:00Z').decisions;
    const second = at('2026-12-08T22:30:00Z').decisions;
    expect(first.map((d) => d.action)).toEqual(['Publish']);
    expect(String(first[0]?.params.Message)).toContain('paused on purpose by office');
    expect(second.map((d) => d.idempotencyKey)).toEqual(first.map((d) => d.idempotencyKey));
    // The next night is another period: another alert.
    expect(at('2026-12-09T20:00:00Z').decisions[0]?.idempotencyKey).not.toBe(first[0]?.idempotencyKey);
  });

  it('inside the window the window wants it running: the reaction resumes it', () => {
    expect(at('2026-12-08T10:00:00Z').decisions.map((d) => `${d.action} ${d.target.id}`)).toEqual([
      'ResumeCluster dev-zetl',
      'Publish orders-aurora-to-dev',
    ]);
  });
});

/** The reactions' tracker on a memory ledger, a settable clock and a notifier that keeps what it is sent. */
function harness(set: PolicySet) {
  const ledger = new MemoryLedger();
  const alerts: Alert[] = [];
  const clock = { now: new Date('2026-12-08T20:00:00Z') };
  const tracker = reactionTracker.create({
    ledger,
    notifier: { alert: async (a: Alert) => void alerts.push(a), event: async () => undefined },
    clock: { now: () => clock.now },
    region: 'eu-central-1',
    policies: set.policies,
    logger: { info() {}, warn() {}, error() {} },
    resources: {
      cluster: {
        read: async () => null,
        perform: async () => ({ afterState: null }),
        isZeroEtlTarget: async () => false,
      },
    },
  });
  return { ledger, alerts, tracker, clock };
}

describe('folding: a storm of 100 identical 0004 warnings in an hour', () => {
  it('gives one alert and, once the 6 h window has passed, one summary counting the 99 repeats', async () => {
    // Arrange
    const set = policies(`version: 1
policies:
  - name: zetl
    resource: integration
    on: { events: [REDSHIFT-INTEGRATION-EVENT-0004] }
    do: [alert]
`);
    const { ledger, alerts, tracker, clock } = harness(set);
    const published = new Set<string>();
    const skips: string[] = [];
    // Act: one event every 36 s, each through the tracker then decide(), as ingest runs them
    for (let i = 0; i < 100; i++) {
      const time = new Date(Date.parse('2026-12-08T20:00:00Z') + i * 36_000).toISOString();
      const event = integrationEvent('REDSHIFT-INTEGRATION-EVENT-0004', time);
      clock.now = new Date(time);
      await tracker.onEvent(event);
      const out = await decideWithLedger(
        (input) => decide({ ...input, policies: set, trigger: event, now: input.now.toISOString() }),
        { fleet: fleet('available'), now: clock.now, ledger: { entries: [] } },
        ledger,
      );
      for (const d of out.decisions) published.add(d.idempotencyKey);
      skips.push(...out.skips.map((s) => s.reason));
    }
    clock.now = new Date('2026-12-09T01:59:00Z');
    await tracker.sweep([]);
    const beforeEnd = alerts.length;
    clock.now = new Date('2026-12-09T02:00:00Z');
    const swept = await tracker.sweep([]);
    await tracker.sweep([]);
    // Assess
    expect(published.size).toBe(1);
    expect(skips).toHaveLength(99);
    expect(skips[0]).toContain('folded into the alert of 2026-12-08T20:00:00.000Z');
    expect([beforeEnd, alerts.length, swept.counts.foldSummaries]).toEqual([0, 1, 1]);
    expect(alerts[0]?.subject).toContain('99 more REDSHIFT-INTEGRATION-EVENT-0004');
    expect(alerts[0]?.body).toContain('between 2026-12-08T20:00:00.000Z and 2026-12-08T20:59:24.000Z');
  });
});
