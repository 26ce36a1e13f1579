/**
 * ResizeCluster (elastic and classic) and CancelResize, with the limits, statuses and events of the
 * Management Guide (facts.md §3).
 */
import type { CancelResizeMessage, ResizeClusterMessage } from '@aws-sdk/client-redshift';
import { invalidParameterValue, MESSAGES } from './aws-errors.ts';
import { clusterNodes, elasticOptions, elasticRange, nodeCountLimits, storageMbPerNode } from './cluster-model.ts';
import type { ClusterRecord, ClusterRegistry } from './cluster-registry.ts';
import type { Handler, ProvisionedContext } from './provisioned-context.ts';
import type { SimulatorEvents } from './simulator-events.ts';
import type { TimerId } from './virtual-clock.ts';

export interface ResizeTarget {
  nodeType: string;
  nodes: number;
}

const isRa3 = (nodeType: string) => nodeType.startsWith('ra3');

export class ResizeModel {
  readonly handlers: Record<string, Handler>;
  /** The timer that finishes each cancellable classic resize, by cluster identifier. */
  private readonly classicTimers = new Map<string, TimerId>();

  constructor(
    private readonly ctx: ProvisionedContext,
    private readonly clusters: ClusterRegistry,
    private readonly events: SimulatorEvents,
  ) {
    this.handlers = {
      ResizeCluster: (i: ResizeClusterMessage) => this.resizeCluster(i),
      CancelResize: (i: CancelResizeMessage) => this.cancelResize(i),
    };
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
    if (isRa3(fromType) && !isRa3(target.nodeType)) this.ctx.fault('UnsupportedOperationFault', MESSAGES.unsupported);
    if (input.Classic === true) {
      this.checkClassic(target);
      this.classicResize(rec, target);
    } else {
      this.checkElastic(rec, target);
      this.elasticResize(rec, target);
    }
    return { Cluster: rec.view };
  }

  /** Classic resize reaches the node type's create-time range (guide L2847–2871). */
  private checkClassic(target: ResizeTarget): void {
    const [min, max] = nodeCountLimits(target.nodeType).create;
    if (target.nodes > max) this.ctx.fault('NumberOfNodesPerClusterLimitExceededFault', MESSAGES.nodesPerCluster);
    if (target.nodes < min) this.ctx.fault('UnsupportedOperationFault', MESSAGES.unsupported);
  }

  /**
   * Elastic resize: not from a single node (single-node to multi-node needs a classic resize, and a
   * single-node RA3 changes node type only by classic resize, guide L2859, L3246–3252); no further
   * than the node type's elastic cap (guide L2861, L2863); within the grow/shrink limits counted from
   * the original or last classic node count, not the current one (guide L3449–3466, L3453).
   */
  private checkElastic(rec: ClusterRecord, target: ResizeTarget): void {
    const fromType = rec.view.NodeType ?? '';
    if ((rec.view.NumberOfNodes ?? 1) <= 1) this.ctx.fault('UnsupportedOperationFault', MESSAGES.unsupported);
    if (target.nodes > nodeCountLimits(target.nodeType).elastic)
      this.ctx.fault('NumberOfNodesPerClusterLimitExceededFault', MESSAGES.nodesPerCluster);
    if (target.nodeType !== fromType) return;
    const { min, max } = elasticRange(fromType, rec.resizeBaseNodes);
    if (target.nodes < min || target.nodes > max) this.ctx.fault('UnsupportedOperationFault', MESSAGES.unsupported);
  }

  private applyResize(rec: ClusterRecord, { nodeType, nodes }: ResizeTarget, baseNodes: number): void {
    rec.resizeBaseNodes = baseNodes;
    this.clusters.update(rec, {
      NodeType: nodeType,
      NumberOfNodes: nodes,
      ClusterNodes: clusterNodes(nodes, this.ctx.attrRng),
      TotalStorageCapacityInMegaBytes: storageMbPerNode(nodeType) * nodes,
      ElasticResizeNumberOfNodeOptions: elasticOptions(nodeType, nodes, baseNodes),
      PendingModifiedValues: {},
    });
  }

  /**
   * Classic resize. To RA3, reads and writes go on during the migration (guide L3478, L3519–3526), so
   * no 2006 "read-only" event, and it can't be cancelled (L3581–3584). To another target the cluster
   * is read-only (2006, L3548–3549) and CancelResize may stop it.
   */
  private classicResize(rec: ClusterRecord, target: ResizeTarget): void {
    const id = rec.view.ClusterIdentifier ?? '';
    const requestedAt = this.ctx.clock.now();
    const toRa3 = isRa3(target.nodeType);
    this.clusters.update(rec, {
      ClusterStatus: 'resizing',
      PendingModifiedValues: { NodeType: target.nodeType, NumberOfNodes: target.nodes },
      ResizeInfo: { ResizeType: 'ClassicResize', AllowCancelResize: !toRa3 },
    });
    this.events.redshift('REDSHIFT-EVENT-2007', 'cluster', id, { cluster_name: id });
    if (!toRa3)
      this.events.redshift('REDSHIFT-EVENT-2006', 'cluster', id, { cluster_name: id, time_in_utc: requestedAt });
    const ms = this.clusters.duration(this.ctx.durations.classicResize, rec);
    const timer = this.clusters.later(rec, ms, 'classic resize done', () => {
      this.classicTimers.delete(id);
      this.applyResize(rec, target, target.nodes);
      this.clusters.update(rec, { ClusterStatus: 'available' }, ['ResizeInfo']);
      this.events.redshift('REDSHIFT-EVENT-3002', 'cluster', id, {
        cluster_name: id,
        time: requestedAt,
        hours: (ms / 3_600_000).toFixed(1),
      });
    });
    if (!toRa3) this.classicTimers.set(id, timer);
  }

  /** prep-for-resize → resizing → resize-cleanup → available, each step its own event. */
  private elasticResize(rec: ClusterRecord, target: ResizeTarget): void {
    const id = rec.view.ClusterIdentifier ?? '';
    const { durations, clock } = this.ctx;
    // A node-type change builds a new cluster (guide L3423–3425): its count is the new original.
    const baseNodes = target.nodeType === rec.view.NodeType ? rec.resizeBaseNodes : target.nodes;
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
        this.applyResize(rec, target, baseNodes);
        this.clusters.update(rec, { ClusterStatus: 'available, resize-cleanup' });
        this.events.redshift('REDSHIFT-EVENT-3534', 'cluster', id, { cluster_name: id, time: clock.now() });
        this.clusters.later(rec, this.clusters.duration(durations.resizeCleanup, rec), 'data transfer done', () => {
          this.clusters.update(rec, { ClusterStatus: 'available' }, ['ResizeInfo']);
          this.events.redshift('REDSHIFT-EVENT-3537', 'cluster', id, { cluster_name: id, time_in_utc: clock.now() });
        });
      });
    });
  }

  /**
   * CancelResize (guide L3581–3584): an elastic resize and a classic resize to RA3 can't be
   * cancelled; another classic resize goes through `cancelling-resize` (unusable) back to its old
   * configuration, then REDSHIFT-EVENT-3600 "rollback completed". The guide does not say which event
   * a user's cancel sends: 3533 reads as a failure (ERROR), so only 3600 is sent.
   */
  cancelResize(input: CancelResizeMessage) {
    const rec = this.clusters.mustGet(input.ClusterIdentifier);
    const id = rec.view.ClusterIdentifier ?? '';
    const info = rec.view.ResizeInfo;
    if (info === undefined) this.ctx.fault('ResizeNotFoundFault', MESSAGES.resizeNotFound);
    const timer = this.classicTimers.get(id);
    if (info.AllowCancelResize !== true || timer === undefined)
      this.ctx.fault('UnsupportedOperationFault', MESSAGES.unsupported);
    this.ctx.clock.cancel(timer);
    rec.timers = rec.timers.filter((t) => t !== timer);
    this.classicTimers.delete(id);
    this.clusters.update(rec, {
      ClusterStatus: 'cancelling-resize',
      ResizeInfo: { ...info, AllowCancelResize: false },
    });
    this.clusters.later(rec, this.clusters.duration(this.ctx.durations.cancelResize, rec), 'resize cancelled', () => {
      this.clusters.update(rec, { ClusterStatus: 'available', PendingModifiedValues: {} }, ['ResizeInfo']);
      this.events.redshift('REDSHIFT-EVENT-3600', 'cluster', id, { cluster_name: id, time: this.ctx.clock.now() });
    });
    return {
      ClusterIdentifier: id,
      TargetNodeType: rec.view.PendingModifiedValues?.NodeType,
      TargetNumberOfNodes: rec.view.PendingModifiedValues?.NumberOfNodes,
      Status: 'CANCELLING',
      ResizeType: 'ClassicResize',
    };
  }
}
