import type { Decision } from '../policy/decision.ts';
import type { LedgerPort, LedgerRecord } from './ports.ts';

/**
 * Ledger record builders: the executor's claim, the policy-alert executor's claim, the snapshot
 * verifier's deadline and watch records all start from a fresh record built here.
 */

/** What identifies a ledger record; `newLedgerRecord` fills the rest as a fresh, unfinished record. */
export type LedgerRecordCore = Pick<
  LedgerRecord,
  | 'idempotencyKey'
  | 'policy'
  | 'action'
  | 'target'
  | 'mode'
  | 'params'
  | 'reason'
  | 'decisionAt'
  | 'claimToken'
  | 'leaseUntil'
>;

/** A `pending` ledger record with nothing observed yet, claimed at `now`. */
export function newLedgerRecord(core: LedgerRecordCore, now: Date, attempts = 0): LedgerRecord {
  const at = now.toISOString();
  return {
    ...core,
    status: 'pending',
    retryable: false,
    attempts,
    outcomeReason: null,
    beforeState: null,
    afterState: null,
    expectedState: null,
    createdId: null,
    error: null,
    budgetSlot: null,
    claimedAt: at,
    updatedAt: at,
    completedAt: null,
  };
}

/**
 * The ledger record a claim writes: `pending`, owned by a fresh token for one lease. It counts as an
 * attempt from the start, so an attempt that dies before writing its outcome is still counted.
 */
export function pendingRecord(
  decision: Decision,
  now: Date,
  lease: { newToken: () => string; leaseMs: number },
): LedgerRecord {
  const record = newLedgerRecord(
    {
      idempotencyKey: decision.idempotencyKey,
      policy: decision.policy,
      action: decision.action,
      target: decision.target,
      mode: decision.mode,
      params: decision.params,
      reason: decision.reason,
      decisionAt: decision.at,
      claimToken: lease.newToken(),
      leaseUntil: new Date(now.getTime() + lease.leaseMs).toISOString(),
    },
    now,
    1,
  );
  return decision.digest === undefined ? record : { ...record, digest: decision.digest };
}

/**
 * A write whose every answer was lost may still have committed: read the record back before calling
 * it failed. Ours (same token and update time) means written, so the outcome is reported now —
 * otherwise the next delivery would find it done and nobody would report it.
 */
export async function saveOrReadBack(ledger: LedgerPort, record: LedgerRecord): Promise<boolean> {
  try {
    return await ledger.save(record);
  } catch (error) {
    const stored = await ledger.get(record.idempotencyKey).catch(() => null);
    const written =
      stored !== null &&
      stored.claimToken === record.claimToken &&
      stored.status === record.status &&
      stored.updatedAt === record.updatedAt;
    if (!written) throw error;
    return true;
  }
}
