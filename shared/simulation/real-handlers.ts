/**
 * The deployed functions' own factories: the simulation runs exactly the code Lambda runs, with
 * simulation deps instead of `depsFromEnv()`. Each function gets the same deps object here; in AWS
 * each has its own container, but nothing in them is per-function state the simulation could share
 * wrongly (the ledger is the shared table, the clients are stateless).
 */
import { createExecuteDecisionHandler } from '../../functions/execute-decision/execute-decision.handler.ts';
import { createIngestEventBridgeHandler } from '../../functions/ingest-event-bridge/ingest-event-bridge.handler.ts';
import { createIngestRedshiftEventHandler } from '../../functions/ingest-redshift-event/ingest-redshift-event.handler.ts';
import { createReconcileHandler } from '../../functions/reconcile/reconcile.handler.ts';
import { createWatchDrillsHandler } from '../../functions/watch-drills/watch-drills.handler.ts';
import type { AppDeps } from '../app/deps.ts';
import type { HandlerSet, LambdaHandler } from './lambda-runtime.ts';

export function realHandlers(deps: AppDeps): HandlerSet {
  // As deployed, only the drill watcher holds the Redshift Data API client (and its IAM): the others step
  // a drill without its canary.
  const { dataApi: _watcherOnly, ...others } = deps;
  return {
    ingestRedshiftEvent: createIngestRedshiftEventHandler(others) as unknown as LambdaHandler,
    ingestEventBridge: createIngestEventBridgeHandler(others) as unknown as LambdaHandler,
    reconcile: createReconcileHandler(others) as unknown as LambdaHandler,
    executeDecision: createExecuteDecisionHandler(others) as unknown as LambdaHandler,
    watchDrills: createWatchDrillsHandler(deps) as unknown as LambdaHandler,
  };
}
