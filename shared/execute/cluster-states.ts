/**
 * Cluster states every capability's action declarations share. A leaf module (no imports): capability
 * folders and the executor both read it, so it must not pull the registry in.
 */

/** States after which a cluster operation has failed for good (guide L2935–2965). */
export const CLUSTER_BROKEN = [
  'hardware-failure',
  'incompatible-hsm',
  'incompatible-network',
  'incompatible-parameters',
  'incompatible-restore',
  'deleting',
] as const;

/** `ClusterAvailabilityStatus` values in which a cluster can take an operation (null: not reported). */
export const USABLE_AVAILABILITY = [null, 'Available'] as const;
