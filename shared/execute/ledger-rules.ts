import type { ClaimResult, LedgerRecord } from './ports.ts';

/**
 * When may a new claim take over an existing record? The DynamoDB adapter expresses the same rule
 * as a ConditionExpression; the in-memory ledger calls this function. A contract test runs both.
 * - no record: yes;
 * - a failed record marked retryable (transient error, SQS redelivery): yes;
 * - a skipped record marked retryable (the resource was mid-change, e.g. `pausing` when a resume
 *   came): yes — a later tick with the same key tries again once the state allows it;
 * - a pending record whose lease expired (the executor crashed mid-way): yes — the re-read and the
 *   state guardrail then stop a second call if the first one did reach AWS;
 * - anything else (pending with a live lease, in-progress, succeeded, skipped, dry-run, failed for good): no.
 */
export function claimable(existing: LedgerRecord | null, now: Date): boolean {
  if (existing === null) return true;
  if ((existing.status === 'failed' || existing.status === 'skipped') && existing.retryable) return true;
  return existing.status === 'pending' && existing.leaseUntil < now.toISOString();
}

/**
 * What a failed claim means. Our own token: the claim had committed and the SDK's retry met it
 * (`claimed`). A `pending` record under a live lease: another attempt is at work, the message must
 * come back later (`busy`) — deleting it could drop the action if that attempt dies. Anything else is
 * handled for good (`duplicate`).
 */
export function claimOutcome(existing: LedgerRecord | null, mine: LedgerRecord, now: Date): ClaimResult {
  if (existing !== null && existing.claimToken === mine.claimToken) {
    return { kind: 'claimed', record: mine, previous: null, recovered: true };
  }
  if (existing !== null && existing.status === 'pending' && existing.leaseUntil >= now.toISOString()) {
    return { kind: 'busy', record: existing };
  }
  return { kind: 'duplicate', record: existing };
}

export const LEDGER_TTL = {
  /** Action records: long enough for audits and for the sweep to see recent history. */
  recordDays: 90,
  /** Budget counters only matter during their run. */
  budgetDays: 7,
} as const;

export function expiresAt(now: Date, days: number): number {
  return Math.floor(now.getTime() / 1000) + days * 86_400;
}
