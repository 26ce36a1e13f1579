import { quoteEventText } from '../../events/event-text.ts';
import type { NormalizedEvent } from '../../events/normalized-event.ts';
import type { LedgerRecord } from '../../execute/ports.ts';
import { outcomeAlert } from '../../execute/report.ts';
import type { CapabilityRegistration, TrackerDeps } from '../../policy/capability.ts';
import { createSnapshotVerifier, isSnapshotEvent } from '../snapshots/snapshot-tracker.ts';
import { isCompiledSnapshots } from '../snapshots/snapshots.capability.ts';

/**
 * The resize failures Redshift reports (facts.md §3), read before ingest advances the cluster's records:
 * a rolled-back resize leaves the cluster `available` with its old node count, which the sweep alone
 * would read as done. A final failure closes the record as failed (not retryable) and alerts once with
 * the catalog message; decide() then does not ask for the same resize again before the next boundary.
 * 3500 says AWS retries by itself: alerted once, the record stays in progress (its deadline still holds).
 */
interface FailureEvent {
  final: boolean;
  what: string;
  next: string;
}

export const RESIZE_FAILURE_EVENTS: Readonly<Record<string, FailureEvent>> = {
  'REDSHIFT-EVENT-3013': {
    final: true,
    what: 'elastic resize failed',
    next: 'not retried: the cluster keeps its size until the next window boundary; read the reason, and check DescribeNodeConfigurationOptions --action-type resize-cluster for the sizes AWS accepts',
  },
  'REDSHIFT-EVENT-3500': {
    final: false,
    what: 'resize failed; AWS retries it automatically in a few minutes',
    next: 'nothing to do yet: the sweep keeps watching and alerts if the resize misses its deadline',
  },
  'REDSHIFT-EVENT-3533': {
    final: true,
    what: 'resize cancelled',
    next: 'not retried: do what the message asks, then the next window boundary resizes again',
  },
  'REDSHIFT-EVENT-3600': {
    final: true,
    what: 'resize rolled back',
    next: 'not retried: the cluster keeps its old size until the next window boundary; look at its events for the cause',
  },
  'REDSHIFT-EVENT-3686': {
    final: true,
    what: 'resize failed: not enough disk space, rolled back',
    next: 'not retried: choose sizes with room for the data (more nodes or a larger node type) in the policy',
  },
};

const RETRY_NOTE = 'AWS retries (REDSHIFT-EVENT-3500)';

export function isResizeFailure(event: NormalizedEvent): boolean {
  return (
    event.eventId !== null && event.resource.type === 'cluster' && Object.hasOwn(RESIZE_FAILURE_EVENTS, event.eventId)
  );
}

async function onFailure(deps: TrackerDeps, event: NormalizedEvent): Promise<LedgerRecord | null> {
  const failure = RESIZE_FAILURE_EVENTS[event.eventId ?? ''];
  if (failure === undefined) return null;
  const records = (await deps.ledger.listInFlight()).filter(
    (r) => r.action === 'ResizeCluster' && r.status === 'in-progress' && r.target.id === event.resource.id,
  );
  let changed: LedgerRecord | null = null;
  for (const record of records) {
    if (!failure.final && record.outcomeReason?.startsWith(RETRY_NOTE) === true) continue;
    const at = deps.clock.now().toISOString();
    const said = `${event.eventId} at ${event.time}: ${quoteEventText(event.message)}`;
    const next: LedgerRecord = failure.final
      ? {
          ...record,
          status: 'failed',
          retryable: false,
          outcomeReason: `${failure.what} (${said}); ${failure.next}`,
          updatedAt: at,
          completedAt: at,
        }
      : { ...record, outcomeReason: `${RETRY_NOTE}: ${said}; ${failure.next}`, updatedAt: at };
    if (!(await deps.ledger.save(next))) continue;
    changed = next;
    await deps.notifier.alert(outcomeAlert(next, failure.final ? 'failed' : 'in-progress', deps.region));
  }
  return changed;
}

/**
 * The snapshots taken before a resize (snapshotBefore) are closed by the snapshots capability's
 * verifier: its events (2009/3004/3503/2010) and its sweep's poll. Trackers run only for capabilities
 * the deployed policies use, so when no snapshots policy is deployed the resize tracker runs that
 * verifier itself; when one is, the snapshots tracker already does, and this one leaves them alone.
 */
function ownVerifier(deps: TrackerDeps) {
  return deps.policies.some((p) => isCompiledSnapshots(p.capability)) ? null : createSnapshotVerifier(deps);
}

export const resizeTracker: NonNullable<CapabilityRegistration['tracker']> = {
  handles: (event) => isResizeFailure(event) || isSnapshotEvent(event),
  create(deps) {
    const verifier = ownVerifier(deps);
    return {
      onEvent: async (event) => {
        if (isResizeFailure(event)) return onFailure(deps, event);
        return verifier !== null && isSnapshotEvent(event) ? verifier.onEvent(event) : null;
      },
      // Completion is read by the sweep from the cluster's state (ActionSpec.reached); failures come as events.
      sweep: async (fleet) => {
        if (verifier === null) return { counts: {}, failures: {} };
        const report = await verifier.sweep(fleet);
        return { counts: { ...report }, failures: { 'snapshot before resize failed': report.failed } };
      },
    };
  },
};
