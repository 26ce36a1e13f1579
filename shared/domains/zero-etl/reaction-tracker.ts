import type { CapabilityRegistration } from '../../policy/capability.ts';
import { isSnapshotEvent, snapshotTracker } from '../snapshots/snapshot-tracker.ts';
import { foldable, foldTracker } from './reaction-fold.ts';

/**
 * The reactions' tracker: folds repeated integration warnings, and — when no snapshots policy is deployed
 * (whose tracker would do it) — verifies the snapshots a reaction took, so their ledger records close.
 */
export const reactionTracker: NonNullable<CapabilityRegistration['tracker']> = {
  handles: (event) => foldable(event) || isSnapshotEvent(event),
  observesOnly: (event) => !isSnapshotEvent(event),
  create(deps) {
    const folder = foldTracker.create(deps);
    const snapshotsDeployed = deps.policies.some((p) => p.capability.key === 'snapshots');
    const verifier = snapshotsDeployed ? null : snapshotTracker.create(deps);
    return {
      onEvent: (event) =>
        isSnapshotEvent(event) ? (verifier?.onEvent(event) ?? Promise.resolve(null)) : folder.onEvent(event),
      async sweep(fleet) {
        const folded = await folder.sweep(fleet);
        if (verifier === null) return folded;
        const verified = await verifier.sweep(fleet);
        return {
          counts: { ...folded.counts, ...verified.counts },
          failures: { ...folded.failures, ...verified.failures },
        };
      },
    };
  },
};
