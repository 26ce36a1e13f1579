import type { TargetRef } from '../policy/decision.ts';
import { targetScope } from '../policy/key-scope.ts';
import { claimable, claimOutcome } from './ledger-rules.ts';
import type {
  BatchWritingLedger,
  ClaimResult,
  LedgerPort,
  LedgerRecord,
  LedgerWrite,
  LedgerWriteResult,
} from './ports.ts';

/**
 * The ledger in memory, with the same conditional semantics as the DynamoDB adapter (see
 * ledger-rules.ts). Used by unit/property tests and by the simulator. Every method is async and
 * yields once, so interleavings in tests look like real concurrent requests.
 */
export class MemoryLedger implements LedgerPort, BatchWritingLedger {
  readonly records = new Map<string, LedgerRecord>();
  readonly budgets = new Map<string, number>();
  /** Position taken per (policy, run, idempotency key): asking again returns the same one. */
  readonly budgetSlots = new Map<string, number>();
  readonly latest = new Map<string, string>();

  async claim(record: LedgerRecord, now: Date): Promise<ClaimResult> {
    await Promise.resolve();
    const existing = this.records.get(record.idempotencyKey) ?? null;
    if (!claimable(existing, now)) return claimOutcome(existing, record, now);
    this.records.set(record.idempotencyKey, structuredClone(record));
    return { kind: 'claimed', record, previous: existing };
  }

  async save(record: LedgerRecord): Promise<boolean> {
    await Promise.resolve();
    const existing = this.records.get(record.idempotencyKey);
    if (existing === undefined || existing.claimToken !== record.claimToken) return false;
    this.records.set(record.idempotencyKey, structuredClone(record));
    return true;
  }

  /** Requests of several writes (the DynamoDB adapter's TransactWriteItems), counted for tests. */
  writeManyCalls = 0;

  async writeMany(writes: readonly LedgerWrite[]): Promise<LedgerWriteResult[]> {
    this.writeManyCalls += 1;
    const results: LedgerWriteResult[] = [];
    for (const w of writes) {
      const value =
        w.kind === 'save'
          ? await this.save(w.record)
          : await this.markLatest(w.target, w.stateKey, w.at, w.idempotencyKey);
      results.push({ ok: true, value });
    }
    return results;
  }

  async get(idempotencyKey: string): Promise<LedgerRecord | null> {
    await Promise.resolve();
    const found = this.records.get(idempotencyKey);
    return found === undefined ? null : structuredClone(found);
  }

  async getMany(idempotencyKeys: readonly string[]): Promise<LedgerRecord[]> {
    const found = await Promise.all([...new Set(idempotencyKeys)].map((k) => this.get(k)));
    return found.filter((r): r is LedgerRecord => r !== null);
  }

  async listInFlight(): Promise<LedgerRecord[]> {
    await Promise.resolve();
    return [...this.records.values()].filter((r) => r.status === 'in-progress').map((r) => structuredClone(r));
  }

  async markLatest(target: TargetRef, stateKey: string, at: string, _key: string): Promise<string | null> {
    await Promise.resolve();
    const scope = targetScope(target);
    const id = `${target.type}:${target.id}:${stateKey}${scope === null ? '' : `:${scope}`}`;
    const newer = this.latest.get(id);
    if (newer !== undefined && newer > at) return newer;
    this.latest.set(id, at);
    return null;
  }

  readonly notices = new Map<string, number>();

  async firstNotice(topic: string, now: Date, windowMs: number): Promise<boolean> {
    await Promise.resolve();
    const until = this.notices.get(topic);
    if (until !== undefined && until > now.getTime()) return false;
    this.notices.set(topic, now.getTime() + windowMs);
    return true;
  }

  async takeBudgetSlot(policy: string, runKey: string, _now: Date, idempotencyKey: string): Promise<number> {
    await Promise.resolve();
    const key = `${policy}\u0000${runKey}`;
    const taken = this.budgetSlots.get(`${key}\u0000${idempotencyKey}`);
    if (taken !== undefined) return taken;
    const next = (this.budgets.get(key) ?? 0) + 1;
    this.budgets.set(key, next);
    this.budgetSlots.set(`${key}\u0000${idempotencyKey}`, next);
    return next;
  }
}
