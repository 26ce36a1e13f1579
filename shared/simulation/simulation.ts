/**
 * The deployed code path, in process, on a virtual clock: the Redshift simulator behind real SDK
 * clients; the events it emits delivered as AWS delivers them (SNS records of the event
 * subscription → ingest-redshift-event, EventBridge events → ingest-event-bridge); an EventBridge
 * Scheduler tick every 5 minutes → reconcile; the decision queue (SQS FIFO stand-in) drained by a
 * Lambda SQS poller → execute-decision; the ledger in memory with DynamoDB's conditional semantics;
 * alerts on an SNS topic stand-in and `Autopilot Action` events on an EventBridge stand-in.
 *
 * The handlers are the real ones, built by their factories from an `AppDeps` this class assembles.
 * Everything is driven by the clock and seeded PRNG streams, so a seed gives the same run.
 *
 * Cost: work happens per event, per tick and per message, never per resource per event. The state
 * observer looks only at resources named by a fired timer or an API call.
 */

import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { type Integration, RedshiftClient } from '@aws-sdk/client-redshift';
import { RedshiftServerlessClient } from '@aws-sdk/client-redshift-serverless';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Context } from 'aws-lambda';
import { AwsFleetReader } from '../app/aws-fleet-reader.ts';
import type { AppDeps, FleetReader } from '../app/deps.ts';
import { Notifier } from '../aws/notifier.adapter.ts';
import { DecisionQueue } from '../aws/queue.adapter.ts';
import { RedshiftAdapter } from '../aws/redshift.adapter.ts';
import { RedshiftServerlessAdapter } from '../aws/redshift-serverless.adapter.ts';
import { BREAKER_DEFAULTS } from '../execute/circuit-breaker.ts';
import { MemoryLedger } from '../execute/memory-ledger.ts';
import type { ActionEventDetail } from '../execute/ports.ts';
import { ledgerEntryView } from '../execute/reconcile.ts';
import { METRICS_NAMESPACE } from '../lambda/observability.ts';
import { decide } from '../policy/decide.ts';
import type { FleetResource } from '../policy/decision.ts';
import { parseFleet } from '../policy/fleet.ts';
import type { PolicySet } from '../policy/policy-loader.ts';
import type { RunningWindow } from '../policy/running-window.ts';
import type { DeliveryOptions, SimEvent } from '../simulator/event-delivery.ts';
import { Prng } from '../simulator/prng.ts';
import { RedshiftSimulator } from '../simulator/redshift-simulator.ts';
import { attachClient } from '../simulator/sdk-attach.ts';
import type { FiredTimer } from '../simulator/virtual-clock.ts';
import {
  attachService,
  type BusEvent,
  EventBridgeService,
  type PublishedAlert,
  SnsService,
  SqsService,
} from './aws-services.ts';
import { FifoQueue, type QueuedMessage, SQS_FIFO } from './fifo-queue.ts';
import { type FleetFile, fleetLocation, seedSimulator } from './fleet-seed.ts';
import {
  ACTED_OUTCOMES,
  type ActionRecord,
  type AlertRecord,
  byTime,
  type PolicySummary,
  type SkipRecord,
  type StateRecord,
  type SummaryRecord,
  type TimelineRecord,
  WOULD_HAVE_OUTCOMES,
} from './timeline.ts';

export const SIMULATION_DEFAULTS = {
  /** infra/reconcile.yml: rate(5 minutes). */
  tickMs: 5 * 60_000,
  /** serverless.yml custom.executor.queueVisibilityTimeoutSeconds. */
  visibilityTimeoutMs: 360_000,
  /** infra/acting.yml RedrivePolicy. */
  maxReceiveCount: 5,
  /** Lambda's SQS poller long-polls: a message is picked up within about a second. */
  pollDelayMs: [200, 1_500] as const,
  stage: 'sim',
} as const;

export type LambdaHandler = (event: never, context: Context) => Promise<unknown>;

/** The four functions of serverless.yml, as the simulation invokes them. */
export interface HandlerSet {
  ingestRedshiftEvent: LambdaHandler;
  ingestEventBridge: LambdaHandler;
  reconcile: LambdaHandler;
  executeDecision: LambdaHandler;
}
export type HandlerFactory = (deps: AppDeps) => HandlerSet | Promise<HandlerSet>;
export type FunctionName = keyof HandlerSet;

export interface InjectedEvent {
  at: number;
  payload: unknown;
  /** Where it came from (`events.jsonl:3`), for error messages. */
  origin?: string;
}

export interface SimulationOptions {
  policies: PolicySet;
  fleet: readonly FleetFile[];
  from: number;
  to: number;
  seed?: number | string;
  events?: readonly InjectedEvent[];
  /** Delivery imperfections of SNS/EventBridge on demand (default: latency only). */
  delivery?: Pick<DeliveryOptions, 'delayMs' | 'duplicateRate' | 'reorderRate' | 'reorderMaxMs'>;
  tickMs?: number;
  /** Report decide()'s skips of each tick (costs one extra decide() per tick). Default true. */
  observeSkips?: boolean;
  handlers: HandlerFactory;
  /** Called with each simulator instance before the run, e.g. to add workloads, alarms or faults. */
  prepare?: (sim: RedshiftSimulator) => void;
}

/**
 * A resource's part of the skip signature. The fleet parser hands out the same resource object for a
 * cluster the simulator has not changed, so most of a large fleet's signature is remembered.
 */
const skipSignatures = new WeakMap<FleetResource, string>();
function skipSignatureOf(r: FleetResource): string {
  let signature = skipSignatures.get(r);
  if (signature === undefined) {
    signature = `${r.type}:${r.id}:${r.status}:${r.type === 'workgroup' ? r.baseCapacity : ''}:${Object.entries(r.tags).join(',')}`;
    skipSignatures.set(r, signature);
  }
  return signature;
}

export interface Delivery {
  at: string;
  fn: FunctionName;
  /** Catalog id or alarm name for simulator events; `tick` or `injected` otherwise. */
  eventId: string;
  resource: string;
  ok: boolean;
}

export interface InvocationError {
  at: string;
  fn: FunctionName;
  error: string;
  origin: string;
}

export interface SimulationResult {
  records: TimelineRecord[];
  summary: SummaryRecord;
  /** Every resource of the fleet, with the zone its policies think in. */
  resources: { name: string; type: string; id: string; zone: string; nodes: number | null; initial: string }[];
  deliveries: Delivery[];
  invocationErrors: InvocationError[];
  deadLetters: QueuedMessage[];
  alerts: PublishedAlert[];
  outcomeEvents: BusEvent[];
  apiCalls: Record<string, number>;
  ledger: MemoryLedger;
  simulator: RedshiftSimulator;
}

type Job =
  | { kind: 'invoke'; fn: FunctionName; payload: unknown; eventId: string; resource: string; origin: string }
  | { kind: 'tick'; at: Date }
  | { kind: 'poll' };

const STATE_CHANGING = new Set([
  'PauseCluster',
  'ResumeCluster',
  'ResizeCluster',
  'RebootCluster',
  'DeleteCluster',
  'FailoverPrimaryCompute',
  'UpdateWorkgroup',
]);

const silentConsole = { log() {}, info() {}, warn() {}, error() {}, debug() {}, trace() {} };

/**
 * Metrics whose EMF output nobody reads: Powertools builds a new `Metrics` (and a new `Console`)
 * for every `singleMetric()`, which costs more than the simulated work; one reused single-metric
 * instance is equivalent when nothing is printed.
 */
class SimulationMetrics extends Metrics {
  #single: Metrics | undefined;
  override singleMetric(): Metrics {
    this.#single ??= new Metrics({
      namespace: METRICS_NAMESPACE,
      serviceName: 'simulation',
      singleMetric: true,
      logger: silentConsole,
    });
    return this.#single;
  }
}

/** Lambda invocations have no output of their own here: the timeline is the output. */
function quietObservability(service: string): AppDeps['observability'] {
  // EMF blobs go to stdout unless metrics are disabled; Metrics reads the switch when constructed.
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  const logger = new Logger({ serviceName: service, logLevel: 'SILENT' });
  const metrics = new SimulationMetrics({ namespace: METRICS_NAMESPACE, serviceName: service, logger: silentConsole });
  return { logger, metrics };
}

/** Which function receives an injected payload, the way AWS would route it. */
export function functionFor(payload: unknown): FunctionName {
  if (typeof payload === 'object' && payload !== null) {
    const p = payload as Record<string, unknown>;
    if (p.source === 'autopilot.scheduler') return 'reconcile';
    // A classic EventBridge schedule rule targets the sweep like Scheduler does.
    if (typeof p['detail-type'] === 'string')
      return p['detail-type'] === 'Scheduled Event' ? 'reconcile' : 'ingestEventBridge';
  }
  // SNS Lambda events (event subscription, legacy alarms) and bare SNS message bodies.
  return 'ingestRedshiftEvent';
}

function resourceName(type: string, id: string): string {
  return `${type}/${id}`;
}

export class Simulation {
  readonly sim: RedshiftSimulator;
  private readonly options: SimulationOptions;
  private readonly seed: string;
  private readonly tickMs: number;
  private readonly jobs: Job[] = [];
  private readonly records: TimelineRecord[] = [];
  private readonly deliveries: Delivery[] = [];
  private readonly invocationErrors: InvocationError[] = [];
  private readonly lastState = new Map<string, { state: string; capacity?: number }>();
  private readonly lastSkip = new Map<string, string>();
  private readonly touched = new Set<string>();
  private readonly pollRng: Prng;
  private readonly contextIds: Prng;
  private readonly queue: FifoQueue;
  private readonly sqs: SqsService;
  private readonly sns: SnsService;
  private readonly events: EventBridgeService;
  private readonly ledger = new MemoryLedger();
  private readonly zoneOf = new Map<string, string>();
  /** cluster id → policy of its latest acted pause, and when it reached `paused`. */
  private readonly pausedBy = new Map<string, string>();
  private readonly pausedSince = new Map<string, { at: number; policy: string; nodes: number }>();
  private readonly nodeHours = new Map<string, number>();
  private pollAt: number | undefined;
  private lastFleet: FleetResource[] | null = null;
  private lastSkipSignature = '';
  private ticks = 0;
  private batches = 0;
  private workgroupTags = new Map<string, { key: string; value: string }[]>();
  private handlers: HandlerSet | undefined;
  private readonly region: string;
  private readonly account: string;
  private readonly queueUrl: string;
  private readonly topicArn: string;

  constructor(options: SimulationOptions) {
    if (!(options.to > options.from)) throw new RangeError('Simulation: `to` must be after `from`');
    this.options = options;
    this.seed = String(options.seed ?? 1);
    this.tickMs = options.tickMs ?? SIMULATION_DEFAULTS.tickMs;
    const location = fleetLocation(options.fleet);
    this.region = location?.region ?? 'us-east-1';
    this.account = location?.account ?? '123456789012';
    this.sim = new RedshiftSimulator({
      start: options.from,
      seed: this.seed,
      region: this.region,
      account: this.account,
    });
    const root = new Prng(`${this.seed}/simulation`);
    this.pollRng = root.fork('poller');
    this.contextIds = root.fork('lambda-request-ids');
    const prefix = `redshift-autopilot-${SIMULATION_DEFAULTS.stage}`;
    this.queueUrl = `https://sqs.${this.region}.amazonaws.com/${this.account}/${prefix}-decisions.fifo`;
    this.topicArn = `arn:aws:sns:${this.region}:${this.account}:${prefix}-alerts`;
    this.queue = new FifoQueue({
      name: `${prefix}-decisions.fifo`,
      visibilityTimeoutMs: SIMULATION_DEFAULTS.visibilityTimeoutMs,
      maxReceiveCount: SIMULATION_DEFAULTS.maxReceiveCount,
      ids: root.fork('sqs-message-ids'),
    });
    this.sqs = new SqsService(this.sim.clock);
    this.sqs.addQueue(this.queueUrl, this.queue);
    this.sqs.onSend = () => this.schedulePoll();
    this.sns = new SnsService(this.sim.clock, root.fork('sns-message-ids'));
    this.sns.addTopic(this.topicArn);
    this.sns.onPublish = (alert) => this.onAlert(alert);
    this.events = new EventBridgeService(this.sim.clock, root.fork('eventbridge-ids'));
    this.events.onEvent = (event) => this.onOutcome(event);
  }

  private buildDeps(service: string): AppDeps {
    // cacheMiddleware: the resolved middleware stack is reused per command class instead of rebuilt on
    // every send (a documented client option); the stack, the simulator's middleware included, is the same.
    const config = { region: this.region, maxAttempts: 3, cacheMiddleware: true };
    const redshift = new RedshiftClient(config);
    const serverless = new RedshiftServerlessClient(config);
    const requestIds = new Prng(`${this.seed}/simulation/request-ids/${service}`);
    const backend = {
      call: (svc: 'redshift' | 'redshift-serverless', operation: string, input: object) => {
        if (svc === 'redshift-serverless' && operation === 'ListTagsForResource') {
          // Not modelled by the simulator: answered from the tags the fleet files carry.
          const arn = String((input as { resourceArn?: unknown }).resourceArn ?? '');
          return {
            tags: this.workgroupTags.get(arn) ?? [],
            $metadata: { httpStatusCode: 200, requestId: requestIds.uuid() },
          };
        }
        if (svc === 'redshift' && operation === 'DescribeInboundIntegrations') {
          return this.inboundIntegrations(input as { TargetArn?: string; IntegrationArn?: string });
        }
        const output = this.sim.call(svc, operation, input);
        if (STATE_CHANGING.has(operation)) {
          const i = input as { ClusterIdentifier?: string; workgroupName?: string };
          this.touched.add(
            svc === 'redshift'
              ? resourceName('cluster', i.ClusterIdentifier ?? '')
              : resourceName('workgroup', i.workgroupName ?? ''),
          );
        }
        return output;
      },
    };
    attachClient(backend, redshift);
    attachClient(backend, serverless);
    const sqs = new SQSClient(config);
    const sns = new SNSClient(config);
    const eventBridge = new EventBridgeClient(config);
    attachService(sqs, this.sqs.call, requestIds);
    attachService(sns, this.sns.call, requestIds);
    attachService(eventBridge, this.events.call, requestIds);
    const redshiftAdapter = new RedshiftAdapter(redshift);
    const serverlessAdapter = new RedshiftServerlessAdapter(serverless);
    const clock = { now: () => this.sim.clock.now() };
    const reader = new AwsFleetReader(redshiftAdapter, serverlessAdapter, () => this.sim.clock.nowMs());
    const fleet: FleetReader = {
      readAll: async () => {
        const resources = await reader.readAll();
        this.lastFleet = resources;
        return resources;
      },
      readFor: (event) => reader.readFor(event),
    };
    return {
      config: {
        region: this.region,
        stage: SIMULATION_DEFAULTS.stage,
        alertTopicArn: this.topicArn,
        decisionQueueUrl: this.queueUrl,
        ledgerTableName: `redshift-autopilot-${SIMULATION_DEFAULTS.stage}-ledger`,
        maxReceiveCount: SIMULATION_DEFAULTS.maxReceiveCount,
        breaker: { ...BREAKER_DEFAULTS },
      },
      policies: this.options.policies,
      fleet,
      queue: new DecisionQueue(sqs, this.queueUrl),
      ledger: this.ledger,
      notifier: new Notifier({ sns, eventBridge }, this.topicArn),
      resources: { cluster: redshiftAdapter, workgroup: serverlessAdapter },
      clock,
      observability: quietObservability(service),
    };
  }

  /**
   * DescribeInboundIntegrations is not modelled by the simulator; it is DescribeIntegrations seen from
   * the target (the same integrations, filtered by TargetArn), which the simulator does model.
   */
  private inboundIntegrations(input: { TargetArn?: string; IntegrationArn?: string }): object {
    const all = this.sim.call('redshift', 'DescribeIntegrations', {}) as {
      Integrations?: Integration[];
      $metadata: object;
    };
    const inbound = (all.Integrations ?? [])
      .filter((i) => input.TargetArn === undefined || i.TargetArn === input.TargetArn)
      .filter((i) => input.IntegrationArn === undefined || i.IntegrationArn === input.IntegrationArn)
      .map((i) => ({
        IntegrationArn: i.IntegrationArn,
        SourceArn: i.SourceArn,
        TargetArn: i.TargetArn,
        Status: i.Status,
        Errors: i.Errors ?? [],
        CreateTime: i.CreateTime,
      }));
    return { InboundIntegrations: inbound, $metadata: all.$metadata };
  }

  async run(): Promise<SimulationResult> {
    const { from, to } = this.options;
    const seeded = seedSimulator(this.sim, this.options.fleet);
    this.workgroupTags = seeded.workgroupTags;
    this.options.prepare?.(this.sim);
    // One set of deps per function, as each Lambda function has its own container and clients.
    this.handlers = await this.options.handlers(this.buildDeps('autopilot'));
    this.recordInitialStates();

    const clock = this.sim.clock;
    this.sim.subscribe((payload, _at, event) => this.jobs.push(this.deliveryJob(payload, event)), {
      ...this.options.delivery,
      seed: `${this.seed}/delivery`,
    });
    const firstTick = Math.ceil(from / this.tickMs) * this.tickMs;
    clock.every(this.tickMs, (at) => this.jobs.push({ kind: 'tick', at }), { firstAt: firstTick, label: 'scheduler' });
    for (const injected of this.options.events ?? []) {
      if (injected.at < from || injected.at > to) continue;
      clock.schedule(
        injected.at,
        () =>
          this.jobs.push({
            kind: 'invoke',
            fn: functionFor(injected.payload),
            payload: structuredClone(injected.payload),
            eventId: 'injected',
            resource: '-',
            origin: injected.origin ?? 'injected',
          }),
        'injected event',
      );
    }

    for (;;) {
      const next = clock.nextTimerAt();
      if (next === undefined || next > to) break;
      this.observeFired(clock.advanceTo(next));
      await this.drain();
    }
    this.observeFired(clock.advanceTo(to));
    this.closeSavings(to);
    return this.result();
  }

  // ───────────────────────────── jobs ─────────────────────────────

  private deliveryJob(payload: unknown, event: SimEvent): Job {
    return {
      kind: 'invoke',
      fn: event.kind === 'redshift-notification' ? 'ingestRedshiftEvent' : 'ingestEventBridge',
      payload,
      eventId: event.eventId,
      resource: event.resource,
      origin: `${event.eventId} ${event.resource}`,
    };
  }

  private async drain(): Promise<void> {
    for (let job = this.jobs.shift(); job !== undefined; job = this.jobs.shift()) {
      if (job.kind === 'tick') await this.tick(job.at);
      else if (job.kind === 'poll') await this.poll();
      else await this.invoke(job.fn, job.payload, job);
      this.observeTouched();
    }
  }

  private context(fn: FunctionName): Context {
    const name = `redshift-autopilot-${SIMULATION_DEFAULTS.stage}-${fn}`;
    return {
      callbackWaitsForEmptyEventLoop: false,
      functionName: name,
      functionVersion: '$LATEST',
      invokedFunctionArn: `arn:aws:lambda:${this.region}:${this.account}:function:${name}`,
      memoryLimitInMB: '512',
      awsRequestId: this.contextIds.uuid(),
      logGroupName: `/aws/lambda/${name}`,
      logStreamName: 'simulation',
      getRemainingTimeInMillis: () => 60_000,
      done: () => {},
      fail: () => {},
      succeed: () => {},
    };
  }

  private async invoke(
    fn: FunctionName,
    payload: unknown,
    meta: { eventId: string; resource: string; origin: string },
  ): Promise<unknown> {
    const handlers = this.handlers as HandlerSet;
    const at = this.sim.clock.now().toISOString();
    try {
      const out = await handlers[fn](payload as never, this.context(fn));
      this.deliveries.push({ at, fn, eventId: meta.eventId, resource: meta.resource, ok: true });
      return out;
    } catch (error) {
      // Async invocations retry twice and then go to the on-failure destination; the payload is the
      // same each time, so one failure here stands for the three.
      this.deliveries.push({ at, fn, eventId: meta.eventId, resource: meta.resource, ok: false });
      this.invocationErrors.push({
        at,
        fn,
        error: error instanceof Error ? error.message : String(error),
        origin: meta.origin,
      });
      return undefined;
    }
  }

  private async tick(at: Date): Promise<void> {
    this.ticks++;
    const payload = { source: 'autopilot.scheduler', schedule: 'reconcile', scheduledTime: at.toISOString() };
    this.lastFleet = null;
    await this.invoke('reconcile', payload, {
      eventId: 'tick',
      resource: '-',
      origin: `tick ${payload.scheduledTime}`,
    });
    if (this.options.observeSkips !== false && this.lastFleet !== null) await this.observeSkips(this.lastFleet);
  }

  /** decide()'s own skips are not reported by the sweep (only counted): recompute them for the timeline. */
  private async observeSkips(resources: FleetResource[]): Promise<void> {
    const nowMs = this.sim.clock.nowMs();
    const now = new Date(nowMs).toISOString();
    const inFlight = await this.ledger.listInFlight();
    // decide() is pure: with the same fleet states, the same in-flight records and every window in
    // the same segment, its skips are the ones already reported. Comparing that is far cheaper than
    // deciding again for a large fleet.
    const signature = [
      ...resources.map(skipSignatureOf),
      ...inFlight.map((r) => r.idempotencyKey),
      ...this.options.policies.policies.map((p) => {
        const window = (p.capability as { window?: RunningWindow }).window;
        return window === undefined || typeof window.segment !== 'function' ? '' : String(window.segment(nowMs).prev);
      }),
    ].join('|');
    if (signature === this.lastSkipSignature) return;
    this.lastSkipSignature = signature;
    const { skips } = decide({
      policies: this.options.policies,
      fleet: { readAt: now, resources },
      trigger: { kind: 'tick', at: now },
      now,
      ledger: { entries: inFlight.map(ledgerEntryView) },
    });
    for (const skip of skips) {
      this.addSkip({
        type: 'skipped',
        at: now,
        resource: resourceName(skip.target.type, skip.target.id),
        policy: skip.policy,
        action: null,
        reason: skip.reason,
        by: 'decide',
      });
    }
  }

  private addSkip(record: SkipRecord): void {
    // A skip is news when its reason for (policy, resource, action) changes, not on every tick.
    const key = `${record.policy}\u0000${record.resource}\u0000${record.action ?? ''}`;
    if (this.lastSkip.get(key) === record.reason) return;
    this.lastSkip.set(key, record.reason);
    this.records.push(record);
  }

  private schedulePoll(): void {
    const clock = this.sim.clock;
    const at = clock.nowMs() + Math.round(this.pollRng.between(...SIMULATION_DEFAULTS.pollDelayMs));
    this.schedulePollAt(at);
  }

  private schedulePollAt(at: number): void {
    if (this.pollAt !== undefined && this.pollAt <= at && this.pollAt >= this.sim.clock.nowMs()) return;
    this.pollAt = at;
    this.sim.clock.schedule(
      at,
      () => {
        if (this.pollAt === at) this.pollAt = undefined;
        this.jobs.push({ kind: 'poll' });
      },
      'sqs poller',
    );
  }

  /** Lambda's SQS event source mapping: receive ≤ 10, invoke, delete what did not fail. */
  private async poll(): Promise<void> {
    const clock = this.sim.clock;
    for (;;) {
      const now = clock.nowMs();
      const messages = this.queue.receive(now, SQS_FIFO.maxBatch);
      if (messages.length === 0) break;
      this.batches++;
      const event = {
        Records: messages.map((m) => ({
          messageId: m.messageId,
          receiptHandle: `${m.messageId}#${m.receiveCount}`,
          body: m.body,
          attributes: {
            ApproximateReceiveCount: String(m.receiveCount),
            SentTimestamp: String(m.sentAt),
            SequenceNumber: m.sequenceNumber,
            MessageGroupId: m.groupId,
            MessageDeduplicationId: m.deduplicationId,
            SenderId: 'AROAEXAMPLE:simulation',
            ApproximateFirstReceiveTimestamp: String(m.firstReceivedAt ?? now),
          },
          messageAttributes: {},
          md5OfBody: '',
          eventSource: 'aws:sqs',
          eventSourceARN: `arn:aws:sqs:${this.region}:${this.account}:${this.queue.name}`,
          awsRegion: this.region,
        })),
      };
      const out = (await this.invoke('executeDecision', event, {
        eventId: 'batch',
        resource: '-',
        origin: `batch of ${messages.length}`,
      })) as { batchItemFailures?: { itemIdentifier: string }[] } | undefined;
      if (out === undefined) continue; // the whole batch failed: every message waits out its visibility timeout
      const failed = new Set((out.batchItemFailures ?? []).map((f) => f.itemIdentifier));
      for (const m of messages) if (!failed.has(m.messageId)) this.queue.delete(m.messageId);
    }
    const next = this.queue.nextVisibleAt(clock.nowMs());
    if (next !== undefined) this.schedulePollAt(Math.max(next, clock.nowMs() + 1));
  }

  // ───────────────────────────── observation ─────────────────────────────

  private recordInitialStates(): void {
    const at = new Date(this.options.from).toISOString();
    const policies = this.options.policies.policies;
    const fallbackZone = policies[0]?.zoneName ?? 'UTC';
    for (const c of this.sim.listClusters()) {
      const name = resourceName('cluster', c.ClusterIdentifier ?? '');
      this.lastState.set(name, { state: c.ClusterStatus ?? 'unknown' });
      this.records.push({ type: 'state', at, resource: name, from: null, to: c.ClusterStatus ?? 'unknown' });
    }
    for (const w of this.workgroupViews()) {
      const name = resourceName('workgroup', w.workgroupName ?? '');
      const state = (w.status ?? 'unknown').toLowerCase();
      this.lastState.set(name, { state, capacity: w.baseCapacity ?? 0 });
      this.records.push({ type: 'state', at, resource: name, from: null, to: state, capacity: w.baseCapacity ?? 0 });
    }
    // The zone a resource's times are shown in: that of the first policy selecting it.
    for (const name of this.lastState.keys()) this.zoneOf.set(name, fallbackZone);
    for (const r of parseFleet(this.options.fleet, at).resources) {
      const policy = policies.find((p) => p.resource === r.type && p.selector.matches(r));
      if (policy !== undefined) this.zoneOf.set(resourceName(r.type, r.id), policy.zoneName);
    }
  }

  private workgroupViews() {
    const out = this.sim.call('redshift-serverless', 'ListWorkgroups', { maxResults: 100 }) as {
      workgroups?: { workgroupName?: string; status?: string; baseCapacity?: number }[];
    };
    return out.workgroups ?? [];
  }

  private observeFired(fired: readonly FiredTimer[]): void {
    for (const timer of fired) {
      const cut = timer.label.indexOf(': ');
      if (cut <= 0) continue;
      const id = timer.label.slice(0, cut);
      if (this.lastState.has(resourceName('cluster', id))) this.touched.add(resourceName('cluster', id));
      else if (this.lastState.has(resourceName('workgroup', id))) this.touched.add(resourceName('workgroup', id));
    }
    this.observeTouched();
  }

  private observeTouched(): void {
    if (this.touched.size === 0) return;
    const names = [...this.touched].sort();
    this.touched.clear();
    const now = this.sim.clock.nowMs();
    const at = new Date(now).toISOString();
    for (const name of names) {
      const [type, id] = [name.slice(0, name.indexOf('/')), name.slice(name.indexOf('/') + 1)];
      let next: { state: string; capacity?: number } | undefined;
      let nodes = 0;
      if (type === 'cluster') {
        const c = this.sim.getCluster(id);
        next = { state: c?.ClusterStatus ?? 'deleted' };
        nodes = c?.NumberOfNodes ?? 0;
      } else {
        const w = this.sim.serverless.getWorkgroupView(id);
        next = { state: (w?.status ?? 'deleted').toLowerCase(), capacity: w?.baseCapacity ?? 0 };
      }
      const prev = this.lastState.get(name);
      if (prev !== undefined && prev.state === next.state && prev.capacity === next.capacity) continue;
      this.lastState.set(name, next);
      const record: StateRecord = { type: 'state', at, resource: name, from: prev?.state ?? null, to: next.state };
      if (next.capacity !== undefined) record.capacity = next.capacity;
      this.records.push(record);
      if (type === 'cluster') this.trackSavings(id, prev?.state ?? null, next.state, now, nodes);
    }
  }

  /** Node-hours a policy saved: from `paused` until the cluster starts resuming (or the run ends). */
  private trackSavings(id: string, from: string | null, to: string, now: number, nodes: number): void {
    if (to === 'paused') {
      const policy = this.pausedBy.get(id);
      if (policy !== undefined) this.pausedSince.set(id, { at: now, policy, nodes });
    } else if (from === 'paused') {
      this.closeSaving(id, now);
    }
  }

  private closeSaving(id: string, until: number): void {
    const open = this.pausedSince.get(id);
    if (open === undefined) return;
    this.pausedSince.delete(id);
    const hours = ((until - open.at) / 3_600_000) * open.nodes;
    this.nodeHours.set(open.policy, (this.nodeHours.get(open.policy) ?? 0) + hours);
  }

  private closeSavings(until: number): void {
    for (const id of [...this.pausedSince.keys()]) this.closeSaving(id, until);
  }

  private onOutcome(event: BusEvent): void {
    if (event.detailType !== 'Autopilot Action') return;
    const d = event.detail as ActionEventDetail;
    const resource = resourceName(d.target.type, d.target.id);
    if (d.outcome === 'skipped') {
      this.addSkip({
        type: 'skipped',
        at: event.at,
        resource,
        policy: d.policy,
        action: d.action,
        reason: d.outcomeReason ?? d.reason,
        by: 'executor',
      });
      return;
    }
    const record: ActionRecord = {
      type: 'action',
      at: event.at,
      resource,
      policy: d.policy,
      action: d.action,
      outcome: d.outcome,
      reason: d.reason,
      outcomeReason: d.outcomeReason,
      beforeState: d.beforeState,
      afterState: d.afterState,
      key: d.idempotencyKey,
    };
    this.records.push(record);
    if (d.target.type === 'cluster' && (ACTED_OUTCOMES as readonly string[]).includes(d.outcome)) {
      if (d.action === 'PauseCluster') this.pausedBy.set(d.target.id, d.policy);
      if (d.action === 'ResumeCluster') this.pausedBy.delete(d.target.id);
    }
    // The state change the call caused is observed right after the handler returns; a 3619 that
    // arrives before then is impossible (SNS delivery takes seconds).
  }

  /** Outcome alerts name `type/id`; a policy's own `Publish` alert names the bare id. */
  private resourceOfAlert(resource: string): string {
    if (resource.includes('/')) return resource;
    for (const type of ['cluster', 'workgroup']) {
      if (this.lastState.has(resourceName(type, resource))) return resourceName(type, resource);
    }
    return resource;
  }

  private onAlert(alert: PublishedAlert): void {
    const record: AlertRecord = {
      type: 'alert',
      at: alert.at,
      resource: this.resourceOfAlert(alert.attributes.resource ?? '-'),
      policy: alert.attributes.policy ?? '-',
      action: alert.attributes.action ?? '-',
      severity: alert.attributes.severity ?? 'INFO',
      outcome: alert.attributes.outcome ?? '-',
      subject: alert.subject ?? '',
    };
    this.records.push(record);
  }

  // ───────────────────────────── result ─────────────────────────────

  zoneFor(resource: string): string {
    return this.zoneOf.get(resource) ?? this.options.policies.policies[0]?.zoneName ?? 'UTC';
  }

  private result(): SimulationResult {
    const records = byTime(this.records);
    const names = this.options.policies.policies.map((p) => p.name);
    const rows = new Map<string, PolicySummary & { keys: Set<string>; dryKeys: Set<string>; failKeys: Set<string> }>();
    const row = (policy: string) => {
      let r = rows.get(policy);
      if (r === undefined) {
        r = {
          policy,
          actions: 0,
          dryRuns: 0,
          skips: 0,
          failures: 0,
          alerts: 0,
          nodeHoursSaved: 0,
          keys: new Set(),
          dryKeys: new Set(),
          failKeys: new Set(),
        };
        rows.set(policy, r);
      }
      return r;
    };
    for (const name of names) row(name);
    for (const record of records) {
      if (record.type === 'action') {
        const r = row(record.policy);
        if ((ACTED_OUTCOMES as readonly string[]).includes(record.outcome)) r.keys.add(record.key);
        else if ((WOULD_HAVE_OUTCOMES as readonly string[]).includes(record.outcome)) r.dryKeys.add(record.key);
        else if (record.outcome === 'failed') r.failKeys.add(record.key);
      } else if (record.type === 'skipped') row(record.policy).skips++;
      else if (record.type === 'alert' && record.policy !== '-') row(record.policy).alerts++;
    }
    for (const [policy, hours] of this.nodeHours) row(policy).nodeHoursSaved += hours;
    const policies: PolicySummary[] = [...rows.values()].map((r) => ({
      policy: r.policy,
      actions: r.keys.size,
      dryRuns: r.dryKeys.size,
      skips: r.skips,
      failures: r.failKeys.size,
      alerts: r.alerts,
      nodeHoursSaved: Math.round(r.nodeHoursSaved * 100) / 100,
    }));
    const totals = {
      actions: 0,
      dryRuns: 0,
      skips: 0,
      failures: 0,
      // Breaker alerts carry no policy; they still count here.
      alerts: records.filter((r) => r.type === 'alert').length,
      nodeHoursSaved: 0,
    };
    for (const p of policies) {
      totals.actions += p.actions;
      totals.dryRuns += p.dryRuns;
      totals.skips += p.skips;
      totals.failures += p.failures;
      totals.nodeHoursSaved = Math.round((totals.nodeHoursSaved + p.nodeHoursSaved) * 100) / 100;
    }
    const summary: SummaryRecord = {
      type: 'summary',
      from: new Date(this.options.from).toISOString(),
      to: new Date(this.options.to).toISOString(),
      seed: this.seed,
      policies,
      totals,
      invocationErrors: this.invocationErrors.length,
      deadLetters: this.queue.deadLetters.length,
      deliveries: {
        events: this.deliveries.filter((d) => d.fn === 'ingestRedshiftEvent' || d.fn === 'ingestEventBridge').length,
        ticks: this.ticks,
        batches: this.batches,
        duplicatesDropped: this.queue.stats.duplicatesDropped,
      },
    };
    const resources = [...this.lastState.keys()].sort().map((name) => {
      const slash = name.indexOf('/');
      const id = name.slice(slash + 1);
      const first = records.find((r) => r.type === 'state' && r.resource === name) as StateRecord | undefined;
      return {
        name,
        type: name.slice(0, slash),
        id,
        zone: this.zoneFor(name),
        nodes: name.startsWith('cluster/') ? (this.sim.getCluster(id)?.NumberOfNodes ?? null) : null,
        initial: first?.to ?? 'unknown',
      };
    });
    return {
      records,
      summary,
      resources,
      deliveries: this.deliveries,
      invocationErrors: this.invocationErrors,
      deadLetters: this.queue.deadLetters,
      alerts: this.sns.published,
      outcomeEvents: this.events.events,
      apiCalls: this.sim.callCounts(),
      ledger: this.ledger,
      simulator: this.sim,
    };
  }
}
