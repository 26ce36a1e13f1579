import type { SNSEvent } from 'aws-lambda';
import { parseIngress, reportReceived } from '../../shared/lambda/ingest.ts';
import { withObservability } from '../../shared/lambda/observability.ts';

/**
 * Redshift event subscription notifications (cluster, snapshot, parameter group, security group) and
 * legacy CloudWatch alarm → SNS messages, delivered by the ingest topic. A rejected payload fails the
 * invocation so it ends in the dead-letter queue with the reason.
 */
export const handler = withObservability<SNSEvent, { received: number }>(
  { service: 'ingest-redshift-event' },
  async (event, tools) => {
    const events = parseIngress(event, new Date().toISOString(), tools);
    // decide → act: the policy engine (issue 3) and the decision queue (issue 4) plug in here.
    reportReceived(events, tools);
    return { received: events.length };
  },
);
