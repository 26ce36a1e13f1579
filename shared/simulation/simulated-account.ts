import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { type DescribeIntegrationsMessage, type Integration, RedshiftClient } from '@aws-sdk/client-redshift';
import { RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import { RedshiftServerlessClient } from '@aws-sdk/client-redshift-serverless';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { AppDeps, FleetRead, FleetReader } from '../app/deps.ts';
import { buildInProcessDeps, stageConfig } from '../app/memory-deps.ts';
import { CloudWatchUsageAdapter } from '../aws/cloudwatch-usage.ts';
import { DataApiAdapter } from '../aws/data-api.adapter.ts';
import { Notifier } from '../aws/notifier.adapter.ts';
import { DecisionQueue } from '../aws/queue.adapter.ts';
import { RedshiftAdapter } from '../aws/redshift.adapter.ts';
import { RedshiftServerlessAdapter } from '../aws/redshift-serverless.adapter.ts';
import { MemoryLedger } from '../execute/memory-ledger.ts';
import { METRICS_NAMESPACE } from '../lambda/observability.ts';
import { isStateChanging } from '../policy/action-effects.ts';
import type { FleetResource } from '../policy/decision.ts';
import { Prng } from '../simulator/prng.ts';
import { RedshiftSimulator } from '../simulator/redshift-simulator.ts';
import { attachClient } from '../simulator/sdk-attach.ts';
import { attachService, EventBridgeService, SnsService, SqsService } from './aws-services.ts';
import { FifoQueue } from './fifo-queue.ts';
import { type FleetFile, IntegrationArns, seedSimulator } from './fleet-seed.ts';
import { resourceName, SIMULATION_DEFAULTS } from './simulation-defaults.ts';

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
}

export class SimulatedAccount {
  readonly sim: RedshiftSimulator;
  readonly region: string;
  readonly account: string;
  readonly seed: string;
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
  #workgroupTags = new Map<string, { key: string; value: string }[]>();
  #integrationArns = new IntegrationArns();
  /** What each event's fleet read (`readFor`) returned since `eventReads` was last cleared, in order. */
  eventReads: FleetResource[][] = [];

  constructor(options: AccountOptions) {
    const { seed, region, account } = options;
    this.seed = seed;
    this.region = region;
    this.account = account;
    this.sim = new RedshiftSimulator({ start: options.start, seed, region, account });
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

  /** Puts the fleet files' resources into the simulator. */
  seedFleet(fleet: readonly FleetFile[]): void {
    const seeded = seedSimulator(this.sim, fleet);
    this.#workgroupTags = seeded.workgroupTags;
    this.#integrationArns = seeded.integrationArns;
  }

  /** The deps of one function: its own SDK clients (as each Lambda function has), the account's services. */
  buildDeps(service: string, policies: AppDeps['policies']): AppDeps {
    // cacheMiddleware: the resolved middleware stack is reused per command class instead of rebuilt on
    // every send (a documented client option); the stack, the simulator's middleware included, is the same.
    const config = { region: this.region, maxAttempts: 3, cacheMiddleware: true };
    const redshift = new RedshiftClient(config);
    const serverless = new RedshiftServerlessClient(config);
    const requestIds = new Prng(`${this.seed}/simulation/request-ids/${service}`);
    const backend = {
      call: (svc: 'redshift' | 'redshift-serverless', operation: string, input: object) =>
        this.#call(svc, operation, input, requestIds),
    };
    attachClient(backend, redshift);
    attachClient(backend, serverless);
    const sqs = new SQSClient(config);
    const sns = new SNSClient(config);
    const eventBridge = new EventBridgeClient(config);
    attachService(sqs, this.sqs.call, requestIds);
    attachService(sns, this.sns.call, requestIds);
    attachService(eventBridge, this.events.call, requestIds);
    const cloudwatch = new CloudWatchClient(config);
    attachService(cloudwatch, (operation, input) => this.sim.callCloudWatch(operation, input), requestIds);
    // The failover drill's canary (the Data API the simulator models, with its secrets).
    const data = new RedshiftDataClient(config);
    this.sim.attach(data);
    return buildInProcessDeps({
      config: this.#stageConfig(),
      policies,
      redshift: new RedshiftAdapter(redshift),
      serverless: new RedshiftServerlessAdapter(serverless),
      queue: new DecisionQueue(sqs, this.#config.decisionQueueUrl),
      ledger: this.ledger,
      notifier: new Notifier({ sns, eventBridge }, this.#config.alertTopicArn),
      clock: { now: () => this.sim.clock.now() },
      nowMs: () => this.sim.clock.nowMs(),
      observability: quietObservability(service),
      wrapFleet: (reader) => this.#keepingSweeps(reader),
      usage: new CloudWatchUsageAdapter(cloudwatch),
      dataApi: new DataApiAdapter(data),
    });
  }

  #stageConfig(): AppDeps['config'] {
    return {
      ...stageConfig({ region: this.region, account: this.account, stage: SIMULATION_DEFAULTS.stage }),
      maxReceiveCount: SIMULATION_DEFAULTS.maxReceiveCount,
    };
  }

  /** The simulator, with what it does not model answered in front of it; state changes are noted. */
  #call(svc: 'redshift' | 'redshift-serverless', operation: string, input: object, requestIds: Prng): object {
    if (svc === 'redshift-serverless' && operation === 'ListTagsForResource') {
      // Not modelled by the simulator: answered from the tags the fleet files carry.
      const arn = String((input as { resourceArn?: unknown }).resourceArn ?? '');
      return {
        tags: this.#workgroupTags.get(arn) ?? [],
        $metadata: { httpStatusCode: 200, requestId: requestIds.uuid() },
      };
    }
    if (svc === 'redshift' && operation === 'DescribeInboundIntegrations') {
      return this.#inboundIntegrations(input as { TargetArn?: string; IntegrationArn?: string });
    }
    if (svc === 'redshift' && operation === 'DescribeIntegrations' && this.#integrationArns.size > 0) {
      return this.#integrationsAsAws(input as DescribeIntegrationsMessage);
    }
    const output = this.sim.call(svc, operation, input);
    if (isStateChanging(operation)) {
      const i = input as { ClusterIdentifier?: string; workgroupName?: string };
      this.touched.add(
        svc === 'redshift'
          ? resourceName('cluster', i.ClusterIdentifier ?? '')
          : resourceName('workgroup', i.workgroupName ?? ''),
      );
    }
    return output;
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

  /** DescribeIntegrations with the fleet file's ARNs, in the request and in the answer. */
  #integrationsAsAws(input: DescribeIntegrationsMessage): object {
    const arns = this.#integrationArns;
    const request: DescribeIntegrationsMessage = { ...input };
    if (input.IntegrationArn !== undefined) request.IntegrationArn = arns.toSim(input.IntegrationArn);
    if (input.Filters !== undefined) {
      request.Filters = input.Filters.map((f) =>
        f.Name === 'integration-arn' ? { ...f, Values: (f.Values ?? []).map((v) => arns.toSim(v)) } : f,
      );
    }
    const out = this.sim.call('redshift', 'DescribeIntegrations', request) as { Integrations?: Integration[] };
    const Integrations = (out.Integrations ?? []).map((i) => ({
      ...i,
      IntegrationArn: arns.toFleet(i.IntegrationArn ?? ''),
    }));
    return { ...out, Integrations };
  }

  /**
   * A simulator event as AWS would send it: a zero-ETL event names its integration by the fleet
   * file's ARN. Returns the payload and the resource it names.
   */
  asAws(payload: unknown, resource: string): { payload: unknown; resource: string } {
    const p = payload as { resources?: unknown };
    if (this.#integrationArns.size === 0 || !Array.isArray(p?.resources)) return { payload, resource };
    return {
      payload: {
        ...p,
        resources: p.resources.map((r) => (typeof r === 'string' ? this.#integrationArns.toFleet(r) : r)),
      },
      resource: this.#integrationArns.toFleet(resource),
    };
  }

  /**
   * DescribeInboundIntegrations is not modelled by the simulator; it is DescribeIntegrations seen from
   * the target (the same integrations, filtered by TargetArn), which the simulator does model.
   */
  #inboundIntegrations(input: { TargetArn?: string; IntegrationArn?: string }): object {
    const all = this.#integrationsAsAws({}) as {
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

  /** Every resource's state now: clusters, then workgroups (status lower-cased, with base capacity). */
  initialStates(): { name: string; state: string; capacity?: number }[] {
    const out: { name: string; state: string; capacity?: number }[] = [];
    for (const c of this.sim.listClusters()) {
      out.push({ name: resourceName('cluster', c.ClusterIdentifier ?? ''), state: c.ClusterStatus ?? 'unknown' });
    }
    const views = this.sim.call('redshift-serverless', 'ListWorkgroups', { maxResults: 100 }) as {
      workgroups?: { workgroupName?: string; status?: string; baseCapacity?: number }[];
    };
    for (const w of views.workgroups ?? []) {
      const name = resourceName('workgroup', w.workgroupName ?? '');
      out.push({ name, state: (w.status ?? 'unknown').toLowerCase(), capacity: w.baseCapacity ?? 0 });
    }
    return out;
  }

  /** One resource's state now (`deleted` once gone); `nodes` for clusters. */
  stateOf(type: string, id: string): { state: string; capacity?: number; nodes: number } {
    if (type === 'cluster') {
      const c = this.sim.getCluster(id);
      return { state: c?.ClusterStatus ?? 'deleted', nodes: c?.NumberOfNodes ?? 0 };
    }
    const w = this.sim.serverless.getWorkgroupView(id);
    return { state: (w?.status ?? 'deleted').toLowerCase(), capacity: w?.baseCapacity ?? 0, nodes: 0 };
  }
}
