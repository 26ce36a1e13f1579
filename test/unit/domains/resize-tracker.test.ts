import { describe, expect, it } from 'vitest';
import { resizeTracker } from '../../../shared/domains/resize/resize-tracker.ts';
import type { NormalizedEvent } from '../../../shared/events/normalized-event.ts';
import { MemoryLedger } from '../../../shared/execute/memory-ledger.ts';
import type { LedgerRecord } from '../../../shared/execute/ports.ts';
import { fixedClock, RecordingNotifier } from '../execute/fakes.ts';
import { resizeInProgress } from './resize-fixtures.ts';

const record: LedgerRecord = resizeInProgress(
  'scale up 4 → 8 nodes (elastic by ElasticResizeNumberOfNodeOptions): 8 nodes (window …)',
);

/** An event as normalize() makes it, with the catalog's message filled in. */
const event = (eventId: string, message: string, cluster = 'fin-1'): NormalizedEvent => ({
  kind: 'redshift-event',
  eventId,
  known: true,
  category: 'Monitoring',
  severity: 'ERROR',
  resource: { type: 'cluster', id: cluster },
  time: '2026-02-28T15:09:00.000Z',
  message,
  values: { cluster_name: cluster },
  account: null,
  region: null,
});

const E3013 = event(
  'REDSHIFT-EVENT-3013',
  'The requested elastic resize operation for Amazon Redshift cluster fin-1 failed at 2026-02-28 15:09 UTC due to an internal error.',
);

function setup() {
  const ledger = new MemoryLedger();
  ledger.records.set(record.idempotencyKey, record);
  const notifier = new RecordingNotifier();
  const tracker = resizeTracker.create({
    ledger,
    notifier,
    clock: fixedClock('2026-02-28T15:09:30.000Z'),
    region: 'eu-central-1',
    policies: [],
    logger: { info() {}, warn() {}, error() {}, debug() {} } as never,
    resources: { cluster: {} as never },
  });
  return { ledger, notifier, tracker };
}

describe('resize tracker: failures reported by Redshift', () => {
  it('handles the five failure events on clusters, and nothing else', () => {
    for (const id of ['3013', '3500', '3533', '3600', '3686']) {
      expect(resizeTracker.handles(event(`REDSHIFT-EVENT-${id}`, 'x'))).toBe(true);
    }
    expect(resizeTracker.handles(event('REDSHIFT-EVENT-3534', 'x'))).toBe(false);
    expect(resizeTracker.handles({ ...E3013, resource: { type: 'snapshot', id: 's' } })).toBe(false);
  });

  it('3013 closes the resize as failed, not retryable, and alerts once with the catalog message and what to do', async () => {
    const { ledger, notifier, tracker } = setup();
    await tracker.onEvent(E3013);
    await tracker.onEvent(E3013);
    const after = await ledger.get('key-resize');
    expect(after).toMatchObject({ status: 'failed', retryable: false, completedAt: '2026-02-28T15:09:30.000Z' });
    expect(notifier.alerts).toHaveLength(1);
    const body = notifier.alerts[0]?.body ?? '';
    expect(notifier.alerts[0]?.subject).toBe('[autopilot] ResizeCluster fin-1: FAILED (finance-month-end)');
    expect(body).toContain(
      'Outcome: elastic resize failed (REDSHIFT-EVENT-3013 at 2026-02-28T15:09:00.000Z: "The requested elastic resize operation for Amazon Redshift cluster fin-1 failed at 2026-02-28 15:09 UTC due to an internal error."); not retried',
    );
  });

  it('3500 (AWS retries by itself) alerts once and leaves the record in progress', async () => {
    const { ledger, notifier, tracker } = setup();
    const e3500 = event(
      'REDSHIFT-EVENT-3500',
      'The resize for your Amazon Redshift cluster fin-1 failed. The resize will be automatically retried in a few minutes.',
    );
    await tracker.onEvent(e3500);
    await tracker.onEvent(e3500);
    expect((await ledger.get('key-resize'))?.status).toBe('in-progress');
    expect(notifier.alerts).toHaveLength(1);
  });

  it('leaves another cluster’s resize alone', async () => {
    const { ledger, notifier, tracker } = setup();
    await tracker.onEvent({ ...E3013, resource: { type: 'cluster', id: 'other' } });
    expect((await ledger.get('key-resize'))?.status).toBe('in-progress');
    expect(notifier.alerts).toEqual([]);
  });
});
