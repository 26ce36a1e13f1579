import type { TargetRef } from '../policy/decision.ts';
import type {
  BatchWritingLedger,
  ClaimResult,
  LedgerPort,
  LedgerRecord,
  LedgerWrite,
  LedgerWriteResult,
} from './ports.ts';

/**
 * The executor's ledger while a batch runs concurrently (issue 19): outcome writes and latest-decision
 * marks of the executions in flight go to the inner ledger together, in one request, when every
 * execution still running is waiting on one of them (a barrier: nobody waits for a timer, and an
 * execution that is busy elsewhere — its AWS call — is waited for, since it will write next).
 *
 * Each write keeps its single-call meaning: a save answers true/false (claim lost), a mark null or
 * the newer decision's time, and an error is that write's own (the executor reads a lost answer back
 * as before). A ledger without `writeMany` (memory, simulator) gets the single calls unchanged.
 * Claims stay single calls: a claim needs the record it replaced, which a transaction does not return.
 */
interface Pending {
  write: LedgerWrite;
  resolve(value: boolean | string | null): void;
  reject(error: unknown): void;
}

export class CoalescingLedger implements LedgerPort {
  readonly #inner: LedgerPort & Partial<BatchWritingLedger>;
  #active = 0;
  #pending: Pending[] = [];
  /** Requests sent (for tests and the bench's call accounting). */
  readonly stats = { batches: 0, singles: 0 };

  /** Present only when the inner ledger has it (callers fall back to their memory otherwise). */
  readonly firstNotice?: (topic: string, now: Date, windowMs: number) => Promise<boolean>;

  constructor(inner: LedgerPort & Partial<BatchWritingLedger>) {
    this.#inner = inner;
    const first = inner.firstNotice?.bind(inner);
    if (first !== undefined) this.firstNotice = first;
  }

  /** An execution begins: its writes may be held until the others' arrive. */
  enter(): void {
    this.#active += 1;
  }

  /** An execution ended: the others no longer wait for it. */
  leave(): void {
    this.#active = Math.max(0, this.#active - 1);
    this.#release();
  }

  claim(record: LedgerRecord, now: Date): Promise<ClaimResult> {
    return this.#inner.claim(record, now);
  }

  save(record: LedgerRecord): Promise<boolean> {
    return this.#enqueue({ kind: 'save', record }) as Promise<boolean>;
  }

  markLatest(target: TargetRef, stateKey: string, at: string, idempotencyKey: string): Promise<string | null> {
    return this.#enqueue({ kind: 'latest', target, stateKey, at, idempotencyKey }) as Promise<string | null>;
  }

  get(idempotencyKey: string): Promise<LedgerRecord | null> {
    return this.#inner.get(idempotencyKey);
  }

  getMany(idempotencyKeys: readonly string[]): Promise<LedgerRecord[]> {
    return this.#inner.getMany(idempotencyKeys);
  }

  listInFlight(): Promise<LedgerRecord[]> {
    return this.#inner.listInFlight();
  }

  takeBudgetSlot(policy: string, runKey: string, now: Date, idempotencyKey: string): Promise<number> {
    return this.#inner.takeBudgetSlot(policy, runKey, now, idempotencyKey);
  }

  #enqueue(write: LedgerWrite): Promise<boolean | string | null> {
    if (this.#inner.writeMany === undefined) return this.#single(write);
    return new Promise((resolve, reject) => {
      this.#pending.push({ write, resolve, reject });
      this.#release();
    });
  }

  /** Sends what is held once every execution still running waits on a write. */
  #release(): void {
    if (this.#pending.length === 0 || this.#pending.length < this.#active) return;
    const batch = this.#pending;
    this.#pending = [];
    void this.#send(batch);
  }

  async #send(batch: Pending[]): Promise<void> {
    const [only] = batch;
    if (batch.length === 1 && only !== undefined) {
      await this.#single(only.write).then(only.resolve, only.reject);
      return;
    }
    let results: LedgerWriteResult[];
    try {
      this.stats.batches += 1;
      results = (await this.#inner.writeMany?.(batch.map((p) => p.write))) ?? [];
    } catch {
      // The request itself failed (not one write's condition): each write on its own, as before.
      await Promise.all(batch.map((p) => this.#single(p.write).then(p.resolve, p.reject)));
      return;
    }
    batch.forEach((p, i) => {
      const result = results[i];
      if (result === undefined) p.reject(new Error('ledger writeMany answered fewer results than writes'));
      else if (result.ok) p.resolve(result.value);
      else p.reject(result.error);
    });
  }

  #single(write: LedgerWrite): Promise<boolean | string | null> {
    this.stats.singles += 1;
    return write.kind === 'save'
      ? this.#inner.save(write.record)
      : this.#inner.markLatest(write.target, write.stateKey, write.at, write.idempotencyKey);
  }
}
