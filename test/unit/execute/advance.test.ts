import { describe, expect, it } from 'vitest';
import { advance } from '../../../shared/execute/advance.ts';
import type { LedgerRecord } from '../../../shared/execute/ports.ts';

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
