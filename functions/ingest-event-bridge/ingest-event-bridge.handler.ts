import type { EventBridgeEvent } from 'aws-lambda';
import { parseIngress, reportReceived } from '../../shared/lambda/ingest.ts';
import { withObservability } from '../../shared/lambda/observability.ts';

/**
 * EventBridge rules of infra/ingest.yml: zero-ETL integration events, Redshift Serverless events,
 * CloudWatch alarm state changes on Redshift metrics and state-changing API calls seen by CloudTrail.
 */
export const handler = withObservability<EventBridgeEvent<string, unknown>, { received: number }>(
  { service: 'ingest-event-bridge' },
  async (event, tools) => {
    const events = parseIngress(event, new Date().toISOString(), tools);
    // decide → act: the policy engine (issue 3) and the decision queue (issue 4) plug in here.
    reportReceived(events, tools);
    return { received: events.length };
  },
);
