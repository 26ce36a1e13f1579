import { clusterNodes, drawDuration, sizeFactorOf } from './cluster-model.ts';
import type { ClusterRecord, ClusterRegistry } from './cluster-registry.ts';
import type { IntegrationsModel } from './integrations-model.ts';
import { Prng } from './prng.ts';
import type { ProvisionedContext } from './provisioned-context.ts';
import type { SimulatorEvents } from './simulator-events.ts';
import type { SnapshotsModel } from './snapshots-model.ts';

/**
 * A cluster seeded mid-transition finishes it. `aws redshift describe-clusters` output is one moment:
 * a cluster that was `modifying`, `rebooting`, `resizing`, `pausing` or `resuming` then is `available`
 * (or `paused`) minutes later in AWS. Seeded as is with no timer, it stayed in that state for the
 * whole simulated period: no policy could act on it, and a snapshot schedule on it reported every
 * slot as missed (the bench's 1,000-cluster week: 3 % of its clusters, a quarter of its MISSED alerts).
 *
 * How far along the transition was is unknown: the rest takes the whole duration of the operation,
 * with the events its end sends (as the operation's own model sends them). The durations are drawn
 * from their own PRNG stream, so seeding such a cluster shifts no other duration of the run.
 */
export interface SeededTransitionDeps {
  clusters: ClusterRegistry;
  events: SimulatorEvents;
  snapshots: SnapshotsModel;
  integrations: IntegrationsModel;
}

export class SeededTransitions {
  private readonly rng: Prng;

  constructor(
    private readonly ctx: ProvisionedContext,
    private readonly deps: SeededTransitionDeps,
  ) {
    this.rng = new Prng(`${ctx.seed}/seeded-transitions`);
  }

  private after(rec: ClusterRecord, range: readonly [number, number], label: string, fn: () => void): void {
    const ms = drawDuration(range, this.rng, sizeFactorOf(rec.view.NumberOfNodes ?? 1));
    this.deps.clusters.later(rec, ms, `seeded ${label}`, fn);
  }

  /** Arms the end of the transition a seeded cluster is in; a settled status arms nothing. */
  settle(rec: ClusterRecord): void {
    const { durations } = this.ctx;
    const { clusters, events } = this.deps;
    const id = rec.view.ClusterIdentifier ?? '';
    const now = () => this.ctx.clock.now();
    const available = (remove: Parameters<ClusterRegistry['update']>[2] = []) =>
      clusters.update(rec, { ClusterStatus: 'available' }, remove);
    switch (rec.view.ClusterStatus) {
      case 'modifying':
        this.after(rec, durations.modify, 'modify done', () => available());
        break;
      case 'rebooting':
        this.after(rec, durations.reboot, 'reboot done', () => {
          available();
          events.redshift('REDSHIFT-EVENT-3000', 'cluster', id, { cluster_name: id, time: now() });
        });
        break;
      case 'pausing':
        this.after(rec, durations.pause, 'pause done', () => {
          clusters.update(rec, { ClusterStatus: 'paused', ClusterNodes: [] });
          events.redshift('REDSHIFT-EVENT-3619', 'cluster', id, { cluster_name: id, utc_time: now() });
          this.deps.integrations.emitForTarget(rec, 'REDSHIFT-INTEGRATION-EVENT-0019', 'TARGET_CLUSTER_PAUSED');
        });
        break;
      case 'resuming':
        this.after(rec, durations.resume, 'resume done', () => {
          clusters.update(rec, {
            ClusterStatus: 'available',
            ClusterNodes: clusterNodes(rec.view.NumberOfNodes ?? 1, this.rng),
          });
          this.deps.snapshots.armAutomated(rec);
        });
        break;
      case 'resizing':
      case 'available, prep-for-resize':
        this.settleResize(rec);
        break;
      case 'available, resize-cleanup':
        this.after(rec, durations.resizeCleanup, 'data transfer done', () => {
          available(['ResizeInfo', 'PendingModifiedValues']);
          events.redshift('REDSHIFT-EVENT-3537', 'cluster', id, { cluster_name: id, time_in_utc: now() });
        });
        break;
      default:
        break;
    }
  }

  /** A classic resize ends with 3002; an elastic one (the default) with 3534, then 3537 after its data transfer. */
  private settleResize(rec: ClusterRecord): void {
    const { durations } = this.ctx;
    const { clusters, events } = this.deps;
    const id = rec.view.ClusterIdentifier ?? '';
    const pending = rec.view.PendingModifiedValues;
    const finish = () => {
      clusters.update(rec, {
        ...(pending?.NodeType === undefined ? {} : { NodeType: pending.NodeType }),
        ...(pending?.NumberOfNodes === undefined ? {} : { NumberOfNodes: pending.NumberOfNodes }),
      });
    };
    if (rec.view.ResizeInfo?.ResizeType === 'ClassicResize') {
      const seededAt = this.ctx.clock.now();
      this.after(rec, durations.classicResize, 'classic resize done', () => {
        finish();
        clusters.update(rec, { ClusterStatus: 'available' }, ['ResizeInfo', 'PendingModifiedValues']);
        const hours = ((this.ctx.clock.nowMs() - seededAt.getTime()) / 3_600_000).toFixed(1);
        events.redshift('REDSHIFT-EVENT-3002', 'cluster', id, { cluster_name: id, time: seededAt, hours });
      });
      return;
    }
    this.after(rec, durations.elasticResize, 'elastic resize done', () => {
      finish();
      clusters.update(rec, { ClusterStatus: 'available, resize-cleanup' });
      events.redshift('REDSHIFT-EVENT-3534', 'cluster', id, { cluster_name: id, time: this.ctx.clock.now() });
      this.after(rec, durations.resizeCleanup, 'data transfer done', () => {
        clusters.update(rec, { ClusterStatus: 'available' }, ['ResizeInfo', 'PendingModifiedValues']);
        events.redshift('REDSHIFT-EVENT-3537', 'cluster', id, { cluster_name: id, time_in_utc: this.ctx.clock.now() });
      });
    });
  }
}
