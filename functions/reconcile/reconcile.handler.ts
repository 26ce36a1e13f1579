import { parseIngress, reportReceived } from '../../shared/lambda/ingest.ts';
import { withObservability } from '../../shared/lambda/observability.ts';

/**
 * EventBridge Scheduler tick (infra/reconcile.yml). The target input is
 * `{"source":"autopilot.scheduler","schedule":"reconcile","scheduledTime":"<aws.scheduler.scheduled-time>"}`.
 * For now the tick is normalized and reported; the fleet sweep (issue 4) plugs in here.
 */
export const handler = withObservability<unknown, { received: number }>(
  { service: 'reconcile' },
  async (event, tools) => {
    const ticks = parseIngress(event, new Date().toISOString(), tools);
    // sweep: read the fleet page by page, decide() for every desired-state policy, enqueue what differs.
    reportReceived(ticks, tools);
    return { received: ticks.length };
  },
);
