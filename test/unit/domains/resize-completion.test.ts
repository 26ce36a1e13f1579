import { describe, expect, it } from 'vitest';
import { resizeTracker } from '../../../shared/domains/resize/resize-tracker.ts';
import { MemoryLedger } from '../../../shared/execute/memory-ledger.ts';
import type { LedgerRecord } from '../../../shared/execute/ports.ts';
import { advanceFromFleet } from '../../../shared/execute/reconcile.ts';
import type { ClusterResource } from '../../../shared/policy/decision.ts';
import { fixedClock, RecordingNotifier } from '../execute/fakes.ts';
import { financeCluster, resizeInProgress } from './resize-fixtures.ts';

const record: LedgerRecord = resizeInProgress('scale up 4 → 8 nodes');

const cluster = (numberOfNodes: number, status = 'available'): ClusterResource =>
  financeCluster({ numberOfNodes, status, tags: { team: 'finance' } });

const NOW = new Date('2026-02-28T15:20:00.000Z');

function setup() {
  const ledger = new MemoryLedger();
  ledger.records.set(record.idempotencyKey, record);
  return { ledger, notifier: new RecordingNotifier() };
}

describe('resize completion: the sweep closes a resize at the size asked, not on available alone', () => {
  it('available at the target size: succeeded, no alert', async () => {
    const { ledger, notifier } = setup();
    await advanceFromFleet([record], [cluster(8)], NOW, { ledger, notifier, region: 'eu-central-1' });
    expect(await ledger.get('key-resize')).toMatchObject({ status: 'succeeded', completedAt: NOW.toISOString() });
    expect(notifier.alerts).toEqual([]);
  });

  it('still resizing: stays in progress', async () => {
    const { ledger, notifier } = setup();
    await advanceFromFleet([record], [cluster(4, 'resizing')], NOW, { ledger, notifier, region: 'eu-central-1' });
    expect((await ledger.get('key-resize'))?.status).toBe('in-progress');
  });

  it('available at the old size: failed with what the cluster has, one alert; a late 3600 adds none', async () => {
    const { ledger, notifier } = setup();
    await advanceFromFleet([record], [cluster(4)], NOW, { ledger, notifier, region: 'eu-central-1' });
    const after = await ledger.get('key-resize');
    expect(after).toMatchObject({ status: 'failed', retryable: false });
    expect(after?.outcomeReason).toBe(
      'ended available without what was asked: fin-1 has 4 ra3.4xlarge nodes, not the 8 ra3.4xlarge nodes asked (rolled back, or resized by another hand); not retried before the next window boundary',
    );
    expect(notifier.alerts).toHaveLength(1);
    expect(notifier.alerts[0]?.subject).toBe('[autopilot] ResizeCluster fin-1: FAILED (finance-month-end)');
    const tracker = resizeTracker.create({
      ledger,
      notifier,
      clock: fixedClock('2026-02-28T15:21:00.000Z'),
      region: 'eu-central-1',
      policies: [],
      logger: { info() {}, warn() {}, error() {}, debug() {} } as never,
      resources: { cluster: {} as never },
    });
    await tracker.onEvent({
      kind: 'redshift-event',
      eventId: 'REDSHIFT-EVENT-3600',
      known: true,
      category: 'Management',
      severity: 'INFO',
      resource: { type: 'cluster', id: 'fin-1' },
      time: '2026-02-28T15:19:00.000Z',
      message: 'rollback completed',
      values: { cluster_name: 'fin-1' },
      account: null,
      region: null,
    });
    expect(notifier.alerts).toHaveLength(1);
  });
});

describe('resize tracker: the snapshot before a resize is closed even without a snapshots policy', () => {
  const snapRecord: LedgerRecord = {
    ...record,
    idempotencyKey: 'key-snap',
    action: 'CreateClusterSnapshot',
    params: {
      SnapshotIdentifier: 'autopilot-fin-1-finance-month-end-202602281500',
      ClusterIdentifier: 'fin-1',
      ManualSnapshotRetentionPeriod: 7,
    },
    afterState: 'creating',
    createdId: 'autopilot-fin-1-finance-month-end-202602281500',
  };
  const completed = {
    kind: 'redshift-event' as const,
    eventId: 'REDSHIFT-EVENT-3004',
    known: true,
    category: 'Backup',
    severity: 'INFO' as const,
    resource: { type: 'snapshot' as const, id: 'autopilot-fin-1-finance-month-end-202602281500' },
    time: '2026-02-28T15:02:00.000Z',
    message: 'snapshot completed',
    values: {},
    account: null,
    region: null,
  };
  const trackerWith = (policies: unknown[]) => {
    const ledger = new MemoryLedger();
    ledger.records.set(snapRecord.idempotencyKey, snapRecord);
    const tracker = resizeTracker.create({
      ledger,
      notifier: new RecordingNotifier(),
      clock: fixedClock('2026-02-28T15:03:00.000Z'),
      region: 'eu-central-1',
      policies: policies as never,
      logger: { info() {}, warn() {}, error() {}, debug() {} } as never,
      resources: { cluster: {} as never },
    });
    return { ledger, tracker };
  };

  it('handles snapshot events; completes the snapshot record when no snapshots policy is deployed', async () => {
    expect(resizeTracker.handles(completed)).toBe(true);
    const { ledger, tracker } = trackerWith([]);
    await tracker.onEvent(completed);
    expect((await ledger.get('key-snap'))?.status).toBe('succeeded');
  });

  it('leaves it to the snapshots tracker when a snapshots policy is deployed (no double handling)', async () => {
    const { ledger, tracker } = trackerWith([{ name: 'nightly', capability: { key: 'snapshots', settings: {} } }]);
    expect(await tracker.onEvent(completed)).toBeNull();
    expect((await ledger.get('key-snap'))?.status).toBe('in-progress');
  });
});
