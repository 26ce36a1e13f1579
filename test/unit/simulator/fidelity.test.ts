/**
 * Fidelity against the recorded real responses in test/fixtures/api: the simulator is seeded with
 * the recorded resource, the same call is made through a real SDK client, and the answer must have
 * the recorded fields, statuses and error codes.
 */
import {
  CreateClusterSnapshotCommand,
  DeleteClusterCommand,
  DeleteClusterSnapshotCommand,
  DescribeClusterSnapshotsCommand,
  DescribeClustersCommand,
  InvalidClusterStateFault,
  PauseClusterCommand,
  ResumeClusterCommand,
} from '@aws-sdk/client-redshift';
import { describe, expect, it } from 'vitest';
import {
  clustersFromRecording,
  errorFromRecording,
  snapshotsFromRecording,
} from '../../../shared/simulator/placebo-loader.ts';
import { MINUTE, recording, rejection, simulated } from './harness.ts';

const keys = (o: object | undefined) => Object.keys(o ?? {}).sort();

/** Fields a recording has that a cluster the simulator creates itself legitimately lacks. */
const NEW_CLUSTER_EXCEPTIONS = new Set([
  // Only clusters restored from a snapshot carry RestoreStatus.
  'RestoreStatus',
]);

describe('fidelity: PauseCluster (test_redshift_pause)', () => {
  const before = clustersFromRecording(recording('test_redshift_pause/redshift.DescribeClusters_1.json'));
  const after = clustersFromRecording(recording('test_redshift_pause/redshift.DescribeClusters_2.json'));
  const paused = clustersFromRecording(recording('test_redshift_pause/redshift.PauseCluster_1.json'));

  it('DescribeClusters before the pause returns the recorded cluster: same fields, available / Available', async () => {
    const { sim, redshift } = simulated();
    const recorded = before[0];
    sim.seedCluster(recorded ?? {});

    const out = await redshift.send(new DescribeClustersCommand({ ClusterIdentifier: 'redshift-cluster-1' }));

    expect(out.$metadata.httpStatusCode).toBe(200);
    expect(out.Clusters).toHaveLength(1);
    expect(out.Clusters?.[0]).toEqual(recorded);
    expect(out.Clusters?.[0]).toMatchObject({ ClusterStatus: 'available', ClusterAvailabilityStatus: 'Available' });
  });

  it('PauseCluster answers with exactly the recorded response fields, pausing / Modifying', async () => {
    const { sim, redshift } = simulated();
    sim.seedCluster(before[0] ?? {});

    const out = await redshift.send(new PauseClusterCommand({ ClusterIdentifier: 'redshift-cluster-1' }));

    expect(keys(out.Cluster)).toEqual(keys(paused[0]));
    expect(out.Cluster).toEqual(paused[0]);
    expect(out.Cluster).toMatchObject({ ClusterStatus: 'pausing', ClusterAvailabilityStatus: 'Modifying' });
  });

  it('DescribeClusters after the pause equals the recorded second DescribeClusters', async () => {
    const { sim, redshift } = simulated();
    sim.seedCluster(before[0] ?? {});
    await redshift.send(new PauseClusterCommand({ ClusterIdentifier: 'redshift-cluster-1' }));

    const out = await redshift.send(new DescribeClustersCommand({ ClusterIdentifier: 'redshift-cluster-1' }));

    expect(keys(out.Clusters?.[0])).toEqual(keys(after[0]));
    expect(out.Clusters?.[0]).toEqual(after[0]);
  });

  it('a cluster the simulator creates has every recorded field but the documented exceptions', async () => {
    const { sim, redshift } = simulated();
    sim.addCluster({ ClusterIdentifier: 'fresh', NodeType: 'dc2.large', NumberOfNodes: 1 });

    const described = await redshift.send(new DescribeClustersCommand({ ClusterIdentifier: 'fresh' }));
    const pausedOut = await redshift.send(new PauseClusterCommand({ ClusterIdentifier: 'fresh' }));

    const wanted = keys(before[0]).filter((k) => !NEW_CLUSTER_EXCEPTIONS.has(k));
    expect(keys(described.Clusters?.[0])).toEqual(expect.arrayContaining(wanted));
    expect(keys(pausedOut.Cluster)).toEqual(expect.arrayContaining(keys(paused[0])));
    expect(pausedOut.Cluster).not.toHaveProperty('ClusterNodes');
  });
});

describe('fidelity: ResumeCluster (test_redshift_resume)', () => {
  const pausedCluster = clustersFromRecording(recording('test_redshift_resume/redshift.DescribeClusters_1.json'));
  const resumed = clustersFromRecording(recording('test_redshift_resume/redshift.ResumeCluster_1.json'));

  it('describes the recorded paused cluster as paused / Paused with no nodes', async () => {
    const { sim, redshift } = simulated();
    sim.seedCluster(pausedCluster[0] ?? {});

    const out = await redshift.send(new DescribeClustersCommand({}));

    expect(out.Clusters?.[0]).toEqual(pausedCluster[0]);
    expect(out.Clusters?.[0]).toMatchObject({
      ClusterStatus: 'paused',
      ClusterAvailabilityStatus: 'Paused',
      ClusterNodes: [],
    });
  });

  it('ResumeCluster answers with exactly the recorded response, resuming / Modifying', async () => {
    const { sim, redshift } = simulated();
    sim.seedCluster(pausedCluster[0] ?? {});

    const out = await redshift.send(new ResumeClusterCommand({ ClusterIdentifier: 'redshift-cluster-1' }));

    expect(keys(out.Cluster)).toEqual(keys(resumed[0]));
    expect(out.Cluster).toEqual(resumed[0]);
  });
});

describe('fidelity: snapshots (test_redshift_snapshot)', () => {
  const cluster = clustersFromRecording(recording('test_redshift_snapshot/redshift.DescribeClusters_1.json'))[0] ?? {};
  const created =
    snapshotsFromRecording(recording('test_redshift_snapshot/redshift.CreateClusterSnapshot_1.json'))[0] ?? {};
  const described =
    snapshotsFromRecording(recording('test_redshift_snapshot/redshift.DescribeClusterSnapshots_1.json'))[0] ?? {};

  it('CreateClusterSnapshot answers with the recorded fields and the recorded not-yet-started progress values', async () => {
    const { sim, redshift } = simulated();
    sim.seedCluster(cluster);

    const out = await redshift.send(
      new CreateClusterSnapshotCommand({ SnapshotIdentifier: 'backup-2017-01-15', ClusterIdentifier: 'test-cluster' }),
    );

    expect(keys(out.Snapshot)).toEqual(expect.arrayContaining(keys(created)));
    const progress = [
      'Status',
      'SnapshotType',
      'TotalBackupSizeInMegaBytes',
      'ActualIncrementalBackupSizeInMegaBytes',
      'BackupProgressInMegaBytes',
      'CurrentBackupRateInMegaBytesPerSecond',
      'EstimatedSecondsToCompletion',
      'ElapsedTimeInSeconds',
      'EncryptedWithHSM',
    ] as const;
    for (const field of progress) expect(out.Snapshot?.[field], field).toEqual(created[field]);
    // Copied from the cluster, as in the recording.
    for (const field of [
      'ClusterIdentifier',
      'MasterUsername',
      'DBName',
      'VpcId',
      'NodeType',
      'NumberOfNodes',
      'AvailabilityZone',
      'Encrypted',
      'Port',
      'ClusterVersion',
      'ClusterCreateTime',
    ] as const) {
      expect(out.Snapshot?.[field], field).toEqual(created[field]);
    }
  });

  it('DescribeClusterSnapshots shows the finished snapshot with the recorded fields, available', async () => {
    const { sim, redshift } = simulated();
    sim.seedCluster(cluster);
    // Custodian's snapshot action copies the cluster's tags onto the snapshot (DescribeTags_1).
    await redshift.send(
      new CreateClusterSnapshotCommand({
        SnapshotIdentifier: 'backup-2017-01-15',
        ClusterIdentifier: 'test-cluster',
        Tags: cluster.Tags ?? [],
      }),
    );
    sim.clock.advanceBy(60 * MINUTE);

    const out = await redshift.send(new DescribeClusterSnapshotsCommand({ ClusterIdentifier: 'test-cluster' }));

    const snap = out.Snapshots?.[0];
    expect(keys(snap)).toEqual(expect.arrayContaining(keys(described)));
    expect(snap).toMatchObject({
      Status: 'available',
      SnapshotType: 'manual',
      EstimatedSecondsToCompletion: 0,
      Tags: described.Tags,
      RestorableNodeTypes: described.RestorableNodeTypes,
    });
    expect(snap?.TotalBackupSizeInMegaBytes).toBeGreaterThan(0);
  });
});

describe('fidelity: recorded snapshots (test_redshift_snapshot_delete)', () => {
  it('DescribeClusterSnapshots returns recorded snapshots unchanged', async () => {
    const { sim, redshift } = simulated();
    const recorded = snapshotsFromRecording(
      recording('test_redshift_snapshot_delete/redshift.DescribeClusterSnapshots_1.json'),
    );
    for (const s of recorded) sim.seedSnapshot(s);

    const out = await redshift.send(new DescribeClusterSnapshotsCommand({}));

    expect(out.Snapshots).toEqual(recorded);
  });

  it('DeleteClusterSnapshot answers with the recorded response: the snapshot, Status deleted', async () => {
    const { sim, redshift } = simulated();
    const deleted =
      snapshotsFromRecording(recording('test_redshift_snapshot_delete/redshift.DeleteClusterSnapshot_1.json'))[0] ?? {};
    sim.seedSnapshot({ ...deleted, Status: 'available' });

    const out = await redshift.send(new DeleteClusterSnapshotCommand({ SnapshotIdentifier: 'aaa-1' }));

    expect(keys(out.Snapshot)).toEqual(keys(deleted));
    expect(out.Snapshot).toEqual(deleted);
    const left = await redshift.send(new DescribeClusterSnapshotsCommand({}));
    expect(left.Snapshots).toEqual([]);
  });
});

describe('fidelity: the InvalidClusterState error (test_redshift_delete)', () => {
  it('DeleteCluster during an operation fails with the recorded code, message, type and HTTP status', async () => {
    const expected = errorFromRecording(recording('test_redshift_delete/redshift.DeleteCluster_1.json'));
    const { sim, redshift } = simulated();
    sim.seedCluster(clustersFromRecording(recording('test_redshift_pause/redshift.DescribeClusters_1.json'))[0] ?? {});
    await redshift.send(new PauseClusterCommand({ ClusterIdentifier: 'redshift-cluster-1' }));

    const error = await rejection(
      redshift.send(
        new DeleteClusterCommand({ ClusterIdentifier: 'redshift-cluster-1', SkipFinalClusterSnapshot: true }),
      ),
    );

    expect(error).toBeInstanceOf(InvalidClusterStateFault);
    expect(error.name).toBe('InvalidClusterStateFault');
    expect(error).toMatchObject({
      Code: expected?.code,
      Type: expected?.type,
      message: expected?.message,
      $metadata: { httpStatusCode: expected?.status },
    });
  });
});
