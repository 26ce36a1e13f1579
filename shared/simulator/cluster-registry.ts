/**
 * The provisioned clusters every model reads: records by identifier and in insertion order, the
 * copy-on-write update of their API view, and the per-cluster timers a delete cancels.
 */
import type { Cluster } from '@aws-sdk/client-redshift';
import { MESSAGES } from './aws-errors.ts';
import {
  availabilityOf,
  clusterConfigProblem,
  deepFreeze,
  drawDuration,
  sizeFactorOf,
  storageMbPerNode,
} from './cluster-model.ts';
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
  /**
   * The node count elastic-resize limits are measured from: the original count, reset by each
   * classic resize (guide L3453) and by an elastic resize that changes the node type (a new cluster).
   */
  resizeBaseNodes: number;
  backup: BackupState;
}

/**
 * What the snapshots model needs to size incremental snapshots and time automated ones: data
 * changed since the last snapshot of any kind and since the last automated one, accrued while the
 * cluster is not paused (a paused cluster runs no queries).
 */
export interface BackupState {
  /** MB of data the cluster changes per hour while running. */
  changeMbPerHour: number;
  /** Undefined until the cluster's first snapshot: that one copies all its data. */
  lastSnapshotMs: number | undefined;
  lastAutomatedMs: number | undefined;
  changedSinceSnapshotMb: number;
  changedSinceAutomatedMb: number;
  accruedAtMs: number;
  automatedTimer?: TimerId | undefined;
}

const DATA_FRACTION: readonly [number, number] = [0.05, 0.4];
const HOUR_MS = 3_600_000;

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

  insert(view: Cluster, dataSizeMB: number | undefined): ClusterRecord {
    const id = view.ClusterIdentifier ?? '';
    if (this.clusters.has(id)) throw new Error(`cluster ${id} already exists in the simulator`);
    const problem = clusterConfigProblem(view);
    if (problem !== undefined) throw new Error(`the simulator refuses cluster ${problem}`);
    const nodes = view.NumberOfNodes ?? 1;
    const size =
      dataSizeMB ??
      Math.round(storageMbPerNode(view.NodeType ?? '') * nodes * this.ctx.attrRng.between(...DATA_FRACTION) * 0.1);
    const now = this.ctx.clock.nowMs();
    const rec: ClusterRecord = {
      view: deepFreeze(view),
      arn: `arn:aws:redshift:${this.ctx.region}:${this.ctx.account}:cluster:${id}`,
      dataSizeMB: size,
      createdAtMs: now,
      timers: [],
      workloadRngs: new Map(),
      resizeBaseNodes: nodes,
      backup: this.initialBackup(view, size, now),
    };
    this.clusters.set(id, rec);
    this.order.push(rec);
    return rec;
  }

  /**
   * A cluster with automated snapshots on has had them all along: its last one was taken within
   * the last ~8 h (guide L3862), so its next snapshot is incremental. With them off (DC2 only) it has
   * no snapshot the simulator knows of, and its first one copies everything.
   */
  private initialBackup(view: Cluster, dataSizeMB: number, now: number): BackupState {
    const rng = this.ctx.backupRng;
    const changeMbPerHour = (dataSizeMB * rng.between(...this.ctx.durations.dailyChangeFraction)) / 24;
    if ((view.AutomatedSnapshotRetentionPeriod ?? 1) === 0) {
      return {
        changeMbPerHour,
        lastSnapshotMs: undefined,
        lastAutomatedMs: undefined,
        changedSinceSnapshotMb: 0,
        changedSinceAutomatedMb: 0,
        accruedAtMs: now,
      };
    }
    const last = now - Math.round(rng.between(0, 8) * HOUR_MS);
    const changed = view.ClusterStatus === 'paused' ? 0 : (changeMbPerHour * (now - last)) / HOUR_MS;
    return {
      changeMbPerHour,
      lastSnapshotMs: last,
      lastAutomatedMs: last,
      changedSinceSnapshotMb: changed,
      changedSinceAutomatedMb: changed,
      accruedAtMs: now,
    };
  }

  /** Add the data changed since the last accrual (none while paused) to both change counters. */
  accrue(rec: ClusterRecord): void {
    const now = this.ctx.clock.nowMs();
    const b = rec.backup;
    if (rec.view.ClusterStatus !== 'paused') {
      const mb = (b.changeMbPerHour * (now - b.accruedAtMs)) / HOUR_MS;
      b.changedSinceSnapshotMb += mb;
      b.changedSinceAutomatedMb += mb;
    }
    b.accruedAtMs = now;
  }

  remove(rec: ClusterRecord): void {
    this.clusters.delete(rec.view.ClusterIdentifier ?? '');
    this.order = this.order.filter((r) => r !== rec);
  }

  update(rec: ClusterRecord, patch: Partial<Cluster>, remove: readonly (keyof Cluster)[] = []): void {
    if (patch.ClusterStatus !== undefined) this.accrue(rec);
    const next: Cluster = { ...rec.view, ...patch };
    if (patch.ClusterStatus !== undefined) next.ClusterAvailabilityStatus = availabilityOf(patch.ClusterStatus);
    for (const key of remove) delete next[key];
    rec.view = deepFreeze(next);
  }

  later(rec: ClusterRecord, delayMs: number, label: string, fn: () => void): TimerId {
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
    return id;
  }

  /** A duration from `range`, longer for clusters with more nodes. */
  duration(range: readonly [number, number], rec: ClusterRecord): number {
    return drawDuration(range, this.ctx.durRng, sizeFactorOf(rec.view.NumberOfNodes ?? 1));
  }
}
