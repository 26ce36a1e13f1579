/** Checks of the pause/resume rows of shared/simulator/facts.md. */
import {
  CreateClusterSnapshotCommand,
  DescribeClusterSnapshotsCommand,
  InvalidClusterStateFault,
  PauseClusterCommand,
  ResumeClusterCommand,
  UnsupportedOperationFault,
} from '@aws-sdk/client-redshift';
import { expect } from 'vitest';
import { MINUTE, rejection, simulated } from '../harness.ts';
import { clusterEvents, type FactCheck, statusTimeline } from './support.ts';

export const pauseResumeChecks: Record<string, FactCheck> = {
  'pause.lifecycle': async () => {
    const { sim, redshift } = simulated();
    sim.addCluster({ ClusterIdentifier: 'etl', NodeType: 'ra3.xlplus', NumberOfNodes: 4 });
    const t0 = sim.clock.nowMs();
    const timeline = statusTimeline(sim, 'etl');

    const out = await redshift.send(new PauseClusterCommand({ ClusterIdentifier: 'etl' }));
    sim.clock.advanceBy(20 * MINUTE);

    expect(out.Cluster?.ClusterStatus).toBe('pausing');
    expect(timeline.statuses()).toEqual(['available', 'pausing', 'paused']);
    const events = clusterEvents(sim, t0);
    expect(events.map((e) => e.id)).toEqual(['REDSHIFT-EVENT-3618', 'REDSHIFT-EVENT-3619']);
    expect(events[1]?.minutes).toBeLessThanOrEqual(15.5);
    expect(sim.getCluster('etl')?.ClusterNodes).toEqual([]);
  },

  'pause.takes-snapshot': async () => {
    const { sim, redshift } = simulated();
    sim.addCluster({ ClusterIdentifier: 'etl', NodeType: 'ra3.xlplus', NumberOfNodes: 2 });
    const t0 = sim.clock.nowMs();
    const before = await redshift.send(new DescribeClusterSnapshotsCommand({ ClusterIdentifier: 'etl' }));

    await redshift.send(new PauseClusterCommand({ ClusterIdentifier: 'etl' }));
    const during = await redshift.send(new DescribeClusterSnapshotsCommand({ ClusterIdentifier: 'etl' }));
    sim.clock.advanceBy(20 * MINUTE);
    const after = await redshift.send(new DescribeClusterSnapshotsCommand({ ClusterIdentifier: 'etl' }));

    expect(before.Snapshots).toEqual([]);
    expect(during.Snapshots).toHaveLength(1);
    expect(during.Snapshots?.[0]).toMatchObject({
      SnapshotType: 'automated',
      Status: 'creating',
      SnapshotCreateTime: new Date(t0),
    });
    expect(during.Snapshots?.[0]?.SnapshotIdentifier).toMatch(/^rs:etl-\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}$/);
    expect(after.Snapshots?.[0]?.Status).toBe('available');
  },

  'pause.only-active': async () => {
    const { sim, redshift } = simulated();
    sim.addCluster({ ClusterIdentifier: 'busy', ClusterStatus: 'modifying' });

    const error = await rejection(redshift.send(new PauseClusterCommand({ ClusterIdentifier: 'busy' })));

    expect(error).toBeInstanceOf(InvalidClusterStateFault);
    expect(error.message).toBe('You can only pause an ACTIVE Cluster');
  },

  'pause.needs-automated-snapshots': async () => {
    const { sim, redshift } = simulated();
    sim.addCluster({ ClusterIdentifier: 'nosnap', NodeType: 'dc2.large', AutomatedSnapshotRetentionPeriod: 0 });

    const error = await rejection(redshift.send(new PauseClusterCommand({ ClusterIdentifier: 'nosnap' })));

    expect(error).toBeInstanceOf(UnsupportedOperationFault);
    expect(sim.getCluster('nosnap')?.ClusterStatus).toBe('available');
  },

  'pause.not-multi-az': async () => {
    const { sim, redshift } = simulated();
    sim.addCluster({ ClusterIdentifier: 'maz', NodeType: 'ra3.4xlarge', NumberOfNodes: 2, MultiAZ: true });

    const pause = await rejection(redshift.send(new PauseClusterCommand({ ClusterIdentifier: 'maz' })));
    const resume = await rejection(redshift.send(new ResumeClusterCommand({ ClusterIdentifier: 'maz' })));

    expect(pause).toBeInstanceOf(UnsupportedOperationFault);
    expect(resume).toBeInstanceOf(UnsupportedOperationFault);
  },

  'resume.lifecycle': async () => {
    const { sim, redshift } = simulated();
    sim.addCluster({ ClusterIdentifier: 'bi', ClusterStatus: 'paused', NumberOfNodes: 2 });
    const t0 = sim.clock.nowMs();
    const timeline = statusTimeline(sim, 'bi');

    await redshift.send(new ResumeClusterCommand({ ClusterIdentifier: 'bi' }));
    sim.clock.advanceBy(10 * MINUTE);

    expect(timeline.statuses()).toEqual(['paused', 'resuming', 'available']);
    expect(timeline.firstAt('available')).toBeGreaterThanOrEqual(t0 + 2 * MINUTE);
    expect(clusterEvents(sim, t0)).toEqual([]);
  },

  'resume.only-paused': async () => {
    const { sim, redshift } = simulated();
    sim.addCluster({ ClusterIdentifier: 'up' });
    sim.addCluster({ ClusterIdentifier: 'going' });
    await redshift.send(new PauseClusterCommand({ ClusterIdentifier: 'going' }));

    for (const id of ['up', 'going']) {
      const error = await rejection(redshift.send(new ResumeClusterCommand({ ClusterIdentifier: id })));
      expect(error, id).toBeInstanceOf(InvalidClusterStateFault);
      expect(error.message).toBe('You can only resume a PAUSED Cluster');
    }
  },

  'paused.no-snapshots': async () => {
    const { sim, redshift } = simulated();
    sim.addCluster({ ClusterIdentifier: 'p', NodeType: 'ra3.xlplus', NumberOfNodes: 2, ClusterStatus: 'paused' });

    const manual = await rejection(
      redshift.send(new CreateClusterSnapshotCommand({ ClusterIdentifier: 'p', SnapshotIdentifier: 'p-1' })),
    );
    sim.clock.advanceBy(3 * 24 * 60 * MINUTE);
    const listed = await redshift.send(new DescribeClusterSnapshotsCommand({ ClusterIdentifier: 'p' }));

    expect(manual).toBeInstanceOf(InvalidClusterStateFault);
    expect(listed.Snapshots).toEqual([]);
  },
};
