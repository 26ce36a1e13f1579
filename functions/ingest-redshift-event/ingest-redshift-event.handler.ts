import type { SNSEvent } from 'aws-lambda';
import type { AppDeps } from '../../shared/app/deps.ts';
import { depsFromEnv } from '../../shared/app/env-deps.ts';
import { type IngestResult, ingestPayload } from '../../shared/app/ingest.use-case.ts';
import { loadPackagedPoliciesSync } from '../../shared/app/packaged-policy-file.ts';
import { observe } from '../../shared/lambda/observability.ts';

/**
 * Redshift event subscription notifications (cluster, snapshot, parameter group, security group) and
 * legacy CloudWatch alarm → SNS messages, delivered by the ingest topic: normalize → decide → enqueue.
 * A rejected payload fails the invocation so it ends in the dead-letter queue with the reason.
 */
export function createIngestRedshiftEventHandler(deps: AppDeps) {
  return observe<SNSEvent, IngestResult>(deps.observability, (event, tools) => ingestPayload(event, deps, tools));
}

export const handler = createIngestRedshiftEventHandler(
  depsFromEnv({ service: 'ingest-redshift-event', loadPolicies: loadPackagedPoliciesSync }),
);
