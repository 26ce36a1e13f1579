import type { FleetResource } from '../policy/decision.ts';
import { operationSpec } from './operations.ts';
import type { LedgerRecord } from './ports.ts';

/**
 * Moves a long-running operation's record forward from what was observed later (a Redshift event,
 * a reconcile tick's fleet read, a snapshot describe). Pure: returns the same object when nothing
 * changes, so callers write only when `next !== record`. When the action declares `reached`, the
 * expected state completes the record only if the observed resource shows what was asked; without the
 * resource it cannot be told, so the record stays in progress. `now` is when the observation was made.
 */
export function advance(
  record: LedgerRecord,
  observedState: string | null,
  now: Date,
  resource?: FleetResource | null,
): LedgerRecord {
  if (record.status !== 'in-progress' || observedState === null) return record;
  const spec = operationSpec(record.action);
  const at = now.toISOString();
  if (record.expectedState !== null && observedState === record.expectedState) {
    const reached = spec?.reached === undefined ? true : resource ? spec.reached(resource, record.params) : null;
    if (reached === null) {
      return observedState === record.afterState ? record : { ...record, afterState: observedState, updatedAt: at };
    }
    if (reached !== true) {
      // A read from before the call (the sweep read the fleet, then the executor claimed and called)
      // shows the state the call starts from: it says nothing yet. `now` is when the read began.
      if (Date.parse(record.claimedAt) >= now.getTime()) return record;
      return {
        ...record,
        status: 'failed',
        retryable: false,
        afterState: observedState,
        outcomeReason: `ended ${observedState} without what was asked: ${reached}`,
        updatedAt: at,
        completedAt: at,
      };
    }
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
