/**
 * The provisioned cluster lifecycle: DescribeClusters, pause/resume, elastic and classic resize,
 * reboot, Multi-AZ failover and delete, with the statuses, durations and events of the Management
 * Guide. Snapshots, usage limits and integrations of a cluster live in their own models.
 */
import type {
  Cluster,
  DeleteClusterMessage,
  DescribeClustersMessage,
  FailoverPrimaryComputeInputMessage,
  PauseClusterMessage,
  RebootClusterMessage,
  ResizeClusterMessage,
  ResumeClusterMessage,
} from '@aws-sdk/client-redshift';
import { invalidParameterValue, MESSAGES } from './aws-errors.ts';
import {
  ACTION_RESPONSE_OMITS,
  availabilityOf,
  clusterNodes,
  elasticOptions,
  elasticRange,
  type NewClusterInput,
  newCluster,
  storageMbPerNode,
  withoutKeys,
} from './cluster-model.ts';
import type { ClusterRecord, ClusterRegistry } from './cluster-registry.ts';
import type { IntegrationsModel } from './integrations-model.ts';
import { paginate } from './pagination.ts';
import type { Handler, ProvisionedContext } from './provisioned-context.ts';
import type { SimulatorEvents } from './simulator-events.ts';
import type { SnapshotsModel } from './snapshots-model.ts';
import { sameTags } from './tag-rules.ts';
import type { UsageLimitsModel } from './usage-limits-model.ts';

interface ResizeTarget {
  nodeType: string;
  nodes: number;
}

export interface ClustersModelDeps {
  clusters: ClusterRegistry;
  events: SimulatorEvents;
  snapshots: SnapshotsModel;
  usageLimits: UsageLimitsModel;
  integrations: IntegrationsModel;
  /** The account-wide part of endpoint addresses (`<cluster>.<suffix>.<region>.redshift.amazonaws.com`). */
  endpointSuffix: string;
}

export class ClustersModel {
  readonly handlers: Record<string, Handler>;
  private readonly clusters: ClusterRegistry;
  private readonly events: SimulatorEvents;
  private readonly snapshots: SnapshotsModel;
  private readonly usageLimits: UsageLimitsModel;
  private readonly integrations: IntegrationsModel;
  private readonly endpointSuffix: string;

  constructor(
    private readonly ctx: ProvisionedContext,
    deps: ClustersModelDeps,
  ) {
    this.clusters = deps.clusters;
    this.events = deps.events;
    this.snapshots = deps.snapshots;
    this.usageLimits = deps.usageLimits;
    this.integrations = deps.integrations;
    this.endpointSuffix = deps.endpointSuffix;
    this.handlers = {
      DescribeClusters: (i: DescribeClustersMessage) => this.describeClusters(i),
      PauseCluster: (i: PauseClusterMessage) => this.pauseCluster(i),
      ResumeCluster: (i: ResumeClusterMessage) => this.resumeCluster(i),
      ResizeCluster: (i: ResizeClusterMessage) => this.resizeCluster(i),
      RebootCluster: (i: RebootClusterMessage) => this.rebootCluster(i),
      DeleteCluster: (i: DeleteClusterMessage) => this.deleteCluster(i),
      FailoverPrimaryCompute: (i: FailoverPrimaryComputeInputMessage) => this.failoverPrimaryCompute(i),
    };
  }

  /** Add a cluster with realistic defaults for everything not given. */
  addCluster(input: NewClusterInput & { dataSizeMB?: number }): Cluster {
    const view = newCluster(input, {
      region: this.ctx.region,
      account: this.ctx.account,
      endpointSuffix: this.endpointSuffix,
      now: this.ctx.clock.now(),
      rng: this.ctx.attrRng,
    });
    return this.clusters.insert(view, input.dataSizeMB);
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
    return this.clusters.insert(view, options.dataSizeMB);
  }

  private actionResponse(rec: ClusterRecord): { Cluster: Cluster } {
    return { Cluster: withoutKeys(rec.view, ACTION_RESPONSE_OMITS) };
  }

  describeClusters(input: DescribeClustersMessage) {
    const size = this.ctx.pageSize(input.MaxRecords);
    const start = this.ctx.offset(input.Marker);
    let views: readonly Cluster[];
    if (input.ClusterIdentifier !== undefined) views = [this.clusters.mustGet(input.ClusterIdentifier).view];
    else if ((input.TagKeys?.length ?? 0) > 0 || (input.TagValues?.length ?? 0) > 0) {
      views = this.clusters
        .records()
        .filter((r) => sameTags(r.view.Tags, input.TagKeys, input.TagValues))
        .map((r) => r.view);
    } else {
      const page = paginate(this.clusters.records(), start, size);
      return { Clusters: page.items.map((r) => r.view), ...(page.next === undefined ? {} : { Marker: page.next }) };
    }
    const page = paginate(views, start, size);
    return { Clusters: page.items, ...(page.next === undefined ? {} : { Marker: page.next }) };
  }

  pauseCluster(input: PauseClusterMessage) {
    const rec = this.clusters.mustGet(input.ClusterIdentifier);
    const id = rec.view.ClusterIdentifier ?? '';
    // Multi-AZ clusters can't be paused at all (guide L4559); the API's UnsupportedOperation fault.
    if (rec.view.MultiAZ === 'Enabled') this.ctx.fault('UnsupportedOperationFault', MESSAGES.unsupported);
    if (rec.view.ClusterStatus !== 'available') this.ctx.fault('InvalidClusterStateFault', MESSAGES.pauseNotActive);
    // "Clusters that have automated snapshots turned off" can't be paused (guide L3628–3634).
    if (rec.view.AutomatedSnapshotRetentionPeriod === 0)
      this.ctx.fault('UnsupportedOperationFault', MESSAGES.unsupported);
    const startedAt = this.ctx.clock.now();
    this.clusters.update(rec, { ClusterStatus: 'pausing' });
    this.events.redshift('REDSHIFT-EVENT-3618', 'cluster', id, { cluster_name: id, utc_time: startedAt });
    this.integrations.emitForTarget(rec, 'REDSHIFT-INTEGRATION-EVENT-0018', 'TARGET_CLUSTER_PAUSING');
    this.clusters.later(rec, this.clusters.duration(this.ctx.durations.pause, rec), 'paused', () => {
      this.clusters.update(rec, { ClusterStatus: 'paused', ClusterNodes: [] });
      this.events.redshift('REDSHIFT-EVENT-3619', 'cluster', id, { cluster_name: id, utc_time: this.ctx.clock.now() });
      this.integrations.emitForTarget(rec, 'REDSHIFT-INTEGRATION-EVENT-0019', 'TARGET_CLUSTER_PAUSED');
    });
    return this.actionResponse(rec);
  }

  resumeCluster(input: ResumeClusterMessage) {
    const rec = this.clusters.mustGet(input.ClusterIdentifier);
    if (rec.view.MultiAZ === 'Enabled') this.ctx.fault('UnsupportedOperationFault', MESSAGES.unsupported);
    // Includes `pausing`: a pause can't be interrupted (guide L3643).
    if (rec.view.ClusterStatus !== 'paused') this.ctx.fault('InvalidClusterStateFault', MESSAGES.resumeNotPaused);
    this.clusters.update(rec, { ClusterStatus: 'resuming' });
    this.integrations.emitForTarget(rec, 'REDSHIFT-INTEGRATION-EVENT-0020', 'TARGET_CLUSTER_RESUMING');
    // No cluster event marks a resume (the guide has none); node IPs may change (guide L3652–3659).
    this.clusters.later(rec, this.clusters.duration(this.ctx.durations.resume, rec), 'resumed', () => {
      this.clusters.update(rec, {
        ClusterStatus: 'available',
        ClusterNodes: clusterNodes(rec.view.NumberOfNodes ?? 1, this.ctx.attrRng),
      });
    });
    return this.actionResponse(rec);
  }

  rebootCluster(input: RebootClusterMessage) {
    const rec = this.clusters.mustGet(input.ClusterIdentifier);
    const id = rec.view.ClusterIdentifier ?? '';
    if (rec.view.ClusterStatus !== 'available')
      this.ctx.fault('InvalidClusterStateFault', MESSAGES.clusterNotAvailable);
    const startedAt = this.ctx.clock.now();
    this.clusters.update(rec, { ClusterStatus: 'rebooting' });
    this.clusters.later(rec, this.clusters.duration(this.ctx.durations.reboot, rec), 'rebooted', () => {
      this.clusters.update(rec, { ClusterStatus: 'available' });
      this.events.redshift('REDSHIFT-EVENT-3000', 'cluster', id, { cluster_name: id, time: startedAt });
    });
    return { Cluster: rec.view };
  }

  resizeCluster(input: ResizeClusterMessage) {
    const rec = this.clusters.mustGet(input.ClusterIdentifier);
    const id = rec.view.ClusterIdentifier ?? '';
    const fromType = rec.view.NodeType ?? '';
    const fromNodes = rec.view.NumberOfNodes ?? 1;
    const target: ResizeTarget = { nodeType: input.NodeType ?? fromType, nodes: input.NumberOfNodes ?? fromNodes };
    if (rec.view.ClusterStatus !== 'available')
      this.ctx.fault('InvalidClusterStateFault', MESSAGES.clusterNotAvailable);
    if (target.nodeType === fromType && target.nodes === fromNodes) {
      throw invalidParameterValue(
        `The cluster ${id} already has ${fromNodes} nodes of type ${fromType}.`,
        this.ctx.requestId(),
      );
    }
    // No resizing from RA3 to older node types (guide L3470).
    if (fromType.startsWith('ra3') && !target.nodeType.startsWith('ra3'))
      this.ctx.fault('UnsupportedOperationFault', MESSAGES.unsupported);
    const classic = input.Classic === true;
    if (!classic && target.nodeType === fromType) {
      const { min, max } = elasticRange(fromType, fromNodes);
      if (target.nodes < min || target.nodes > max) this.ctx.fault('UnsupportedOperationFault', MESSAGES.unsupported);
    }
    if (classic) this.classicResize(rec, target);
    else this.elasticResize(rec, target);
    return { Cluster: rec.view };
  }

  private applyResize(rec: ClusterRecord, { nodeType, nodes }: ResizeTarget): void {
    this.clusters.update(rec, {
      NodeType: nodeType,
      NumberOfNodes: nodes,
      ClusterNodes: clusterNodes(nodes, this.ctx.attrRng),
      TotalStorageCapacityInMegaBytes: storageMbPerNode(nodeType) * nodes,
      ElasticResizeNumberOfNodeOptions: elasticOptions(nodeType, nodes),
      PendingModifiedValues: {},
    });
  }

  private classicResize(rec: ClusterRecord, target: ResizeTarget): void {
    const id = rec.view.ClusterIdentifier ?? '';
    const requestedAt = this.ctx.clock.now();
    this.clusters.update(rec, {
      ClusterStatus: 'resizing',
      PendingModifiedValues: { NodeType: target.nodeType, NumberOfNodes: target.nodes },
      ResizeInfo: { ResizeType: 'ClassicResize', AllowCancelResize: true },
    });
    this.events.redshift('REDSHIFT-EVENT-2007', 'cluster', id, { cluster_name: id });
    this.events.redshift('REDSHIFT-EVENT-2006', 'cluster', id, { cluster_name: id, time_in_utc: requestedAt });
    const ms = this.clusters.duration(this.ctx.durations.classicResize, rec);
    this.clusters.later(rec, ms, 'classic resize done', () => {
      this.applyResize(rec, target);
      this.clusters.update(rec, { ClusterStatus: 'available' }, ['ResizeInfo']);
      this.events.redshift('REDSHIFT-EVENT-3002', 'cluster', id, {
        cluster_name: id,
        time: requestedAt,
        hours: (ms / 3_600_000).toFixed(1),
      });
    });
  }

  /** prep-for-resize → resizing → resize-cleanup → available, each step its own event. */
  private elasticResize(rec: ClusterRecord, target: ResizeTarget): void {
    const id = rec.view.ClusterIdentifier ?? '';
    const { durations, clock } = this.ctx;
    this.clusters.update(rec, {
      ClusterStatus: 'available, prep-for-resize',
      PendingModifiedValues: { NodeType: target.nodeType, NumberOfNodes: target.nodes },
      ResizeInfo: { ResizeType: 'ElasticResize', AllowCancelResize: false },
    });
    this.events.redshift('REDSHIFT-EVENT-3012', 'cluster', id, { cluster_name: id, time: clock.now() });
    this.clusters.later(rec, this.clusters.duration(durations.prepForResize, rec), 'elastic resize started', () => {
      this.clusters.update(rec, { ClusterStatus: 'resizing' });
      this.events.redshift('REDSHIFT-EVENT-3011', 'cluster', id, { cluster_name: id, time: clock.now() });
      this.clusters.later(rec, this.clusters.duration(durations.elasticResize, rec), 'elastic resize done', () => {
        this.applyResize(rec, target);
        this.clusters.update(rec, { ClusterStatus: 'available, resize-cleanup' });
        this.events.redshift('REDSHIFT-EVENT-3534', 'cluster', id, { cluster_name: id, time: clock.now() });
        this.clusters.later(rec, this.clusters.duration(durations.resizeCleanup, rec), 'data transfer done', () => {
          this.clusters.update(rec, { ClusterStatus: 'available' }, ['ResizeInfo']);
          this.events.redshift('REDSHIFT-EVENT-3537', 'cluster', id, { cluster_name: id, time_in_utc: clock.now() });
        });
      });
    });
  }

  deleteCluster(input: DeleteClusterMessage) {
    const rec = this.clusters.mustGet(input.ClusterIdentifier);
    const id = rec.view.ClusterIdentifier ?? '';
    const status = rec.view.ClusterStatus ?? '';
    const settled =
      status === 'available' ||
      status === 'paused' ||
      status === 'storage-full' ||
      status === 'hardware-failure' ||
      status.startsWith('incompatible-');
    // The recorded InvalidClusterState response of DeleteCluster (test_redshift_delete).
    if (!settled) this.ctx.fault('InvalidClusterStateFault', MESSAGES.operationRunningDelete);
    for (const t of rec.timers) this.ctx.clock.cancel(t);
    rec.timers = [];
    this.clusters.update(rec, { ClusterStatus: 'deleting' });
    const finalId = input.SkipFinalClusterSnapshot === true ? undefined : input.FinalClusterSnapshotIdentifier;
    this.clusters.later(rec, this.clusters.duration(this.ctx.durations.deleteCluster, rec), 'deleted', () => {
      if (finalId !== undefined)
        this.snapshots.addFinalSnapshot(rec, finalId, input.FinalClusterSnapshotRetentionPeriod);
      this.clusters.remove(rec);
      this.snapshots.dropAutomated(id);
      this.usageLimits.dropForCluster(id);
    });
    return { Cluster: rec.view };
  }

  failoverPrimaryCompute(input: FailoverPrimaryComputeInputMessage) {
    const rec = this.clusters.mustGet(input.ClusterIdentifier);
    if (rec.view.MultiAZ !== 'Enabled') this.ctx.fault('UnsupportedOperationFault', MESSAGES.unsupported);
    if (rec.view.ClusterStatus !== 'available')
      this.ctx.fault('InvalidClusterStateFault', MESSAGES.clusterNotAvailable);
    // Status stays `modifying` for the whole failover (guide L4824). The guide names no event for a
    // manual failover, so none is sent; the reconcile sweep sees it finish.
    this.clusters.update(rec, { ClusterStatus: 'modifying' });
    this.clusters.later(rec, this.clusters.duration(this.ctx.durations.failover, rec), 'failover done', () => {
      const primaryAz = rec.view.AvailabilityZone;
      const secondary = rec.view.MultiAZSecondary;
      this.clusters.update(rec, {
        ClusterStatus: 'available',
        ...(secondary?.AvailabilityZone === undefined ? {} : { AvailabilityZone: secondary.AvailabilityZone }),
        MultiAZSecondary: {
          ...(primaryAz === undefined ? {} : { AvailabilityZone: primaryAz }),
          ClusterNodes: clusterNodes(rec.view.NumberOfNodes ?? 1, this.ctx.attrRng),
        },
        ...(secondary?.ClusterNodes === undefined ? {} : { ClusterNodes: secondary.ClusterNodes }),
      });
    });
    return { Cluster: rec.view };
  }
}
