import { describe, expect, it } from 'vitest';
import { SnapshotVerifier } from '../../../shared/domains/snapshots/snapshot-verification.ts';
import type { NormalizedEvent } from '../../../shared/events/normalized-event.ts';
import { MemoryLedger } from '../../../shared/execute/memory-ledger.ts';
import type { LedgerRecord } from '../../../shared/execute/ports.ts';
import { idempotencyKey } from '../../../shared/policy/decide.ts';
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

function automated(cluster: string, createdAt: string): SnapshotResource {
  return {
    type: 'snapshot',
    id: `rs:${cluster}-${createdAt.slice(0, 13)}`,
    arn: null,
    region: 'eu-central-1',
    account: null,
    status: 'available',
    tags: {},
    service: 'redshift',
    sourceId: cluster,
    snapshotType: 'automated',
    createdAt,
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
    // An earlier snapshot: the slots' snapshots are incremental (deadline 2 h).
    const fleet = [
      clusterResource({ ClusterIdentifier: 'etl-prod' }),
      automated('etl-prod', '2026-12-01T08:00:00.000Z'),
    ];

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

const SLOT = '2026-12-08T01:00:00.000Z';
function world(fleetSnapshots: SnapshotResource[]) {
  const ledger = new MemoryLedger();
  const notifier = new RecordingNotifier();
  let now = new Date('2026-12-08T00:00:00.000Z');
  const listed: Record<string, string> = {};
  const verifier = new SnapshotVerifier({
    ledger,
    notifier,
    clock: { now: () => now },
    region: 'eu-central-1',
    policies: policySet.policies,
    reader: {
      readSnapshot: async (_service, id) =>
        listed[id] === undefined ? null : ({ id, status: listed[id], type: 'snapshot' } as unknown as SnapshotResource),
    },
  });
  const fleet = () => [clusterResource({ ClusterIdentifier: 'etl-prod' }), ...fleetSnapshots];
  return {
    ledger,
    notifier,
    verifier,
    listed,
    fleet,
    at: (iso: string) => {
      now = new Date(iso);
    },
  };
}
/** The executor's record of the slot's create, as it writes it (key from decide()). */
function created(name: string, attempt = 0): LedgerRecord {
  const record = inFlight('CreateClusterSnapshot', name, attempt);
  const slot = attempt === 0 ? SLOT : `${SLOT}#r${attempt}`;
  return {
    ...record,
    idempotencyKey: idempotencyKey('nightly', record.target, 'CreateClusterSnapshot', slot),
    params: {
      ...record.params,
      Tags: [
        { Key: 'autopilot:slot', Value: SLOT },
        { Key: 'autopilot:attempt', Value: String(attempt) },
      ],
    },
  };
}
const missedSubjects = (n: RecordingNotifier) =>
  n.alerts.filter((a) => a.attributes.action === 'SnapshotDeadline').map((a) => a.subject);

describe('snapshot deadlines: covered slots, late completions, first snapshots', () => {
  it('a slot whose snapshot completed stays covered after retention deleted it', async () => {
    // Prepare: an earlier snapshot (so the deadline is the incremental 2 h); the slot's snapshot
    // completed at 01:20Z and is gone from the listing by 03:05Z (retention kept a newer one).
    const w = world([automated('etl-prod', '2026-12-07T20:00:00.000Z')]);
    await w.verifier.sweep(w.fleet()); // 00:00Z: autopilot watches from here
    await w.ledger.claim(created('etl-prod-nightly-202612080100'), new Date(SLOT));
    w.listed['etl-prod-nightly-202612080100'] = 'available';
    w.at('2026-12-08T01:20:00.000Z');
    await w.verifier.sweep(w.fleet());

    // Act: sweeps every 30 min past the deadline, the snapshot no longer listed.
    delete w.listed['etl-prod-nightly-202612080100'];
    let alerts = 0;
    for (const t of ['03:05', '03:35', '05:00', '07:30']) {
      w.at(`2026-12-08T${t}:00.000Z`);
      alerts += (await w.verifier.sweep(w.fleet())).deadlineAlerts;
    }

    // Assess
    expect(alerts).toBe(0);
    expect(w.notifier.alerts).toEqual([]);
  });

  it('a missed slot whose snapshot completes later raises one WARNING naming how late', async () => {
    // Prepare: the snapshot is still creating at the deadline (03:00Z).
    const name = 'etl-prod-nightly-202612080100';
    const creating = { ...automated('etl-prod', SLOT), id: name, status: 'creating', snapshotType: 'manual' };
    creating.tags = { 'managed-by': 'redshift-autopilot', 'autopilot:policy': 'nightly', 'autopilot:slot': SLOT };
    const w = world([automated('etl-prod', '2026-12-07T20:00:00.000Z'), creating]);
    await w.verifier.sweep(w.fleet());
    await w.ledger.claim(created(name), new Date(SLOT));
    w.listed[name] = 'creating';
    w.at('2026-12-08T03:05:00.000Z');
    const atDeadline = await w.verifier.sweep(w.fleet());

    // Act: REDSHIFT-EVENT-3004 at 04:40Z, delivered twice; later sweeps.
    w.at('2026-12-08T04:41:00.000Z');
    w.listed[name] = 'available';
    await w.verifier.onEvent(event('REDSHIFT-EVENT-3004', name));
    await w.verifier.onEvent(event('REDSHIFT-EVENT-3004', name));
    w.at('2026-12-08T05:00:00.000Z');
    await w.verifier.sweep(w.fleet());

    // Assess
    expect(atDeadline.deadlineAlerts).toBe(1);
    expect(missedSubjects(w.notifier)).toEqual([
      '[autopilot] snapshot MISSED: etl-prod slot 2026-12-08T01:00Z (nightly)',
    ]);
    expect(w.notifier.alerts[0]?.body).toContain('the snapshot is still being taken; one more alert follows');
    const late = w.notifier.alerts.filter((a) => a.attributes.action === 'SnapshotCompletedLate');
    expect(late.map((a) => [a.attributes.severity, a.subject])).toEqual([
      ['WARNING', '[autopilot] snapshot completed late: etl-prod slot 2026-12-08T01:00Z (nightly) by 1h41m'],
    ]);
    expect(late[0]?.body.split('\n')[0]).toBe(
      'What:    snapshot etl-prod-nightly-202612080100 of etl-prod for the 2026-12-08T01:00Z slot completed at 2026-12-08T04:41Z: 1h41m after its deadline 2026-12-08T03:00Z, 3h41m after the slot',
    );
  });

  it('gives the first snapshot of a source the longer default deadline (12 h), later ones 2 h', async () => {
    // Prepare: no snapshot of etl-prod before the 01:00Z slot; the slot's snapshot never completes.
    const w = world([]);
    await w.verifier.sweep(w.fleet());

    // Act
    const sweeps: Record<string, number> = {};
    for (const t of ['2026-12-08T03:05', '2026-12-08T12:55', '2026-12-08T13:05']) {
      w.at(`${t}:00.000Z`);
      sweeps[t] = (await w.verifier.sweep(w.fleet())).deadlineAlerts;
    }

    // Assess
    expect(sweeps).toEqual({ '2026-12-08T03:05': 0, '2026-12-08T12:55': 0, '2026-12-08T13:05': 1 });
    expect(w.notifier.alerts[0]?.body.split('\n')[0]).toBe(
      'What:    no completed snapshot of cluster etl-prod for the 2026-12-08T01:00Z slot by its deadline 2026-12-08T13:00Z, 12h after the slot (the first snapshot of a source copies all its data)',
    );
  });
});
