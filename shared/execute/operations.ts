import type { ResourceType } from '../events/normalized-event.ts';
import { actionRegistry } from './action-registry.ts';
import type { ActionSpec } from './action-spec.ts';
import clusterStatuses from './cluster-statuses.json' with { type: 'json' };

/**
 * The execution half of an action declaration (ActionSpec extends it; each capability declares its
 * actions in its own folder): on which resource type, in which states, and what "done" looks like.
 * Preconditions come from the cluster status table (catalog/cluster-statuses.json, guide L2935–2965)
 * and the pause/resume text (L3628–3659): an operation is allowed in the listed states only; every
 * other state (modifying, resizing, `available, prep-for-resize`, `available, resize-cleanup`,
 * rebooting, renaming, pausing, resuming, relocating, …) refuses. Unknown states refuse too.
 */
export interface OperationSpec {
  resourceType: Extract<ResourceType, 'cluster' | 'workgroup' | 'integration'>;
  /** The params key that names the target; it must equal `decision.target.id`. */
  idParam: string;
  /** States in which the call is allowed (exact match, as AWS spells them). */
  allowedStatuses: readonly string[];
  /** State that means the operation finished; null when the call is complete when it returns. */
  finalState: string | null;
  /** States after which the operation has failed (for `advance`). */
  failedStates: readonly string[];
  /** Whose state shows completion: the target itself, or what the call created (a snapshot). */
  observes: 'resource' | 'created';
  /**
   * The property of the resource this operation sets. Decisions on the same property supersede
   * each other by `at` (a late, older resume must not undo a newer pause); null: independent
   * (every snapshot stands alone).
   */
  stateKey: 'running' | 'size' | 'capacity' | null;
  /**
   * What `idParam` names: the target itself (default); the re-read workgroup's namespace (Serverless
   * snapshot calls take `namespaceName`); or nothing the target can vouch for (`DeleteSnapshot` takes only
   * the snapshot name: the adapter re-reads the snapshot and checks its namespace and tags instead).
   */
  idOf?: 'target' | 'namespace' | 'none';
  /** The target's state does not matter (a paused cluster's snapshots can be deleted). */
  anyState?: boolean;
  /**
   * `ClusterAvailabilityStatus` values the call accepts; default USABLE_AVAILABILITY. A paused cluster
   * reports `Paused` (recorded test_redshift_resume/DescribeClusters_1), so resume must accept it.
   */
  allowedAvailability?: readonly (string | null)[];
}

/** The declaration of an action, from the capability registry; null for an action no capability declares. */
export function operationSpec(action: string): ActionSpec | null {
  return actionRegistry.action(action);
}

/** Every cluster status the guide names: the table plus the ones only in its text, plus `resuming` (GAP in the guide). */
export const KNOWN_CLUSTER_STATUSES: readonly string[] = [
  ...clusterStatuses.statusTable.map((row) => row.status),
  ...clusterStatuses.statusesMentionedOutsideTable.map((row) => row.status),
  'resuming',
];

export { USABLE_AVAILABILITY } from './cluster-states.ts';
