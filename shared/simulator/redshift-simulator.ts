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
import type {
  Cluster,
  CreateClusterSnapshotMessage,
  CreateTagsMessage,
  CreateUsageLimitMessage,
  DeleteClusterMessage,
  DeleteClusterSnapshotMessage,
  DeleteTagsMessage,
  DeleteUsageLimitMessage,
  DescribeClusterSnapshotsMessage,
  DescribeClustersMessage,
  DescribeIntegrationsMessage,
  DescribeTagsMessage,
  DescribeUsageLimitsMessage,
  FailoverPrimaryComputeInputMessage,
  Integration,
  ModifyUsageLimitMessage,
  PauseClusterMessage,
  RebootClusterMessage,
  ResizeClusterMessage,
  ResumeClusterMessage,
  Snapshot,
  Tag,
  TaggedResource,
  UsageLimit,
} from '@aws-sdk/client-redshift';
import type { Namespace, Workgroup } from '@aws-sdk/client-redshift-serverless';
import {
  invalidParameterValue,
  MESSAGES,
  type RedshiftFaultName,
  redshiftFault,
  redshiftInternalFailure,
  redshiftThrottling,
  SimulatorUnsupportedCommandError,
  serverlessErrors,
} from './aws-errors.ts';
import {
  ACTION_RESPONSE_OMITS,
  availabilityOf,
  clusterNodes,
  DEFAULT_DURATIONS,
  deepFreeze,
  drawDuration,
  elasticOptions,
  elasticRange,
  type NewClusterInput,
  newCluster,
  type SimulatorDurations,
  sizeFactorOf,
  storageMbPerNode,
  withoutKeys,
} from './cluster-model.ts';
import { type DeliveryOptions, EventBus, type EventHandler, type SimEvent } from './event-delivery.ts';
import { catalogRow, integrationEvent, redshiftSnsRecord, renderTemplate } from './event-envelopes.ts';
import { decodeToken, paginate } from './pagination.ts';
import { reviveDates } from './placebo-loader.ts';
import { Prng } from './prng.ts';
import { attachClient } from './sdk-attach.ts';
import { type ServerlessContext, ServerlessModel } from './serverless-model.ts';
import { type TimerId, VirtualClock } from './virtual-clock.ts';
import { AlarmEvaluator, type AlarmSpec, type ClusterWorkload, sampleProfile } from './workload.ts';

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

export interface FaultRule {
  /** Operation name(s) (`DescribeClusters`, `UpdateWorkgroup` …); all operations when omitted. */
  operation?: string | readonly string[];
  /** Probability in [0, 1] that a matching call fails. */
  rate: number;
  error: 'throttling' | '5xx';
  seed?: number | string;
  /** Stop after this many injected failures. */
  limit?: number;
}

export interface SnapshotFailureRule {
  rate: number;
  clusterIdentifier?: string;
  seed?: number | string;
}

interface ClusterRecord {
  view: Cluster;
  arn: string;
  dataSizeMB: number;
  createdAtMs: number;
  timers: TimerId[];
  workload?: ClusterWorkload;
  workloadRngs: Map<string, Prng>;
}

interface SnapshotRecord {
  view: Snapshot;
  arn: string;
  clusterIdentifier: string;
  timer?: TimerId | undefined;
}

interface UsageLimitRecord {
  view: UsageLimit;
  arn: string;
}

interface IntegrationRecord {
  view: Integration;
  targetClusterIdentifier: string;
}

interface ActiveFault {
  rule: FaultRule;
  operations: ReadonlySet<string> | undefined;
  rng: Prng;
  injected: number;
}

type Service = 'redshift' | 'redshift-serverless';
type Handler = (input: never) => object;

const DATA_FRACTION: readonly [number, number] = [0.05, 0.4];

function sameTags(
  tags: readonly Tag[] | undefined,
  keys: readonly string[] | undefined,
  values: readonly string[] | undefined,
): boolean {
  if ((keys === undefined || keys.length === 0) && (values === undefined || values.length === 0)) return true;
  return (tags ?? []).some(
    (t) =>
      (keys === undefined || keys.length === 0 || keys.includes(t.Key ?? '')) &&
      (values === undefined || values.length === 0 || values.includes(t.Value ?? '')),
  );
}

export class RedshiftSimulator {
  readonly clock: VirtualClock;
  readonly region: string;
  readonly account: string;
  readonly seed: string;
  readonly serverless: ServerlessModel;

  private readonly durations: SimulatorDurations;
  private readonly topicArn: string;
  private readonly snapshotQuota: number;
  private readonly durRng: Prng;
  private readonly attrRng: Prng;
  private readonly requestIds: Prng;
  private readonly eventIds: Prng;
  private readonly endpointSuffix: string;
  private readonly bus: EventBus;

  private readonly clusters = new Map<string, ClusterRecord>();
  /** Insertion order, so an unfiltered DescribeClusters page is a slice. */
  private clusterOrder: ClusterRecord[] = [];
  private readonly snapshots = new Map<string, SnapshotRecord>();
  private readonly usageLimits = new Map<string, UsageLimitRecord>();
  private readonly integrations = new Map<string, IntegrationRecord>();
  private readonly faults: ActiveFault[] = [];
  private readonly snapshotFailures: { rule: SnapshotFailureRule; rng: Prng }[] = [];
  private readonly counts = new Map<string, number>();
  private readonly alarmGroups = new Map<number, AlarmEvaluator[]>();
  private readonly alarmIds: Prng;

  private readonly redshiftHandlers: Record<string, Handler>;

  constructor(options: RedshiftSimulatorOptions = {}) {
    this.seed = String(options.seed ?? 1);
    this.clock = options.clock ?? new VirtualClock(options.start ?? Date.UTC(2026, 0, 5, 0, 0, 0));
    this.region = options.region ?? 'us-east-1';
    this.account = options.account ?? '123456789012';
    this.durations = { ...DEFAULT_DURATIONS, ...options.durations };
    this.topicArn = options.eventTopicArn ?? `arn:aws:sns:${this.region}:${this.account}:redshift-events`;
    this.snapshotQuota = options.snapshotQuota ?? 700;
    const root = new Prng(this.seed);
    this.durRng = root.fork('durations');
    this.attrRng = root.fork('attributes');
    this.requestIds = root.fork('request-ids');
    this.eventIds = root.fork('event-ids');
    this.alarmIds = root.fork('alarm-ids');
    this.endpointSuffix = root
      .fork('endpoint')
      .hex(12)
      .replace(/^[0-9]/, 'c');
    this.bus = new EventBus(this.clock, this.seed);
    const ctx: ServerlessContext = {
      clock: this.clock,
      region: this.region,
      account: this.account,
      durations: this.durations,
      durRng: this.durRng,
      attrRng: this.attrRng,
      requestId: () => this.requestId(),
    };
    this.serverless = new ServerlessModel(ctx);
    this.redshiftHandlers = {
      DescribeClusters: (i: DescribeClustersMessage) => this.describeClusters(i),
      PauseCluster: (i: PauseClusterMessage) => this.pauseCluster(i),
      ResumeCluster: (i: ResumeClusterMessage) => this.resumeCluster(i),
      ResizeCluster: (i: ResizeClusterMessage) => this.resizeCluster(i),
      RebootCluster: (i: RebootClusterMessage) => this.rebootCluster(i),
      DeleteCluster: (i: DeleteClusterMessage) => this.deleteCluster(i),
      FailoverPrimaryCompute: (i: FailoverPrimaryComputeInputMessage) => this.failoverPrimaryCompute(i),
      CreateClusterSnapshot: (i: CreateClusterSnapshotMessage) => this.createClusterSnapshot(i),
      DescribeClusterSnapshots: (i: DescribeClusterSnapshotsMessage) => this.describeClusterSnapshots(i),
      DeleteClusterSnapshot: (i: DeleteClusterSnapshotMessage) => this.deleteClusterSnapshot(i),
      CreateTags: (i: CreateTagsMessage) => this.createTags(i),
      DeleteTags: (i: DeleteTagsMessage) => this.deleteTags(i),
      DescribeTags: (i: DescribeTagsMessage) => this.describeTags(i),
      CreateUsageLimit: (i: CreateUsageLimitMessage) => this.createUsageLimit(i),
      DescribeUsageLimits: (i: DescribeUsageLimitsMessage) => this.describeUsageLimits(i),
      ModifyUsageLimit: (i: ModifyUsageLimitMessage) => this.modifyUsageLimit(i),
      DeleteUsageLimit: (i: DeleteUsageLimitMessage) => this.deleteUsageLimit(i),
      DescribeIntegrations: (i: DescribeIntegrationsMessage) => this.describeIntegrations(i),
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
  call(service: Service, operation: string, input: object): object {
    this.counts.set(operation, (this.counts.get(operation) ?? 0) + 1);
    this.maybeFault(service, operation);
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

  /** Calls per operation since the start (or the last reset), e.g. `{ DescribeClusters: 3 }`. */
  callCounts(): Record<string, number> {
    return Object.fromEntries([...this.counts.entries()].sort(([a], [b]) => a.localeCompare(b)));
  }

  resetCallCounts(): void {
    this.counts.clear();
  }

  /** Make matching calls fail with throttling or a 5xx, at `rate`, drawn from `seed`. Returns a remover. */
  injectFaults(rule: FaultRule): () => void {
    const ops =
      rule.operation === undefined
        ? undefined
        : new Set(typeof rule.operation === 'string' ? [rule.operation] : rule.operation);
    const fault: ActiveFault = {
      rule,
      operations: ops,
      rng: new Prng(`${rule.seed ?? this.seed}/fault/${this.faults.length}`),
      injected: 0,
    };
    this.faults.push(fault);
    return () => {
      const i = this.faults.indexOf(fault);
      if (i >= 0) this.faults.splice(i, 1);
    };
  }

  clearFaults(): void {
    this.faults.length = 0;
    this.snapshotFailures.length = 0;
  }

  /** Make user snapshots fail (status `failed`, REDSHIFT-EVENT-3503) at `rate`. */
  injectSnapshotFailures(rule: SnapshotFailureRule): () => void {
    const entry = { rule, rng: new Prng(`${rule.seed ?? this.seed}/snapshot-failure/${this.snapshotFailures.length}`) };
    this.snapshotFailures.push(entry);
    return () => {
      const i = this.snapshotFailures.indexOf(entry);
      if (i >= 0) this.snapshotFailures.splice(i, 1);
    };
  }

  private maybeFault(service: Service, operation: string): void {
    for (const fault of this.faults) {
      if (fault.operations !== undefined && !fault.operations.has(operation)) continue;
      if (fault.rule.limit !== undefined && fault.injected >= fault.rule.limit) continue;
      if (!fault.rng.chance(fault.rule.rate)) continue;
      fault.injected++;
      const id = this.requestId();
      if (service === 'redshift')
        throw fault.rule.error === 'throttling' ? redshiftThrottling(id) : redshiftInternalFailure(id);
      throw fault.rule.error === 'throttling' ? serverlessErrors.throttling(id) : serverlessErrors.internal(id);
    }
  }

  private requestId(): string {
    return this.requestIds.uuid();
  }

  private fault(name: RedshiftFaultName, message: string): never {
    throw redshiftFault(name, message, this.requestId());
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

  private emitRedshiftEvent(
    eventId: string,
    eventSource: 'cluster' | 'snapshot',
    resource: string,
    values: Record<string, string | number | Date>,
  ): void {
    const at = this.clock.now();
    const row = catalogRow(eventId);
    // SNS stamps the notification a few seconds after the event (32 s in the recorded one).
    const publishedAt = new Date(at.getTime() + this.eventIds.int(1_000, 15_000));
    const payload = redshiftSnsRecord({
      eventId,
      eventSource,
      resource,
      at,
      message: renderTemplate(row.message, values),
      region: this.region,
      account: this.account,
      topicArn: this.topicArn,
      publishedAt,
      ids: this.eventIds,
    });
    this.bus.emit({ kind: 'redshift-notification', eventId, resource, emittedAt: publishedAt, payload });
  }

  /**
   * Zero-ETL events for every integration whose target is `rec`. integrationStatus/statusCode of
   * these three events are not in any captured payload: the values follow the one captured Warning
   * event (NEEDS_ATTENTION) and name the condition.
   */
  private emitIntegrationEvents(rec: ClusterRecord, eventId: string, statusCode: string): void {
    for (const integ of this.integrations.values()) {
      if (integ.targetClusterIdentifier !== rec.view.ClusterIdentifier) continue;
      const at = this.clock.now();
      const payload = integrationEvent({
        eventId,
        integrationArn: integ.view.IntegrationArn ?? '',
        sourceArn: integ.view.SourceArn ?? '',
        destinationArn: integ.view.TargetArn ?? '',
        integrationName: integ.view.IntegrationName ?? '',
        integrationStatus: 'NEEDS_ATTENTION',
        statusCode,
        at,
        region: this.region,
        account: this.account,
        ids: this.eventIds,
      });
      this.bus.emit({
        kind: 'integration',
        eventId,
        resource: integ.view.IntegrationArn ?? '',
        emittedAt: at,
        payload,
      });
    }
  }

  // ───────────────────────────── fleet seeding ─────────────────────────────

  /** Add a cluster with realistic defaults for everything not given. */
  addCluster(input: NewClusterInput & { dataSizeMB?: number }): Cluster {
    const view = newCluster(input, {
      region: this.region,
      account: this.account,
      endpointSuffix: this.endpointSuffix,
      now: this.clock.now(),
      rng: this.attrRng,
    });
    return this.insertCluster(view, input.dataSizeMB);
  }

  /**
   * Add a cluster exactly as given (a recorded response, or `aws redshift describe-clusters`
   * output with dates already revived). Missing status-derived fields are filled in.
   */
  seedCluster(cluster: Cluster, options: { dataSizeMB?: number } = {}): Cluster {
    const view: Cluster = { ...structuredClone(cluster) };
    if (view.ClusterIdentifier === undefined) throw new Error('seedCluster: ClusterIdentifier is required');
    view.ClusterStatus ??= 'available';
    view.ClusterAvailabilityStatus ??= availabilityOf(view.ClusterStatus);
    return this.insertCluster(view, options.dataSizeMB);
  }

  private insertCluster(view: Cluster, dataSizeMB: number | undefined): Cluster {
    const id = view.ClusterIdentifier ?? '';
    if (this.clusters.has(id)) throw new Error(`cluster ${id} already exists in the simulator`);
    const nodes = view.NumberOfNodes ?? 1;
    const rec: ClusterRecord = {
      view: deepFreeze(view),
      arn: `arn:aws:redshift:${this.region}:${this.account}:cluster:${id}`,
      dataSizeMB:
        dataSizeMB ??
        Math.round(storageMbPerNode(view.NodeType ?? '') * nodes * this.attrRng.between(...DATA_FRACTION) * 0.1),
      createdAtMs: this.clock.nowMs(),
      timers: [],
      workloadRngs: new Map(),
    };
    this.clusters.set(id, rec);
    this.clusterOrder.push(rec);
    return rec.view;
  }

  /**
   * Seed from what the AWS CLI prints (`aws redshift describe-clusters`,
   * `aws redshift-serverless list-namespaces` / `list-workgroups`, `aws redshift
   * describe-cluster-snapshots`) or a recorded placebo response; ISO timestamps become Dates.
   * Namespaces are added before workgroups whatever the order of the documents.
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
      };
    });
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

  /** Add a snapshot exactly as given (e.g. from a recorded DescribeClusterSnapshots). */
  seedSnapshot(snapshot: Snapshot): Snapshot {
    const id = snapshot.SnapshotIdentifier ?? '';
    if (this.snapshots.has(id)) throw new Error(`snapshot ${id} already exists in the simulator`);
    const clusterIdentifier = snapshot.ClusterIdentifier ?? '';
    const rec: SnapshotRecord = {
      view: deepFreeze(structuredClone(snapshot)),
      arn: `arn:aws:redshift:${this.region}:${this.account}:snapshot:${clusterIdentifier}/${id}`,
      clusterIdentifier,
    };
    this.snapshots.set(id, rec);
    return rec.view;
  }

  /** A zero-ETL integration whose target is a provisioned cluster of this simulator. */
  addIntegration(input: {
    IntegrationName: string;
    SourceArn: string;
    targetClusterIdentifier: string;
    Tags?: Tag[];
  }): Integration {
    const target = this.mustGetCluster(input.targetClusterIdentifier);
    const view: Integration = deepFreeze({
      IntegrationArn: `arn:aws:redshift:${this.region}:${this.account}:integration:${this.attrRng.uuid()}`,
      IntegrationName: input.IntegrationName,
      SourceArn: input.SourceArn,
      TargetArn: target.view.ClusterNamespaceArn ?? target.arn,
      Status: 'active',
      Errors: [],
      CreateTime: this.clock.now(),
      Tags: input.Tags ?? [],
    });
    this.integrations.set(view.IntegrationArn ?? '', { view, targetClusterIdentifier: input.targetClusterIdentifier });
    return view;
  }

  /** Current API view of a cluster (frozen), or undefined. */
  getCluster(id: string): Cluster | undefined {
    return this.clusters.get(id)?.view;
  }

  listClusters(): readonly Cluster[] {
    return this.clusterOrder.map((r) => r.view);
  }

  // ───────────────────────────── workload and alarms ─────────────────────────────

  /** Metric profiles of a cluster (metric name → profile), sampled by its alarms. */
  setWorkload(clusterIdentifier: string, workload: ClusterWorkload): void {
    this.mustGetCluster(clusterIdentifier).workload = workload;
  }

  /**
   * A CloudWatch alarm on a cluster metric, evaluated at every period boundary. A paused or deleted
   * cluster emits no datapoints (the guide: no hardware metrics while paused).
   */
  addAlarm(spec: AlarmSpec): void {
    const evaluator = new AlarmEvaluator(spec, this.clock.now(), this.alarmIds);
    const periodMs = evaluator.spec.periodSeconds * 1000;
    let group = this.alarmGroups.get(periodMs);
    if (group === undefined) {
      const evaluators: AlarmEvaluator[] = [];
      group = evaluators;
      this.alarmGroups.set(periodMs, evaluators);
      const firstAt = (Math.floor(this.clock.nowMs() / periodMs) + 1) * periodMs;
      this.clock.every(periodMs, (at) => this.evaluateAlarms(evaluators, at), { firstAt, label: `alarms/${periodMs}` });
    }
    group.push(evaluator);
  }

  alarmStates(): Record<string, string> {
    const states: Record<string, string> = {};
    for (const group of this.alarmGroups.values()) for (const a of group) states[a.spec.alarmName] = a.state;
    return states;
  }

  private evaluateAlarms(evaluators: readonly AlarmEvaluator[], at: Date): void {
    for (const alarm of evaluators) {
      const { spec } = alarm;
      const rec = this.clusters.get(spec.clusterIdentifier);
      let value: number | undefined;
      if (rec !== undefined && rec.view.ClusterStatus !== 'paused' && rec.workload !== undefined) {
        const profile = rec.workload[spec.metricName];
        if (profile !== undefined) {
          let rng = rec.workloadRngs.get(spec.metricName);
          if (rng === undefined) {
            rng = new Prng(`${this.seed}/workload/${spec.clusterIdentifier}/${spec.metricName}`);
            rec.workloadRngs.set(spec.metricName, rng);
          }
          // The datapoint of the period that just ended, i.e. the workload at its start.
          value = sampleProfile(profile, new Date(at.getTime() - spec.periodSeconds * 1000), rng, rec.createdAtMs);
        }
      }
      const event = alarm.evaluate(value, at, { region: this.region, account: this.account, ids: this.alarmIds });
      if (event !== undefined) {
        this.bus.emit({
          kind: 'alarm',
          eventId: spec.alarmName,
          resource: spec.clusterIdentifier,
          emittedAt: at,
          payload: event,
        });
      }
    }
  }

  // ───────────────────────────── cluster state ─────────────────────────────

  private mustGetCluster(id: string | undefined): ClusterRecord {
    const rec = this.clusters.get(id ?? '');
    if (rec === undefined) this.fault('ClusterNotFoundFault', MESSAGES.clusterNotFound(id ?? ''));
    return rec;
  }

  private update(rec: ClusterRecord, patch: Partial<Cluster>, remove: readonly (keyof Cluster)[] = []): void {
    const next: Cluster = { ...rec.view, ...patch };
    if (patch.ClusterStatus !== undefined) next.ClusterAvailabilityStatus = availabilityOf(patch.ClusterStatus);
    for (const key of remove) delete next[key];
    rec.view = deepFreeze(next);
  }

  private later(rec: ClusterRecord, delayMs: number, label: string, fn: () => void): void {
    const id = this.clock.after(
      delayMs,
      () => {
        rec.timers = rec.timers.filter((t) => t !== id);
        // The cluster may have been deleted meanwhile.
        if (this.clusters.get(rec.view.ClusterIdentifier ?? '') === rec) fn();
      },
      `${rec.view.ClusterIdentifier}: ${label}`,
    );
    rec.timers.push(id);
  }

  private duration(range: readonly [number, number], rec: ClusterRecord): number {
    return drawDuration(range, this.durRng, sizeFactorOf(rec.view.NumberOfNodes ?? 1));
  }

  private actionResponse(rec: ClusterRecord): { Cluster: Cluster } {
    return { Cluster: withoutKeys(rec.view, ACTION_RESPONSE_OMITS) };
  }

  // ───────────────────────────── provisioned API ─────────────────────────────

  private pageSize(maxRecords: number | undefined): number {
    if (maxRecords === undefined) return 100;
    if (!Number.isInteger(maxRecords) || maxRecords < 20 || maxRecords > 100) {
      throw invalidParameterValue(
        `1 validation error detected: Value '${maxRecords}' at 'maxRecords' failed to satisfy constraint: Member must have value between 20 and 100`,
        this.requestId(),
      );
    }
    return maxRecords;
  }

  private offset(marker: string | undefined): number {
    if (marker === undefined || marker === '') return 0;
    const offset = decodeToken(marker);
    if (offset === undefined) throw invalidParameterValue('Invalid marker', this.requestId());
    return offset;
  }

  describeClusters(input: DescribeClustersMessage) {
    const size = this.pageSize(input.MaxRecords);
    const start = this.offset(input.Marker);
    let views: readonly Cluster[];
    if (input.ClusterIdentifier !== undefined) views = [this.mustGetCluster(input.ClusterIdentifier).view];
    else if ((input.TagKeys?.length ?? 0) > 0 || (input.TagValues?.length ?? 0) > 0) {
      views = this.clusterOrder.filter((r) => sameTags(r.view.Tags, input.TagKeys, input.TagValues)).map((r) => r.view);
    } else {
      const page = paginate(this.clusterOrder, start, size);
      return { Clusters: page.items.map((r) => r.view), ...(page.next === undefined ? {} : { Marker: page.next }) };
    }
    const page = paginate(views, start, size);
    return { Clusters: page.items, ...(page.next === undefined ? {} : { Marker: page.next }) };
  }

  pauseCluster(input: PauseClusterMessage) {
    const rec = this.mustGetCluster(input.ClusterIdentifier);
    const id = rec.view.ClusterIdentifier ?? '';
    // Multi-AZ clusters can't be paused at all (guide L4559); the API's UnsupportedOperation fault.
    if (rec.view.MultiAZ === 'Enabled') this.fault('UnsupportedOperationFault', MESSAGES.unsupported);
    if (rec.view.ClusterStatus !== 'available') this.fault('InvalidClusterStateFault', MESSAGES.pauseNotActive);
    // "Clusters that have automated snapshots turned off" can't be paused (guide L3628–3634).
    if (rec.view.AutomatedSnapshotRetentionPeriod === 0) this.fault('UnsupportedOperationFault', MESSAGES.unsupported);
    const startedAt = this.clock.now();
    this.update(rec, { ClusterStatus: 'pausing' });
    this.emitRedshiftEvent('REDSHIFT-EVENT-3618', 'cluster', id, { cluster_name: id, utc_time: startedAt });
    this.emitIntegrationEvents(rec, 'REDSHIFT-INTEGRATION-EVENT-0018', 'TARGET_CLUSTER_PAUSING');
    this.later(rec, this.duration(this.durations.pause, rec), 'paused', () => {
      this.update(rec, { ClusterStatus: 'paused', ClusterNodes: [] });
      this.emitRedshiftEvent('REDSHIFT-EVENT-3619', 'cluster', id, { cluster_name: id, utc_time: this.clock.now() });
      this.emitIntegrationEvents(rec, 'REDSHIFT-INTEGRATION-EVENT-0019', 'TARGET_CLUSTER_PAUSED');
    });
    return this.actionResponse(rec);
  }

  resumeCluster(input: ResumeClusterMessage) {
    const rec = this.mustGetCluster(input.ClusterIdentifier);
    if (rec.view.MultiAZ === 'Enabled') this.fault('UnsupportedOperationFault', MESSAGES.unsupported);
    // Includes `pausing`: a pause can't be interrupted (guide L3643).
    if (rec.view.ClusterStatus !== 'paused') this.fault('InvalidClusterStateFault', MESSAGES.resumeNotPaused);
    this.update(rec, { ClusterStatus: 'resuming' });
    this.emitIntegrationEvents(rec, 'REDSHIFT-INTEGRATION-EVENT-0020', 'TARGET_CLUSTER_RESUMING');
    // No cluster event marks a resume (the guide has none); node IPs may change (guide L3652–3659).
    this.later(rec, this.duration(this.durations.resume, rec), 'resumed', () => {
      this.update(rec, {
        ClusterStatus: 'available',
        ClusterNodes: clusterNodes(rec.view.NumberOfNodes ?? 1, this.attrRng),
      });
    });
    return this.actionResponse(rec);
  }

  rebootCluster(input: RebootClusterMessage) {
    const rec = this.mustGetCluster(input.ClusterIdentifier);
    const id = rec.view.ClusterIdentifier ?? '';
    if (rec.view.ClusterStatus !== 'available') this.fault('InvalidClusterStateFault', MESSAGES.clusterNotAvailable);
    const startedAt = this.clock.now();
    this.update(rec, { ClusterStatus: 'rebooting' });
    this.later(rec, this.duration(this.durations.reboot, rec), 'rebooted', () => {
      this.update(rec, { ClusterStatus: 'available' });
      this.emitRedshiftEvent('REDSHIFT-EVENT-3000', 'cluster', id, { cluster_name: id, time: startedAt });
    });
    return { Cluster: rec.view };
  }

  resizeCluster(input: ResizeClusterMessage) {
    const rec = this.mustGetCluster(input.ClusterIdentifier);
    const id = rec.view.ClusterIdentifier ?? '';
    const fromType = rec.view.NodeType ?? '';
    const fromNodes = rec.view.NumberOfNodes ?? 1;
    const toType = input.NodeType ?? fromType;
    const toNodes = input.NumberOfNodes ?? fromNodes;
    if (rec.view.ClusterStatus !== 'available') this.fault('InvalidClusterStateFault', MESSAGES.clusterNotAvailable);
    if (toType === fromType && toNodes === fromNodes) {
      throw invalidParameterValue(
        `The cluster ${id} already has ${fromNodes} nodes of type ${fromType}.`,
        this.requestId(),
      );
    }
    // No resizing from RA3 to older node types (guide L3470).
    if (fromType.startsWith('ra3') && !toType.startsWith('ra3'))
      this.fault('UnsupportedOperationFault', MESSAGES.unsupported);
    const classic = input.Classic === true;
    if (!classic && toType === fromType) {
      const { min, max } = elasticRange(fromType, fromNodes);
      if (toNodes < min || toNodes > max) this.fault('UnsupportedOperationFault', MESSAGES.unsupported);
    }
    const requestedAt = this.clock.now();
    const apply = () =>
      this.update(rec, {
        NodeType: toType,
        NumberOfNodes: toNodes,
        ClusterNodes: clusterNodes(toNodes, this.attrRng),
        TotalStorageCapacityInMegaBytes: storageMbPerNode(toType) * toNodes,
        ElasticResizeNumberOfNodeOptions: elasticOptions(toType, toNodes),
        PendingModifiedValues: {},
      });
    if (classic) {
      this.update(rec, {
        ClusterStatus: 'resizing',
        PendingModifiedValues: { NodeType: toType, NumberOfNodes: toNodes },
        ResizeInfo: { ResizeType: 'ClassicResize', AllowCancelResize: true },
      });
      this.emitRedshiftEvent('REDSHIFT-EVENT-2007', 'cluster', id, { cluster_name: id });
      this.emitRedshiftEvent('REDSHIFT-EVENT-2006', 'cluster', id, { cluster_name: id, time_in_utc: requestedAt });
      const ms = this.duration(this.durations.classicResize, rec);
      this.later(rec, ms, 'classic resize done', () => {
        apply();
        this.update(rec, { ClusterStatus: 'available' }, ['ResizeInfo']);
        this.emitRedshiftEvent('REDSHIFT-EVENT-3002', 'cluster', id, {
          cluster_name: id,
          time: requestedAt,
          hours: (ms / 3_600_000).toFixed(1),
        });
      });
      return { Cluster: rec.view };
    }
    this.update(rec, {
      ClusterStatus: 'available, prep-for-resize',
      PendingModifiedValues: { NodeType: toType, NumberOfNodes: toNodes },
      ResizeInfo: { ResizeType: 'ElasticResize', AllowCancelResize: false },
    });
    this.emitRedshiftEvent('REDSHIFT-EVENT-3012', 'cluster', id, { cluster_name: id, time: requestedAt });
    this.later(rec, this.duration(this.durations.prepForResize, rec), 'elastic resize started', () => {
      this.update(rec, { ClusterStatus: 'resizing' });
      this.emitRedshiftEvent('REDSHIFT-EVENT-3011', 'cluster', id, { cluster_name: id, time: this.clock.now() });
      this.later(rec, this.duration(this.durations.elasticResize, rec), 'elastic resize done', () => {
        apply();
        this.update(rec, { ClusterStatus: 'available, resize-cleanup' });
        this.emitRedshiftEvent('REDSHIFT-EVENT-3534', 'cluster', id, { cluster_name: id, time: this.clock.now() });
        this.later(rec, this.duration(this.durations.resizeCleanup, rec), 'data transfer done', () => {
          this.update(rec, { ClusterStatus: 'available' }, ['ResizeInfo']);
          this.emitRedshiftEvent('REDSHIFT-EVENT-3537', 'cluster', id, {
            cluster_name: id,
            time_in_utc: this.clock.now(),
          });
        });
      });
    });
    return { Cluster: rec.view };
  }

  deleteCluster(input: DeleteClusterMessage) {
    const rec = this.mustGetCluster(input.ClusterIdentifier);
    const id = rec.view.ClusterIdentifier ?? '';
    const status = rec.view.ClusterStatus ?? '';
    const settled =
      status === 'available' ||
      status === 'paused' ||
      status === 'storage-full' ||
      status === 'hardware-failure' ||
      status.startsWith('incompatible-');
    // The recorded InvalidClusterState response of DeleteCluster (test_redshift_delete).
    if (!settled) this.fault('InvalidClusterStateFault', MESSAGES.operationRunningDelete);
    for (const t of rec.timers) this.clock.cancel(t);
    rec.timers = [];
    this.update(rec, { ClusterStatus: 'deleting' });
    const finalId = input.SkipFinalClusterSnapshot === true ? undefined : input.FinalClusterSnapshotIdentifier;
    this.later(rec, this.duration(this.durations.deleteCluster, rec), 'deleted', () => {
      if (finalId !== undefined)
        this.insertSnapshot(rec, finalId, 'manual', input.FinalClusterSnapshotRetentionPeriod, [], 'available');
      this.clusters.delete(id);
      this.clusterOrder = this.clusterOrder.filter((r) => r !== rec);
      for (const [sid, snap] of this.snapshots) {
        if (snap.clusterIdentifier === id && snap.view.SnapshotType === 'automated') this.snapshots.delete(sid);
      }
      for (const [lid, limit] of this.usageLimits)
        if (limit.view.ClusterIdentifier === id) this.usageLimits.delete(lid);
    });
    return { Cluster: rec.view };
  }

  failoverPrimaryCompute(input: FailoverPrimaryComputeInputMessage) {
    const rec = this.mustGetCluster(input.ClusterIdentifier);
    if (rec.view.MultiAZ !== 'Enabled') this.fault('UnsupportedOperationFault', MESSAGES.unsupported);
    if (rec.view.ClusterStatus !== 'available') this.fault('InvalidClusterStateFault', MESSAGES.clusterNotAvailable);
    // Status stays `modifying` for the whole failover (guide L4824). The guide names no event for a
    // manual failover, so none is sent; the reconcile sweep sees it finish.
    this.update(rec, { ClusterStatus: 'modifying' });
    this.later(rec, this.duration(this.durations.failover, rec), 'failover done', () => {
      const primaryAz = rec.view.AvailabilityZone;
      const secondary = rec.view.MultiAZSecondary;
      this.update(rec, {
        ClusterStatus: 'available',
        ...(secondary?.AvailabilityZone === undefined ? {} : { AvailabilityZone: secondary.AvailabilityZone }),
        MultiAZSecondary: {
          ...(primaryAz === undefined ? {} : { AvailabilityZone: primaryAz }),
          ClusterNodes: clusterNodes(rec.view.NumberOfNodes ?? 1, this.attrRng),
        },
        ...(secondary?.ClusterNodes === undefined ? {} : { ClusterNodes: secondary.ClusterNodes }),
      });
    });
    return { Cluster: rec.view };
  }

  // ───────────────────────────── snapshots ─────────────────────────────

  private insertSnapshot(
    rec: ClusterRecord,
    snapshotId: string,
    type: 'manual' | 'automated',
    retention: number | undefined,
    tags: readonly Tag[],
    status: 'creating' | 'available',
  ): SnapshotRecord {
    const c = rec.view;
    const now = this.clock.now();
    const clusterId = c.ClusterIdentifier ?? '';
    const view: Snapshot = {
      SnapshotIdentifier: snapshotId,
      ClusterIdentifier: clusterId,
      SnapshotCreateTime: now,
      Status: status,
      Port: c.Endpoint?.Port ?? 5439,
      AvailabilityZone: c.AvailabilityZone ?? `${this.region}a`,
      ClusterCreateTime: c.ClusterCreateTime ?? now,
      MasterUsername: c.MasterUsername ?? 'awsuser',
      ClusterVersion: c.ClusterVersion ?? '1.0',
      EngineFullVersion: '1.0.90000',
      SnapshotType: type,
      NodeType: c.NodeType ?? 'ra3.xlplus',
      NumberOfNodes: c.NumberOfNodes ?? 1,
      DBName: c.DBName ?? 'dev',
      VpcId: c.VpcId ?? '',
      Encrypted: c.Encrypted ?? false,
      ...(c.KmsKeyId === undefined ? {} : { KmsKeyId: c.KmsKeyId }),
      EncryptedWithHSM: false,
      OwnerAccount: this.account,
      // What CreateClusterSnapshot returns while the backup has not started (recorded response).
      TotalBackupSizeInMegaBytes: -1,
      ActualIncrementalBackupSizeInMegaBytes: -1,
      BackupProgressInMegaBytes: 0,
      CurrentBackupRateInMegaBytesPerSecond: 0,
      EstimatedSecondsToCompletion: -1,
      ElapsedTimeInSeconds: 0,
      Tags: tags.map((t) => ({ ...t })),
      EnhancedVpcRouting: c.EnhancedVpcRouting ?? false,
      MaintenanceTrackName: c.MaintenanceTrackName ?? 'current',
      ManualSnapshotRetentionPeriod: type === 'manual' ? (retention ?? c.ManualSnapshotRetentionPeriod ?? -1) : -1,
      SnapshotArn: `arn:aws:redshift:${this.region}:${this.account}:snapshot:${clusterId}/${snapshotId}`,
    };
    const snap: SnapshotRecord = { view: deepFreeze(view), arn: view.SnapshotArn ?? '', clusterIdentifier: clusterId };
    if (status === 'available') this.completeSnapshot(snap, rec, 60);
    this.snapshots.set(snapshotId, snap);
    return snap;
  }

  private completeSnapshot(snap: SnapshotRecord, rec: ClusterRecord, elapsedSec: number): void {
    const total = rec.dataSizeMB;
    const incremental = Math.max(1, Math.round(total * this.durRng.between(0.05, 0.3)));
    const retention = snap.view.ManualSnapshotRetentionPeriod ?? -1;
    snap.view = deepFreeze({
      ...snap.view,
      Status: 'available',
      TotalBackupSizeInMegaBytes: total,
      ActualIncrementalBackupSizeInMegaBytes: incremental,
      BackupProgressInMegaBytes: incremental,
      CurrentBackupRateInMegaBytesPerSecond: Math.round((incremental / Math.max(1, elapsedSec)) * 10_000) / 10_000,
      EstimatedSecondsToCompletion: 0,
      ElapsedTimeInSeconds: elapsedSec,
      RestorableNodeTypes: [snap.view.NodeType ?? ''],
      SnapshotRetentionStartTime: this.clock.now(),
      ...(retention > 0 ? { ManualSnapshotRemainingDays: retention } : {}),
    });
    if (snap.view.SnapshotType === 'manual' && retention > 0) {
      // Redshift deletes a manual snapshot when its retention period ends.
      snap.timer = this.clock.after(
        retention * 86_400_000,
        () => {
          if (this.snapshots.get(snap.view.SnapshotIdentifier ?? '') === snap)
            this.snapshots.delete(snap.view.SnapshotIdentifier ?? '');
        },
        `${snap.view.SnapshotIdentifier}: retention ends`,
      );
    }
  }

  createClusterSnapshot(input: CreateClusterSnapshotMessage) {
    const rec = this.mustGetCluster(input.ClusterIdentifier);
    const clusterId = rec.view.ClusterIdentifier ?? '';
    const snapshotId = input.SnapshotIdentifier ?? '';
    if (this.snapshots.has(snapshotId))
      this.fault('ClusterSnapshotAlreadyExistsFault', MESSAGES.snapshotExists(snapshotId));
    // Paused clusters and the elastic-resize sub-states block snapshots (guide L2941–2942, L3640).
    if (rec.view.ClusterStatus !== 'available') this.fault('InvalidClusterStateFault', MESSAGES.clusterNotAvailable);
    let manual = 0;
    for (const s of this.snapshots.values()) if (s.view.SnapshotType === 'manual') manual++;
    if (manual >= this.snapshotQuota) {
      this.fault(
        'ClusterSnapshotQuotaExceededFault',
        'The request would result in the user exceeding the allowed number of cluster snapshots.',
      );
    }
    this.validateTags(input.Tags ?? [], 0);
    const snap = this.insertSnapshot(
      rec,
      snapshotId,
      'manual',
      input.ManualSnapshotRetentionPeriod,
      input.Tags ?? [],
      'creating',
    );
    const startedAt = this.clock.now();
    this.emitRedshiftEvent('REDSHIFT-EVENT-2009', 'snapshot', snapshotId, {
      snapshot_name: snapshotId,
      cluster_name: clusterId,
      time: startedAt,
    });
    const nodes = rec.view.NumberOfNodes ?? 1;
    const rate = this.durRng.between(...this.durations.snapshotRateMbPerSecPerNode) * nodes;
    const work = rec.dataSizeMB * this.durRng.between(0.05, 0.3);
    const ms = drawDuration(this.durations.snapshotBase, this.durRng) + Math.round((work / rate) * 1000);
    const fails = this.snapshotFailures.some(
      (f) =>
        (f.rule.clusterIdentifier === undefined || f.rule.clusterIdentifier === clusterId) && f.rng.chance(f.rule.rate),
    );
    snap.timer = this.clock.after(
      ms,
      () => {
        if (this.snapshots.get(snapshotId) !== snap) return;
        snap.timer = undefined;
        const doneAt = this.clock.now();
        if (fails) {
          snap.view = deepFreeze({ ...snap.view, Status: 'failed', EstimatedSecondsToCompletion: 0 });
          this.emitRedshiftEvent('REDSHIFT-EVENT-3503', 'snapshot', snapshotId, {
            snapshot_name: snapshotId,
            cluster_name: clusterId,
            time: doneAt,
          });
          return;
        }
        this.completeSnapshot(snap, rec, Math.round(ms / 1000));
        this.emitRedshiftEvent('REDSHIFT-EVENT-3004', 'snapshot', snapshotId, {
          snapshot_name: snapshotId,
          cluster_name: clusterId,
          time: doneAt,
        });
      },
      `${snapshotId}: snapshot`,
    );
    return { Snapshot: snap.view };
  }

  describeClusterSnapshots(input: DescribeClusterSnapshotsMessage) {
    const size = this.pageSize(input.MaxRecords);
    const start = this.offset(input.Marker);
    let list: Snapshot[];
    if (input.SnapshotIdentifier !== undefined) {
      const snap = this.snapshots.get(input.SnapshotIdentifier);
      if (
        snap === undefined ||
        (input.ClusterIdentifier !== undefined && snap.clusterIdentifier !== input.ClusterIdentifier)
      ) {
        this.fault('ClusterSnapshotNotFoundFault', MESSAGES.snapshotNotFound(input.SnapshotIdentifier));
      }
      list = [snap.view];
    } else {
      const from = input.StartTime?.getTime();
      const to = input.EndTime?.getTime();
      list = [];
      for (const snap of this.snapshots.values()) {
        const v = snap.view;
        if (input.ClusterIdentifier !== undefined && snap.clusterIdentifier !== input.ClusterIdentifier) continue;
        if (input.SnapshotArn !== undefined && snap.arn !== input.SnapshotArn) continue;
        if (input.SnapshotType !== undefined && v.SnapshotType !== input.SnapshotType) continue;
        if (input.OwnerAccount !== undefined && v.OwnerAccount !== input.OwnerAccount) continue;
        const created = v.SnapshotCreateTime?.getTime() ?? 0;
        if (from !== undefined && created < from) continue;
        if (to !== undefined && created > to) continue;
        if (input.ClusterExists !== undefined && this.clusters.has(snap.clusterIdentifier) !== input.ClusterExists)
          continue;
        if (!sameTags(v.Tags, input.TagKeys, input.TagValues)) continue;
        list.push(v);
      }
    }
    const page = paginate(list, start, size);
    return { Snapshots: page.items, ...(page.next === undefined ? {} : { Marker: page.next }) };
  }

  deleteClusterSnapshot(input: DeleteClusterSnapshotMessage) {
    const snapshotId = input.SnapshotIdentifier ?? '';
    const snap = this.snapshots.get(snapshotId);
    if (
      snap === undefined ||
      (input.SnapshotClusterIdentifier !== undefined && snap.clusterIdentifier !== input.SnapshotClusterIdentifier)
    ) {
      this.fault('ClusterSnapshotNotFoundFault', MESSAGES.snapshotNotFound(snapshotId));
    }
    if (snap.view.SnapshotType !== 'manual')
      this.fault('InvalidClusterSnapshotStateFault', MESSAGES.snapshotNotDeletable(snapshotId));
    if (snap.timer !== undefined) this.clock.cancel(snap.timer);
    this.snapshots.delete(snapshotId);
    const values = { snapshot_name: snapshotId, cluster_name: snap.clusterIdentifier, time: this.clock.now() };
    if (snap.view.Status === 'creating') this.emitRedshiftEvent('REDSHIFT-EVENT-2010', 'snapshot', snapshotId, values);
    else this.emitRedshiftEvent('REDSHIFT-EVENT-2011', 'snapshot', snapshotId, values);
    return { Snapshot: { ...snap.view, Status: 'deleted' } };
  }

  // ───────────────────────────── tags ─────────────────────────────

  private validateTags(tags: readonly Tag[], existing: number): void {
    for (const t of tags) {
      const key = t.Key ?? '';
      if (key.length < 1 || key.length > 128 || key.toLowerCase().startsWith('aws:') || (t.Value ?? '').length > 256) {
        this.fault('InvalidTagFault', MESSAGES.invalidTag);
      }
    }
    // 50 tags per resource (guide L28181).
    if (existing + tags.length > 50) this.fault('TagLimitExceededFault', MESSAGES.tagLimit);
  }

  private taggable(arn: string | undefined): {
    type: string;
    tags: () => readonly Tag[];
    setTags: (tags: Tag[]) => void;
  } {
    const match = /^arn:aws[a-z-]*:redshift:([^:]*):(\d*):([a-z-]+):(.+)$/.exec(arn ?? '');
    const [, , , type, rest] = match ?? [];
    if (type === 'cluster') {
      const rec = this.clusters.get(rest ?? '');
      if (rec !== undefined) {
        return { type, tags: () => rec.view.Tags ?? [], setTags: (tags) => this.update(rec, { Tags: tags }) };
      }
    }
    if (type === 'snapshot') {
      const snap = this.snapshots.get((rest ?? '').split('/')[1] ?? '');
      if (snap !== undefined) {
        return {
          type,
          tags: () => snap.view.Tags ?? [],
          setTags: (tags) => {
            snap.view = deepFreeze({ ...snap.view, Tags: tags });
          },
        };
      }
    }
    if (type === 'usagelimit') {
      const limit = this.usageLimits.get(rest ?? '');
      if (limit !== undefined) {
        return {
          type,
          tags: () => limit.view.Tags ?? [],
          setTags: (tags) => {
            limit.view = deepFreeze({ ...limit.view, Tags: tags });
          },
        };
      }
    }
    return this.fault('ResourceNotFoundFault', MESSAGES.resourceNotFound);
  }

  createTags(input: CreateTagsMessage) {
    const target = this.taggable(input.ResourceName);
    const merged = new Map((target.tags() ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
    const fresh = (input.Tags ?? []).filter((t) => !merged.has(t.Key ?? ''));
    this.validateTags(input.Tags ?? [], 0);
    if (merged.size + new Set(fresh.map((t) => t.Key)).size > 50)
      this.fault('TagLimitExceededFault', MESSAGES.tagLimit);
    for (const t of input.Tags ?? []) merged.set(t.Key ?? '', t.Value ?? '');
    target.setTags([...merged].map(([Key, Value]) => ({ Key, Value })));
    return {};
  }

  deleteTags(input: DeleteTagsMessage) {
    const target = this.taggable(input.ResourceName);
    const drop = new Set(input.TagKeys ?? []);
    target.setTags(target.tags().filter((t) => !drop.has(t.Key ?? '')));
    return {};
  }

  describeTags(input: DescribeTagsMessage) {
    const size = this.pageSize(input.MaxRecords);
    const start = this.offset(input.Marker);
    const wantType = input.ResourceType?.toLowerCase().replace(/[\s-]/g, '');
    const resources: { name: string; type: string; tags: readonly Tag[] }[] = [];
    if (input.ResourceName !== undefined) {
      const target = this.taggable(input.ResourceName);
      resources.push({ name: input.ResourceName, type: target.type, tags: target.tags() });
    } else {
      for (const r of this.clusterOrder) resources.push({ name: r.arn, type: 'cluster', tags: r.view.Tags ?? [] });
      for (const s of this.snapshots.values())
        resources.push({ name: s.arn, type: 'snapshot', tags: s.view.Tags ?? [] });
      for (const u of this.usageLimits.values())
        resources.push({ name: u.arn, type: 'usagelimit', tags: u.view.Tags ?? [] });
    }
    const tagged: TaggedResource[] = [];
    for (const r of resources) {
      if (wantType !== undefined && r.type !== wantType) continue;
      for (const tag of r.tags) {
        if (!sameTags([tag], input.TagKeys, input.TagValues)) continue;
        tagged.push({
          Tag: { Key: tag.Key ?? '', Value: tag.Value ?? '' },
          ResourceName: r.name,
          ResourceType: r.type,
        });
      }
    }
    const page = paginate(tagged, start, size);
    return { TaggedResources: page.items, ...(page.next === undefined ? {} : { Marker: page.next }) };
  }

  // ───────────────────────────── usage limits ─────────────────────────────

  createUsageLimit(input: CreateUsageLimitMessage) {
    const rec = this.mustGetCluster(input.ClusterIdentifier);
    const feature = input.FeatureType ?? '';
    const limitType = input.LimitType ?? '';
    const validType: Record<string, string> = {
      'concurrency-scaling': 'time',
      spectrum: 'data-scanned',
      'cross-region-datasharing': 'data-scanned',
      'extra-compute-for-automatic-optimization': 'time',
    };
    if (validType[feature] !== limitType || !(typeof input.Amount === 'number' && input.Amount > 0)) {
      this.fault('InvalidUsageLimitFault', MESSAGES.usageLimitInvalid);
    }
    const breachAction = input.BreachAction ?? 'log';
    const existing = [...this.usageLimits.values()].filter(
      (l) => l.view.ClusterIdentifier === rec.view.ClusterIdentifier && l.view.FeatureType === feature,
    );
    // Up to three limits per feature, at most one of them with the disable action (guide L3163–3167).
    if (
      existing.length >= 3 ||
      (breachAction === 'disable' && existing.some((l) => l.view.BreachAction === 'disable'))
    ) {
      this.fault('InvalidUsageLimitFault', MESSAGES.usageLimitInvalid);
    }
    this.validateTags(input.Tags ?? [], 0);
    const limitId = `lim-${this.attrRng.hex(16)}`;
    const view: UsageLimit = deepFreeze({
      UsageLimitId: limitId,
      ClusterIdentifier: rec.view.ClusterIdentifier ?? '',
      FeatureType: input.FeatureType,
      LimitType: input.LimitType,
      Amount: input.Amount,
      Period: input.Period ?? 'monthly',
      BreachAction: breachAction,
      Tags: (input.Tags ?? []).map((t) => ({ ...t })),
    });
    this.usageLimits.set(limitId, {
      view,
      arn: `arn:aws:redshift:${this.region}:${this.account}:usagelimit:${limitId}`,
    });
    return view;
  }

  describeUsageLimits(input: DescribeUsageLimitsMessage) {
    const size = this.pageSize(input.MaxRecords);
    const start = this.offset(input.Marker);
    if (input.UsageLimitId !== undefined && !this.usageLimits.has(input.UsageLimitId)) {
      this.fault('UsageLimitNotFoundFault', MESSAGES.usageLimitNotFound);
    }
    if (input.ClusterIdentifier !== undefined) this.mustGetCluster(input.ClusterIdentifier);
    const list = [...this.usageLimits.values()]
      .map((l) => l.view)
      .filter(
        (v) =>
          (input.UsageLimitId === undefined || v.UsageLimitId === input.UsageLimitId) &&
          (input.ClusterIdentifier === undefined || v.ClusterIdentifier === input.ClusterIdentifier) &&
          (input.FeatureType === undefined || v.FeatureType === input.FeatureType) &&
          sameTags(v.Tags, input.TagKeys, input.TagValues),
      );
    const page = paginate(list, start, size);
    return { UsageLimits: page.items, ...(page.next === undefined ? {} : { Marker: page.next }) };
  }

  modifyUsageLimit(input: ModifyUsageLimitMessage) {
    const limit = this.usageLimits.get(input.UsageLimitId ?? '');
    if (limit === undefined) return this.fault('UsageLimitNotFoundFault', MESSAGES.usageLimitNotFound);
    if (input.Amount !== undefined && !(input.Amount > 0))
      this.fault('InvalidUsageLimitFault', MESSAGES.usageLimitInvalid);
    if (input.BreachAction === 'disable' && limit.view.BreachAction !== 'disable') {
      const other = [...this.usageLimits.values()].some(
        (l) =>
          l !== limit &&
          l.view.ClusterIdentifier === limit.view.ClusterIdentifier &&
          l.view.FeatureType === limit.view.FeatureType &&
          l.view.BreachAction === 'disable',
      );
      if (other) this.fault('InvalidUsageLimitFault', MESSAGES.usageLimitInvalid);
    }
    limit.view = deepFreeze({
      ...limit.view,
      ...(input.Amount === undefined ? {} : { Amount: input.Amount }),
      ...(input.BreachAction === undefined ? {} : { BreachAction: input.BreachAction }),
    });
    return limit.view;
  }

  deleteUsageLimit(input: DeleteUsageLimitMessage) {
    if (!this.usageLimits.delete(input.UsageLimitId ?? ''))
      this.fault('UsageLimitNotFoundFault', MESSAGES.usageLimitNotFound);
    return {};
  }

  // ───────────────────────────── integrations ─────────────────────────────

  describeIntegrations(input: DescribeIntegrationsMessage) {
    const size = this.pageSize(input.MaxRecords);
    const start = this.offset(input.Marker);
    if (input.IntegrationArn !== undefined && !this.integrations.has(input.IntegrationArn)) {
      this.fault('IntegrationNotFoundFault', MESSAGES.integrationNotFound);
    }
    const list = [...this.integrations.values()]
      .map((i) => i.view)
      .filter((v) => {
        if (input.IntegrationArn !== undefined && v.IntegrationArn !== input.IntegrationArn) return false;
        for (const f of input.Filters ?? []) {
          const values = f.Values ?? [];
          const actual =
            f.Name === 'integration-arn'
              ? v.IntegrationArn
              : f.Name === 'source-arn'
                ? v.SourceArn
                : f.Name === 'status'
                  ? v.Status
                  : undefined;
          if (f.Name === 'source-types') continue;
          if (!values.includes(actual ?? '')) return false;
        }
        return true;
      });
    const page = paginate(list, start, size);
    return { Integrations: page.items, ...(page.next === undefined ? {} : { Marker: page.next }) };
  }
}
