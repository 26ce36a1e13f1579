/**
 * Provisioned cluster snapshots: manual snapshots go creating → available (or failed, when a fault
 * rule says so) after a fixed part plus data size / backup rate; manual ones with a retention period
 * are deleted when it ends; automated ones go with their cluster.
 */
import type {
  CreateClusterSnapshotMessage,
  DeleteClusterSnapshotMessage,
  DescribeClusterSnapshotsMessage,
  Snapshot,
  Tag,
} from '@aws-sdk/client-redshift';
import { MESSAGES } from './aws-errors.ts';
import { deepFreeze, drawDuration } from './cluster-model.ts';
import type { ClusterRecord, ClusterRegistry } from './cluster-registry.ts';
import type { FaultsModel } from './faults-model.ts';
import { paginate } from './pagination.ts';
import type { Handler, ProvisionedContext } from './provisioned-context.ts';
import type { SimulatorEvents } from './simulator-events.ts';
import { sameTags, validateTags } from './tag-rules.ts';
import type { TimerId } from './virtual-clock.ts';

export interface SnapshotRecord {
  view: Snapshot;
  arn: string;
  clusterIdentifier: string;
  timer?: TimerId | undefined;
}

export class SnapshotsModel {
  private readonly snapshots = new Map<string, SnapshotRecord>();
  readonly handlers: Record<string, Handler>;

  constructor(
    private readonly ctx: ProvisionedContext,
    private readonly clusters: ClusterRegistry,
    private readonly events: SimulatorEvents,
    private readonly faults: FaultsModel,
    /** Manual snapshots per account (guide quota: 700). */
    private readonly snapshotQuota: number,
  ) {
    this.handlers = {
      CreateClusterSnapshot: (i: CreateClusterSnapshotMessage) => this.createClusterSnapshot(i),
      DescribeClusterSnapshots: (i: DescribeClusterSnapshotsMessage) => this.describeClusterSnapshots(i),
      DeleteClusterSnapshot: (i: DeleteClusterSnapshotMessage) => this.deleteClusterSnapshot(i),
    };
  }

  get(id: string): SnapshotRecord | undefined {
    return this.snapshots.get(id);
  }

  values(): IterableIterator<SnapshotRecord> {
    return this.snapshots.values();
  }

  /** Add a snapshot exactly as given (e.g. from a recorded DescribeClusterSnapshots). */
  seedSnapshot(snapshot: Snapshot): Snapshot {
    const id = snapshot.SnapshotIdentifier ?? '';
    if (this.snapshots.has(id)) throw new Error(`snapshot ${id} already exists in the simulator`);
    const clusterIdentifier = snapshot.ClusterIdentifier ?? '';
    const rec: SnapshotRecord = {
      view: deepFreeze(structuredClone(snapshot)),
      arn: `arn:aws:redshift:${this.ctx.region}:${this.ctx.account}:snapshot:${clusterIdentifier}/${id}`,
      clusterIdentifier,
    };
    this.snapshots.set(id, rec);
    return rec.view;
  }

  /** A deleted cluster's final snapshot: taken at once, available when the cluster is gone. */
  addFinalSnapshot(rec: ClusterRecord, snapshotId: string, retention: number | undefined): void {
    this.insertSnapshot(rec, snapshotId, 'manual', retention, [], 'available');
  }

  /** Automated snapshots are deleted with their cluster; manual ones stay. */
  dropAutomated(clusterIdentifier: string): void {
    for (const [sid, snap] of this.snapshots) {
      if (snap.clusterIdentifier === clusterIdentifier && snap.view.SnapshotType === 'automated')
        this.snapshots.delete(sid);
    }
  }

  private insertSnapshot(
    rec: ClusterRecord,
    snapshotId: string,
    type: 'manual' | 'automated',
    retention: number | undefined,
    tags: readonly Tag[],
    status: 'creating' | 'available',
  ): SnapshotRecord {
    const c = rec.view;
    const now = this.ctx.clock.now();
    const clusterId = c.ClusterIdentifier ?? '';
    const view: Snapshot = {
      SnapshotIdentifier: snapshotId,
      ClusterIdentifier: clusterId,
      SnapshotCreateTime: now,
      Status: status,
      Port: c.Endpoint?.Port ?? 5439,
      AvailabilityZone: c.AvailabilityZone ?? `${this.ctx.region}a`,
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
      OwnerAccount: this.ctx.account,
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
      SnapshotArn: `arn:aws:redshift:${this.ctx.region}:${this.ctx.account}:snapshot:${clusterId}/${snapshotId}`,
    };
    const snap: SnapshotRecord = { view: deepFreeze(view), arn: view.SnapshotArn ?? '', clusterIdentifier: clusterId };
    if (status === 'available') this.completeSnapshot(snap, rec, 60);
    this.snapshots.set(snapshotId, snap);
    return snap;
  }

  private completeSnapshot(snap: SnapshotRecord, rec: ClusterRecord, elapsedSec: number): void {
    const total = rec.dataSizeMB;
    const incremental = Math.max(1, Math.round(total * this.ctx.durRng.between(0.05, 0.3)));
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
      SnapshotRetentionStartTime: this.ctx.clock.now(),
      ...(retention > 0 ? { ManualSnapshotRemainingDays: retention } : {}),
    });
    if (snap.view.SnapshotType === 'manual' && retention > 0) {
      // Redshift deletes a manual snapshot when its retention period ends.
      snap.timer = this.ctx.clock.after(
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
    const rec = this.clusters.mustGet(input.ClusterIdentifier);
    const clusterId = rec.view.ClusterIdentifier ?? '';
    const snapshotId = input.SnapshotIdentifier ?? '';
    if (this.snapshots.has(snapshotId))
      this.ctx.fault('ClusterSnapshotAlreadyExistsFault', MESSAGES.snapshotExists(snapshotId));
    // Paused clusters and the elastic-resize sub-states block snapshots (guide L2941–2942, L3640).
    if (rec.view.ClusterStatus !== 'available')
      this.ctx.fault('InvalidClusterStateFault', MESSAGES.clusterNotAvailable);
    let manual = 0;
    for (const s of this.snapshots.values()) if (s.view.SnapshotType === 'manual') manual++;
    if (manual >= this.snapshotQuota) {
      this.ctx.fault(
        'ClusterSnapshotQuotaExceededFault',
        'The request would result in the user exceeding the allowed number of cluster snapshots.',
      );
    }
    validateTags(this.ctx, input.Tags ?? [], 0);
    const snap = this.insertSnapshot(
      rec,
      snapshotId,
      'manual',
      input.ManualSnapshotRetentionPeriod,
      input.Tags ?? [],
      'creating',
    );
    const startedAt = this.ctx.clock.now();
    this.events.redshift('REDSHIFT-EVENT-2009', 'snapshot', snapshotId, {
      snapshot_name: snapshotId,
      cluster_name: clusterId,
      time: startedAt,
    });
    const nodes = rec.view.NumberOfNodes ?? 1;
    const rate = this.ctx.durRng.between(...this.ctx.durations.snapshotRateMbPerSecPerNode) * nodes;
    const work = rec.dataSizeMB * this.ctx.durRng.between(0.05, 0.3);
    const ms = drawDuration(this.ctx.durations.snapshotBase, this.ctx.durRng) + Math.round((work / rate) * 1000);
    const fails = this.faults.snapshotFails(clusterId);
    snap.timer = this.ctx.clock.after(
      ms,
      () => {
        if (this.snapshots.get(snapshotId) !== snap) return;
        snap.timer = undefined;
        const doneAt = this.ctx.clock.now();
        if (fails) {
          snap.view = deepFreeze({ ...snap.view, Status: 'failed', EstimatedSecondsToCompletion: 0 });
          this.events.redshift('REDSHIFT-EVENT-3503', 'snapshot', snapshotId, {
            snapshot_name: snapshotId,
            cluster_name: clusterId,
            time: doneAt,
          });
          return;
        }
        this.completeSnapshot(snap, rec, Math.round(ms / 1000));
        this.events.redshift('REDSHIFT-EVENT-3004', 'snapshot', snapshotId, {
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
    const size = this.ctx.pageSize(input.MaxRecords);
    const start = this.ctx.offset(input.Marker);
    let list: Snapshot[];
    if (input.SnapshotIdentifier !== undefined) {
      const snap = this.snapshots.get(input.SnapshotIdentifier);
      if (
        snap === undefined ||
        (input.ClusterIdentifier !== undefined && snap.clusterIdentifier !== input.ClusterIdentifier)
      ) {
        this.ctx.fault('ClusterSnapshotNotFoundFault', MESSAGES.snapshotNotFound(input.SnapshotIdentifier));
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
      this.ctx.fault('ClusterSnapshotNotFoundFault', MESSAGES.snapshotNotFound(snapshotId));
    }
    if (snap.view.SnapshotType !== 'manual')
      this.ctx.fault('InvalidClusterSnapshotStateFault', MESSAGES.snapshotNotDeletable(snapshotId));
    if (snap.timer !== undefined) this.ctx.clock.cancel(snap.timer);
    this.snapshots.delete(snapshotId);
    const values = { snapshot_name: snapshotId, cluster_name: snap.clusterIdentifier, time: this.ctx.clock.now() };
    if (snap.view.Status === 'creating') this.events.redshift('REDSHIFT-EVENT-2010', 'snapshot', snapshotId, values);
    else this.events.redshift('REDSHIFT-EVENT-2011', 'snapshot', snapshotId, values);
    return { Snapshot: { ...snap.view, Status: 'deleted' } };
  }
}
