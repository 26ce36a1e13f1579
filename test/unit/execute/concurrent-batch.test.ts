import { describe, expect, it } from 'vitest';
import { processDecisionBatch, type QueueRecord } from '../../../shared/execute/batch-processor.ts';
import { CoalescingLedger } from '../../../shared/execute/coalescing-ledger.ts';
import { Executor } from '../../../shared/execute/executor.ts';
import { MemoryLedger } from '../../../shared/execute/memory-ledger.ts';
import type { LedgerRecord, LedgerWrite, LedgerWriteResult } from '../../../shared/execute/ports.ts';
import type { Decision } from '../../../shared/policy/decision.ts';
import {
  clusterResource,
  FakeRedshift,
  fixedClock,
  pauseDecision,
  RecordingNotifier,
  resumeDecision,
  sequentialTokens,
} from './fakes.ts';

function message(id: string, decision: Decision): QueueRecord {
  const group = `${decision.target.type}:${decision.target.id}`;
  return {
    messageId: id,
    body: JSON.stringify(decision),
    attributes: { MessageGroupId: group, ApproximateReceiveCount: '1' },
  };
}

/** A fake whose PauseCluster for one cluster waits until the test lets it go. */
function gatedFake(ids: string[], gated: string) {
  const fake = new FakeRedshift();
  for (const id of ids) fake.add(clusterResource({ ClusterIdentifier: id }));
  let open: () => void = () => {};
  const gate = new Promise<void>((resolve) => {
    open = resolve;
  });
  const started: string[] = [];
  const perform = fake.perform.bind(fake);
  fake.perform = async (action, params) => {
    const id = String(params.ClusterIdentifier);
    started.push(id);
    if (id === gated) await gate;
    return perform(action, params);
  };
  return { fake, started, open: () => open() };
}

function setup(inner: MemoryLedger, fake: FakeRedshift) {
  const ledger = new CoalescingLedger(inner);
  const notifier = new RecordingNotifier();
  const executor = new Executor({
    resources: { cluster: fake },
    ledger,
    notifier,
    region: 'us-east-1',
    clock: fixedClock(),
    newToken: sequentialTokens(),
  });
  return { ledger, notifier, executor };
}

describe('a batch runs its message groups concurrently (issue 19)', () => {
  it('starts every group at once: a slow call in one group does not hold the others back', async () => {
    const inner = new MemoryLedger();
    const { fake, started, open } = gatedFake(['c1', 'c2', 'c3'], 'c1');
    const { executor, ledger } = setup(inner, fake);
    const batch = processDecisionBatch(
      ['c1', 'c2', 'c3'].map((id, i) => message(`m${i}`, pauseDecision({}, id))),
      executor,
      { session: ledger },
    );
    // c1's pause hangs; c2 and c3 still reach AWS before it is released.
    for (let i = 0; i < 50 && started.length < 3; i += 1) await new Promise((r) => setTimeout(r, 1));
    expect(started.sort()).toEqual(['c1', 'c2', 'c3']);
    open();
    const response = await batch;
    expect(response.batchItemFailures).toEqual([]);
    expect([...inner.records.values()].map((r) => r.status)).toEqual(['in-progress', 'in-progress', 'in-progress']);
  });

  it('keeps order within a group: the resume waits for the pause of the same cluster', async () => {
    const inner = new MemoryLedger();
    const fake = new FakeRedshift().add(clusterResource()).add(clusterResource({ ClusterIdentifier: 'c2' }));
    const { executor, ledger } = setup(inner, fake);
    const response = await processDecisionBatch(
      [
        message('p1', pauseDecision()),
        message('p2', pauseDecision({}, 'c2')),
        message('r1', resumeDecision('redshift-cluster-1', '2026-12-08T06:00:00.000Z')),
      ],
      executor,
      { session: ledger },
    );
    // The resume ran after the pause: it re-read the cluster as the pause left it.
    const resumed = response.results.find((r) => r.messageId === 'r1')?.result;
    expect(resumed).toMatchObject({ kind: 'done', record: { beforeState: 'pausing' } });
    const mine = fake.calls.filter((c) => c.id === 'redshift-cluster-1');
    expect(mine.map((c) => c.op).indexOf('PauseCluster')).toBeLessThan(mine.length - 1);
  });

  it('writes the outcomes of concurrent executions in one ledger request', async () => {
    const inner = new MemoryLedger();
    const ids = ['c1', 'c2', 'c3', 'c4'];
    const fake = new FakeRedshift();
    for (const id of ids) fake.add(clusterResource({ ClusterIdentifier: id }));
    const { executor, ledger } = setup(inner, fake);
    const response = await processDecisionBatch(
      ids.map((id, i) => message(`m${i}`, pauseDecision({}, id))),
      executor,
      { session: ledger },
    );
    expect(response.batchItemFailures).toEqual([]);
    expect(fake.calls.filter((c) => c.op === 'PauseCluster')).toHaveLength(4);
    // Four latest-decision marks and four outcomes: far fewer requests than eight single writes.
    expect(inner.writeManyCalls).toBeGreaterThanOrEqual(1);
    expect(ledger.stats.batches + ledger.stats.singles).toBeLessThan(8);
    for (const record of inner.records.values()) expect(record.status).toBe('in-progress');
  });
});

describe('CoalescingLedger', () => {
  const record = (key: string, token = 'tok'): LedgerRecord =>
    ({ idempotencyKey: key, claimToken: token, status: 'succeeded' }) as LedgerRecord;

  it('holds a write while another execution is still running, and sends both together', async () => {
    const inner = new MemoryLedger();
    inner.records.set('a', record('a'));
    inner.records.set('b', record('b'));
    const ledger = new CoalescingLedger(inner);
    ledger.enter();
    ledger.enter();
    let first: boolean | undefined;
    const a = ledger.save(record('a')).then((v) => {
      first = v;
    });
    await new Promise((r) => setTimeout(r, 5));
    expect(first).toBeUndefined();
    const b = ledger.save(record('b'));
    await Promise.all([a, b]);
    expect(first).toBe(true);
    expect(inner.writeManyCalls).toBe(1);
  });

  it('lets a held write go when the other execution ends without writing', async () => {
    const inner = new MemoryLedger();
    inner.records.set('a', record('a'));
    const ledger = new CoalescingLedger(inner);
    ledger.enter();
    ledger.enter();
    const a = ledger.save(record('a'));
    ledger.leave();
    await expect(a).resolves.toBe(true);
    expect(inner.writeManyCalls).toBe(0);
    expect(ledger.stats.singles).toBe(1);
  });

  it('answers each write as its single form would: a lost claim is false, the others true', async () => {
    const inner = new MemoryLedger();
    inner.records.set('a', record('a'));
    inner.records.set('b', record('b', 'someone-else'));
    const ledger = new CoalescingLedger(inner);
    ledger.enter();
    ledger.enter();
    const results = await Promise.all([ledger.save(record('a')), ledger.save(record('b'))]);
    expect(results).toEqual([true, false]);
  });

  it('falls back to single writes when the batched request fails as a whole', async () => {
    const inner = new MemoryLedger();
    inner.records.set('a', record('a'));
    inner.records.set('b', record('b'));
    const failing = Object.assign(inner, {
      writeMany: (_w: readonly LedgerWrite[]): Promise<LedgerWriteResult[]> =>
        Promise.reject(new Error('TransactionConflict')),
    });
    const ledger = new CoalescingLedger(failing);
    ledger.enter();
    ledger.enter();
    const results = await Promise.all([ledger.save(record('a')), ledger.save(record('b'))]);
    expect(results).toEqual([true, true]);
    expect(ledger.stats.singles).toBe(2);
  });

  it("passes one write's own error to that write only", async () => {
    const inner = new MemoryLedger();
    inner.records.set('a', record('a'));
    const boom = new Error('ProvisionedThroughputExceeded');
    const partial = Object.assign(inner, {
      writeMany: async (writes: readonly LedgerWrite[]): Promise<LedgerWriteResult[]> =>
        writes.map((_, i) => (i === 0 ? { ok: true as const, value: true } : { ok: false as const, error: boom })),
    });
    const ledger = new CoalescingLedger(partial);
    ledger.enter();
    ledger.enter();
    const [a, b] = await Promise.allSettled([ledger.save(record('a')), ledger.save(record('b'))]);
    expect(a).toEqual({ status: 'fulfilled', value: true });
    expect(b).toEqual({ status: 'rejected', reason: boom });
  });
});
