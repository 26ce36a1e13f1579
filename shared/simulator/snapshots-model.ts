/**
 * Provisioned cluster snapshots: manual snapshots go creating → available (or failed, when a fault
 * rule says so) after a fixed part plus the data to back up / backup rate (the first snapshot of a
 * cluster copies all its data, later ones only what changed); manual ones with a retention period
 * count their remaining days down and are deleted when it ends. Automated snapshots are taken about
 * every 8 hours or after 5 GB per node of change, and when a cluster pauses; they are kept for the
 * cluster's automated retention period and go with their cluster.
 */
import type {
  CreateClusterSnapshotMessage,
  DeleteClusterSnapshotMessage,
  DescribeClusterSnapshotsMessage,
  Snapshot,
  Tag,
} from '@aws-sdk/client-redshift';
import { MESSAGES } from './aws-errors.ts';
import { deepFreeze } from './cluster-model.ts';
import type { ClusterRecord, ClusterRegistry } from './cluster-registry.ts';
import type { FaultsModel } from './faults-model.ts';
import { paginate } from './pagination.ts';
import type { Handler, ProvisionedContext } from './provisioned-context.ts';
import type { SimulatorEvents } from './simulator-events.ts';
import {
  automatedSnapshotId,
  checkManualRetention,
  checkSnapshotIdentifier,
  DAY_MS,
  nextAutomatedDue,
  remainingDays,
  snapshotWork,
} from './snapshot-rules.ts';
import { sameTags, validateTags } from './tag-rules.ts';
import type { TimerId } from './virtual-clock.ts';

export interface SnapshotRecord {
  view: Snapshot;
  arn: string;
  clusterIdentifier: string;
  timer?: TimerId | undefined;
  /** When a manual snapshot's retention period ends (ManualSnapshotRemainingDays counts down to it). */
  expiresAtMs?: number | undefined;
}

const MINUTE_MS = 60_000;

export class SnapshotsModel {
  private readonly snapshots = new Map<string, SnapshotRecord>();
  /** Automated snapshots by cluster identifier, oldest first (retention prunes them without a full scan). */
  private readonly automated = new Map<string, SnapshotRecord[]>();
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
    if (snapshot.SnapshotType === 'automated') this.indexAutomated(rec);
    const days = snapshot.ManualSnapshotRemainingDays;
    if (snapshot.SnapshotType === 'manual' && days !== undefined && days > 0)
      this.expireAfter(rec, this.ctx.clock.nowMs() + days * DAY_MS);
    return rec.view;
  }

  /** A deleted cluster's final snapshot: taken at once, available when the cluster is gone. */
  addFinalSnapshot(rec: ClusterRecord, snapshotId: string, retention: number | undefined): void {
    const snap = this.insertSnapshot(rec, snapshotId, 'manual', retention, [], 'creating');
    const { incrementalMb, ms } = this.startBackup(rec);
    this.completeSnapshot(snap, rec, Math.round(ms / 1000), incrementalMb);
  }

  /** What DeleteCluster checks of its final snapshot before it starts. */
  checkFinalSnapshot(snapshotId: string | undefined, retention: number | undefined): void {
    checkSnapshotIdentifier(this.ctx, snapshotId, 'FinalClusterSnapshotIdentifier');
    checkManualRetention(this.ctx, retention);
    if (this.snapshots.has(snapshotId ?? ''))
      this.ctx.fault('ClusterSnapshotAlreadyExistsFault', MESSAGES.snapshotExists(snapshotId ?? ''));
  }

  /** Automated snapshots are deleted with their cluster; manual ones stay. */
  dropAutomated(clusterIdentifier: string): void {
    const rec = this.clusters.get(clusterIdentifier);
    if (rec?.backup.automatedTimer !== undefined) this.ctx.clock.cancel(rec.backup.automatedTimer);
    this.automated.delete(clusterIdentifier);
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
      // A recorded automated snapshot has no ManualSnapshotRetentionPeriod
      // (test_redshift_consecutive_snapshot_count_filter).
      ...(type === 'manual'
        ? { ManualSnapshotRetentionPeriod: retention ?? c.ManualSnapshotRetentionPeriod ?? -1 }
        : {}),
      SnapshotArn: `arn:aws:redshift:${this.ctx.region}:${this.ctx.account}:snapshot:${clusterId}/${snapshotId}`,
    };
    const snap: SnapshotRecord = { view: deepFreeze(view), arn: view.SnapshotArn ?? '', clusterIdentifier: clusterId };
    this.snapshots.set(snapshotId, snap);
    if (type === 'automated') this.indexAutomated(snap);
    return snap;
  }

  private indexAutomated(snap: SnapshotRecord): void {
    const list = this.automated.get(snap.clusterIdentifier) ?? [];
    const at = (x: SnapshotRecord | undefined) => x?.view.SnapshotCreateTime?.getTime() ?? 0;
    list.push(snap);
    // Taken in time order; only seeded ones can arrive out of it.
    if (at(list.at(-2)) > at(snap)) list.sort((a, b) => at(a) - at(b));
    this.automated.set(snap.clusterIdentifier, list);
  }

  /** Size and duration of a snapshot starting now; the cluster's change counter starts over. */
  private startBackup(rec: ClusterRecord): { incrementalMb: number; ms: number } {
    this.clusters.accrue(rec);
    const work = snapshotWork(
      rec.backup,
      rec.dataSizeMB,
      rec.view.NumberOfNodes ?? 1,
      this.ctx.durations,
      this.ctx.durRng,
    );
    rec.backup.lastSnapshotMs = this.ctx.clock.nowMs();
    rec.backup.changedSinceSnapshotMb = 0;
    return work;
  }

  /** Redshift deletes a manual snapshot when its retention period ends. */
  private expireAfter(snap: SnapshotRecord, expiresAtMs: number): void {
    snap.expiresAtMs = expiresAtMs;
    snap.timer = this.ctx.clock.schedule(
      expiresAtMs,
      () => {
        if (this.snapshots.get(snap.view.SnapshotIdentifier ?? '') === snap)
          this.snapshots.delete(snap.view.SnapshotIdentifier ?? '');
      },
      `${snap.view.SnapshotIdentifier}: retention ends`,
    );
  }

  /** The view with ManualSnapshotRemainingDays as of now (copy on write when it changed). */
  private current(snap: SnapshotRecord): Snapshot {
    if (snap.expiresAtMs === undefined) return snap.view;
    const days = remainingDays(snap.expiresAtMs, this.ctx.clock.nowMs());
    if (snap.view.ManualSnapshotRemainingDays !== days)
      snap.view = deepFreeze({ ...snap.view, ManualSnapshotRemainingDays: days });
    return snap.view;
  }

  private completeSnapshot(snap: SnapshotRecord, rec: ClusterRecord, elapsedSec: number, incrementalMb: number): void {
    const retention = snap.view.ManualSnapshotRetentionPeriod ?? -1;
    snap.view = deepFreeze({
      ...snap.view,
      Status: 'available',
      TotalBackupSizeInMegaBytes: Math.max(rec.dataSizeMB, incrementalMb),
      ActualIncrementalBackupSizeInMegaBytes: incrementalMb,
      BackupProgressInMegaBytes: incrementalMb,
      CurrentBackupRateInMegaBytesPerSecond: Math.round((incrementalMb / Math.max(1, elapsedSec)) * 10_000) / 10_000,
      EstimatedSecondsToCompletion: 0,
      ElapsedTimeInSeconds: elapsedSec,
      RestorableNodeTypes: [snap.view.NodeType ?? ''],
      SnapshotRetentionStartTime: this.ctx.clock.now(),
      ...(retention > 0 ? { ManualSnapshotRemainingDays: retention } : {}),
    });
    if (snap.view.SnapshotType === 'manual' && retention > 0)
      this.expireAfter(snap, this.ctx.clock.nowMs() + retention * DAY_MS);
  }

  createClusterSnapshot(input: CreateClusterSnapshotMessage) {
    const rec = this.clusters.mustGet(input.ClusterIdentifier);
    const clusterId = rec.view.ClusterIdentifier ?? '';
    const snapshotId = input.SnapshotIdentifier ?? '';
    checkSnapshotIdentifier(this.ctx, input.SnapshotIdentifier, 'SnapshotIdentifier');
    checkManualRetention(this.ctx, input.ManualSnapshotRetentionPeriod);
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
    const { incrementalMb, ms } = this.startBackup(rec);
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
        this.completeSnapshot(snap, rec, Math.round(ms / 1000), incrementalMb);
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
      list = [this.current(snap)];
    } else {
      const from = input.StartTime?.getTime();
      const to = input.EndTime?.getTime();
      list = [];
      for (const snap of this.snapshots.values()) {
        const v = this.current(snap);
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
    return { Snapshot: { ...this.current(snap), Status: 'deleted' } };
  }

  // ───────────────────────────── automated snapshots ─────────────────────────────

  /**
   * An automated snapshot, now: on the cadence below, and when a cluster pauses ("Redshift takes a
   * snapshot", guide L3622). No event marks its start or end (the guide has none, facts.md §4).
   */
  takeAutomated(rec: ClusterRecord): Snapshot {
    const clusterId = rec.view.ClusterIdentifier ?? '';
    const now = this.ctx.clock.now();
    let snapshotId = automatedSnapshotId(clusterId, now);
    for (let s = 1; this.snapshots.has(snapshotId); s++)
      snapshotId = automatedSnapshotId(clusterId, new Date(now.getTime() + s * 1000));
    const snap = this.insertSnapshot(rec, snapshotId, 'automated', undefined, [], 'creating');
    const { incrementalMb, ms } = this.startBackup(rec);
    rec.backup.lastAutomatedMs = now.getTime();
    rec.backup.changedSinceAutomatedMb = 0;
    snap.timer = this.ctx.clock.after(
      ms,
      () => {
        if (this.snapshots.get(snapshotId) !== snap) return;
        snap.timer = undefined;
        this.completeSnapshot(snap, rec, Math.round(ms / 1000), incrementalMb);
      },
      `${snapshotId}: automated snapshot`,
    );
    this.pruneAutomated(rec);
    this.armAutomated(rec);
    return snap.view;
  }

  /**
   * Schedule the cluster's next automated snapshot (guide L3862). None while automated snapshots are
   * off or the cluster is paused (scheduled snapshots don't run, guide L3640; the resume re-arms it).
   * The guide is silent on a cadence that falls due while paused: it is taken once the cluster runs.
   */
  armAutomated(rec: ClusterRecord): void {
    const b = rec.backup;
    if (b.automatedTimer !== undefined) this.ctx.clock.cancel(b.automatedTimer);
    b.automatedTimer = undefined;
    if ((rec.view.AutomatedSnapshotRetentionPeriod ?? 1) === 0 || rec.view.ClusterStatus === 'paused') return;
    this.clusters.accrue(rec);
    const due = nextAutomatedDue(b, rec.view.NumberOfNodes ?? 1, this.ctx.clock.nowMs());
    this.scheduleAutomated(rec, due);
  }

  private scheduleAutomated(rec: ClusterRecord, at: number): void {
    rec.backup.automatedTimer = this.ctx.clock.schedule(
      at,
      () => {
        rec.backup.automatedTimer = undefined;
        if (this.clusters.get(rec.view.ClusterIdentifier ?? '') !== rec) return;
        const status = rec.view.ClusterStatus;
        if (status === 'paused') return;
        // Other operations block snapshots (guide L2941–2942): try again in 15 minutes.
        if (status !== 'available') this.scheduleAutomated(rec, this.ctx.clock.nowMs() + 15 * MINUTE_MS);
        else this.takeAutomated(rec);
      },
      `${rec.view.ClusterIdentifier}: automated snapshot due`,
    );
  }

  /**
   * Automated snapshots older than the retention period are deleted; the newest is kept until
   * automated snapshots are turned off or the cluster is deleted (guide L3864–3868).
   */
  private pruneAutomated(rec: ClusterRecord): void {
    const list = this.automated.get(rec.view.ClusterIdentifier ?? '') ?? [];
    const cutoff = this.ctx.clock.nowMs() - (rec.view.AutomatedSnapshotRetentionPeriod ?? 1) * DAY_MS;
    // Oldest first; the last one (the newest) always stays.
    while (
      list.length > 1 &&
      (list[0]?.view.SnapshotCreateTime?.getTime() ?? 0) < cutoff &&
      list[0]?.timer === undefined
    ) {
      const old = list.shift();
      if (old !== undefined && this.snapshots.get(old.view.SnapshotIdentifier ?? '') === old)
        this.snapshots.delete(old.view.SnapshotIdentifier ?? '');
    }
  }
}
