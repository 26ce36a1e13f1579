import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { AppDeps } from '../../shared/app/deps.ts';
import { depsFromEnv } from '../../shared/app/env-deps.ts';
import { createDecisionBatchRunner } from '../../shared/app/execute.use-case.ts';
import { loadPackagedPoliciesSync } from '../../shared/app/packaged-policy-file.ts';
import { observe } from '../../shared/lambda/observability.ts';

/**
 * The executor: the only function that changes clusters. SQS FIFO batches from the decision queue
 * (ReportBatchItemFailures): per decision ledger claim → one Describe → guardrails → AWS call → ledger
 * → alert and `Autopilot Action` event; failed items are redelivered, in group order.
 */
export function createExecuteDecisionHandler(deps: AppDeps) {
  const runner = createDecisionBatchRunner(deps);
  return observe<SQSEvent, SQSBatchResponse>(deps.observability, (event) => runner.run(event.Records));
}

// The executor loads the deployed policies too: it acts only on what one of them decided (issue 22).
export const handler = createExecuteDecisionHandler(
  depsFromEnv({ service: 'execute-decision', loadPolicies: loadPackagedPoliciesSync }),
);
