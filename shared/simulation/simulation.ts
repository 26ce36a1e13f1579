/**
 * The deployed code path, in process, on a virtual clock: the Redshift simulator behind real SDK
 * clients; the events it emits delivered as AWS delivers them (SNS records of the event
 * subscription → ingest-redshift-event, EventBridge events → ingest-event-bridge); an EventBridge
 * Scheduler tick every 5 minutes → reconcile; the decision queue (SQS FIFO stand-in) drained by a
 * Lambda SQS poller → execute-decision; the ledger in memory with DynamoDB's conditional semantics;
 * alerts on an SNS topic stand-in and `Autopilot Action` events on an EventBridge stand-in.
 *
 * The handlers are the real ones, built by their factories from the `AppDeps` the simulated account
 * assembles. Everything is driven by the clock and seeded PRNG streams, so a seed gives the same run.
 * The parts: the account (simulated-account.ts), the Lambda runtime (lambda-runtime.ts), the timeline
 * recorder (timeline-recorder.ts, skip-observer.ts) and the savings meter (policy/savings.ts, shared
 * with plan); this class wires them and observes states between invocations.
 *
 * Cost: work happens per event, per tick and per message, never per resource per event. The state
 * observer looks only at resources named by a fired timer or an API call.
 */

import type { MemoryLedger } from '../execute/memory-ledger.ts';
import { parseFleet } from '../policy/fleet.ts';
import type { PolicySet } from '../policy/policy-loader.ts';
import { SavingsMeter } from '../policy/savings.ts';
import { UsageRecorder, type UsageSample } from '../report/usage-series.ts';
import type { DeliveryOptions } from '../simulator/event-delivery.ts';
import type { RedshiftSimulator } from '../simulator/redshift-simulator.ts';
import type { FiredTimer } from '../simulator/virtual-clock.ts';
import type { BusEvent, PublishedAlert } from './aws-services.ts';
import { EventObserver } from './event-observer.ts';
import type { QueuedMessage } from './fifo-queue.ts';
import { type FleetFile, fleetLocation } from './fleet-seed.ts';
import {
  type Delivery,
  type HandlerFactory,
  type InjectedEvent,
  type InvocationError,
  LambdaRuntime,
} from './lambda-runtime.ts';
import { SimulatedAccount } from './simulated-account.ts';
import { resourceName, SIMULATION_DEFAULTS } from './simulation-defaults.ts';
import { SkipObserver } from './skip-observer.ts';
import { byTime, EVENT_OUTCOMES, type SummaryRecord, type TimelineRecord } from './timeline.ts';
import { isActed, type ResourceRow, TimelineRecorder } from './timeline-recorder.ts';

export {
  type Delivery,
  type FunctionName,
  functionFor,
  type HandlerFactory,
  type HandlerSet,
  type InjectedEvent,
  type InvocationError,
  type LambdaHandler,
} from './lambda-runtime.ts';
export { SIMULATION_DEFAULTS } from './simulation-defaults.ts';

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
  /**
   * A hub's targets (the targets file's accounts and Regions): each is simulated as its own account,
   * seeded from the fleet files read there (`FleetFile.account`/`region`); the sweep fans out over all
   * of them and every record names its account and Region. Targets named only by fleet files count too.
   */
  targets?: readonly { account: string; region: string }[];
  /** How many targets the sweep reads at once (the targets file's `concurrency`; default 8). */
  concurrency?: number;
  /** Called with each simulator instance before the run, e.g. to add workloads, alarms or faults. */
  prepare?: (sim: RedshiftSimulator) => void;
}

export interface SimulationResult {
  records: TimelineRecord[];
  summary: SummaryRecord;
  /** Every resource of the fleet, with the zone its policies think in. */
  resources: ResourceRow[];
  deliveries: Delivery[];
  invocationErrors: InvocationError[];
  deadLetters: QueuedMessage[];
  alerts: PublishedAlert[];
  outcomeEvents: BusEvent[];
  apiCalls: Record<string, number>;
  ledger: MemoryLedger;
  simulator: RedshiftSimulator;
  /** Usage limits' consumption as each sweep read it (the report draws it against the amounts). */
  usage: UsageSample[];
}

export class Simulation {
  readonly sim: RedshiftSimulator;
  private readonly options: SimulationOptions;
  private readonly seed: string;
  private readonly tickMs: number;
  private readonly account: SimulatedAccount;
  private readonly runtime: LambdaRuntime;
  private readonly recorder: TimelineRecorder;
  private readonly skips: SkipObserver;
  private readonly events: EventObserver;
  private readonly savings = new SavingsMeter();
  /** What usage limits consumed, per sweep that read it: the report's usage charts. */
  private readonly usage = new UsageRecorder();

  constructor(options: SimulationOptions) {
    if (!(options.to > options.from)) throw new RangeError('Simulation: `to` must be after `from`');
    this.options = options;
    this.seed = String(options.seed ?? 1);
    this.tickMs = options.tickMs ?? SIMULATION_DEFAULTS.tickMs;
    const targets = targetsOf(options);
    const location = targets[0] ?? fleetLocation(options.fleet);
    const region = location?.region ?? 'us-east-1';
    const account = location?.account ?? '123456789012';
    this.account = new SimulatedAccount({
      start: options.from,
      seed: this.seed,
      region,
      account,
      targets,
      ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
    });
    this.sim = this.account.sim;
    this.recorder = new TimelineRecorder(options.policies.policies);
    this.skips = new SkipObserver(options.policies, this.account.ledger, this.recorder);
    this.events = new EventObserver(options.policies, this.account.ledger, (record) =>
      this.recorder.records.push(record),
    );
    this.runtime = new LambdaRuntime({
      clock: this.sim.clock,
      queue: this.account.queue,
      region,
      account,
      seed: this.seed,
      hooks: {
        beforeTick: () => {
          this.account.lastFleet = null;
        },
        afterTick: async () => {
          const read = this.account.lastFleet;
          if (read !== null) this.usage.observe(read.resources);
          if (this.options.observeSkips !== false && read !== null)
            await this.skips.observe(read, this.sim.clock.nowMs());
        },
        beforeEvent: () => {
          this.account.eventReads = [];
        },
        afterEvent: (payload, output, source) =>
          this.events.observe(payload, output, source, this.account.eventReads, this.sim.clock.nowMs()),
        afterJob: () => this.observeTouched(),
      },
    });
    this.account.sqs.onSend = () => this.runtime.schedulePoll();
    this.account.sns.onPublish = (alert) => this.recorder.alert(alert);
    this.account.events.onEvent = (event) => this.onOutcome(event);
  }

  async run(): Promise<SimulationResult> {
    const { from, to } = this.options;
    this.account.seedFleet(this.options.fleet);
    this.options.prepare?.(this.sim);
    // One set of deps per function, as each Lambda function has its own container and clients.
    this.runtime.useHandlers(await this.options.handlers(this.account.buildDeps('autopilot', this.options.policies)));
    const at = new Date(from).toISOString();
    // parseFleet refuses one name in two targets (decisions are keyed by policy, type and name).
    this.recorder.start(this.account.initialStates(), at, parseFleet(this.options.fleet, at).resources);

    const clock = this.sim.clock;
    for (const target of this.account.targets) {
      target.sim.subscribe(
        (payload, _at, event) => {
          const aws = target.asAws(payload, event.resource);
          this.runtime.deliver(aws.payload, { ...event, resource: aws.resource });
        },
        {
          ...this.options.delivery,
          seed: target === this.account.targets[0] ? `${this.seed}/delivery` : `${this.seed}/delivery/${target.key}`,
        },
      );
    }
    this.runtime.scheduleTicks(from, this.tickMs);
    this.runtime.inject(this.options.events ?? [], from, to);

    for (;;) {
      const next = clock.nextTimerAt();
      if (next === undefined || next > to) break;
      this.observeFired(clock.advanceTo(next));
      await this.runtime.drain();
    }
    this.observeFired(clock.advanceTo(to));
    this.savings.finish(to);
    return this.result();
  }

  // ───────────────────────────── observation ─────────────────────────────

  private observeFired(fired: readonly FiredTimer[]): void {
    const touched = this.account.touched;
    for (const timer of fired) {
      const cut = timer.label.indexOf(': ');
      if (cut <= 0) continue;
      const id = timer.label.slice(0, cut);
      if (this.recorder.knows(resourceName('cluster', id))) touched.add(resourceName('cluster', id));
      else if (this.recorder.knows(resourceName('workgroup', id))) touched.add(resourceName('workgroup', id));
    }
    this.observeTouched();
  }

  private observeTouched(): void {
    const touched = this.account.touched;
    if (touched.size === 0) return;
    const names = [...touched].sort();
    touched.clear();
    const now = this.sim.clock.nowMs();
    const at = new Date(now).toISOString();
    for (const name of names) {
      const [type, id] = [name.slice(0, name.indexOf('/')), name.slice(name.indexOf('/') + 1)];
      const { state, capacity, nodes } = this.account.stateOf(type, id);
      const changed = this.recorder.transition(name, capacity === undefined ? { state } : { state, capacity }, at);
      if (changed !== undefined && type === 'cluster') this.savings.observed(id, changed.from, state, now, nodes);
    }
  }

  private onOutcome(event: BusEvent): void {
    const d = this.recorder.outcome(event);
    if (d !== undefined && d.target.type === 'cluster' && isActed(d.outcome)) {
      this.savings.acted(d.target.id, d.action, d.policy);
    }
    // The state change the call caused is observed right after the handler returns; a 3619 that
    // arrives before then is impossible (SNS delivery takes seconds).
  }

  // ───────────────────────────── result ─────────────────────────────

  /** A hub's records name the account and Region of their resource (a single account's stay as they were). */
  private located(records: TimelineRecord[]): TimelineRecord[] {
    if (!this.account.isHub) return records;
    const where = new Map<string, { account: string; region: string }>();
    for (const target of this.account.targets)
      for (const { name } of target.initialStates())
        where.set(name, { account: target.account, region: target.region });
    return records.map((r) => {
      const cut = r.resource.indexOf('/');
      const found =
        where.get(r.resource) ??
        this.account.targets.find((t) => cut > 0 && t.holds(r.resource.slice(0, cut), r.resource.slice(cut + 1)));
      return found === undefined ? r : { ...r, account: found.account, region: found.region };
    });
  }

  zoneFor(resource: string): string {
    return this.recorder.zoneFor(resource);
  }

  private result(): SimulationResult {
    const records = this.located(byTime(this.recorder.records));
    const queue = this.account.queue;
    const deliveries = this.runtime.deliveries;
    const summary: SummaryRecord = {
      type: 'summary',
      from: new Date(this.options.from).toISOString(),
      to: new Date(this.options.to).toISOString(),
      seed: this.seed,
      ...this.recorder.summarize(records, this.savings.nodeHoursByPolicy()),
      invocationErrors: this.runtime.invocationErrors.length,
      deadLetters: queue.deadLetters.length,
      deliveries: {
        events: deliveries.filter((d) => d.fn === 'ingestRedshiftEvent' || d.fn === 'ingestEventBridge').length,
        ticks: this.runtime.ticks,
        batches: this.runtime.batches,
        duplicatesDropped: queue.stats.duplicatesDropped,
      },
      unmatchedEvents: unmatchedOf(records),
    };
    return {
      records,
      summary,
      resources: this.recorder.resources(records, (id) => this.sim.getCluster(id)?.NumberOfNodes ?? null),
      deliveries,
      invocationErrors: this.runtime.invocationErrors,
      deadLetters: queue.deadLetters,
      alerts: this.account.sns.published,
      outcomeEvents: this.account.events.events,
      apiCalls: this.sim.callCounts(),
      ledger: this.account.ledger,
      simulator: this.sim,
      usage: this.usage.samples,
    };
  }
}

/** The targets of a run: the options' list, then every location a fleet file names, each once. */
function targetsOf(options: SimulationOptions): { account: string; region: string }[] {
  const out: { account: string; region: string }[] = [];
  const add = (account: string | undefined, region: string | undefined) => {
    if (account === undefined || region === undefined) return;
    if (!out.some((t) => t.account === account && t.region === region)) out.push({ account, region });
  };
  for (const t of options.targets ?? []) add(t.account, t.region);
  for (const f of options.fleet) add(f.account, f.region);
  return out;
}

function unmatchedOf(records: readonly TimelineRecord[]): SummaryRecord['unmatchedEvents'] {
  const counts = Object.fromEntries(EVENT_OUTCOMES.map((o) => [o, 0])) as SummaryRecord['unmatchedEvents'];
  for (const r of records) if (r.type === 'event') counts[r.outcome]++;
  return counts;
}
