import type { CapabilityRegistration } from '../../policy/capability.ts';
import { isSnapshotEvent, snapshotTracker } from '../snapshots/snapshot-tracker.ts';
import { foldable, foldTracker } from './reaction-fold.ts';
import { isDeletedEvent, sendCreateSteps } from './recreate-step.ts';

/**
 * The reactions' tracker: folds repeated integration warnings, decides the create step of a recreate
 * once its delete is done (0001, or the sweep: recreate-step.ts — sent to the executor through the
 * decision queue, never called from here), and — when no snapshots policy is deployed
 * (whose tracker would do it) — verifies the snapshots a reaction took, so their ledger records close.
 */
export const reactionTracker: NonNullable<CapabilityRegistration['tracker']> = {
  handles: (event) => foldable(event) || isSnapshotEvent(event) || isDeletedEvent(event),
  observesOnly: (event) => !isSnapshotEvent(event),
  create(deps) {
    const folder = foldTracker.create(deps);
    const snapshotsDeployed = deps.policies.some((p) => p.capability.key === 'snapshots');
    const verifier = snapshotsDeployed ? null : snapshotTracker.create(deps);
    return {
      async onEvent(event) {
        if (isDeletedEvent(event)) {
          await sendCreateSteps(deps);
          return null;
        }
        return isSnapshotEvent(event) ? (verifier?.onEvent(event) ?? null) : folder.onEvent(event);
      },
      async sweep(fleet) {
        const swept = await folder.sweep(fleet);
        const folded = { ...swept, counts: { ...swept.counts, recreateCreatesSent: await sendCreateSteps(deps) } };
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
