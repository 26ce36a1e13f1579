import type { EventBridgeEvent } from 'aws-lambda';
import type { AppDeps } from '../../shared/app/deps.ts';
import { depsFromEnv } from '../../shared/app/env-deps.ts';
import { type IngestResult, ingestPayload } from '../../shared/app/ingest.use-case.ts';
import { loadPackagedPoliciesSync } from '../../shared/app/packaged-policy-file.ts';
import { observe } from '../../shared/lambda/observability.ts';

/**
 * EventBridge rules of infra/ingest.yml: zero-ETL integration events, Redshift Serverless events,
 * CloudWatch alarm state changes on Redshift metrics and state-changing API calls seen by CloudTrail:
 * normalize → decide → enqueue (e.g. zero-ETL 0018/0019 → resume the target cluster).
 */
export function createIngestEventBridgeHandler(deps: AppDeps) {
  return observe<EventBridgeEvent<string, unknown>, IngestResult>(deps.observability, (event, tools) =>
    ingestPayload(event, deps, tools),
  );
}

export const handler = createIngestEventBridgeHandler(
  depsFromEnv({ service: 'ingest-event-bridge', loadPolicies: loadPackagedPoliciesSync }),
);
