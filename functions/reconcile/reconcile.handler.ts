import type { AppDeps } from '../../shared/app/deps.ts';
import { depsFromEnv } from '../../shared/app/env-deps.ts';
import { loadPackagedPoliciesSync } from '../../shared/app/packaged-policy-file.ts';
import { type ReconcileResult, reconcilePayload } from '../../shared/app/reconcile.use-case.ts';
import { observe } from '../../shared/lambda/observability.ts';

/**
 * EventBridge Scheduler tick (infra/reconcile.yml), input
 * `{"source":"autopilot.scheduler","schedule":"reconcile","scheduledTime":"<aws.scheduler.scheduled-time>"}`:
 * the sweep — fleet page by page, decide() per desired-state policy, enqueue what differs.
 */
export function createReconcileHandler(deps: AppDeps) {
  return observe<unknown, ReconcileResult>(deps.observability, (event, tools) => reconcilePayload(event, deps, tools));
}

export const handler = createReconcileHandler(
  depsFromEnv({ service: 'reconcile', loadPolicies: loadPackagedPoliciesSync }),
);
