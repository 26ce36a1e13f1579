/**
 * An in-process Redshift control plane: provisioned clusters, snapshots, tags, usage limits,
 * zero-ETL integrations and Redshift Serverless, on a virtual clock, behind the real SDK v3 clients
 * (see `attach`). State changes take the durations the Management Guide gives; AWS's errors and the
 * events AWS would send come out in their real shapes.
 *
 * Performance: API objects are kept frozen and replaced on change (copy on write), so a
 * DescribeClusters page hands out the stored objects without cloning the fleet on every call.
 * Callers must treat SDK outputs as read-only, which the SDK's types do not enforce but AWS's
 * responses never needed.
 */
import type { Cluster, ClusterSubnetGroup, Integration, Snapshot, Tag } from '@aws-sdk/client-redshift';
import type { Namespace, Workgroup } from '@aws-sdk/client-redshift-serverless';
import { AlarmsModel } from './alarms-model.ts';
import { SimulatorUnsupportedCommandError } from './aws-errors.ts';
import { DEFAULT_DURATIONS, type NewClusterInput, type SimulatorDurations } from './cluster-model.ts';
import { ClusterRegistry } from './cluster-registry.ts';
import { ClustersModel } from './clusters-model.ts';
import { DataApiModel, type DataApiSecret } from './data-api-model.ts';
import { type DeliveryOptions, EventBus, type EventHandler, type SimEvent } from './event-delivery.ts';
import { FailoverModel, type FailoverRun } from './failover-model.ts';
import {
  type FailoverFaultRule,
  type FaultRule,
  FaultsModel,
  type Service,
  type SnapshotFailureRule,
} from './faults-model.ts';
import type { IntegrationFaultRule } from './integration-faults.ts';
import { IntegrationsModel } from './integrations-model.ts';
import { ParameterGroupsModel } from './parameter-groups-model.ts';
import { reviveDates } from './placebo-loader.ts';
import { Prng } from './prng.ts';
import { type Handler, ProvisionedContext } from './provisioned-context.ts';
import { attachClient } from './sdk-attach.ts';
import { ServerlessModel } from './serverless-model.ts';
import { SimulatorEvents } from './simulator-events.ts';
import { SnapshotsModel } from './snapshots-model.ts';
import { SubnetGroupsModel } from './subnet-groups-model.ts';
import { TagsModel } from './tags-model.ts';
import { UsageLimitsModel } from './usage-limits-model.ts';
import { USAGE_WORKLOAD_PREFIX, UsageMetricsModel } from './usage-metrics-model.ts';
import { VirtualClock } from './virtual-clock.ts';
import type { AlarmSpec, ClusterWorkload } from './workload.ts';

export type { DataApiSecret } from './data-api-model.ts';
export type { FailoverRun } from './failover-model.ts';
export type { FailoverFaultRule, FaultRule, SnapshotFailureRule } from './faults-model.ts';

export interface RedshiftSimulatorOptions {
  /** Share a clock with the rest of the simulation; default: a new clock at `start`. */
  clock?: VirtualClock;
  start?: Date | number;
  seed?: number | string;
  region?: string;
  account?: string;
  durations?: Partial<SimulatorDurations>;
  /** The SNS topic of the Redshift event subscription (appears in the delivered records). */
  eventTopicArn?: string;
  /** Manual snapshots per account (guide quota: 700). */
  snapshotQuota?: number;
}

/**
 * The public face of the simulator: composes one model per capability (clusters, snapshots, tags,
 * usage limits, integrations, alarms, faults, serverless) and routes each SDK command to the model
 * whose handler map names it.
 */
export class RedshiftSimulator {
  readonly clock: VirtualClock;
  readonly region: string;
  readonly account: string;
  readonly seed: string;
  readonly serverless: ServerlessModel;

  private readonly requestIds: Prng;
  private readonly bus: EventBus;
  private readonly counts = new Map<string, number>();
  private readonly faults: FaultsModel;
  private readonly registry: ClusterRegistry;
  private readonly clusters: ClustersModel;
  private readonly snapshots: SnapshotsModel;
  private readonly integrations: IntegrationsModel;
  private readonly parameterGroups: ParameterGroupsModel;
  private readonly alarms: AlarmsModel;
  /** CloudWatch UsageLimitConsumed of the usage limits, driven by the workloads (usage-metrics-model.ts). */
  readonly usageMetrics: UsageMetricsModel;
  private readonly redshiftHandlers: Record<string, Handler>;
  private readonly subnets: SubnetGroupsModel;
  private readonly failover: FailoverModel;
  /** The Redshift Data API (ExecuteStatement, DescribeStatement, GetStatementResult) on provisioned clusters. */
  private readonly dataApi: DataApiModel;

  constructor(options: RedshiftSimulatorOptions = {}) {
    this.seed = String(options.seed ?? 1);
    this.clock = options.clock ?? new VirtualClock(options.start ?? Date.UTC(2026, 0, 5, 0, 0, 0));
    this.region = options.region ?? 'us-east-1';
    this.account = options.account ?? '123456789012';
    // The streams are forked in this order for every seed: reordering them changes every run.
    const root = new Prng(this.seed);
    const durRng = root.fork('durations');
    const attrRng = root.fork('attributes');
    this.requestIds = root.fork('request-ids');
    const eventIds = root.fork('event-ids');
    const alarmIds = root.fork('alarm-ids');
    const endpointSuffix = root
      .fork('endpoint')
      .hex(12)
      .replace(/^[0-9]/, 'c');
    const backupRng = root.fork('backups');
    this.bus = new EventBus(this.clock, this.seed);
    const ctx = new ProvisionedContext({
      clock: this.clock,
      region: this.region,
      account: this.account,
      seed: this.seed,
      durations: { ...DEFAULT_DURATIONS, ...options.durations },
      durRng,
      attrRng,
      backupRng,
      requestId: () => this.requestId(),
    });
    this.serverless = new ServerlessModel(ctx);
    const events = new SimulatorEvents({
      clock: this.clock,
      region: this.region,
      account: this.account,
      topicArn: options.eventTopicArn ?? `arn:aws:sns:${this.region}:${this.account}:redshift-events`,
      ids: eventIds,
      bus: this.bus,
    });
    this.faults = new FaultsModel(this.seed, () => this.requestId());
    this.registry = new ClusterRegistry(ctx);
    this.subnets = new SubnetGroupsModel(ctx);
    this.snapshots = new SnapshotsModel(ctx, this.registry, events, this.faults, options.snapshotQuota ?? 700);
    const usageLimits = new UsageLimitsModel(ctx, this.registry);
    // RebootCluster is the clusters model's; the parameter groups apply their values when it ends.
    this.parameterGroups = new ParameterGroupsModel(ctx, this.registry, (i) => this.clusters.rebootCluster(i), events);
    this.integrations = new IntegrationsModel(ctx, this.registry, events, this.parameterGroups);
    const tags = new TagsModel(ctx, this.registry, this.snapshots, usageLimits);
    this.clusters = new ClustersModel(ctx, {
      clusters: this.registry,
      events,
      snapshots: this.snapshots,
      usageLimits,
      integrations: this.integrations,
      subnets: this.subnets,
      endpointSuffix,
    });
    this.failover = new FailoverModel(ctx, {
      clusters: this.registry,
      events,
      subnets: this.subnets,
      faults: this.faults,
    });
    this.dataApi = new DataApiModel(ctx, this.registry, this.failover);
    this.alarms = new AlarmsModel(ctx, this.registry, this.bus, alarmIds);
    this.usageMetrics = new UsageMetricsModel(ctx, this.registry, usageLimits, this.serverless);
    this.redshiftHandlers = {
      ...this.clusters.handlers,
      ...this.snapshots.handlers,
      ...tags.handlers,
      ...usageLimits.handlers,
      ...this.integrations.handlers,
      ...this.parameterGroups.handlers,
      ...this.subnets.handlers,
      ...this.failover.handlers,
    };
  }

  // ───────────────────────────── calls, faults, counts ─────────────────────────────

  /**
   * Answer every command of a real `RedshiftClient` / `RedshiftServerlessClient` from this
   * simulator (see sdk-attach.ts). Returns a function that detaches it.
   */
  attach(client: Parameters<typeof attachClient>[1]): () => void {
    return attachClient(this, client);
  }

  /**
   * One API call: counts it, maybe injects a fault, runs it, and returns the output with
   * `$metadata` like the SDK's. Throws the SDK's exception classes.
   */
  call(service: Service | 'redshift-data', operation: string, input: object): object {
    if (service === 'redshift-data') return this.callDataApi(operation, input);
    this.counts.set(operation, (this.counts.get(operation) ?? 0) + 1);
    this.faults.maybeFault(service, operation);
    const handlers = service === 'redshift' ? this.redshiftHandlers : this.serverless.handlers;
    const handler = handlers[operation];
    if (handler === undefined) {
      throw new SimulatorUnsupportedCommandError(
        service === 'redshift' ? 'RedshiftClient' : 'RedshiftServerlessClient',
        `${operation}Command`,
      );
    }
    const output = handler(input as never);
    return {
      ...output,
      $metadata: { httpStatusCode: 200, requestId: this.requestId(), attempts: 1, totalRetryDelay: 0 },
    };
  }

  /** A CloudWatch call (GetMetricData on the usage-limit metrics), counted like the Redshift calls. */
  callCloudWatch(operation: string, input: object): object {
    this.counts.set(operation, (this.counts.get(operation) ?? 0) + 1);
    const handler = this.usageMetrics.handlers[operation];
    if (handler === undefined) throw new SimulatorUnsupportedCommandError('CloudWatchClient', `${operation}Command`);
    return handler(input as never);
  }

  /**
   * A Redshift Data API call (ExecuteStatement, DescribeStatement, GetStatementResult), counted like
   * the Redshift calls; `injectFaults` rules do not apply to it.
   */
  callDataApi(operation: string, input: object): object {
    this.counts.set(operation, (this.counts.get(operation) ?? 0) + 1);
    const handler = this.dataApi.handlers[operation];
    if (handler === undefined) throw new SimulatorUnsupportedCommandError('RedshiftDataClient', `${operation}Command`);
    return {
      ...handler(input as never),
      $metadata: { httpStatusCode: 200, requestId: this.requestId(), attempts: 1, totalRetryDelay: 0 },
    };
  }

  /** Calls per operation since the start (or the last reset), e.g. `{ DescribeClusters: 3 }`. */
  callCounts(): Record<string, number> {
    return Object.fromEntries([...this.counts.entries()].sort(([a], [b]) => a.localeCompare(b)));
  }

  resetCallCounts(): void {
    this.counts.clear();
  }

  /** Make matching calls fail with throttling or a 5xx, at `rate`, drawn from `seed`. Returns a remover. */
  injectFaults(rule: FaultRule): () => void {
    return this.faults.injectFaults(rule);
  }

  clearFaults(): void {
    this.faults.clearFaults();
  }

  /** Make user snapshots fail (status `failed`, REDSHIFT-EVENT-3503) at `rate`. */
  injectSnapshotFailures(rule: SnapshotFailureRule): () => void {
    return this.faults.injectSnapshotFailures(rule);
  }

  /**
   * Make Multi-AZ failovers fail (`recovery-fails`: REDSHIFT-EVENT-3668, the cluster `available` on
   * its old primary) or run long (`recovery-slow`). Returns a remover.
   */
  injectFailoverFaults(rule: FailoverFaultRule): () => void {
    return this.faults.injectFailoverFaults(rule);
  }

  private requestId(): string {
    return this.requestIds.uuid();
  }

  // ───────────────────────────── events ─────────────────────────────

  /** Receive the events AWS would send (SNS records, EventBridge events), on the virtual clock. */
  subscribe(handler: EventHandler, options: DeliveryOptions = {}): () => void {
    return this.bus.subscribe(handler, options);
  }

  /** Every event emitted so far, in emission order. */
  emittedEvents(): readonly SimEvent[] {
    return this.bus.emitted();
  }

  // ───────────────────────────── fleet seeding ─────────────────────────────

  /** Add a cluster with realistic defaults for everything not given. */
  addCluster(input: NewClusterInput & { dataSizeMB?: number }): Cluster {
    return this.clusters.addCluster(input);
  }

  /**
   * Add a cluster exactly as given (a recorded response, or `aws redshift describe-clusters`
   * output with dates already revived). Missing status-derived fields are filled in.
   */
  seedCluster(cluster: Cluster, options: { dataSizeMB?: number } = {}): Cluster {
    return this.clusters.seedCluster(cluster, options);
  }

  /**
   * Seed from what the AWS CLI prints (`aws redshift describe-clusters`,
   * `aws redshift-serverless list-namespaces` / `list-workgroups`, `aws redshift
   * describe-cluster-snapshots`, `aws redshift describe-cluster-subnet-groups`, `aws secretsmanager
   * list-secrets`) or a recorded placebo response; ISO timestamps become Dates. Namespaces are added
   * before workgroups, subnet groups before clusters, whatever the order of the documents.
   */
  seedFromAwsCli(documents: readonly unknown[]): {
    clusters: number;
    snapshots: number;
    namespaces: number;
    workgroups: number;
  } {
    const counts = { clusters: 0, snapshots: 0, namespaces: 0, workgroups: 0 };
    const docs = documents.map((d) => {
      const doc = reviveDates(d) as Record<string, unknown>;
      return (typeof doc.data === 'object' && doc.data !== null ? doc.data : doc) as {
        Clusters?: Cluster[];
        Snapshots?: Snapshot[];
        namespaces?: Namespace[];
        workgroups?: Workgroup[];
        ClusterSubnetGroups?: ClusterSubnetGroup[];
        SecretList?: { ARN?: string }[];
      };
    });
    // Subnet groups first: a Multi-AZ cluster's AZs are checked against its group's.
    for (const doc of docs) for (const group of doc.ClusterSubnetGroups ?? []) this.subnets.seed(group);
    for (const doc of docs) {
      for (const secret of doc.SecretList ?? []) if (secret.ARN !== undefined) this.addSecret({ arn: secret.ARN });
    }
    for (const doc of docs) {
      for (const ns of doc.namespaces ?? []) this.serverless.seedNamespace(ns);
      counts.namespaces += doc.namespaces?.length ?? 0;
    }
    for (const doc of docs) {
      for (const c of doc.Clusters ?? []) this.seedCluster(c);
      for (const w of doc.workgroups ?? []) this.serverless.seedWorkgroup(w);
      counts.clusters += doc.Clusters?.length ?? 0;
      counts.workgroups += doc.workgroups?.length ?? 0;
    }
    for (const doc of docs) {
      for (const snap of doc.Snapshots ?? []) this.seedSnapshot(snap);
      counts.snapshots += doc.Snapshots?.length ?? 0;
    }
    return counts;
  }

  /** A cluster subnet group as `aws redshift describe-cluster-subnet-groups` prints it (seed it before its clusters). */
  seedSubnetGroup(group: ClusterSubnetGroup): ClusterSubnetGroup {
    return this.subnets.seed(group);
  }

  /** A Secrets Manager secret the Data API accepts (by ARN or name). */
  addSecret(secret: DataApiSecret): void {
    this.dataApi.addSecret(secret);
  }

  /** The failovers of a cluster so far (start, connection blip, AZs, outcome), oldest first. */
  failoverRuns(clusterIdentifier: string): readonly FailoverRun[] {
    return this.failover.runsOf(clusterIdentifier);
  }

  /** Add a snapshot exactly as given (e.g. from a recorded DescribeClusterSnapshots). */
  seedSnapshot(snapshot: Snapshot): Snapshot {
    return this.snapshots.seedSnapshot(snapshot);
  }

  /** A zero-ETL integration whose target is a provisioned cluster of this simulator. */
  addIntegration(input: {
    IntegrationName: string;
    SourceArn: string;
    targetClusterIdentifier: string;
    Tags?: Tag[];
    IntegrationArn?: string;
  }): Integration {
    return this.integrations.addIntegration(input);
  }

  /** A zero-ETL fault of one integration: its event, in its EventBridge envelope (integration-faults.ts). */
  injectIntegrationFault(rule: IntegrationFaultRule): void {
    this.integrations.injectFault(rule);
  }

  /** The integration source's condition is fixed by its owner: a recreated integration becomes active. */
  fixIntegrationSource(sourceArn: string): void {
    this.integrations.fixSource(sourceArn);
  }

  /** A custom cluster parameter group with the engine defaults overridden by `values`, and the clusters on it. */
  seedParameterGroup(
    name: string,
    values: Readonly<Record<string, string>> = {},
    clusterIdentifiers: readonly string[] = [],
  ): void {
    this.parameterGroups.seedParameterGroup(name, values, clusterIdentifiers);
  }

  /** The value a cluster runs with (its parameter group's at its last reboot). */
  effectiveParameter(clusterIdentifier: string, parameter: string): string | undefined {
    return this.parameterGroups.effectiveValue(clusterIdentifier, parameter);
  }

  /** Current API view of a cluster (frozen), or undefined. */
  getCluster(id: string): Cluster | undefined {
    return this.registry.get(id)?.view;
  }

  listClusters(): readonly Cluster[] {
    return this.registry.records().map((r) => r.view);
  }

  // ───────────────────────────── workload and alarms ─────────────────────────────

  /** Metric profiles of a cluster (metric name → profile), sampled by its alarms. */
  setWorkload(clusterIdentifier: string, workload: ClusterWorkload): void {
    this.alarms.setWorkload(clusterIdentifier, workload);
    if (Object.keys(workload).some((k) => k.startsWith(USAGE_WORKLOAD_PREFIX))) this.usageMetrics.watch();
  }

  /**
   * A CloudWatch alarm on a cluster metric, evaluated at every period boundary. A paused or deleted
   * cluster emits no datapoints (the guide: no hardware metrics while paused).
   */
  addAlarm(spec: AlarmSpec): void {
    this.alarms.addAlarm(spec);
  }

  alarmStates(): Record<string, string> {
    return this.alarms.alarmStates();
  }
}
