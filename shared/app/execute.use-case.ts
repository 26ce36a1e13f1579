import { EmfMetrics } from '../aws/metrics.adapter.ts';
import { type BatchResponse, processDecisionBatch, type QueueRecord } from '../execute/batch-processor.ts';
import { CoalescingLedger } from '../execute/coalescing-ledger.ts';
import { DIGEST_RETRY_SECONDS, type DigestMessage, reportDigest } from '../execute/digest.ts';
import type { ExecutorDeps } from '../execute/executor.ts';
import { noMetrics } from '../execute/ports.ts';
import { authorizeDecision } from '../policy/authorize.ts';
import { registry } from '../policy/registry.ts';
import { AppExecutor } from './alert-decision.ts';
import type { AppDeps } from './deps.ts';

/**
 * The executor function's use case: one SQS FIFO batch of decisions → the guarded Executor → Lambda's
 * partial batch response. The Executor is built on first use and kept per container; its metrics are
 * flushed after every batch.
 */
export interface DecisionBatchRunner {
  run(records: readonly QueueRecord[]): Promise<BatchResponse>;
}

/**
 * The executor acts only on what a deployed policy decided (issue 22): the policies bundled with this
 * function, compiled at cold start, checked per message by shared/policy/authorize.ts.
 */
export function deployedPolicyAuthority(
  deps: Pick<AppDeps, 'policies' | 'config'>,
): NonNullable<ExecutorDeps['authorize']> {
  const policies = deps.policies;
  const maxAgeMs = deps.config.decisionMaxAgeSeconds * 1000;
  return (decision, now) =>
    authorizeDecision(decision, policies, {
      now,
      maxAgeMs,
      action: (name) => registry.action(name),
      capability: (key) => registry.byKey(key),
    });
}

export function createDecisionBatchRunner(deps: AppDeps): DecisionBatchRunner {
  let built: { executor: AppExecutor; metrics: EmfMetrics; ledger: CoalescingLedger } | undefined;
  const build = () => {
    const { logger, metrics } = deps.observability;
    const emf = new EmfMetrics(metrics);
    // The batch's message groups run concurrently; their outcome writes go to DynamoDB together.
    const ledger = new CoalescingLedger(deps.ledger);
    const executor = new AppExecutor({
      resources: deps.resources,
      ledger,
      notifier: deps.notifier,
      region: deps.config.region,
      logger,
      metrics: emf,
      clock: deps.clock,
      authorize: deployedPolicyAuthority(deps),
    });
    return { executor, metrics: emf, ledger };
  };
  const digest = (message: DigestMessage, finalAttempt: boolean) => {
    if (!deps.policies.policies.some((p) => p.name === message.policy)) {
      // Not from a deployed policy: nothing of ours to report (its records would carry its id).
      deps.observability.logger.warn('digest of a policy not deployed here, dropped', { policy: message.policy });
      return Promise.resolve('nothing' as const);
    }
    const { logger } = deps.observability;
    const metrics = built?.metrics ?? noMetrics;
    return reportDigest(
      message,
      {
        ledger: deps.ledger,
        notifier: deps.notifier,
        region: deps.config.region,
        logger,
        metrics,
        now: () => deps.clock.now(),
      },
      finalAttempt,
    );
  };
  return {
    async run(records) {
      built ??= build();
      // Absent where the wiring has no decision queue (a test harness): a waiting digest then takes the queue's timeout.
      const queue = deps.queue as Partial<AppDeps['queue']> | undefined;
      const later = queue?.later?.bind(queue);
      // The batch's `Autopilot Action` events go out together at its end (PutEvents takes 10 entries).
      const release = deps.notifier.hold?.();
      try {
        const report = await processDecisionBatch(records, built.executor, {
          maxReceiveCount: deps.config.maxReceiveCount,
          breaker: deps.config.breaker,
          logger: deps.observability.logger,
          session: built.ledger,
          digest,
          ...(later === undefined ? {} : { digestRetry: { seconds: DIGEST_RETRY_SECONDS, later } }),
          ...(deps.deadLetters === undefined ? {} : { deadLetter: deps.deadLetters }),
        });
        return { batchItemFailures: report.batchItemFailures };
      } finally {
        await release?.().catch((error: unknown) => {
          built?.metrics.count('failures', 'event-publish');
          deps.observability.logger.error('event publish failed', { error: String(error) });
        });
        built.metrics.flush();
      }
    },
  };
}
