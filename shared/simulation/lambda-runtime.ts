import type { Context } from 'aws-lambda';
import type { AppDeps } from '../app/deps.ts';
import type { SimEvent } from '../simulator/event-delivery.ts';
import { Prng } from '../simulator/prng.ts';
import type { VirtualClock } from '../simulator/virtual-clock.ts';
import { type FifoQueue, SQS_FIFO } from './fifo-queue.ts';
import { SIMULATION_DEFAULTS } from './simulation-defaults.ts';

/**
 * The Lambda side of the account: the four functions invoked as AWS invokes them — SNS and EventBridge
 * deliveries (asynchronous: a failure is recorded, not retried here), the EventBridge Scheduler tick,
 * and the SQS event source mapping on the FIFO decision queue (batches of ≤ 10, partial batch
 * responses, retries after the visibility timeout, dead letters after maxReceiveCount, which the queue
 * keeps). Invocations run one at a time, in the order their triggers fired.
 */

export type LambdaHandler = (event: never, context: Context) => Promise<unknown>;

/** The four functions of serverless.yml, as the simulation invokes them. */
export interface HandlerSet {
  ingestRedshiftEvent: LambdaHandler;
  ingestEventBridge: LambdaHandler;
  reconcile: LambdaHandler;
  executeDecision: LambdaHandler;
  /** The failover drill watcher (serverless.yml watchDrills, every minute); absent: not run. */
  watchDrills?: LambdaHandler;
}
export type HandlerFactory = (deps: AppDeps) => HandlerSet | Promise<HandlerSet>;
export type FunctionName = keyof HandlerSet;

export interface InjectedEvent {
  at: number;
  payload: unknown;
  /** Where it came from (`events.jsonl:3`), for error messages. */
  origin?: string;
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

/** The drill watcher's schedule (serverless.yml watchDrills: rate(1 minute)). */
export const WATCH_MS = 60_000;

type Job =
  | { kind: 'invoke'; fn: FunctionName; payload: unknown; eventId: string; resource: string; origin: string }
  | { kind: 'tick'; at: Date }
  | { kind: 'watch'; at: Date }
  | { kind: 'poll' };

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

/** What the simulation observes around the invocations. */
export interface RuntimeHooks {
  /** Before a tick's reconcile invocation. */
  beforeTick(): void;
  /** After a tick's reconcile invocation. */
  afterTick(): Promise<void>;
  /** Before an event invocation (an ingest function). */
  beforeEvent(): void;
  /** After an event invocation that succeeded: the payload, what the handler returned, where it came from. */
  afterEvent(payload: unknown, output: unknown, source: string): Promise<void>;
  /** After every job: an invocation, a tick or a poller run. */
  afterJob(): void;
}

export interface RuntimeOptions {
  clock: VirtualClock;
  queue: FifoQueue;
  region: string;
  account: string;
  seed: string;
  hooks: RuntimeHooks;
}

export class LambdaRuntime {
  readonly deliveries: Delivery[] = [];
  readonly invocationErrors: InvocationError[] = [];
  #ticks = 0;
  #batches = 0;
  readonly #jobs: Job[] = [];
  readonly #clock: VirtualClock;
  readonly #queue: FifoQueue;
  readonly #region: string;
  readonly #account: string;
  readonly #hooks: RuntimeHooks;
  readonly #pollRng: Prng;
  readonly #contextIds: Prng;
  #pollAt: number | undefined;
  #handlers: HandlerSet | undefined;

  constructor(options: RuntimeOptions) {
    this.#clock = options.clock;
    this.#queue = options.queue;
    this.#region = options.region;
    this.#account = options.account;
    this.#hooks = options.hooks;
    const root = new Prng(`${options.seed}/simulation`);
    this.#pollRng = root.fork('poller');
    this.#contextIds = root.fork('lambda-request-ids');
  }

  get ticks(): number {
    return this.#ticks;
  }

  /** Poller runs that received at least one batch. */
  get batches(): number {
    return this.#batches;
  }

  useHandlers(handlers: HandlerSet): void {
    this.#handlers = handlers;
  }

  /** A simulator event as its subscription delivers it: SNS records or an EventBridge event. */
  deliver(payload: unknown, event: SimEvent): void {
    this.#jobs.push({
      kind: 'invoke',
      fn: event.kind === 'redshift-notification' ? 'ingestRedshiftEvent' : 'ingestEventBridge',
      payload,
      eventId: event.eventId,
      resource: event.resource,
      origin: `${event.eventId} ${event.resource}`,
    });
  }

  /** The Scheduler's reconcile schedule: every `tickMs`, on the first multiple of it at or after `from`. */
  scheduleTicks(from: number, tickMs: number): void {
    const firstAt = Math.ceil(from / tickMs) * tickMs;
    this.#clock.every(tickMs, (at) => this.#jobs.push({ kind: 'tick', at }), { firstAt, label: 'scheduler' });
    // The drill watcher's own schedule, rate(1 minute), when the handler set has it.
    if (this.#handlers?.watchDrills !== undefined) {
      const watchAt = Math.ceil(from / WATCH_MS) * WATCH_MS;
      this.#clock.every(WATCH_MS, (at) => this.#jobs.push({ kind: 'watch', at }), {
        firstAt: watchAt,
        label: 'drill watcher',
      });
    }
  }

  /** Payloads given to the run, each invoked at its time when it falls in [from, to]. */
  inject(events: readonly InjectedEvent[], from: number, to: number): void {
    for (const injected of events) {
      if (injected.at < from || injected.at > to) continue;
      this.#clock.schedule(
        injected.at,
        () =>
          this.#jobs.push({
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
  }

  /** Runs every job the fired timers queued, and those the jobs queue in turn. */
  async drain(): Promise<void> {
    for (let job = this.#jobs.shift(); job !== undefined; job = this.#jobs.shift()) {
      if (job.kind === 'tick') await this.#tick(job.at);
      else if (job.kind === 'watch') await this.#watch(job.at);
      else if (job.kind === 'poll') await this.#poll();
      else await this.#event(job);
      this.#hooks.afterJob();
    }
  }

  /** Messages were sent: the poller picks them up after its long-poll delay. */
  schedulePoll(): void {
    const at = this.#clock.nowMs() + Math.round(this.#pollRng.between(...SIMULATION_DEFAULTS.pollDelayMs));
    this.#schedulePollAt(at);
  }

  #schedulePollAt(at: number): void {
    if (this.#pollAt !== undefined && this.#pollAt <= at && this.#pollAt >= this.#clock.nowMs()) return;
    this.#pollAt = at;
    this.#clock.schedule(
      at,
      () => {
        if (this.#pollAt === at) this.#pollAt = undefined;
        this.#jobs.push({ kind: 'poll' });
      },
      'sqs poller',
    );
  }

  #context(fn: FunctionName): Context {
    const name = `redshift-autopilot-${SIMULATION_DEFAULTS.stage}-${fn}`;
    return {
      callbackWaitsForEmptyEventLoop: false,
      functionName: name,
      functionVersion: '$LATEST',
      invokedFunctionArn: `arn:aws:lambda:${this.#region}:${this.#account}:function:${name}`,
      memoryLimitInMB: '512',
      awsRequestId: this.#contextIds.uuid(),
      logGroupName: `/aws/lambda/${name}`,
      logStreamName: 'simulation',
      getRemainingTimeInMillis: () => 60_000,
      done: () => {},
      fail: () => {},
      succeed: () => {},
    };
  }

  async #invoke(
    fn: FunctionName,
    payload: unknown,
    meta: { eventId: string; resource: string; origin: string },
  ): Promise<unknown> {
    const handlers = this.#handlers as HandlerSet;
    const at = this.#clock.now().toISOString();
    try {
      const out = await (handlers[fn] as LambdaHandler)(payload as never, this.#context(fn));
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

  /** An event delivery: the ingest function, then what the event decided is observed. */
  async #event(job: Extract<Job, { kind: 'invoke' }>): Promise<void> {
    if (job.fn === 'reconcile' || job.fn === 'executeDecision') {
      await this.#invoke(job.fn, job.payload, job);
      return;
    }
    this.#hooks.beforeEvent();
    const failures = this.invocationErrors.length;
    const out = await this.#invoke(job.fn, job.payload, job);
    if (this.invocationErrors.length > failures) return; // recorded as an invocation error
    await this.#hooks.afterEvent(job.payload, out, job.eventId === 'injected' ? `injected ${job.origin}` : 'simulator');
  }

  async #tick(at: Date): Promise<void> {
    this.#ticks++;
    const payload = { source: 'autopilot.scheduler', schedule: 'reconcile', scheduledTime: at.toISOString() };
    this.#hooks.beforeTick();
    await this.#invoke('reconcile', payload, {
      eventId: 'tick',
      resource: '-',
      origin: `tick ${payload.scheduledTime}`,
    });
    await this.#hooks.afterTick();
  }

  /** The drill watcher's minute (infra/drill-watcher.yml's Scheduler input); its deliveries are not kept, only failures. */
  async #watch(at: Date): Promise<void> {
    const handler = (this.#handlers as HandlerSet).watchDrills;
    if (handler === undefined) return;
    const payload = { source: 'autopilot.scheduler', schedule: 'watch-drills', scheduledTime: at.toISOString() };
    try {
      await handler(payload as never, this.#context('watchDrills'));
    } catch (error) {
      const iso = this.#clock.now().toISOString();
      this.deliveries.push({ at: iso, fn: 'watchDrills', eventId: 'watch', resource: '-', ok: false });
      this.invocationErrors.push({
        at: iso,
        fn: 'watchDrills',
        error: error instanceof Error ? error.message : String(error),
        origin: `watch ${at.toISOString()}`,
      });
    }
  }

  /** Lambda's SQS event source mapping: receive ≤ 10, invoke, delete what did not fail. */
  async #poll(): Promise<void> {
    for (;;) {
      const now = this.#clock.nowMs();
      const messages = this.#queue.receive(now, SQS_FIFO.maxBatch);
      if (messages.length === 0) break;
      this.#batches++;
      const out = (await this.#invoke('executeDecision', this.#sqsEvent(messages, now), {
        eventId: 'batch',
        resource: '-',
        origin: `batch of ${messages.length}`,
      })) as { batchItemFailures?: { itemIdentifier: string }[] } | undefined;
      if (out === undefined) continue; // the whole batch failed: every message waits out its visibility timeout
      const failed = new Set((out.batchItemFailures ?? []).map((f) => f.itemIdentifier));
      for (const m of messages) if (!failed.has(m.messageId)) this.#queue.delete(m.messageId);
    }
    const next = this.#queue.nextVisibleAt(this.#clock.nowMs());
    if (next !== undefined) this.#schedulePollAt(Math.max(next, this.#clock.nowMs() + 1));
  }

  /** The SQS event Lambda hands the function for one received batch. */
  #sqsEvent(messages: ReturnType<FifoQueue['receive']>, now: number) {
    return {
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
        eventSourceARN: `arn:aws:sqs:${this.#region}:${this.#account}:${this.#queue.name}`,
        awsRegion: this.#region,
      })),
    };
  }
}
