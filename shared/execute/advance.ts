import { operationSpec } from './operations.ts';
import type { LedgerRecord } from './ports.ts';

/**
 * Moves a long-running operation's record forward from what was observed later (a Redshift event,
 * a reconcile tick's fleet read, a snapshot describe). Pure: returns the same object when nothing
 * changes, so callers write only when `next !== record`.
 */
export function advance(record: LedgerRecord, observedState: string | null, now: Date): LedgerRecord {
  if (record.status !== 'in-progress' || observedState === null) return record;
  const spec = operationSpec(record.action);
  const at = now.toISOString();
  if (record.expectedState !== null && observedState === record.expectedState) {
    return {
      ...record,
      status: 'succeeded',
      afterState: observedState,
      outcomeReason: `reached ${observedState}`,
      updatedAt: at,
      completedAt: at,
    };
  }
  if (spec?.failedStates.includes(observedState)) {
    return {
      ...record,
      status: 'failed',
      retryable: false,
      afterState: observedState,
      outcomeReason: `ended in ${observedState} instead of ${record.expectedState ?? 'completion'}`,
      updatedAt: at,
      completedAt: at,
    };
  }
  if (observedState === record.afterState) return record;
  return { ...record, afterState: observedState, updatedAt: at };
}
