import { toEntry } from '../../../shared/aws/queue.adapter.ts';
import type { BatchResponse, QueueRecord } from '../../../shared/execute/batch-processor.ts';
import type { Decision } from '../../../shared/policy/decision.ts';
import { FifoQueue, type QueuedMessage } from '../../../shared/simulation/fifo-queue.ts';
import { Prng } from '../../../shared/simulator/prng.ts';

/**
 * A stand-in for Lambda's SQS event source mapping over the decision queue, on a virtual clock: the
 * in-process FIFO queue (groups, 5-minute deduplication, visibility timeout, redrive to a DLQ after
 * maxReceiveCount) with the values infra/acting.yml sets, polled by N concurrent consumers that each
 * hand a batch of ≤ 10 to their own runner (one Lambda container each) and delete what the partial
 * batch response did not report failed. When nothing is visible the clock jumps to the next message's
 * visibility, so leases (90 s) and the visibility timeout (360 s) pass without waiting.
 */
export const QUEUE = { visibilityTimeoutMs: 360_000, maxReceiveCount: 5 } as const;

/** Each polled batch takes this long on the virtual clock. */
const BATCH_MS = 2_000;
/** A drain that has not emptied the queue within this much virtual time is a bug in the harness or the product. */
const MAX_VIRTUAL_MS = 6 * 3_600_000;

export class VirtualClock {
  #ms: number;
  readonly #onSet: ((ms: number) => void) | undefined;
  /** `onSet` follows every move (e.g. the Redshift simulator's own clock). */
  constructor(startIso: string, onSet?: (ms: number) => void) {
    this.#ms = Date.parse(startIso);
    this.#onSet = onSet;
  }
  now(): Date {
    return new Date(this.#ms);
  }
  ms(): number {
    return this.#ms;
  }
  set(ms: number): void {
    this.#ms = Math.max(this.#ms, ms);
    this.#onSet?.(this.#ms);
  }
}

export interface BatchRunner {
  run(records: readonly QueueRecord[]): Promise<BatchResponse>;
}

export interface PollerOptions {
  consumers: number;
  /** Share of handled messages (not reported failed) left undeleted, as if the function died after acting and before returning. */
  crashAfterActRate: number;
  seed: number | string;
}

export interface PollerStats {
  batches: number;
  crashes: number;
  virtualMs: number;
}

export class LambdaSqsPoller {
  readonly queue: FifoQueue;
  readonly keyOfMessage = new Map<string, string>();
  readonly stats: PollerStats = { batches: 0, crashes: 0, virtualMs: 0 };
  readonly #clock: VirtualClock;
  readonly #random: Prng;
  readonly #options: PollerOptions;
  readonly #scheduled: { at: number; decisions: Decision[] }[] = [];
  /** A message is crashed on at most once: the function dying on every delivery is another scenario. */
  readonly #crashed = new Set<string>();

  constructor(clock: VirtualClock, options: PollerOptions) {
    this.#clock = clock;
    this.#options = options;
    this.#random = new Prng(`poller/${options.seed}`);
    this.queue = new FifoQueue({
      name: 'decisions.fifo',
      visibilityTimeoutMs: QUEUE.visibilityTimeoutMs,
      maxReceiveCount: QUEUE.maxReceiveCount,
      ids: this.#random.fork('ids'),
    });
  }

  /** A reconcile sweep sends these decisions at `atMs` (group = resource, dedup id = idempotency key). */
  sweepAt(atMs: number, decisions: readonly Decision[]): void {
    this.#scheduled.push({ at: atMs, decisions: [...decisions] });
    this.#scheduled.sort((a, b) => a.at - b.at);
  }

  /** Polls until the queue is empty and no sweep is left; `runners[i]` is consumer i's container. */
  async drain(runners: readonly BatchRunner[]): Promise<PollerStats> {
    const start = this.#clock.ms();
    while (this.#clock.ms() - start < MAX_VIRTUAL_MS) {
      this.#sendDue();
      const batches: QueuedMessage[][] = [];
      for (let i = 0; i < this.#options.consumers; i += 1) {
        const batch = this.queue.receive(this.#clock.ms());
        if (batch.length > 0) batches.push(batch);
      }
      if (batches.length === 0) {
        const next = this.#nextEventAt();
        if (next === undefined) break;
        this.#clock.set(next);
        continue;
      }
      await Promise.all(batches.map((batch, i) => this.#consume(batch, runners[i] as BatchRunner)));
      this.#clock.set(this.#clock.ms() + BATCH_MS);
    }
    this.stats.virtualMs = this.#clock.ms() - start;
    return this.stats;
  }

  async #consume(batch: QueuedMessage[], runner: BatchRunner): Promise<void> {
    this.stats.batches += 1;
    const response = await runner.run(batch.map(asRecord));
    const failed = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
    for (const message of batch) {
      // Failed items stay in flight until the visibility timeout, then come back (or go to the DLQ).
      if (failed.has(message.messageId)) continue;
      if (!this.#crashed.has(message.messageId) && this.#random.chance(this.#options.crashAfterActRate)) {
        this.#crashed.add(message.messageId);
        this.stats.crashes += 1;
        continue;
      }
      this.queue.delete(message.messageId);
    }
  }

  #sendDue(): void {
    while (this.#scheduled.length > 0 && (this.#scheduled[0]?.at ?? Infinity) <= this.#clock.ms()) {
      const sweep = this.#scheduled.shift();
      if (sweep === undefined) break;
      const entries = sweep.decisions.map((d, i) => toEntry(d, i));
      const sent = this.queue.send(entries, this.#clock.ms());
      sent.forEach((outcome, i) => {
        if (outcome.ok) this.keyOfMessage.set(outcome.messageId, sweep.decisions[i]?.idempotencyKey ?? '?');
      });
    }
  }

  #nextEventAt(): number | undefined {
    const visible = this.queue.nextVisibleAt(this.#clock.ms());
    const sweep = this.#scheduled[0]?.at;
    if (visible === undefined) return sweep;
    return sweep === undefined ? visible : Math.min(visible, sweep);
  }
}

function asRecord(message: QueuedMessage): QueueRecord {
  return {
    messageId: message.messageId,
    body: message.body,
    attributes: { MessageGroupId: message.groupId, ApproximateReceiveCount: String(message.receiveCount) },
  };
}
