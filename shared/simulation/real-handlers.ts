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
import type { AppDeps } from '../app/deps.ts';
import type { HandlerSet, LambdaHandler } from './lambda-runtime.ts';

export function realHandlers(deps: AppDeps): HandlerSet {
  return {
    ingestRedshiftEvent: createIngestRedshiftEventHandler(deps) as unknown as LambdaHandler,
    ingestEventBridge: createIngestEventBridgeHandler(deps) as unknown as LambdaHandler,
    reconcile: createReconcileHandler(deps) as unknown as LambdaHandler,
    executeDecision: createExecuteDecisionHandler(deps) as unknown as LambdaHandler,
  };
}
