/**
 * An SQS FIFO queue in memory, on the virtual clock, with the semantics the acting path relies on:
 *
 * - `MessageGroupId` orders delivery: messages of one group come out in the order they were sent,
 *   and while any message of a group is in flight (received, not yet deleted) no other message of
 *   that group is handed out. Different groups are independent.
 * - Deduplication by `MessageDeduplicationId` for 5 minutes: a second send with the same id inside
 *   the window is accepted (SQS answers success with the first message's id) and never delivered.
 * - Visibility timeout: a received message that is not deleted becomes visible again after it,
 *   with its `ApproximateReceiveCount` incremented on the next receive.
 * - Redrive: a message received `maxReceiveCount` times that is still not deleted moves to the
 *   dead-letter queue instead of being received again (SQS moves it on the next receive attempt).
 *
 * Only what the project sends and what Lambda's poller does is modelled: SendMessage(Batch) and a
 * receive/delete pair used by `LambdaSqsPoller`.
 */
import type { Prng } from '../simulator/prng.ts';

export const SQS_FIFO = {
  /** SQS: "messages with the same deduplication ID sent within 5 minutes are accepted but not delivered". */
  dedupWindowMs: 5 * 60_000,
  /** A receive returns at most 10 messages; Lambda's FIFO event source mapping uses batches of ≤ 10. */
  maxBatch: 10,
} as const;

export interface FifoQueueOptions {
  name: string;
  /** The queue's VisibilityTimeout (infra: 360 s, 6 × the executor's timeout). */
  visibilityTimeoutMs: number;
  /** Redrive policy; undefined = no dead-letter queue. */
  maxReceiveCount?: number;
  ids: Prng;
}

export interface QueuedMessage {
  messageId: string;
  body: string;
  groupId: string;
  deduplicationId: string;
  sequenceNumber: string;
  sentAt: number;
  receiveCount: number;
  firstReceivedAt: number | null;
  /** When the message may be received again (sentAt, or the end of its visibility timeout). */
  visibleAt: number;
  inFlight: boolean;
}

export interface SendEntry {
  Id?: string | undefined;
  MessageBody?: string | undefined;
  MessageGroupId?: string | undefined;
  MessageDeduplicationId?: string | undefined;
}

export type SendOutcome =
  | { id: string | undefined; ok: true; messageId: string; duplicate: boolean; sequenceNumber: string }
  | { id: string | undefined; ok: false; code: string; message: string; senderFault: true };

/** One message as Lambda's SQS event source mapping hands it to the function. */
export interface ReceivedMessage {
  messageId: string;
  receiptHandle: string;
  body: string;
  attributes: {
    ApproximateReceiveCount: string;
    SentTimestamp: string;
    SequenceNumber: string;
    MessageGroupId: string;
    MessageDeduplicationId: string;
    ApproximateFirstReceiveTimestamp: string;
  };
  messageAttributes: Record<string, never>;
  md5OfBody: string;
  eventSource: 'aws:sqs';
  eventSourceARN: string;
  awsRegion: string;
}

export interface QueueStats {
  sent: number;
  duplicatesDropped: number;
  received: number;
  deleted: number;
  redelivered: number;
  deadLettered: number;
}

export class FifoQueue {
  readonly name: string;
  readonly deadLetters: QueuedMessage[] = [];
  readonly stats: QueueStats = {
    sent: 0,
    duplicatesDropped: 0,
    received: 0,
    deleted: 0,
    redelivered: 0,
    deadLettered: 0,
  };

  private readonly options: FifoQueueOptions;
  /** Non-empty groups only, so a receive is O(groups with messages), never O(fleet). */
  private readonly groups = new Map<string, QueuedMessage[]>();
  private readonly dedup = new Map<string, { at: number; messageId: string; sequenceNumber: string }>();
  private readonly byId = new Map<string, QueuedMessage>();
  private sequence = 0n;

  constructor(options: FifoQueueOptions) {
    this.options = options;
    this.name = options.name;
  }

  /** Messages not yet deleted (visible or in flight), excluding the dead-letter queue. */
  depth(): number {
    return this.byId.size;
  }

  send(entries: readonly SendEntry[], now: number): SendOutcome[] {
    this.expireDedup(now);
    return entries.map((entry) => this.sendOne(entry, now));
  }

  private sendOne(entry: SendEntry, now: number): SendOutcome {
    const id = entry.Id;
    if (entry.MessageGroupId === undefined || entry.MessageGroupId === '') {
      return {
        id,
        ok: false,
        code: 'MissingParameter',
        message: 'The request must contain the parameter MessageGroupId.',
        senderFault: true,
      };
    }
    // ContentBasedDeduplication is off on the decision queue (infra/acting.yml): the id is required.
    if (entry.MessageDeduplicationId === undefined || entry.MessageDeduplicationId === '') {
      return {
        id,
        ok: false,
        code: 'InvalidParameterValue',
        message:
          'The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly',
        senderFault: true,
      };
    }
    const seen = this.dedup.get(entry.MessageDeduplicationId);
    if (seen !== undefined && now - seen.at < SQS_FIFO.dedupWindowMs) {
      this.stats.duplicatesDropped++;
      return { id, ok: true, messageId: seen.messageId, duplicate: true, sequenceNumber: seen.sequenceNumber };
    }
    this.sequence += 1n;
    const message: QueuedMessage = {
      messageId: this.options.ids.uuid(),
      body: entry.MessageBody ?? '',
      groupId: entry.MessageGroupId,
      deduplicationId: entry.MessageDeduplicationId,
      sequenceNumber: this.sequence.toString().padStart(20, '0'),
      sentAt: now,
      receiveCount: 0,
      firstReceivedAt: null,
      visibleAt: now,
      inFlight: false,
    };
    this.dedup.delete(message.deduplicationId);
    this.dedup.set(message.deduplicationId, {
      at: now,
      messageId: message.messageId,
      sequenceNumber: message.sequenceNumber,
    });
    const group = this.groups.get(message.groupId);
    if (group === undefined) this.groups.set(message.groupId, [message]);
    else group.push(message);
    this.byId.set(message.messageId, message);
    this.stats.sent++;
    return { id, ok: true, messageId: message.messageId, duplicate: false, sequenceNumber: message.sequenceNumber };
  }

  /**
   * Up to `max` messages, as SQS hands them to Lambda's poller: per group, consecutive visible
   * messages from the head, and nothing from a group that still has a message in flight; groups
   * by the age of their oldest message.
   */
  receive(now: number, max: number = SQS_FIFO.maxBatch): QueuedMessage[] {
    this.releaseExpired(now);
    const limit = this.options.maxReceiveCount;
    const out: QueuedMessage[] = [];
    const ordered = [...this.groups.values()].sort((a, b) =>
      (a[0]?.sequenceNumber ?? '') < (b[0]?.sequenceNumber ?? '') ? -1 : 1,
    );
    for (const group of ordered) {
      if (out.length >= max) break;
      if (group.some((m) => m.inFlight)) continue;
      // Redrive: a message already received maxReceiveCount times goes to the DLQ on the next receive.
      while (group.length > 0 && limit !== undefined) {
        const head = group[0] as QueuedMessage;
        if (head.visibleAt > now || head.receiveCount < limit) break;
        group.shift();
        this.byId.delete(head.messageId);
        this.deadLetters.push(head);
        this.stats.deadLettered++;
      }
      for (const m of group) {
        if (out.length >= max || m.visibleAt > now) break;
        if (limit !== undefined && m.receiveCount >= limit) break;
        if (m.receiveCount > 0) this.stats.redelivered++;
        m.receiveCount++;
        m.firstReceivedAt ??= now;
        m.inFlight = true;
        m.visibleAt = now + this.options.visibilityTimeoutMs;
        out.push(m);
        this.stats.received++;
      }
    }
    for (const [id, group] of this.groups) if (group.length === 0) this.groups.delete(id);
    return out;
  }

  /** DeleteMessage: the consumer is done with it. Unknown ids (already deleted) are ignored, as SQS does. */
  delete(messageId: string): void {
    const message = this.byId.get(messageId);
    if (message === undefined) return;
    this.byId.delete(messageId);
    const group = this.groups.get(message.groupId);
    if (group !== undefined) {
      const i = group.indexOf(message);
      if (i >= 0) group.splice(i, 1);
      if (group.length === 0) this.groups.delete(message.groupId);
    }
    this.stats.deleted++;
  }

  /** Earliest time a message could be received (now when one is visible), or undefined when empty. */
  nextVisibleAt(now: number): number | undefined {
    let earliest: number | undefined;
    for (const group of this.groups.values()) {
      const head = group[0];
      if (head === undefined) continue;
      // A group is blocked until its in-flight messages time out; its head's visibleAt says when.
      let at = head.visibleAt;
      for (const m of group) if (m.inFlight && m.visibleAt > at) at = m.visibleAt;
      at = Math.max(at, now);
      if (earliest === undefined || at < earliest) earliest = at;
    }
    return earliest;
  }

  /** Expired receipts: an in-flight message whose visibility ended is visible again (not in flight). */
  releaseExpired(now: number): void {
    for (const group of this.groups.values()) {
      for (const m of group) if (m.inFlight && m.visibleAt <= now) m.inFlight = false;
    }
  }

  private expireDedup(now: number): void {
    // Bounded: only ids sent in the last 5 minutes stay; the map is insertion-ordered by time.
    for (const [id, entry] of this.dedup) {
      if (now - entry.at < SQS_FIFO.dedupWindowMs) break;
      this.dedup.delete(id);
    }
  }
}
