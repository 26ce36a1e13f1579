import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { RedshiftClient } from '@aws-sdk/client-redshift';
import { RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import { RedshiftServerlessClient } from '@aws-sdk/client-redshift-serverless';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { FanOutFleetReader } from '../app/aws-fleet-reader.ts';
import { type AppDeps, adapterMembers, type FleetRead, type FleetReader } from '../app/deps.ts';
import { buildInProcessDeps, stageConfig } from '../app/memory-deps.ts';
import { CloudWatchUsageAdapter } from '../aws/cloudwatch-usage.ts';
import { DataApiAdapter } from '../aws/data-api.adapter.ts';
import { Notifier } from '../aws/notifier.adapter.ts';
import { DecisionQueue } from '../aws/queue.adapter.ts';
import { RedshiftAdapter } from '../aws/redshift.adapter.ts';
import { RedshiftServerlessAdapter } from '../aws/redshift-serverless.adapter.ts';
import { MemoryLedger } from '../execute/memory-ledger.ts';
import { TargetRoutedPort } from '../execute/target-ports.ts';
import { METRICS_NAMESPACE } from '../lambda/observability.ts';
import type { FleetResource } from '../policy/decision.ts';
import { Prng } from '../simulator/prng.ts';
import type { RedshiftSimulator } from '../simulator/redshift-simulator.ts';
import { attachClient } from '../simulator/sdk-attach.ts';
import { attachService, EventBridgeService, SnsService, SqsService } from './aws-services.ts';
import { FifoQueue } from './fifo-queue.ts';
import type { FleetFile } from './fleet-seed.ts';
import { SIMULATION_DEFAULTS } from './simulation-defaults.ts';
import { TargetAccount } from './target-account.ts';

/**
 * The simulated AWS account: the Redshift simulator, the SQS FIFO decision queue, the alert topic and
 * the default event bus in process, the ledger table in memory, and the AppDeps a function gets over
 * real SDK clients attached to them.
 */

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

export interface AccountOptions {
  start: number;
  seed: string;
  region: string;
  account: string;
  /**
   * A hub's other targets (accounts and Regions), each simulated as its own account on the run's clock:
   * the sweep fans out over all of them and the executor acts in each decision's own, as a hub deployed
   * with a targets file does (the spoke roles' credentials stood in by the hub's). The first target is
   * `account`/`region`, where the hub's queue, topic, bus and ledger live.
   */
  targets?: readonly { account: string; region: string }[];
  /** How many targets the sweep reads at once (the targets file's `concurrency`). */
  concurrency?: number;
}

export class SimulatedAccount {
  readonly sim: RedshiftSimulator;
  readonly region: string;
  readonly account: string;
  readonly seed: string;
  /** The simulated accounts: the hub's own first, then each other target. */
  readonly targets: TargetAccount[];
  readonly queue: FifoQueue;
  readonly sqs: SqsService;
  readonly sns: SnsService;
  readonly events: EventBridgeService;
  readonly ledger = new MemoryLedger();
  /** Resources a state-changing call named since the state observer last looked (`cluster/id`). */
  readonly touched = new Set<string>();
  /** The fleet the latest sweep read, or null when none has since `lastFleet` was cleared. */
  lastFleet: FleetRead | null = null;
  readonly #config: AppDeps['config'];
  readonly #concurrency: number;
  /** What each event's fleet read (`readFor`) returned since `eventReads` was last cleared, in order. */
  eventReads: FleetResource[][] = [];

  constructor(options: AccountOptions) {
    const { seed, region, account } = options;
    this.seed = seed;
    this.region = region;
    this.account = account;
    const home = new TargetAccount({ start: options.start, seed, region, account, touched: this.touched });
    this.sim = home.sim;
    // The first target keeps the run's seed (a single-account run is what it always was); each other
    // target's streams are its own.
    const others = (options.targets ?? []).filter((t) => t.account !== account || t.region !== region);
    this.targets = [
      home,
      ...others.map(
        (t) =>
          new TargetAccount({
            start: options.start,
            seed: `${seed}/${t.account}/${t.region}`,
            ...t,
            touched: this.touched,
            clock: home.sim.clock,
          }),
      ),
    ];
    this.#concurrency = options.concurrency ?? 8;
    this.#config = this.#stageConfig();
    const root = new Prng(`${seed}/simulation`);
    this.queue = new FifoQueue({
      name: `redshift-autopilot-${SIMULATION_DEFAULTS.stage}-decisions.fifo`,
      visibilityTimeoutMs: SIMULATION_DEFAULTS.visibilityTimeoutMs,
      maxReceiveCount: SIMULATION_DEFAULTS.maxReceiveCount,
      ids: root.fork('sqs-message-ids'),
    });
    this.sqs = new SqsService(this.sim.clock);
    this.sqs.addQueue(this.#config.decisionQueueUrl, this.queue);
    this.sns = new SnsService(this.sim.clock, root.fork('sns-message-ids'));
    this.sns.addTopic(this.#config.alertTopicArn);
    this.events = new EventBridgeService(this.sim.clock, root.fork('eventbridge-ids'));
  }

  /** True when the sweep fans out over more than one account or Region. */
  get isHub(): boolean {
    return this.targets.length > 1;
  }

  /** The target of `account/region` (the fleet file's location), or undefined. */
  target(key: string): TargetAccount | undefined {
    return this.targets.find((t) => t.key === key);
  }

  /** Puts each fleet file's resources into the simulator of its account and Region (no location: the first). */
  seedFleet(fleet: readonly FleetFile[]): void {
    for (const target of this.targets) {
      const own = fleet.filter((f) =>
        f.account === undefined ? target === this.targets[0] : `${f.account}/${f.region}` === target.key,
      );
      if (own.length > 0) target.seed(own);
    }
  }

  /** The SDK clients of one function in one target, attached to that target's simulator. */
  #targetClients(target: TargetAccount, service: string) {
    // cacheMiddleware: the resolved middleware stack is reused per command class instead of rebuilt on
    // every send (a documented client option); the stack, the simulator's middleware included, is the same.
    const config = { region: target.region, maxAttempts: 3, cacheMiddleware: true };
    const redshift = new RedshiftClient(config);
    const serverless = new RedshiftServerlessClient(config);
    const suffix = target === this.targets[0] ? '' : `/${target.key}`;
    const requestIds = new Prng(`${this.seed}/simulation/request-ids/${service}${suffix}`);
    const backend = {
      call: (svc: 'redshift' | 'redshift-serverless', operation: string, input: object) =>
        target.call(svc, operation, input, requestIds),
    };
    attachClient(backend, redshift);
    attachClient(backend, serverless);
    const cloudwatch = new CloudWatchClient(config);
    attachService(cloudwatch, (operation, input) => target.sim.callCloudWatch(operation, input), requestIds);
    return { redshift, serverless, cloudwatch, requestIds };
  }

  /** The deps of one function: its own SDK clients (as each Lambda function has), the account's services. */
  buildDeps(service: string, policies: AppDeps['policies']): AppDeps {
    const home = this.#targetClients(this.targets[0] as TargetAccount, service);
    const config = { region: this.region, maxAttempts: 3, cacheMiddleware: true };
    const sqs = new SQSClient(config);
    const sns = new SNSClient(config);
    const eventBridge = new EventBridgeClient(config);
    attachService(sqs, this.sqs.call, home.requestIds);
    attachService(sns, this.sns.call, home.requestIds);
    attachService(eventBridge, this.events.call, home.requestIds);
    // The failover drill's canary (the Data API the simulator models, with its secrets).
    const data = new RedshiftDataClient(config);
    this.sim.attach(data);
    const deps = buildInProcessDeps({
      config: this.#stageConfig(),
      policies,
      redshift: new RedshiftAdapter(home.redshift),
      serverless: new RedshiftServerlessAdapter(home.serverless),
      queue: new DecisionQueue(sqs, this.#config.decisionQueueUrl),
      ledger: this.ledger,
      notifier: new Notifier({ sns, eventBridge }, this.#config.alertTopicArn),
      clock: { now: () => this.sim.clock.now() },
      nowMs: () => this.sim.clock.nowMs(),
      observability: quietObservability(service),
      wrapFleet: (reader) => this.#keepingSweeps(reader),
      usage: new CloudWatchUsageAdapter(home.cloudwatch),
      dataApi: new DataApiAdapter(data),
    });
    return this.isHub ? this.#hubDeps(deps, service, policies) : deps;
  }

  /**
   * A hub's fleet reader and resource ports, as shared/app/env-deps.ts `hubMembers` wires them from a
   * targets file: per target the adapters over its clients, the sweep fanned out over all of them
   * (FanOutFleetReader), each executor call routed by the decision's target (TargetRoutedPort). Built
   * here rather than by hubMembers, whose readers keep wall time: the simulation's run on its clock.
   * As deployed, a hub wires no zero-ETL recreate port.
   */
  #hubDeps(deps: AppDeps, service: string, policies: AppDeps['policies']): AppDeps {
    const nowMs = () => this.sim.clock.nowMs();
    const members = this.targets.map((target) => {
      const c = target === this.targets[0] ? null : this.#targetClients(target, service);
      const redshift = c === null ? deps.resources.cluster : new RedshiftAdapter(c.redshift);
      const serverless = c === null ? deps.resources.workgroup : new RedshiftServerlessAdapter(c.serverless);
      const usage = c === null ? undefined : new CloudWatchUsageAdapter(c.cloudwatch);
      return {
        target,
        ...adapterMembers(redshift as RedshiftAdapter, serverless as RedshiftServerlessAdapter, nowMs, policies, usage),
      };
    });
    const portFor = (type: 'cluster' | 'workgroup') => (l: { account: string; region: string } | null) =>
      (l === null ? members[0] : members.find((m) => m.target.key === `${l.account}/${l.region}`))?.resources[type];
    const fleet = new FanOutFleetReader(
      members.map((m) => ({ location: { account: m.target.account, region: m.target.region }, reader: m.fleet })),
      this.#concurrency,
    );
    return {
      ...deps,
      fleet: this.#keepingSweeps(fleet),
      resources: {
        cluster: new TargetRoutedPort(portFor('cluster')),
        workgroup: new TargetRoutedPort(portFor('workgroup')),
      },
    };
  }

  #stageConfig(): AppDeps['config'] {
    const config = {
      ...stageConfig({ region: this.region, account: this.account, stage: SIMULATION_DEFAULTS.stage }),
      maxReceiveCount: SIMULATION_DEFAULTS.maxReceiveCount,
    };
    if (!this.isHub) return config;
    // A hub serves every target's account and Region (env-deps.ts withTargets).
    const accounts = [...new Set(this.targets.map((t) => t.account))];
    const regions = [...new Set(this.targets.map((t) => t.region))];
    return { ...config, accounts, regions };
  }

  /** The skip observer re-decides on the fleet the sweep read, so the sweep's read is kept. */
  #keepingSweeps(reader: FleetReader): FleetReader {
    return {
      readAll: async () => {
        const read = await reader.readAll();
        this.lastFleet = read;
        return read;
      },
      readFor: async (event) => {
        const resources = await reader.readFor(event);
        this.eventReads.push(resources);
        return resources;
      },
    };
  }

  /** Every resource's state now, in every target: clusters, then workgroups. */
  initialStates(): { name: string; state: string; capacity?: number }[] {
    return this.targets.flatMap((t) => t.initialStates());
  }

  /** One resource's state now (`deleted` once gone); `nodes` for clusters. Names are unique across targets. */
  stateOf(type: string, id: string): { state: string; capacity?: number; nodes: number } {
    return (this.targets.find((t) => t.holds(type, id)) ?? (this.targets[0] as TargetAccount)).stateOf(type, id);
  }
}
