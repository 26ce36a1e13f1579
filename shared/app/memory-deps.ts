import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { RedshiftClient } from '@aws-sdk/client-redshift';
import type { RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import type { RedshiftServerlessClient } from '@aws-sdk/client-redshift-serverless';
import type { UsageReader } from '../aws/cloudwatch-usage.ts';
import { DataApiAdapter, type DataApiPort } from '../aws/data-api.adapter.ts';
import { IntegrationAdapter } from '../aws/integration.adapter.ts';
import { messageGroupId, sqsSafeId } from '../aws/queue.adapter.ts';
import { RedshiftAdapter } from '../aws/redshift.adapter.ts';
import { RedshiftServerlessAdapter } from '../aws/redshift-serverless.adapter.ts';
import type { QueueRecord } from '../execute/batch-processor.ts';
import { BREAKER_DEFAULTS } from '../execute/circuit-breaker.ts';
import { type DigestMessage, digestQueueIds } from '../execute/digest.ts';
import { MemoryLedger } from '../execute/memory-ledger.ts';
import type { ActionEventDetail, Alert, Clock, LedgerPort, NotifierPort } from '../execute/ports.ts';
import { METRICS_NAMESPACE, type Observability } from '../lambda/observability.ts';
import type { Decision } from '../policy/decision.ts';
import type { PolicySet } from '../policy/policy-loader.ts';
import { type AppConfig, type AppDeps, adapterMembers, type DecisionSender, type FleetReader } from './deps.ts';
import { DEFAULT_DECISION_MAX_AGE_SECONDS, DEFAULT_MAX_RECEIVE_COUNT } from './env-deps.ts';

/**
 * In-process AppDeps: the real adapters over SDK clients the caller attached to the simulator (or to
 * anything else), and in-memory stand-ins for what the simulator does not model — the FIFO decision
 * queue, the ledger table, the alert topic and the default event bus. For tests and the simulation
 * harness; the handlers cannot tell the difference.
 */

/** SQS FIFO deduplication window: the same MessageDeduplicationId within it is accepted and dropped. */
export const FIFO_DEDUP_WINDOW_MS = 5 * 60_000;

/** The decision queue in memory, with FIFO dedup (by idempotency key) and per-group order. */
export class MemoryDecisionQueue implements DecisionSender {
  /** Every message accepted (after dedup), in send order. */
  readonly accepted: Decision[] = [];
  readonly #clock: Clock;
  readonly #dedup = new Map<string, number>();
  readonly #pending: { record: QueueRecord; decision: Decision | null }[] = [];
  #nextId = 1;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  async send(decisions: readonly Decision[], digests: readonly DigestMessage[] = []): Promise<{ sent: number }> {
    const now = this.#clock.now().getTime();
    for (const decision of decisions) {
      const dedupId = sqsSafeId(decision.idempotencyKey);
      const seen = this.#dedup.get(dedupId);
      // SQS answers success for a duplicate within the window and delivers nothing: so do we.
      if (seen !== undefined && now - seen < FIFO_DEDUP_WINDOW_MS) continue;
      this.#dedup.set(dedupId, now);
      this.accepted.push(decision);
      this.#pending.push({ decision, record: this.#record(decision, 1) });
    }
    for (const digest of digests) {
      const ids = digestQueueIds(digest);
      if (this.#dedup.has(ids.dedupId)) continue;
      this.#dedup.set(ids.dedupId, now);
      const record = {
        messageId: `m-${this.#nextId++}`,
        body: JSON.stringify(digest),
        attributes: { MessageGroupId: ids.groupId, ApproximateReceiveCount: '1' },
      };
      this.#pending.push({ decision: null, record });
    }
    return { sent: decisions.length };
  }

  get depth(): number {
    return this.#pending.length;
  }

  /** Up to `max` messages as Lambda's SQS event records, removed from the queue (acknowledged). */
  receive(max = 10): QueueRecord[] {
    return this.#pending.splice(0, max).map((p) => p.record);
  }

  /** Puts records back as SQS would after a visibility timeout (failed items of a partial batch response). */
  redeliver(records: readonly QueueRecord[]): void {
    for (const record of records) {
      const count = Number(record.attributes.ApproximateReceiveCount ?? '1') + 1;
      this.#pending.push({
        decision: null,
        record: { ...record, attributes: { ...record.attributes, ApproximateReceiveCount: String(count) } },
      });
    }
  }

  #record(decision: Decision, receiveCount: number): QueueRecord {
    return {
      messageId: `m-${this.#nextId++}`,
      body: JSON.stringify(decision),
      attributes: { MessageGroupId: messageGroupId(decision), ApproximateReceiveCount: String(receiveCount) },
    };
  }
}

/** The alert topic and the default event bus in memory. */
export class MemoryNotifier implements NotifierPort {
  readonly alerts: Alert[] = [];
  readonly events: ActionEventDetail[] = [];
  /** Capabilities' own report events (`Autopilot Drill Report`), with their detail-type. */
  readonly reports: { detailType: string; detail: Record<string, unknown>; resources: readonly string[] }[] = [];

  async alert(alert: Alert): Promise<void> {
    this.alerts.push(alert);
  }

  async event(detail: ActionEventDetail): Promise<void> {
    this.events.push(detail);
  }

  async report(detailType: string, detail: Record<string, unknown>, resources: readonly string[]): Promise<void> {
    this.reports.push({ detailType, detail, resources });
  }
}

/** Powertools reads POWERTOOLS_METRICS_DISABLED when a Metrics object is built; build one with it set. */
function disabledWhileBuilding<T>(build: () => T): T {
  const previous = process.env.POWERTOOLS_METRICS_DISABLED;
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  try {
    return build();
  } finally {
    if (previous === undefined) delete process.env.POWERTOOLS_METRICS_DISABLED;
    else process.env.POWERTOOLS_METRICS_DISABLED = previous;
  }
}

/**
 * Powertools Logger and Metrics that print nothing. `singleMetric()` builds a fresh Metrics per call,
 * so it is wrapped to build those disabled too.
 */
export function quietObservability(service: string): Observability {
  const logger = new Logger({ serviceName: service, logLevel: 'SILENT' });
  const metrics = disabledWhileBuilding(
    () => new Metrics({ namespace: METRICS_NAMESPACE, serviceName: service, logger }),
  );
  const single = metrics.singleMetric.bind(metrics);
  metrics.singleMetric = () => disabledWhileBuilding(single);
  return { logger, metrics };
}

/**
 * A stage's configuration as serverless.yml names its resources (`redshift-autopilot-<stage>-…`), with
 * the redrive count of infra/acting.yml and the default breaker.
 */
export function stageConfig(place: { region: string; stage: string; account?: string }): AppConfig {
  const { region, stage, account = '123456789012' } = place;
  const prefix = `redshift-autopilot-${stage}`;
  return {
    region,
    stage,
    alertTopicArn: `arn:aws:sns:${region}:${account}:${prefix}-alerts`,
    decisionQueueUrl: `https://sqs.${region}.amazonaws.com/${account}/${prefix}-decisions.fifo`,
    ledgerTableName: `${prefix}-ledger`,
    maxReceiveCount: DEFAULT_MAX_RECEIVE_COUNT,
    breaker: { ...BREAKER_DEFAULTS },
    accounts: [account],
    decisionMaxAgeSeconds: DEFAULT_DECISION_MAX_AGE_SECONDS,
    decisionDlqUrl: `https://sqs.${region}.amazonaws.com/${account}/${prefix}-decisions-dlq.fifo`,
  };
}

/** What an in-process wiring chooses; the rest of AppDeps follows from it. */
export interface InProcessParts {
  config: AppConfig;
  policies: PolicySet;
  redshift: RedshiftAdapter;
  serverless: RedshiftServerlessAdapter;
  queue: DecisionSender;
  ledger: LedgerPort;
  notifier: NotifierPort;
  clock: Clock;
  /** The fleet reader's clock in ms; `clock` if omitted. */
  nowMs?: () => number;
  observability: Observability;
  /** Wraps the fleet reader, e.g. to keep what each sweep read. */
  wrapFleet?: (reader: FleetReader) => FleetReader;
  /** The sweep's usage read (CloudWatch GetMetricData); without it usage is never read. */
  usage?: UsageReader;
  /** The Redshift Data API (a failover drill's canary); without it no canary runs. */
  dataApi?: DataApiPort;
}

/** The in-process composition root: the tests' deps, the simulation's and the bench's are built here. */
export function buildInProcessDeps(parts: InProcessParts): AppDeps {
  const clock = parts.clock;
  const { fleet, resources } = adapterMembers(
    parts.redshift,
    parts.serverless,
    parts.nowMs ?? (() => clock.now().getTime()),
    parts.policies,
    parts.usage,
  );
  return {
    config: parts.config,
    policies: parts.policies,
    fleet: parts.wrapFleet?.(fleet) ?? fleet,
    queue: parts.queue,
    ledger: parts.ledger,
    notifier: parts.notifier,
    resources: {
      ...resources,
      integration: new IntegrationAdapter(parts.redshift.client, parts.ledger, () => clock.now()),
    },
    ...(parts.dataApi === undefined ? {} : { dataApi: parts.dataApi }),
    clock,
    observability: parts.observability,
  };
}

export interface InProcessOptions {
  redshift: RedshiftClient;
  redshiftServerless: RedshiftServerlessClient;
  policies: PolicySet;
  clock: Clock;
  region?: string;
  config?: Partial<AppConfig>;
  service?: string;
  observability?: Observability;
  /** A RedshiftDataClient (attached to the simulator) for a failover drill's canary. */
  redshiftData?: RedshiftDataClient;
}

export interface InProcessDeps {
  deps: AppDeps;
  queue: MemoryDecisionQueue;
  ledger: MemoryLedger;
  notifier: MemoryNotifier;
}

export function inProcessDeps(options: InProcessOptions): InProcessDeps {
  const queue = new MemoryDecisionQueue(options.clock);
  const ledger = new MemoryLedger();
  const notifier = new MemoryNotifier();
  const deps = buildInProcessDeps({
    config: { ...stageConfig({ region: options.region ?? 'us-east-1', stage: 'local' }), ...options.config },
    policies: options.policies,
    redshift: new RedshiftAdapter(options.redshift),
    serverless: new RedshiftServerlessAdapter(options.redshiftServerless),
    queue,
    ledger,
    notifier,
    clock: options.clock,
    observability: options.observability ?? quietObservability(options.service ?? 'autopilot-local'),
    ...(options.redshiftData === undefined ? {} : { dataApi: new DataApiAdapter(options.redshiftData) }),
  });
  return { deps, queue, ledger, notifier };
}
