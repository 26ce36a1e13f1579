import {
  CreateClusterSnapshotCommand,
  DeleteClusterSnapshotCommand,
  DescribeClusterSnapshotsCommand,
  paginateDescribeClusterSnapshots,
} from '@aws-sdk/client-redshift';
import { describe, expect, it } from 'vitest';
import { MINUTE, simulated } from './harness.ts';

async function withSnapshots(count: number) {
  const { sim, redshift } = simulated();
  sim.addCluster({ ClusterIdentifier: 'c1' });
  for (let i = 0; i < count; i++) {
    await redshift.send(
      new CreateClusterSnapshotCommand({
        ClusterIdentifier: 'c1',
        SnapshotIdentifier: `s-${String(i).padStart(2, '0')}`,
      }),
    );
  }
  return { sim, redshift };
}

/** A fresh input each time: the SDK's paginator writes its Marker into the input it is given. */
const manual = () => ({ ClusterIdentifier: 'c1', SnapshotType: 'manual', MaxRecords: 20 });

describe('DescribeClusterSnapshots pages (a listing is filtered once, then paged)', () => {
  it('pages through every snapshot once', async () => {
    const { redshift } = await withSnapshots(45);
    const ids: string[] = [];
    for await (const page of paginateDescribeClusterSnapshots({ client: redshift, pageSize: 20 }, manual())) {
      ids.push(...(page.Snapshots ?? []).map((s) => s.SnapshotIdentifier ?? ''));
    }
    expect(ids).toHaveLength(45);
    expect(new Set(ids).size).toBe(45);
  });

  it('a page after a write shows the write: a snapshot deleted between pages is not on the next one', async () => {
    const { redshift } = await withSnapshots(30);
    const first = await redshift.send(new DescribeClusterSnapshotsCommand(manual()));
    await redshift.send(new DeleteClusterSnapshotCommand({ SnapshotIdentifier: 's-25' }));
    const second = await redshift.send(new DescribeClusterSnapshotsCommand({ ...manual(), Marker: first.Marker }));

    expect(second.Snapshots?.map((s) => s.SnapshotIdentifier)).not.toContain('s-25');
    expect(second.Snapshots).toHaveLength(9);
  });

  it('a page after a timer fired shows the change: a snapshot that completed meanwhile is available', async () => {
    const { sim, redshift } = await withSnapshots(30);
    const first = await redshift.send(new DescribeClusterSnapshotsCommand(manual()));
    expect(first.Snapshots?.[0]?.Status).toBe('creating');
    sim.clock.advanceBy(24 * 60 * MINUTE);
    const second = await redshift.send(new DescribeClusterSnapshotsCommand({ ...manual(), Marker: first.Marker }));

    expect(second.Snapshots?.map((s) => s.Status)).toEqual(Array(10).fill('available'));
  });
});
