/**
 * FailoverPrimaryCompute on a Multi-AZ cluster (facts.md §6, guide L4799–4826). It runs the steps of
 * an automatic recovery (L4822): the primary AZ's compute becomes unavailable, the secondary is
 * promoted to primary, and a new secondary is created in a third AZ of the cluster's subnet group;
 * the status is `modifying` throughout (L4824). New connections are accepted at once, existing ones
 * and in-flight queries may drop (L4826): the Data API model reads the connection blip of each
 * failover from `runsOf`.
 *
 * Events: the guide lists the recovery events without saying which ones a manual failover sends;
 * the simulator sends 3666 (failure detected, recovery triggered) at the start, 3667 (serving from
 * the promoted AZ, secondary coming) when the secondary is promoted, 3669 (both AZs) when the new
 * secondary is up, and 3668 (failed to recover) instead of 3667 when a `recovery-fails` fault hits.
 *
 * Durations: the guide gives no RTO. Promotion takes `durations.failover` (default 1–5 min: the
 * secondary already runs, active-active, L4539, so promoting it is a switch, not a provisioning), the
 * new secondary `durations.failoverSecondary` (default 5–12 min: new compute, like a resume, 4–10 min
 * here), so a failover is back to `available` in 6–17 min, longer for clusters with more nodes.
 */
import type { Cluster, FailoverPrimaryComputeInputMessage } from '@aws-sdk/client-redshift';
import { MESSAGES } from './aws-errors.ts';
import { clusterNodes, drawDuration } from './cluster-model.ts';
import type { ClusterRecord, ClusterRegistry } from './cluster-registry.ts';
import type { FaultsModel } from './faults-model.ts';
import { multiAzProblems } from './multi-az-rules.ts';
import { Prng } from './prng.ts';
import type { Handler, ProvisionedContext } from './provisioned-context.ts';
import type { SimulatorEvents } from './simulator-events.ts';
import type { SubnetGroupsModel } from './subnet-groups-model.ts';

/** One failover of one cluster, as the Data API model and tests read it. */
export interface FailoverRun {
  clusterIdentifier: string;
  startedAtMs: number;
  /** Until then new connections wait; statements running at `startedAtMs` drop. */
  connectionsBackAtMs: number;
  fromAz: string;
  toAz: string;
  /** The third AZ the new secondary goes to. */
  newSecondaryAz: string;
  outcome: 'running' | 'recovered' | 'failed';
  /** When the cluster was `available` again. */
  endedAtMs?: number;
}

export interface FailoverDeps {
  clusters: ClusterRegistry;
  events: SimulatorEvents;
  subnets: SubnetGroupsModel;
  faults: FaultsModel;
}

export class FailoverModel {
  readonly handlers: Record<string, Handler>;
  private readonly runs = new Map<string, FailoverRun[]>();
  /** Its own stream (blips, third-AZ picks), so failovers don't shift the other draws. */
  private readonly rng: Prng;

  constructor(
    private readonly ctx: ProvisionedContext,
    private readonly deps: FailoverDeps,
  ) {
    this.rng = new Prng(`${ctx.seed}/failover`);
    this.handlers = {
      FailoverPrimaryCompute: (i: FailoverPrimaryComputeInputMessage) => this.failoverPrimaryCompute(i),
    };
  }

  /** The failovers of a cluster so far, oldest first. */
  runsOf(clusterIdentifier: string): readonly FailoverRun[] {
    return this.runs.get(clusterIdentifier) ?? [];
  }

  /**
   * ClusterNotFound for an unknown cluster; UnsupportedOperation for a cluster that is not Multi-AZ
   * (or breaks a Multi-AZ requirement, which AWS would not let it have); InvalidClusterState when it
   * is not `available` (the API reference's fault description).
   */
  failoverPrimaryCompute(input: FailoverPrimaryComputeInputMessage): { Cluster: Cluster } {
    const { clusters, events, subnets } = this.deps;
    const rec = clusters.mustGet(input.ClusterIdentifier);
    const view = rec.view;
    const id = view.ClusterIdentifier ?? '';
    const zones = subnets.zonesOf(view.ClusterSubnetGroupName) ?? [];
    if (view.MultiAZ !== 'Enabled' || multiAzProblems(view, zones).length > 0)
      this.ctx.fault('UnsupportedOperationFault', MESSAGES.unsupported);
    if (view.ClusterStatus !== 'available') this.ctx.fault('InvalidClusterStateFault', MESSAGES.clusterNotAvailable);
    const now = this.ctx.clock.nowMs();
    const fromAz = view.AvailabilityZone ?? '';
    const toAz = view.MultiAZSecondary?.AvailabilityZone ?? '';
    const thirds = zones.filter((z) => z !== fromAz && z !== toAz);
    const run: FailoverRun = {
      clusterIdentifier: id,
      startedAtMs: now,
      connectionsBackAtMs: now + drawDuration(this.ctx.durations.failoverConnectionBlip, this.rng),
      fromAz,
      toAz,
      newSecondaryAz: thirds.length === 0 ? fromAz : this.rng.pick(thirds),
      outcome: 'running',
    };
    this.runs.set(id, [...this.runsOf(id), run]);
    const fault = this.deps.faults.failoverFault(id);
    clusters.update(rec, { ClusterStatus: 'modifying' });
    events.redshift('REDSHIFT-EVENT-3666', 'cluster', id, { cluster_name: id, time_in_utc: this.ctx.clock.now() });
    const promoteIn = clusters.duration(this.ctx.durations.failover, rec) + (fault?.extraMs ?? 0);
    if (fault?.fault === 'recovery-fails') clusters.later(rec, promoteIn, 'failover failed', () => this.fail(rec, run));
    else clusters.later(rec, promoteIn, 'secondary promoted', () => this.promote(rec, run));
    return { Cluster: rec.view };
  }

  /** Step 2: the secondary serves as primary (3667); the third AZ's compute is being created. */
  private promote(rec: ClusterRecord, run: FailoverRun): void {
    const { clusters, events } = this.deps;
    const id = run.clusterIdentifier;
    const secondaryNodes = rec.view.MultiAZSecondary?.ClusterNodes;
    clusters.update(rec, {
      AvailabilityZone: run.toAz,
      ...(secondaryNodes === undefined ? {} : { ClusterNodes: secondaryNodes }),
      MultiAZSecondary: {},
    });
    events.redshift('REDSHIFT-EVENT-3667', 'cluster', id, {
      cluster_name: id,
      time_in_utc: this.ctx.clock.now(),
      first_availability_zone: run.toAz,
    });
    clusters.later(rec, clusters.duration(this.ctx.durations.failoverSecondary, rec), 'secondary created', () => {
      clusters.update(rec, {
        ClusterStatus: 'available',
        MultiAZSecondary: {
          AvailabilityZone: run.newSecondaryAz,
          ClusterNodes: clusterNodes(rec.view.NumberOfNodes ?? 1, this.ctx.attrRng),
        },
      });
      run.outcome = 'recovered';
      run.endedAtMs = this.ctx.clock.nowMs();
      events.redshift('REDSHIFT-EVENT-3669', 'cluster', id, {
        cluster_name: id,
        time_in_utc: this.ctx.clock.now(),
        first_availability_zone: run.toAz,
        second_availability_zone: run.newSecondaryAz,
      });
    });
  }

  /**
   * A `recovery-fails` fault: 3668 (ERROR) and the cluster `available` again where it was, primary
   * and secondary unchanged. The guide does not say what a failed recovery leaves; the simulator
   * keeps the compute that never went away in a drill (the old primary), so the cluster still serves.
   */
  private fail(rec: ClusterRecord, run: FailoverRun): void {
    const id = run.clusterIdentifier;
    this.deps.clusters.update(rec, { ClusterStatus: 'available' });
    run.outcome = 'failed';
    run.endedAtMs = this.ctx.clock.nowMs();
    this.deps.events.redshift('REDSHIFT-EVENT-3668', 'cluster', id, {
      cluster_name: id,
      time_in_utc: this.ctx.clock.now(),
    });
  }
}
