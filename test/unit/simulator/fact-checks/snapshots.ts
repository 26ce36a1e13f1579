/** Checks of the snapshot rows of shared/simulator/facts.md. */
import {
  CreateClusterSnapshotCommand,
  DeleteClusterCommand,
  DescribeClusterSnapshotsCommand,
  InvalidClusterStateFault,
  InvalidRetentionPeriodFault,
  RedshiftServiceException,
  ResizeClusterCommand,
  type Snapshot,
} from '@aws-sdk/client-redshift';
import { expect } from 'vitest';
import { MINUTE, rejection, simulated } from '../harness.ts';
import { clusterEvents, type FactCheck } from './support.ts';

const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

type Sim = ReturnType<typeof simulated>;

async function snapshotsOf({ redshift }: Sim, clusterIdentifier: string, type?: string): Promise<Snapshot[]> {
  const out = await redshift.send(
    new DescribeClusterSnapshotsCommand({ ClusterIdentifier: clusterIdentifier, MaxRecords: 100 }),
  );
  return (out.Snapshots ?? []).filter((s) => type === undefined || s.SnapshotType === type);
}

const createTimes = (snaps: Snapshot[]) => snaps.map((s) => s.SnapshotCreateTime?.getTime() ?? 0).sort((a, b) => a - b);

const gaps = (times: number[]) => times.slice(1).map((t, i) => t - (times[i] ?? 0));

export const snapshotChecks: Record<string, FactCheck> = {
  'snapshot.incremental': async () => {
    const s = simulated();
    // 2 TB each. `dw` has had automated snapshots all along; `fresh` has them off (DC2 only), so the
    // simulator knows no earlier snapshot of it and its first one copies everything.
    s.sim.addCluster({ ClusterIdentifier: 'dw', NodeType: 'dc2.8xlarge', NumberOfNodes: 4, dataSizeMB: 2_000_000 });
    s.sim.addCluster({
      ClusterIdentifier: 'fresh',
      NodeType: 'dc2.8xlarge',
      NumberOfNodes: 4,
      dataSizeMB: 2_000_000,
      AutomatedSnapshotRetentionPeriod: 0,
    });
    for (const [cluster, id] of [
      ['fresh', 'fresh-1'],
      ['dw', 'dw-1'],
    ] as const)
      await s.redshift.send(new CreateClusterSnapshotCommand({ ClusterIdentifier: cluster, SnapshotIdentifier: id }));
    s.sim.clock.advanceBy(DAY);
    await s.redshift.send(
      new CreateClusterSnapshotCommand({ ClusterIdentifier: 'fresh', SnapshotIdentifier: 'fresh-2' }),
    );
    s.sim.clock.advanceBy(HOUR);

    const minutes = async (cluster: string, id: string) =>
      ((await snapshotsOf(s, cluster)).find((x) => x.SnapshotIdentifier === id)?.ElapsedTimeInSeconds ?? -60) / 60;
    expect(await minutes('fresh', 'fresh-1')).toBeGreaterThan(60);
    expect(await minutes('fresh', 'fresh-2')).toBeLessThan(10);
    expect(await minutes('fresh', 'fresh-2')).toBeGreaterThan(0);
    expect(await minutes('dw', 'dw-1')).toBeLessThan(10);
  },

  'snapshot.automated-every-8h': async () => {
    const s = simulated();
    // 20 GB changing 1 %/day: far below 5 GB per node between two snapshots.
    s.sim.addCluster({ ClusterIdentifier: 'quiet', NodeType: 'ra3.xlplus', NumberOfNodes: 2, dataSizeMB: 20_000 });
    s.sim.clock.advanceBy(DAY + HOUR);

    const times = createTimes(await snapshotsOf(s, 'quiet', 'automated'));
    expect(times.length).toBeGreaterThanOrEqual(3);
    for (const gap of gaps(times)) expect(gap).toBe(8 * HOUR);
    expect(clusterEvents(s.sim, 0)).toEqual([]);
  },

  'snapshot.automated-5gb-per-node': async () => {
    const s = simulated({ durations: { dailyChangeFraction: [0.1, 0.1] } });
    // 4 TB on 2 nodes changing 10 %/day = 400 GB/day: 10 GB (5 GB × 2 nodes) every 36 minutes.
    s.sim.addCluster({ ClusterIdentifier: 'busy', NodeType: 'ra3.4xlarge', NumberOfNodes: 2, dataSizeMB: 4_000_000 });
    s.sim.clock.advanceBy(12 * HOUR);

    const snaps = await snapshotsOf(s, 'busy', 'automated');
    const times = createTimes(snaps);
    expect(times.length).toBeGreaterThan(12);
    for (const gap of gaps(times)) {
      expect(gap).toBeGreaterThanOrEqual(15 * MINUTE);
      expect(gap).toBeLessThan(40 * MINUTE);
    }
    const later = snaps.filter((x) => (x.SnapshotCreateTime?.getTime() ?? 0) > (times[0] ?? 0));
    for (const snap of later) expect(snap.ActualIncrementalBackupSizeInMegaBytes).toBeLessThanOrEqual(10 * 1024 + 1);
  },

  'snapshot.automated-retention': async () => {
    const s = simulated();
    s.sim.addCluster({ ClusterIdentifier: 'one', NodeType: 'ra3.xlplus', NumberOfNodes: 2, dataSizeMB: 20_000 });
    s.sim.addCluster({
      ClusterIdentifier: 'week',
      NodeType: 'ra3.xlplus',
      NumberOfNodes: 2,
      dataSizeMB: 20_000,
      AutomatedSnapshotRetentionPeriod: 7,
    });
    s.sim.clock.advanceBy(10 * DAY);
    const now = s.sim.clock.nowMs();

    for (const [cluster, days] of [
      ['one', 1],
      ['week', 7],
    ] as const) {
      const times = createTimes(await snapshotsOf(s, cluster, 'automated'));
      expect(times[0], cluster).toBeGreaterThanOrEqual(now - days * DAY - 8 * HOUR);
      expect(times.length, cluster).toBeGreaterThanOrEqual(days * 3);
    }
    expect(clusterEvents(s.sim, 0)).toEqual([]);
  },

  'snapshot.automated-retention-range': async () => {
    const { sim } = simulated();
    expect(() =>
      sim.addCluster({ ClusterIdentifier: 'ra3-off', NodeType: 'ra3.xlplus', AutomatedSnapshotRetentionPeriod: 0 }),
    ).toThrow(/1–35/);
    expect(() =>
      sim.addCluster({ ClusterIdentifier: 'dc2-long', NodeType: 'dc2.large', AutomatedSnapshotRetentionPeriod: 36 }),
    ).toThrow(/0–35/);
    sim.addCluster({ ClusterIdentifier: 'dc2-off', NodeType: 'dc2.large', AutomatedSnapshotRetentionPeriod: 0 });
    sim.addCluster({ ClusterIdentifier: 'ra3-max', NodeType: 'ra3.xlplus', AutomatedSnapshotRetentionPeriod: 35 });
    expect(sim.listClusters().map((c) => c.ClusterIdentifier)).toEqual(['dc2-off', 'ra3-max']);
  },

  'snapshot.identifier': async () => {
    const { sim, redshift } = simulated();
    sim.addCluster({ ClusterIdentifier: 'c' });
    const bad = ['', 'Nightly', '1st', 'a_b', 'a--b', 'end-', 'default', `a${'b'.repeat(255)}`, 'a.b'];
    for (const id of bad) {
      const error = await rejection(
        redshift.send(new CreateClusterSnapshotCommand({ ClusterIdentifier: 'c', SnapshotIdentifier: id })),
      );
      expect(error, JSON.stringify(id)).toBeInstanceOf(RedshiftServiceException);
      expect(error).toMatchObject({ name: 'InvalidParameterValue', $metadata: { httpStatusCode: 400 } });
      expect(error.message).toMatch(/^The parameter SnapshotIdentifier is not a valid identifier/);
    }
    for (const id of ['a', 'c-nightly-202601050200-r1', `a${'b'.repeat(254)}`])
      await redshift.send(new CreateClusterSnapshotCommand({ ClusterIdentifier: 'c', SnapshotIdentifier: id }));
    const deleteBad = await rejection(
      redshift.send(new DeleteClusterCommand({ ClusterIdentifier: 'c', FinalClusterSnapshotIdentifier: 'Final_1' })),
    );
    expect(deleteBad.message).toMatch(/^The parameter FinalClusterSnapshotIdentifier is not a valid identifier/);
  },

  'snapshot.manual-retention-range': async () => {
    const { sim, redshift } = simulated();
    sim.addCluster({ ClusterIdentifier: 'c' });
    for (const days of [0, -2, 3654, 1.5]) {
      const error = await rejection(
        redshift.send(
          new CreateClusterSnapshotCommand({
            ClusterIdentifier: 'c',
            SnapshotIdentifier: 'r',
            ManualSnapshotRetentionPeriod: days,
          }),
        ),
      );
      expect(error, String(days)).toBeInstanceOf(InvalidRetentionPeriodFault);
      expect(error).toMatchObject({ Code: 'InvalidRetentionPeriodFault', $metadata: { httpStatusCode: 400 } });
    }
    for (const [id, days] of [
      ['keep', -1],
      ['one', 1],
      ['decade', 3653],
    ] as const) {
      await redshift.send(
        new CreateClusterSnapshotCommand({
          ClusterIdentifier: 'c',
          SnapshotIdentifier: id,
          ManualSnapshotRetentionPeriod: days,
        }),
      );
    }
  },

  'snapshot.remaining-days': async () => {
    const s = simulated();
    s.sim.addCluster({ ClusterIdentifier: 'c', NumberOfNodes: 2, dataSizeMB: 20_000 });
    for (const [id, days] of [
      ['three', 3],
      ['forever', undefined],
    ] as const) {
      await s.redshift.send(
        new CreateClusterSnapshotCommand({
          ClusterIdentifier: 'c',
          SnapshotIdentifier: id,
          ManualSnapshotRetentionPeriod: days,
        }),
      );
    }
    const remaining = async () =>
      Object.fromEntries(
        (await snapshotsOf(s, 'c', 'manual')).map((x) => [x.SnapshotIdentifier, x.ManualSnapshotRemainingDays ?? null]),
      );

    s.sim.clock.advanceBy(HOUR);
    expect(await remaining()).toEqual({ three: 3, forever: null });
    s.sim.clock.advanceBy(DAY);
    expect(await remaining()).toEqual({ three: 2, forever: null });
    s.sim.clock.advanceBy(DAY);
    expect(await remaining()).toEqual({ three: 1, forever: null });
    s.sim.clock.advanceBy(DAY);
    expect(await remaining()).toEqual({ forever: null });
  },

  'snapshot.blocked-by-elastic-resize': async () => {
    const { sim, redshift } = simulated();
    sim.addCluster({ ClusterIdentifier: 'dw', NodeType: 'ra3.4xlarge', NumberOfNodes: 2 });
    await redshift.send(new ResizeClusterCommand({ ClusterIdentifier: 'dw', NumberOfNodes: 4 }));

    const error = await rejection(
      redshift.send(new CreateClusterSnapshotCommand({ ClusterIdentifier: 'dw', SnapshotIdentifier: 'during' })),
    );

    expect(sim.getCluster('dw')?.ClusterStatus).toBe('available, prep-for-resize');
    expect(error).toBeInstanceOf(InvalidClusterStateFault);
  },

  'delete.keeps-manual': async () => {
    const s = simulated();
    s.sim.addCluster({ ClusterIdentifier: 'old', NodeType: 'ra3.xlplus', NumberOfNodes: 2, dataSizeMB: 20_000 });
    s.sim.clock.advanceBy(9 * HOUR);
    await s.redshift.send(new CreateClusterSnapshotCommand({ ClusterIdentifier: 'old', SnapshotIdentifier: 'keep' }));
    s.sim.clock.advanceBy(HOUR);
    expect((await snapshotsOf(s, 'old', 'automated')).length).toBeGreaterThan(0);

    await s.redshift.send(
      new DeleteClusterCommand({ ClusterIdentifier: 'old', FinalClusterSnapshotIdentifier: 'old-final' }),
    );
    s.sim.clock.advanceBy(HOUR);

    const left = await snapshotsOf(s, 'old');
    expect(left.map((x) => [x.SnapshotIdentifier, x.SnapshotType, x.Status])).toEqual([
      ['keep', 'manual', 'available'],
      ['old-final', 'manual', 'available'],
    ]);
  },
};
