/**
 * The statuses after which a Data API statement changes no more. A module of its own so the drill's
 * canary state (shared/domains/failover-drill, loaded with the registry by validate and every function)
 * reads it without loading the RedshiftDataClient.
 */
export const STATEMENT_ENDED: readonly string[] = ['FINISHED', 'FAILED', 'ABORTED'];
