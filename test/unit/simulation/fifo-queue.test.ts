import { describe, expect, it } from 'vitest';
import { FifoQueue, SQS_FIFO } from '../../../shared/simulation/fifo-queue.ts';
import { Prng } from '../../../shared/simulator/prng.ts';

const T0 = Date.parse('2026-12-07T18:00:00Z');
const VISIBILITY = 360_000;

function queue(maxReceiveCount?: number) {
  return new FifoQueue({
    name: 'decisions.fifo',
    visibilityTimeoutMs: VISIBILITY,
    ...(maxReceiveCount === undefined ? {} : { maxReceiveCount }),
    ids: new Prng('fifo-test'),
  });
}

const entry = (group: string, dedup: string, body = dedup) => ({
  MessageGroupId: group,
  MessageDeduplicationId: dedup,
  MessageBody: body,
});

describe('FifoQueue (SQS FIFO semantics)', () => {
  it('keeps send order within a group and hands out nothing more of a group while one of it is in flight', () => {
    const q = queue();
    q.send([entry('cluster:a', 'a1'), entry('cluster:b', 'b1'), entry('cluster:a', 'a2')], T0);

    const first = q.receive(T0, 1);
    expect(first.map((m) => m.body)).toEqual(['a1']);
    // a1 in flight: group a is locked, b is free.
    expect(q.receive(T0, 10).map((m) => m.body)).toEqual(['b1']);
    expect(q.receive(T0, 10)).toEqual([]);

    q.delete(first[0]?.messageId ?? '');
    expect(q.receive(T0, 10).map((m) => m.body)).toEqual(['a2']);
  });

  it('returns several messages of one group in order in one batch, at most 10 per receive', () => {
    const q = queue();
    q.send(
      Array.from({ length: 10 }, (_, i) => entry('cluster:a', `a${i}`)),
      T0,
    );
    q.send([entry('cluster:b', 'b0'), entry('cluster:b', 'b1')], T0);
    const batch = q.receive(T0);
    expect(batch).toHaveLength(SQS_FIFO.maxBatch);
    expect(batch.map((m) => m.body)).toEqual(Array.from({ length: 10 }, (_, i) => `a${i}`));
    expect(q.receive(T0).map((m) => m.body)).toEqual(['b0', 'b1']);
  });

  it('drops a deduplication id seen within 5 minutes and accepts it again afterwards', () => {
    const q = queue();
    const [a] = q.send([entry('cluster:a', 'key-1', 'first')], T0);
    const [dup] = q.send([entry('cluster:a', 'key-1', 'second')], T0 + SQS_FIFO.dedupWindowMs - 1);
    expect(a?.ok && dup?.ok && dup.duplicate && dup.messageId === a.messageId).toBe(true);
    expect(q.depth()).toBe(1);
    expect(q.stats.duplicatesDropped).toBe(1);

    const [later] = q.send([entry('cluster:a', 'key-1', 'third')], T0 + SQS_FIFO.dedupWindowMs);
    expect(later?.ok === true && !later.duplicate).toBe(true);
    expect(q.depth()).toBe(2);
  });

  it('rejects an entry without MessageGroupId or MessageDeduplicationId as a sender fault', () => {
    const q = queue();
    const [noGroup, noDedup] = q.send(
      [
        { MessageDeduplicationId: 'x', MessageBody: 'x' },
        { MessageGroupId: 'g', MessageBody: 'y' },
      ],
      T0,
    );
    expect(noGroup).toMatchObject({ ok: false, code: 'MissingParameter', senderFault: true });
    expect(noDedup).toMatchObject({ ok: false, code: 'InvalidParameterValue', senderFault: true });
    expect(q.depth()).toBe(0);
  });

  it('redelivers a message that was not deleted after the visibility timeout, counting receives', () => {
    const q = queue();
    q.send([entry('cluster:a', 'a1'), entry('cluster:a', 'a2')], T0);
    const [m] = q.receive(T0, 1);
    expect(m?.receiveCount).toBe(1);
    expect(q.receive(T0 + VISIBILITY - 1)).toEqual([]);
    expect(q.nextVisibleAt(T0)).toBe(T0 + VISIBILITY);

    const again = q.receive(T0 + VISIBILITY, 1);
    expect(again.map((x) => [x.body, x.receiveCount])).toEqual([['a1', 2]]);
    expect(q.stats.redelivered).toBe(1);
  });

  it('moves a message to the dead-letter queue on the receive after maxReceiveCount, and the group moves on', () => {
    const q = queue(2);
    q.send([entry('cluster:a', 'poison'), entry('cluster:a', 'next')], T0);
    expect(q.receive(T0, 1).map((x) => x.body)).toEqual(['poison']);
    expect(q.receive(T0 + VISIBILITY, 1).map((x) => x.body)).toEqual(['poison']);

    const after = q.receive(T0 + 2 * VISIBILITY, 1);
    expect(after.map((x) => x.body)).toEqual(['next']);
    expect(q.deadLetters.map((x) => [x.body, x.receiveCount])).toEqual([['poison', 2]]);
  });
});
