import type { AppDeps } from '../../shared/app/deps.ts';
import { DEFAULT_DECISION_MAX_AGE_SECONDS } from '../../shared/app/env-deps.ts';
import { buildInProcessDeps } from '../../shared/app/memory-deps.ts';
import { BREAKER_DEFAULTS } from '../../shared/execute/circuit-breaker.ts';
import { MemoryLedger } from '../../shared/execute/memory-ledger.ts';
import type { ActionEventDetail, Alert, NotifierPort } from '../../shared/execute/ports.ts';
import { createObservability } from '../../shared/lambda/observability.ts';
import type { Decision } from '../../shared/policy/decision.ts';
import type { PolicySet } from '../../shared/policy/policy-loader.ts';
import type { World } from './world.ts';

/**
 * AppDeps over the bench world: the real adapters and fleet reader over simulator-attached SDK
 * clients, an in-memory ledger, a queue and notifier that only count, and the simulator's clock.
 */
export interface BenchDeps extends AppDeps {
  readonly sent: Decision[];
  readonly alerts: Alert[];
}

export function benchDeps(world: World, policies: PolicySet, service: string): BenchDeps {
  const sent: Decision[] = [];
  const alerts: Alert[] = [];
  const notifier: NotifierPort = {
    async alert(alert: Alert) {
      alerts.push(alert);
    },
    async event(_detail: ActionEventDetail) {},
  };
  const deps = buildInProcessDeps({
    config: {
      region: world.sim.region,
      stage: 'bench',
      alertTopicArn: 'arn:aws:sns:us-east-1:123456789012:bench-alerts',
      decisionQueueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/bench.fifo',
      ledgerTableName: 'bench-ledger',
      maxReceiveCount: 5,
      breaker: BREAKER_DEFAULTS,
      accounts: null,
      decisionMaxAgeSeconds: DEFAULT_DECISION_MAX_AGE_SECONDS,
      decisionDlqUrl: null,
    },
    policies,
    redshift: world.redshift,
    serverless: world.serverless,
    queue: {
      async send(decisions) {
        sent.push(...decisions);
        return { sent: decisions.length };
      },
    },
    ledger: new MemoryLedger(),
    notifier,
    clock: { now: () => world.sim.clock.now() },
    nowMs: () => world.sim.clock.nowMs(),
    observability: createObservability({ service }),
  });
  return { sent, alerts, ...deps };
}
