/**
 * The provisioned clusters every model reads: records by identifier and in insertion order, the
 * copy-on-write update of their API view, and the per-cluster timers a delete cancels.
 */
import type { Cluster } from '@aws-sdk/client-redshift';
import { MESSAGES } from './aws-errors.ts';
import { availabilityOf, deepFreeze, drawDuration, sizeFactorOf, storageMbPerNode } from './cluster-model.ts';
import type { Prng } from './prng.ts';
import type { ProvisionedContext } from './provisioned-context.ts';
import type { TimerId } from './virtual-clock.ts';
import type { ClusterWorkload } from './workload.ts';

export interface ClusterRecord {
  view: Cluster;
  arn: string;
  dataSizeMB: number;
  createdAtMs: number;
  timers: TimerId[];
  workload?: ClusterWorkload;
  workloadRngs: Map<string, Prng>;
}

const DATA_FRACTION: readonly [number, number] = [0.05, 0.4];

export class ClusterRegistry {
  private readonly clusters = new Map<string, ClusterRecord>();
  /** Insertion order, so an unfiltered DescribeClusters page is a slice. */
  private order: ClusterRecord[] = [];

  constructor(private readonly ctx: ProvisionedContext) {}

  get(id: string): ClusterRecord | undefined {
    return this.clusters.get(id);
  }

  has(id: string): boolean {
    return this.clusters.has(id);
  }

  mustGet(id: string | undefined): ClusterRecord {
    const rec = this.clusters.get(id ?? '');
    if (rec === undefined) this.ctx.fault('ClusterNotFoundFault', MESSAGES.clusterNotFound(id ?? ''));
    return rec;
  }

  records(): readonly ClusterRecord[] {
    return this.order;
  }

  insert(view: Cluster, dataSizeMB: number | undefined): Cluster {
    const id = view.ClusterIdentifier ?? '';
    if (this.clusters.has(id)) throw new Error(`cluster ${id} already exists in the simulator`);
    const nodes = view.NumberOfNodes ?? 1;
    const rec: ClusterRecord = {
      view: deepFreeze(view),
      arn: `arn:aws:redshift:${this.ctx.region}:${this.ctx.account}:cluster:${id}`,
      dataSizeMB:
        dataSizeMB ??
        Math.round(storageMbPerNode(view.NodeType ?? '') * nodes * this.ctx.attrRng.between(...DATA_FRACTION) * 0.1),
      createdAtMs: this.ctx.clock.nowMs(),
      timers: [],
      workloadRngs: new Map(),
    };
    this.clusters.set(id, rec);
    this.order.push(rec);
    return rec.view;
  }

  remove(rec: ClusterRecord): void {
    this.clusters.delete(rec.view.ClusterIdentifier ?? '');
    this.order = this.order.filter((r) => r !== rec);
  }

  update(rec: ClusterRecord, patch: Partial<Cluster>, remove: readonly (keyof Cluster)[] = []): void {
    const next: Cluster = { ...rec.view, ...patch };
    if (patch.ClusterStatus !== undefined) next.ClusterAvailabilityStatus = availabilityOf(patch.ClusterStatus);
    for (const key of remove) delete next[key];
    rec.view = deepFreeze(next);
  }

  later(rec: ClusterRecord, delayMs: number, label: string, fn: () => void): void {
    const id = this.ctx.clock.after(
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

  /** A duration from `range`, longer for clusters with more nodes. */
  duration(range: readonly [number, number], rec: ClusterRecord): number {
    return drawDuration(range, this.ctx.durRng, sizeFactorOf(rec.view.NumberOfNodes ?? 1));
  }
}
