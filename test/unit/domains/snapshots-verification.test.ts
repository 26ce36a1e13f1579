import { describe, expect, it } from 'vitest';
import { SnapshotVerifier } from '../../../shared/domains/snapshots/snapshot-verification.ts';
import type { NormalizedEvent } from '../../../shared/events/normalized-event.ts';
import { MemoryLedger } from '../../../shared/execute/memory-ledger.ts';
import type { LedgerRecord } from '../../../shared/execute/ports.ts';
import type { SnapshotResource } from '../../../shared/policy/decision.ts';
import { loadPolicySources } from '../../../shared/policy/policy-loader.ts';
import { clusterResource, fixedClock, RecordingNotifier } from '../execute/fakes.ts';

const { policySet } = loadPolicySources([
  {
    file: 'p.yml',
    text: `version: 1
policies:
  - name: nightly
    resource: cluster
    snapshots: { schedule: "cron(0 1 * * ? *)", timezone: UTC, retain: { daily: 3 } }
`,
  },
]);

function inFlight(action: string, name: string, attempt = 0): LedgerRecord {
  const at = '2026-12-08T01:00:05.000Z';
  const params =
    action === 'CreateSnapshot'
      ? {
          namespaceName: 'analytics-ns',
          snapshotName: name,
          tags: [{ key: 'autopilot:attempt', value: String(attempt) }],
        }
      : {
          ClusterIdentifier: 'etl-prod',
          SnapshotIdentifier: name,
          Tags: [{ Key: 'autopilot:attempt', Value: String(attempt) }],
        };
  return {
    idempotencyKey: `key-${name}`,
    policy: 'nightly',
    action,
    target: action === 'CreateSnapshot' ? { type: 'workgroup', id: 'analytics' } : { type: 'cluster', id: 'etl-prod' },
    mode: 'act',
    params,
    reason: 'schedule cron(0 1 * * ? *) UTC due 2026-12-08T01:00Z',
    decisionAt: '2026-12-08T01:00:00.000Z',
    status: 'in-progress',
    retryable: false,
    attempts: 1,
    claimToken: 'tok',
    leaseUntil: at,
    outcomeReason: 'accepted',
    beforeState: 'available',
    afterState: 'creating',
    expectedState: 'available',
    createdId: name,
    error: null,
    budgetSlot: null,
    claimedAt: at,
    updatedAt: at,
    completedAt: null,
  };
}

function event(eventId: string, snapshot: string, kind: NormalizedEvent['kind'] = 'redshift-event'): NormalizedEvent {
  return {
    kind,
    eventId,
    known: true,
    category: 'Monitoring',
    severity: eventId === 'REDSHIFT-EVENT-3503' ? 'ERROR' : 'INFO',
    resource: { type: 'snapshot', id: snapshot },
    time: '2026-12-08T01:20:00.000Z',
    message: `snapshot ${snapshot}`,
    values: { snapshot_name: snapshot },
    account: null,
    region: null,
  };
}

function setup(records: LedgerRecord[], listed: Record<string, string | null> = {}) {
  const ledger = new MemoryLedger();
  for (const r of records) ledger.records.set(r.idempotencyKey, r);
  const notifier = new RecordingNotifier();
  const verifier = new SnapshotVerifier({
    ledger,
    notifier,
    clock: fixedClock('2026-12-08T01:21:00.000Z'),
    region: 'eu-central-1',
    policies: policySet.policies,
    reader: {
      readSnapshot: async (_service, id) => {
        const status = listed[id];
        return status === undefined || status === null
          ? null
          : ({ id, status, type: 'snapshot' } as unknown as SnapshotResource);
      },
    },
  });
  return { ledger, notifier, verifier };
}

describe('snapshot verification', () => {
  it.each([
    ['REDSHIFT-EVENT-3004', 'CreateClusterSnapshot', 'succeeded', 0],
    ['REDSHIFT-SERVERLESS-EVENT-1000', 'CreateSnapshot', 'succeeded', 0],
    ['REDSHIFT-EVENT-3503', 'CreateClusterSnapshot', 'failed', 1],
    ['REDSHIFT-EVENT-2010', 'CreateClusterSnapshot', 'failed', 1],
  ])('%s closes the %s record as %s and alerts failures', async (eventId, action, status, alerts) => {
    const { ledger, notifier, verifier } = setup([inFlight(action, 's-1')]);
    const kind = eventId.includes('SERVERLESS') ? 'serverless-event' : 'redshift-event';
    await verifier.onEvent(event(eventId, 's-1', kind));
    expect((await ledger.get('key-s-1'))?.status).toBe(status);
    expect(notifier.alerts).toHaveLength(alerts);
    expect(notifier.events.map((e) => e.outcome)).toEqual([status]);
  });

  it('says when the retry is due in the failure alert, and when none is left', async () => {
    const { notifier, verifier } = setup([
      inFlight('CreateClusterSnapshot', 's-1'),
      inFlight('CreateClusterSnapshot', 's-1-r3', 3),
    ]);
    await verifier.onEvent(event('REDSHIFT-EVENT-3503', 's-1'));
    await verifier.onEvent(event('REDSHIFT-EVENT-3503', 's-1-r3'));
    expect(notifier.alerts.map((a) => a.body.split('\n').find((l) => l.startsWith('Outcome:')))).toEqual([
      'Outcome: snapshot s-1 failed (REDSHIFT-EVENT-3503 at 2026-12-08T01:20Z); retry 1/3 due from 2026-12-08T01:15Z',
      'Outcome: snapshot s-1-r3 failed (REDSHIFT-EVENT-3503 at 2026-12-08T01:20Z); no retries left (3 allowed); the deadline alert follows',
    ]);
    expect(notifier.alerts[0]?.attributes).toMatchObject({
      severity: 'ERROR',
      outcome: 'failed',
      action: 'CreateClusterSnapshot',
    });
  });

  it('2009 only notes the start; events about unknown snapshots change nothing', async () => {
    const { ledger, notifier, verifier } = setup([{ ...inFlight('CreateClusterSnapshot', 's-1'), afterState: null }]);
    await verifier.onEvent(event('REDSHIFT-EVENT-2009', 's-1'));
    expect(await verifier.onEvent(event('REDSHIFT-EVENT-3004', 'by-hand'))).toBeNull();
    const record = await ledger.get('key-s-1');
    expect([record?.status, record?.afterState]).toEqual(['in-progress', 'creating']);
    expect(notifier.alerts).toEqual([]);
  });

  it('the sweep closes what no event closed: available, failed, or gone', async () => {
    const { ledger, verifier } = setup(
      [
        inFlight('CreateClusterSnapshot', 'a'),
        inFlight('CreateClusterSnapshot', 'b'),
        inFlight('CreateClusterSnapshot', 'c'),
        inFlight('CreateClusterSnapshot', 'd'),
      ],
      { a: 'available', b: 'failed', c: null, d: 'creating' },
    );
    const report = await verifier.sweep([]);
    expect(report).toEqual({ polled: 4, succeeded: 1, failed: 2, deadlineAlerts: 0 });
    expect((await ledger.get('key-a'))?.outcomeReason).toBe(
      'snapshot a completed (sweep: DescribeClusterSnapshots says available, no event came)',
    );
    expect((await ledger.get('key-c'))?.outcomeReason).toMatch(
      /^snapshot c failed \(sweep: DescribeClusterSnapshots says missing/,
    );
    expect((await ledger.get('key-d'))?.status).toBe('in-progress');
  });
});

describe('snapshot deadlines after a deploy', () => {
  it('reports no slot from before autopilot first watched the policy, and every missed slot after', async () => {
    // Prepare: first deployed at 04:00Z, after the 01:00Z slot's deadline (03:00Z) passed unwatched.
    const ledger = new MemoryLedger();
    const notifier = new RecordingNotifier();
    let now = new Date('2026-12-08T04:00:00.000Z');
    const verifier = () =>
      new SnapshotVerifier({
        ledger,
        notifier,
        clock: { now: () => now },
        region: 'eu-central-1',
        policies: policySet.policies,
        reader: { readSnapshot: async () => null },
      });
    const fleet = [clusterResource({ ClusterIdentifier: 'etl-prod' })];

    // Act: the first sweep, then (a new container) the sweep after the next night's slot was missed.
    const first = await verifier().sweep(fleet);
    now = new Date('2026-12-09T04:00:00.000Z');
    const second = await verifier().sweep(fleet);

    // Assess
    expect(first.deadlineAlerts).toBe(0);
    expect(second.deadlineAlerts).toBe(1);
    expect(notifier.alerts.map((a) => a.subject)).toEqual([
      '[autopilot] snapshot MISSED: etl-prod slot 2026-12-09T01:00Z (nightly)',
    ]);
  });
});
