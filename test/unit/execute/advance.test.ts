import { describe, expect, it } from 'vitest';
import { advance } from '../../../shared/execute/advance.ts';
import type { LedgerRecord } from '../../../shared/execute/ports.ts';
import type { ClusterResource } from '../../../shared/policy/decision.ts';

const inProgress = {
  idempotencyKey: 'k',
  policy: 'p',
  action: 'PauseCluster',
  target: { type: 'cluster', id: 'c1' },
  mode: 'act',
  params: {},
  reason: 'r',
  decisionAt: '2026-12-07T18:00:00.000Z',
  status: 'in-progress',
  retryable: false,
  attempts: 1,
  claimToken: 't',
  leaseUntil: '2026-12-07T18:15:00.000Z',
  outcomeReason: null,
  beforeState: 'available',
  afterState: 'pausing',
  expectedState: 'paused',
  createdId: null,
  error: null,
  budgetSlot: null,
  claimedAt: '2026-12-07T18:00:00.000Z',
  updatedAt: '2026-12-07T18:00:00.000Z',
  completedAt: null,
} satisfies LedgerRecord;

const now = new Date('2026-12-07T18:09:00.000Z');

describe('advance', () => {
  it('completes when the expected state is observed', () => {
    expect(advance(inProgress, 'paused', now)).toMatchObject({
      status: 'succeeded',
      afterState: 'paused',
      completedAt: '2026-12-07T18:09:00.000Z',
    });
  });

  it('fails when the resource ends in a broken state', () => {
    expect(advance(inProgress, 'hardware-failure', now)).toMatchObject({ status: 'failed', retryable: false });
  });

  it('returns the same object when nothing changed (callers skip the write)', () => {
    expect(advance(inProgress, 'pausing', now)).toBe(inProgress);
    expect(advance(inProgress, null, now)).toBe(inProgress);
    const done = { ...inProgress, status: 'succeeded' as const };
    expect(advance(done, 'available', now)).toBe(done);
  });

  it('tracks an intermediate state without finishing', () => {
    expect(advance(inProgress, 'modifying', now)).toMatchObject({ status: 'in-progress', afterState: 'modifying' });
  });
});

describe('advance: an action that declares what "reached" means (ResizeCluster: the node count and type asked)', () => {
  const resize = {
    ...inProgress,
    action: 'ResizeCluster',
    params: { ClusterIdentifier: 'c1', NumberOfNodes: 8 },
    afterState: 'resizing',
    expectedState: 'available',
  } satisfies LedgerRecord;
  const cluster = (numberOfNodes: number, nodeType = 'ra3.4xlarge'): ClusterResource => ({
    type: 'cluster',
    id: 'c1',
    arn: null,
    region: 'eu-central-1',
    account: null,
    status: 'available',
    availabilityStatus: 'Available',
    tags: {},
    nodeType,
    numberOfNodes,
    multiAz: false,
    automatedSnapshotRetentionPeriod: 1,
    namespaceArn: null,
  });

  it('completes only at the target size', () => {
    expect(advance(resize, 'available', now, cluster(8))).toMatchObject({
      status: 'succeeded',
      outcomeReason: 'reached available',
    });
  });

  it('fails, with what the cluster has, when it ends available at another size (a rollback)', () => {
    expect(advance(resize, 'available', now, cluster(4))).toMatchObject({
      status: 'failed',
      retryable: false,
      afterState: 'available',
      outcomeReason:
        'ended available without what was asked: c1 has 4 ra3.4xlarge nodes, not the 8 ra3.4xlarge nodes asked (rolled back, or resized by another hand); not retried before the next window boundary',
    });
    const typed = { ...resize, params: { ...resize.params, NodeType: 'ra3.16xlarge' } };
    expect(advance(typed, 'available', now, cluster(8))).toMatchObject({ status: 'failed' });
    expect(advance(typed, 'available', now, cluster(8, 'ra3.16xlarge'))).toMatchObject({ status: 'succeeded' });
  });

  it('a read from before the call (the record claimed after it began) fails nothing', () => {
    const claimedLater = { ...resize, claimedAt: '2026-12-07T18:09:30.000Z' };
    expect(advance(claimedLater, 'available', now, cluster(4))).toBe(claimedLater);
  });

  it('stays in progress when the resource itself was not observed (the size cannot be told)', () => {
    expect(advance(resize, 'available', now)).toMatchObject({ status: 'in-progress', afterState: 'available' });
    expect(advance(resize, 'resizing', now, cluster(4))).toBe(resize);
  });

  it('an action without the hook completes on the state alone, resource or not', () => {
    expect(advance(inProgress, 'paused', now, cluster(4))).toMatchObject({ status: 'succeeded' });
  });
});
