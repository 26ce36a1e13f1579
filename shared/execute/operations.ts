import type { ResourceType } from '../events/normalized-event.ts';
import clusterStatuses from './cluster-statuses.json' with { type: 'json' };

/**
 * What the executor may call, on which resource type, in which states, and what "done" looks like.
 * Preconditions come from the cluster status table (catalog/cluster-statuses.json, guide L2935–2965)
 * and the pause/resume text (L3628–3659): an operation is allowed in the listed states only; every
 * other state (modifying, resizing, `available, prep-for-resize`, `available, resize-cleanup`,
 * rebooting, renaming, pausing, resuming, relocating, …) refuses. Unknown states refuse too.
 */
export interface OperationSpec {
  resourceType: Extract<ResourceType, 'cluster' | 'workgroup'>;
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

const CLUSTER_BROKEN = [
  'hardware-failure',
  'incompatible-hsm',
  'incompatible-network',
  'incompatible-parameters',
  'incompatible-restore',
  'deleting',
] as const;

export const OPERATIONS = {
  PauseCluster: {
    resourceType: 'cluster',
    idParam: 'ClusterIdentifier',
    allowedStatuses: ['available'],
    finalState: 'paused',
    failedStates: CLUSTER_BROKEN,
    observes: 'resource',
    stateKey: 'running',
  },
  ResumeCluster: {
    resourceType: 'cluster',
    idParam: 'ClusterIdentifier',
    allowedStatuses: ['paused'],
    allowedAvailability: [null, 'Paused'],
    finalState: 'available',
    failedStates: CLUSTER_BROKEN,
    observes: 'resource',
    stateKey: 'running',
  },
  // Snapshots are blocked during the elastic-resize sub-states (L2941–2942) and on a paused cluster (L3640).
  CreateClusterSnapshot: {
    resourceType: 'cluster',
    idParam: 'ClusterIdentifier',
    allowedStatuses: ['available'],
    finalState: 'available',
    failedStates: ['failed', 'deleted'],
    observes: 'created',
    stateKey: null,
  },
  // Retention: the snapshot is what changes; the cluster may be paused. Only tagged snapshots reach
  // here (decide), and the adapter re-reads the snapshot's tags before deleting (issue 6).
  DeleteClusterSnapshot: {
    resourceType: 'cluster',
    idParam: 'SnapshotClusterIdentifier',
    allowedStatuses: [],
    anyState: true,
    finalState: null,
    failedStates: [],
    observes: 'created',
    stateKey: null,
  },
  // Cross-Region copy changes the cluster's configuration: only on an available cluster.
  EnableSnapshotCopy: {
    resourceType: 'cluster',
    idParam: 'ClusterIdentifier',
    allowedStatuses: ['available'],
    finalState: null,
    failedStates: [],
    observes: 'resource',
    stateKey: null,
  },
  ModifySnapshotCopyRetentionPeriod: {
    resourceType: 'cluster',
    idParam: 'ClusterIdentifier',
    allowedStatuses: ['available'],
    finalState: null,
    failedStates: [],
    observes: 'resource',
    stateKey: null,
  },
  // Serverless snapshots are of the workgroup's namespace, which must be Available (L2435).
  CreateSnapshot: {
    resourceType: 'workgroup',
    idParam: 'namespaceName',
    idOf: 'namespace',
    allowedStatuses: ['AVAILABLE'],
    finalState: 'AVAILABLE',
    failedStates: ['FAILED', 'CANCELLED', 'DELETED'],
    observes: 'created',
    stateKey: null,
  },
  DeleteSnapshot: {
    resourceType: 'workgroup',
    idParam: 'snapshotName',
    idOf: 'none',
    allowedStatuses: [],
    anyState: true,
    finalState: null,
    failedStates: [],
    observes: 'created',
    stateKey: null,
  },
  CreateSnapshotCopyConfiguration: {
    resourceType: 'workgroup',
    idParam: 'namespaceName',
    idOf: 'namespace',
    allowedStatuses: ['AVAILABLE'],
    finalState: null,
    failedStates: [],
    observes: 'resource',
    stateKey: null,
  },
  // Never resize a paused cluster (DESIGN.md §5).
  ResizeCluster: {
    resourceType: 'cluster',
    idParam: 'ClusterIdentifier',
    allowedStatuses: ['available'],
    finalState: 'available',
    failedStates: CLUSTER_BROKEN,
    observes: 'resource',
    stateKey: 'size',
  },
  UpdateWorkgroup: {
    resourceType: 'workgroup',
    idParam: 'workgroupName',
    allowedStatuses: ['AVAILABLE'],
    finalState: 'AVAILABLE',
    failedStates: [],
    observes: 'resource',
    stateKey: 'capacity',
  },
} as const satisfies Record<string, OperationSpec>;

export type OperationName = keyof typeof OPERATIONS;

export function operationSpec(action: string): OperationSpec | null {
  return Object.hasOwn(OPERATIONS, action) ? OPERATIONS[action as OperationName] : null;
}

/** Every cluster status the guide names: the table plus the ones only in its text, plus `resuming` (GAP in the guide). */
export const KNOWN_CLUSTER_STATUSES: readonly string[] = [
  ...clusterStatuses.statusTable.map((row) => row.status),
  ...clusterStatuses.statusesMentionedOutsideTable.map((row) => row.status),
  'resuming',
];

/** `ClusterAvailabilityStatus` values in which a cluster can take an operation (null: not reported). */
export const USABLE_AVAILABILITY = [null, 'Available'] as const;
