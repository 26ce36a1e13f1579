import type { CapabilityRegistration } from '../../policy/capability.ts';
import { SNAPSHOT_ACTIONS } from './snapshot.actions.ts';
import { snapshotTracker } from './snapshot-tracker.ts';
import { snapshotsCapability as snapshotsBlock } from './snapshots.capability.ts';

/** Snapshots: the `snapshots` block and its create, retention-delete and cross-Region copy actions. */
export const snapshotsCapability: CapabilityRegistration = {
  ...snapshotsBlock,
  actions: SNAPSHOT_ACTIONS,
  tracker: snapshotTracker,
};
