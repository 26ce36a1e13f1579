import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import {
  chunkEntries,
  DecisionQueue,
  messageGroupId,
  SQS_ID_MAX,
  sqsSafeId,
  toEntry,
} from '../../../shared/aws/queue.adapter.ts';
import { TransientAwsError } from '../../../shared/errors.ts';
import { pauseDecision } from '../execute/fakes.ts';

const sqs = mockClient(SQSClient);
afterEach(() => sqs.reset());

describe('FIFO ids', () => {
  it('uses the idempotency key as MessageDeduplicationId and the resource as MessageGroupId', () => {
    const entry = toEntry(pauseDecision(), 0);
    expect(entry.MessageDeduplicationId).toBe('office-hours/PauseCluster/cluster:redshift-cluster-1/2026-12-07T18:00Z');
    expect(entry.MessageGroupId).toBe('cluster:redshift-cluster-1');
    expect(JSON.parse(entry.MessageBody ?? '')).toEqual(pauseDecision());
  });

  it('hashes keys SQS would reject (too long, spaces, non-ASCII), deterministically', () => {
    const long = `policy/${'x'.repeat(200)}`;
    for (const raw of [long, 'has space', 'Größe']) {
      const id = sqsSafeId(raw);
      expect(id).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(id.length).toBeLessThanOrEqual(SQS_ID_MAX);
      expect(sqsSafeId(raw)).toBe(id);
    }
    expect(sqsSafeId('a'.repeat(128))).toBe('a'.repeat(128));
    expect(sqsSafeId('a'.repeat(129))).not.toBe('a'.repeat(129));
  });

  it('keeps different resources in different groups', () => {
    expect(messageGroupId(pauseDecision({}, 'a'))).not.toBe(messageGroupId(pauseDecision({}, 'b')));
  });
});

describe('DecisionQueue.send', () => {
  it('sends 23 decisions in batches of at most 10', async () => {
    sqs.on(SendMessageBatchCommand).callsFake((input) => ({
      Successful: input.Entries.map((e: { Id: string }) => ({ Id: e.Id, MessageId: e.Id, MD5OfMessageBody: '' })),
    }));
    const decisions = Array.from({ length: 23 }, (_, i) => pauseDecision({}, `c${i}`));

    const { sent } = await new DecisionQueue(new SQSClient({ region: 'us-east-1' }), 'https://q').send(decisions);

    expect(sent).toBe(23);
    expect(sqs.commandCalls(SendMessageBatchCommand).map((c) => c.args[0].input.Entries?.length)).toEqual([10, 10, 3]);
  });

  it('splits by the 256 KiB batch limit too', () => {
    const big = { ...pauseDecision(), reason: 'r'.repeat(100_000) };
    const chunks = chunkEntries([0, 1, 2, 3].map((i) => toEntry({ ...big, idempotencyKey: `k${i}` }, i)));
    expect(chunks.map((c) => c.length)).toEqual([2, 2]);
  });

  it('resends entries that failed on the service side, and gives up with a TransientAwsError', async () => {
    sqs
      .on(SendMessageBatchCommand)
      .resolvesOnce({
        Successful: [{ Id: 'd0', MessageId: 'm0', MD5OfMessageBody: '' }],
        Failed: [{ Id: 'd1', SenderFault: false, Code: 'InternalError' }],
      })
      .resolves({ Successful: [], Failed: [{ Id: 'd1', SenderFault: false, Code: 'InternalError' }] });
    const queue = new DecisionQueue(new SQSClient({ region: 'us-east-1' }), 'https://q');

    const error = await queue.send([pauseDecision({}, 'a'), pauseDecision({}, 'b')]).catch((e) => e);

    expect(error).toBeInstanceOf(TransientAwsError);
    const calls = sqs.commandCalls(SendMessageBatchCommand).map((c) => c.args[0].input.Entries?.map((e) => e.Id));
    expect(calls).toEqual([['d0', 'd1'], ['d1'], ['d1']]);
  });
});
