/**
 * The provisioned cluster lifecycle: DescribeClusters, pause/resume, elastic and classic resize,
 * reboot, Multi-AZ failover and delete, with the statuses, durations and events of the Management
 * Guide. Snapshots, usage limits and integrations of a cluster live in their own models.
 */
import type {
  Cluster,
  DeleteClusterMessage,
  DescribeClustersMessage,
  PauseClusterMessage,
  RebootClusterMessage,
  ResumeClusterMessage,
} from '@aws-sdk/client-redshift';
import { MESSAGES } from './aws-errors.ts';
import {
  ACTION_RESPONSE_OMITS,
  availabilityOf,
  clusterNodes,
  type NewClusterInput,
  newCluster,
  withoutKeys,
} from './cluster-model.ts';
import type { ClusterRecord, ClusterRegistry } from './cluster-registry.ts';
import type { IntegrationsModel } from './integrations-model.ts';
import { subnetZonesProblem } from './multi-az-rules.ts';
import { paginate } from './pagination.ts';
import type { Handler, ProvisionedContext } from './provisioned-context.ts';
import { ResizeModel } from './resize-model.ts';
import { SeededTransitions } from './seeded-transitions.ts';
import type { SimulatorEvents } from './simulator-events.ts';
import type { SnapshotsModel } from './snapshots-model.ts';
import type { SubnetGroupsModel } from './subnet-groups-model.ts';
import { sameTags } from './tag-rules.ts';
import type { UsageLimitsModel } from './usage-limits-model.ts';

export interface ClustersModelDeps {
  clusters: ClusterRegistry;
  events: SimulatorEvents;
  snapshots: SnapshotsModel;
  usageLimits: UsageLimitsModel;
  integrations: IntegrationsModel;
  /** Subnet groups: a new cluster's AZs come from its group; Multi-AZ needs three of them. */
  subnets: SubnetGroupsModel;
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
  private readonly subnets: SubnetGroupsModel;
  private readonly seeded: SeededTransitions;

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
    this.subnets = deps.subnets;
    this.seeded = new SeededTransitions(ctx, deps);
    this.handlers = {
      DescribeClusters: (i: DescribeClustersMessage) => this.describeClusters(i),
      PauseCluster: (i: PauseClusterMessage) => this.pauseCluster(i),
      ResumeCluster: (i: ResumeClusterMessage) => this.resumeCluster(i),
      ...new ResizeModel(ctx, this.clusters, this.events).handlers,
      RebootCluster: (i: RebootClusterMessage) => this.rebootCluster(i),
      DeleteCluster: (i: DeleteClusterMessage) => this.deleteCluster(i),
    };
  }

  /** Add a cluster with realistic defaults for everything not given. */
  addCluster(input: NewClusterInput & { dataSizeMB?: number }): Cluster {
    const zones = this.subnets.seededZonesOf(input.ClusterSubnetGroupName);
    const view = newCluster(input, {
      ...(zones === undefined || zones.length === 0 ? {} : { zones }),
      region: this.ctx.region,
      account: this.ctx.account,
      endpointSuffix: this.endpointSuffix,
      now: this.ctx.clock.now(),
      rng: this.ctx.attrRng,
    });
    this.checkSubnetGroup(view);
    return this.track(this.clusters.insert(view, input.dataSizeMB));
  }

  /**
   * Add a cluster exactly as given (a recorded response, or `aws redshift describe-clusters`
   * output with dates already revived). Missing status-derived fields are filled in; a cluster
   * caught mid-transition (`modifying`, `rebooting`, `resizing`, `pausing`, `resuming`) finishes it.
   */
  seedCluster(cluster: Cluster, options: { dataSizeMB?: number } = {}): Cluster {
    const view: Cluster = { ...structuredClone(cluster) };
    if (view.ClusterIdentifier === undefined) throw new Error('seedCluster: ClusterIdentifier is required');
    view.ClusterStatus ??= 'available';
    view.ClusterAvailabilityStatus ??= availabilityOf(view.ClusterStatus);
    const zones = this.checkSubnetGroup(view);
    if (view.MultiAZ === 'Enabled' && view.MultiAZSecondary?.AvailabilityZone === undefined) {
      // CLI output of a Multi-AZ cluster always has its secondary; a hand-written fleet file may not.
      const other = zones.find((z) => z !== view.AvailabilityZone) ?? view.AvailabilityZone;
      view.MultiAZSecondary = {
        ...(other === undefined ? {} : { AvailabilityZone: other }),
        ClusterNodes: view.ClusterStatus === 'paused' ? [] : clusterNodes(view.NumberOfNodes ?? 1, this.ctx.attrRng),
      };
    }
    const rec = this.clusters.insert(view, options.dataSizeMB);
    this.seeded.settle(rec);
    return this.track(rec);
  }

  /**
   * The cluster's subnet group (made when not seeded); a Multi-AZ cluster whose group covers fewer
   * than three AZs is refused, as AWS refuses to create one (guide L4557, L4629). Returns the AZs.
   */
  private checkSubnetGroup(view: Cluster): string[] {
    const zones = this.subnets.ensureFor(view);
    if (view.MultiAZ !== 'Enabled') return zones;
    const problem = subnetZonesProblem(view.ClusterSubnetGroupName, zones);
    if (problem !== undefined) throw new Error(`the simulator refuses cluster ${view.ClusterIdentifier}: ${problem}`);
    return zones;
  }

  /** A new cluster's automated snapshots start on their cadence. */
  private track(rec: ClusterRecord): Cluster {
    this.snapshots.armAutomated(rec);
    return rec.view;
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
    // "Redshift takes a snapshot, starts terminating queries and moves the cluster into a pausing
    // state" (guide L3622): an automated snapshot, with no event (none exists for those).
    this.snapshots.takeAutomated(rec);
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
      this.snapshots.armAutomated(rec);
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
    const finalId = input.SkipFinalClusterSnapshot === true ? undefined : input.FinalClusterSnapshotIdentifier;
    if (finalId !== undefined) this.snapshots.checkFinalSnapshot(finalId, input.FinalClusterSnapshotRetentionPeriod);
    for (const t of rec.timers) this.ctx.clock.cancel(t);
    rec.timers = [];
    this.clusters.update(rec, { ClusterStatus: 'deleting' });
    this.clusters.later(rec, this.clusters.duration(this.ctx.durations.deleteCluster, rec), 'deleted', () => {
      if (finalId !== undefined)
        this.snapshots.addFinalSnapshot(rec, finalId, input.FinalClusterSnapshotRetentionPeriod);
      this.clusters.remove(rec);
      this.snapshots.dropAutomated(id);
      this.usageLimits.dropForCluster(id);
    });
    return { Cluster: rec.view };
  }
}
