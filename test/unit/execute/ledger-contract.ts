import { expect, it } from 'vitest';
import type { BatchWritingLedger, LedgerPort, LedgerRecord } from '../../../shared/execute/ports.ts';

/**
 * The conditional semantics every ledger must have, run against the in-memory ledger (unit) and the
 * DynamoDB adapter on moto (integration), so the fakes in the property tests cannot drift from it.
 */
export function record(key: string, overrides: Partial<LedgerRecord> = {}): LedgerRecord {
  return {
    idempotencyKey: key,
    policy: 'office-hours',
    action: 'PauseCluster',
    target: { type: 'cluster', id: 'c1' },
    mode: 'act',
    params: { ClusterIdentifier: 'c1' },
    reason: 'outside window',
    decisionAt: '2026-12-07T18:00:00.000Z',
    status: 'pending',
    retryable: false,
    attempts: 1,
    claimToken: 'token-1',
    leaseUntil: '2026-12-07T18:15:00.000Z',
    outcomeReason: null,
    beforeState: null,
    afterState: null,
    expectedState: null,
    createdId: null,
    error: null,
    budgetSlot: null,
    claimedAt: '2026-12-07T18:00:00.000Z',
    updatedAt: '2026-12-07T18:00:00.000Z',
    completedAt: null,
    ...overrides,
  };
}

const NOW = new Date('2026-12-07T18:01:00.000Z');
const AFTER_LEASE = new Date('2026-12-07T18:16:00.000Z');

export function ledgerContract(name: string, make: () => LedgerPort | Promise<LedgerPort>): void {
  let n = 0;
  const key = (label: string) => `${name}/${label}/${++n}`;

  it('claims a new key once; another claim is busy while the first is pending, a duplicate once it is done', async () => {
    const ledger = await make();
    const k = key('once');
    expect((await ledger.claim(record(k), NOW)).kind).toBe('claimed');
    const second = await ledger.claim(record(k, { claimToken: 'token-2' }), NOW);
    expect(second.kind).toBe('busy');
    if (second.kind === 'busy') expect(second.record.claimToken).toBe('token-1');
    await ledger.save(record(k, { status: 'succeeded' }));
    const third = await ledger.claim(record(k, { claimToken: 'token-3' }), NOW);
    expect(third.kind).toBe('duplicate');
    if (third.kind === 'duplicate') expect(third.record?.status).toBe('succeeded');
  });

  it('a claim asked again with its own token (the SDK retrying a write whose answer was lost) is still claimed', async () => {
    const ledger = await make();
    const k = key('lost-answer');
    expect((await ledger.claim(record(k), NOW)).kind).toBe('claimed');
    const again = await ledger.claim(record(k), NOW);
    expect(again).toMatchObject({ kind: 'claimed', recovered: true });
  });

  it('lets exactly one of many concurrent claims win', async () => {
    const ledger = await make();
    const k = key('race');
    const results = await Promise.all(
      Array.from({ length: 5 }, (_, i) => ledger.claim(record(k, { claimToken: `t${i}` }), NOW)),
    );
    expect(results.filter((r) => r.kind === 'claimed')).toHaveLength(1);
  });

  it('saves only for the claim holder', async () => {
    const ledger = await make();
    const k = key('save');
    await ledger.claim(record(k), NOW);
    expect(await ledger.save(record(k, { claimToken: 'intruder', status: 'succeeded' }))).toBe(false);
    expect(await ledger.save(record(k, { status: 'succeeded' }))).toBe(true);
    expect((await ledger.get(k))?.status).toBe('succeeded');
  });

  it('re-claims a retryable failure or a retryable skip, never a final one', async () => {
    const ledger = await make();
    const failed = key('failed');
    await ledger.claim(record(failed), NOW);
    await ledger.save(record(failed, { status: 'failed', retryable: true, attempts: 1 }));
    const again = await ledger.claim(record(failed, { claimToken: 'token-2' }), NOW);
    expect(again.kind).toBe('claimed');
    if (again.kind === 'claimed') expect(again.previous?.attempts).toBe(1);

    const skipped = key('skipped');
    await ledger.claim(record(skipped), NOW);
    await ledger.save(record(skipped, { status: 'skipped', retryable: true }));
    expect((await ledger.claim(record(skipped, { claimToken: 'token-2' }), NOW)).kind).toBe('claimed');

    for (const status of ['succeeded', 'in-progress', 'dry-run', 'failed', 'skipped'] as const) {
      const k = key(`final-${status}`);
      await ledger.claim(record(k), NOW);
      await ledger.save(record(k, { status, retryable: false }));
      expect((await ledger.claim(record(k, { claimToken: 'token-2' }), AFTER_LEASE)).kind, status).toBe('duplicate');
    }
  });

  it('re-claims a pending record only after its lease expired', async () => {
    const ledger = await make();
    const k = key('lease');
    await ledger.claim(record(k), NOW);
    expect((await ledger.claim(record(k, { claimToken: 'token-2' }), NOW)).kind).toBe('busy');
    expect((await ledger.claim(record(k, { claimToken: 'token-3' }), AFTER_LEASE)).kind).toBe('claimed');
  });

  it('lists in-progress records until they finish', async () => {
    const ledger = await make();
    const k = key('inflight');
    await ledger.claim(record(k), NOW);
    await ledger.save(record(k, { status: 'in-progress', expectedState: 'paused', afterState: 'pausing' }));
    expect((await ledger.listInFlight()).map((r) => r.idempotencyKey)).toContain(k);
    await ledger.save(record(k, { status: 'succeeded', expectedState: 'paused', afterState: 'paused' }));
    expect((await ledger.listInFlight()).map((r) => r.idempotencyKey)).not.toContain(k);
  });

  it('writes outcomes and latest marks together, each answered as its single form', async () => {
    const ledger = await make();
    if (!('writeMany' in ledger)) return;
    const batch = ledger as LedgerPort & BatchWritingLedger;
    const [a, b, c] = [key('many-a'), key('many-b'), key('many-c')];
    for (const k of [a, b, c]) await ledger.claim(record(k), NOW);
    const target = { type: 'cluster' as const, id: key('tx-cluster') };
    await ledger.markLatest(target, 'running', '2026-12-07T18:00:00.000Z', 'newer');
    const results = await batch.writeMany([
      { kind: 'save', record: record(a, { status: 'in-progress', expectedState: 'paused', afterState: 'pausing' }) },
      { kind: 'save', record: record(b, { status: 'succeeded', claimToken: 'not-mine' }) },
      { kind: 'latest', target, stateKey: 'running', at: '2026-12-07T06:00:00.000Z', idempotencyKey: 'older' },
      { kind: 'save', record: record(c, { status: 'succeeded' }) },
    ]);
    expect(results).toEqual([
      { ok: true, value: true },
      { ok: true, value: false },
      { ok: true, value: '2026-12-07T18:00:00.000Z' },
      { ok: true, value: true },
    ]);
    expect((await ledger.get(a))?.status).toBe('in-progress');
    expect((await ledger.get(b))?.status).toBe('pending');
    expect((await ledger.get(c))?.status).toBe('succeeded');
    expect((await ledger.listInFlight()).map((r) => r.idempotencyKey)).toContain(a);
  });

  it('gets many records by key, ignoring unknown keys', async () => {
    const ledger = await make();
    const keys = [key('many'), key('many'), key('many')];
    for (const k of keys) await ledger.claim(record(k), NOW);
    const found = await ledger.getMany([...keys, 'unknown']);
    expect(found.map((r) => r.idempotencyKey).sort()).toEqual([...keys].sort());
  });

  it('counts budget slots per policy and run', async () => {
    const ledger = await make();
    const run = key('run');
    expect(await ledger.takeBudgetSlot('p', run, NOW, 'k1')).toBe(1);
    expect(await ledger.takeBudgetSlot('p', run, NOW, 'k2')).toBe(2);
    expect(await ledger.takeBudgetSlot('other', run, NOW, 'k1')).toBe(1);
    // Asked again for the same key (an SDK retry of a lost answer, a redelivery): same slot, not counted twice.
    expect(await ledger.takeBudgetSlot('p', run, NOW, 'k1')).toBe(1);
    expect(await ledger.takeBudgetSlot('p', run, NOW, 'k3')).toBe(3);
  });

  it('refuses to mark an older decision as latest once a newer one is marked', async () => {
    const ledger = await make();
    const target = { type: 'cluster' as const, id: key('latest') };
    expect(await ledger.markLatest(target, 'running', '2026-12-07T18:00:00.000Z', 'k1')).toBeNull();
    expect(await ledger.markLatest(target, 'running', '2026-12-07T18:00:00.000Z', 'k1')).toBeNull();
    expect(await ledger.markLatest(target, 'running', '2026-12-07T06:00:00.000Z', 'k0')).toBe(
      '2026-12-07T18:00:00.000Z',
    );
    expect(await ledger.markLatest(target, 'size', '2026-12-07T06:00:00.000Z', 'k2')).toBeNull();
  });

  it('notices a topic once per window across callers, and again once the window has passed', async () => {
    const ledger = await make();
    if (ledger.firstNotice === undefined) throw new Error(`${name} has no firstNotice`);
    const topic = key('notice');
    const day = 24 * 3_600_000;
    expect(await ledger.firstNotice(topic, NOW, day)).toBe(true);
    expect(await ledger.firstNotice(topic, AFTER_LEASE, day)).toBe(false);
    expect(await ledger.firstNotice(key('other-notice'), NOW, day)).toBe(true);
    expect(await ledger.firstNotice(topic, new Date(NOW.getTime() + day + 1), day)).toBe(true);
    expect(await ledger.firstNotice(topic, new Date(NOW.getTime() + day + 2), day)).toBe(false);
  });
}
