import { createHash } from 'node:crypto';
import {
  ChangeMessageVisibilityCommand,
  SendMessageBatchCommand,
  type SendMessageBatchRequestEntry,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { TransientAwsError } from '../errors.ts';
import { type DigestMessage, digestQueueIds } from '../execute/digest.ts';
import type { Decision } from '../policy/decision.ts';
import { chunkByCountAndBytes } from './batches.ts';

/**
 * Sends decisions to the FIFO decision queue: `MessageGroupId` = resource (one action at a time per
 * resource, in order), `MessageDeduplicationId` = the decision's idempotency key (two ticks that
 * decide the same thing within SQS's 5-minute window produce one message; the ledger covers the rest).
 */

/** SQS limits for both ids: 1–128 characters of alphanumerics and punctuation (!"#$%&'()*+,-./:;<=>?@[\]^_`{|}~). */
export const SQS_ID_MAX = 128;
const SQS_ID_ALLOWED = /^[A-Za-z0-9!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]+$/;
/** SendMessageBatch takes at most 10 entries and 256 KiB in total. */
export const SQS_BATCH_MAX = 10;
export const SQS_BATCH_BYTES = 262_144;
const FAILED_ENTRY_ROUNDS = 3;

/** The id as is when SQS accepts it, else `sha256:` + hex digest (deterministic, 71 characters). */
export function sqsSafeId(raw: string): string {
  if (raw.length > 0 && raw.length <= SQS_ID_MAX && SQS_ID_ALLOWED.test(raw)) return raw;
  return `sha256:${createHash('sha256').update(raw).digest('hex')}`;
}

export function messageGroupId(decision: Pick<Decision, 'target'>): string {
  return sqsSafeId(`${decision.target.type}:${decision.target.id}`);
}

export function toEntry(decision: Decision, index: number): SendMessageBatchRequestEntry {
  return {
    Id: `d${index}`,
    MessageBody: JSON.stringify(decision),
    MessageGroupId: messageGroupId(decision),
    MessageDeduplicationId: sqsSafeId(decision.idempotencyKey),
  };
}

/** SendMessageBatch requests in flight at once: enough to hide latency, few enough not to be throttled. */
export const SEND_CONCURRENCY = 8;

export function digestEntry(digest: DigestMessage, index: number): SendMessageBatchRequestEntry {
  const ids = digestQueueIds(digest);
  return {
    Id: `g${index}`,
    MessageBody: JSON.stringify(digest),
    MessageGroupId: ids.groupId,
    MessageDeduplicationId: ids.dedupId,
  };
}

/** Splits into SendMessageBatch calls of ≤ 10 entries and ≤ 256 KiB. */
export function chunkEntries(entries: SendMessageBatchRequestEntry[]): SendMessageBatchRequestEntry[][] {
  return chunkByCountAndBytes(entries, { max: SQS_BATCH_MAX, bytes: SQS_BATCH_BYTES }, (e) =>
    Buffer.byteLength(e.MessageBody ?? '', 'utf8'),
  );
}

export class DecisionQueue {
  readonly #client: SQSClient;
  readonly #queueUrl: string;

  constructor(client: SQSClient, queueUrl: string) {
    this.#client = client;
    this.#queueUrl = queueUrl;
  }

  /**
   * Sends every decision, then the run's digests, or throws TransientAwsError naming the ones that could
   * not be sent. Batches go out a few at a time (issue 19: 30 batches one after another took 322 ms);
   * order within a message group is kept because a group's decisions never span two batches in flight —
   * each resource has at most one decision per sweep, and digests are sent after every decision.
   */
  async send(decisions: readonly Decision[], digests: readonly DigestMessage[] = []): Promise<{ sent: number }> {
    const sent = await this.#sendAll(decisions.map((d, i) => toEntry(d, i)));
    if (digests.length > 0) await this.#sendAll(digests.map((d, i) => digestEntry(d, i)));
    return { sent };
  }

  /** Shows a received message again after `seconds` instead of the queue's visibility timeout. */
  async later(receiptHandle: string, seconds: number): Promise<void> {
    await this.#client.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: this.#queueUrl,
        ReceiptHandle: receiptHandle,
        VisibilityTimeout: seconds,
      }),
    );
  }

  async #sendAll(entries: SendMessageBatchRequestEntry[]): Promise<number> {
    const chunks = chunkEntries(entries);
    const ordered = new Set(entries.map((e) => e.MessageGroupId)).size < entries.length;
    let sent = 0;
    // Entries sharing a group must keep their order: then one batch after another.
    const width = ordered ? 1 : SEND_CONCURRENCY;
    for (let i = 0; i < chunks.length; i += width) {
      const counts = await Promise.all(chunks.slice(i, i + width).map((chunk) => this.#sendChunk(chunk)));
      for (const n of counts) sent += n;
    }
    return sent;
  }

  async #sendChunk(chunk: SendMessageBatchRequestEntry[]): Promise<number> {
    let sent = 0;
    let pending = chunk;
    for (let round = 0; round < FAILED_ENTRY_ROUNDS && pending.length > 0; round += 1) {
      const out = await this.#client.send(new SendMessageBatchCommand({ QueueUrl: this.#queueUrl, Entries: pending }));
      sent += out.Successful?.length ?? 0;
      const failedIds = new Set((out.Failed ?? []).map((f) => f.Id));
      const senderFaults = (out.Failed ?? []).filter((f) => f.SenderFault === true);
      if (senderFaults.length > 0) {
        // A malformed entry will not get better by retrying.
        throw new Error(`SendMessageBatch rejected: ${senderFaults.map((f) => `${f.Code}: ${f.Message}`).join('; ')}`);
      }
      pending = pending.filter((e) => failedIds.has(e.Id));
    }
    if (pending.length > 0) {
      throw new TransientAwsError(
        `SendMessageBatch: ${pending.length} decisions not sent after ${FAILED_ENTRY_ROUNDS} rounds`,
      );
    }
    return sent;
  }
}

/**
 * The executor's dead-letter sender (batch-processor.ts `DeadLetterPort`): a message it will never act on
 * (malformed, refused) goes to the decision DLQ at once, body unchanged, with the reason as a message
 * attribute, in the FIFO group it came from (the source queue's group moves on once it is acknowledged). Deduplicated by the original
 * message id: a retried send after a lost answer does not store it twice.
 */
export class DecisionDeadLetters {
  readonly #client: SQSClient;
  readonly #queueUrl: string;

  constructor(client: SQSClient, queueUrl: string) {
    this.#client = client;
    this.#queueUrl = queueUrl;
  }

  async put(
    record: { messageId: string; body: string; attributes: { MessageGroupId?: string | undefined } },
    reason: string,
  ): Promise<void> {
    await this.#client.send(
      new SendMessageCommand({
        QueueUrl: this.#queueUrl,
        MessageBody: record.body,
        MessageGroupId: sqsSafeId(record.attributes.MessageGroupId ?? 'unknown-group'),
        MessageDeduplicationId: sqsSafeId(record.messageId),
        MessageAttributes: {
          // SQS limits a message attribute value to the message size; reasons are one line, kept under 1 KB.
          reason: { DataType: 'String', StringValue: reason.slice(0, 1024) },
          source: { DataType: 'String', StringValue: 'executeDecision' },
        },
      }),
    );
  }
}
