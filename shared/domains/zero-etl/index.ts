import type { CapabilityRegistration } from '../../policy/capability.ts';
import { createClusterSnapshot } from '../snapshots/snapshot.actions.ts';
import { pauseCluster, resumeCluster } from '../windows/window.actions.ts';
import { ZERO_ETL_ACTIONS } from './integration-actions.ts';
import { reactionsCapability as reactionBlock } from './reaction.capability.ts';
import { reactionTracker } from './reaction-tracker.ts';
import { recreateMatchesIntegration } from './recreate.action.ts';
import { recreateFromRecord } from './recreate-create.action.ts';

/**
 * Reactions (`on`/`do`): zero-ETL integration events by id (resume the target, fix its parameter group,
 * runbook alerts, folded repeats) and alarms for any policy (pause, resume, snapshot, alert). The windows'
 * and snapshots' own declarations are listed, not copied: one declaration per action.
 */
export const reactionsCapability: CapabilityRegistration = {
  ...reactionBlock,
  actions: [resumeCluster, pauseCluster, createClusterSnapshot, ...ZERO_ETL_ACTIONS],
  guardrails: [recreateMatchesIntegration, recreateFromRecord],
  tracker: reactionTracker,
};
