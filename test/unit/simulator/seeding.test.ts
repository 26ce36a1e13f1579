import { DescribeClustersCommand, PauseClusterCommand } from '@aws-sdk/client-redshift';
import { ListWorkgroupsCommand } from '@aws-sdk/client-redshift-serverless';
import { describe, expect, it } from 'vitest';
import { MINUTE, recording, simulated } from './harness.ts';

describe('seeding from AWS CLI output and recordings', () => {
  it('accepts describe-clusters (ISO dates), list-namespaces, list-workgroups and a placebo recording', async () => {
    const { sim, redshift, serverless } = simulated();
    const cli = {
      Clusters: [
        {
          ClusterIdentifier: 'from-cli',
          NodeType: 'ra3.xlplus',
          NumberOfNodes: 2,
          ClusterStatus: 'paused',
          ClusterCreateTime: '2024-03-01T10:00:00.123Z',
          Tags: [{ Key: 'autopilot:managed', Value: 'true' }],
        },
      ],
    };
    const workgroups = {
      workgroups: [
        { workgroupName: 'wg', namespaceName: 'ns', baseCapacity: 64, creationDate: '2024-05-01T00:00:00Z' },
      ],
    };
    const namespaces = { namespaces: [{ namespaceName: 'ns', dbName: 'dev' }] };

    const counts = sim.seedFromAwsCli([
      cli,
      workgroups,
      namespaces,
      recording('test_redshift_snapshot_delete/redshift.DescribeClusterSnapshots_1.json'),
    ]);

    expect(counts).toEqual({ clusters: 1, snapshots: 2, namespaces: 1, workgroups: 1 });
    const cluster = (await redshift.send(new DescribeClustersCommand({ ClusterIdentifier: 'from-cli' }))).Clusters?.[0];
    expect(cluster).toMatchObject({ ClusterStatus: 'paused', ClusterAvailabilityStatus: 'Paused' });
    expect(cluster?.ClusterCreateTime).toEqual(new Date('2024-03-01T10:00:00.123Z'));
    const wg = (await serverless.send(new ListWorkgroupsCommand({}))).workgroups?.[0];
    expect(wg).toMatchObject({ workgroupName: 'wg', baseCapacity: 64, status: 'AVAILABLE' });
    expect(wg?.creationDate).toEqual(new Date('2024-05-01T00:00:00Z'));
  });

  it('refuses to seed the same cluster twice', () => {
    const { sim } = simulated();
    sim.addCluster({ ClusterIdentifier: 'x' });

    expect(() => sim.seedCluster({ ClusterIdentifier: 'x' })).toThrow(/already exists/);
  });

  it('finishes the transition a cluster was caught in: modifying, rebooting, resizing, pausing, resuming', async () => {
    const { sim, redshift } = simulated();
    const seeded = (id: string, ClusterStatus: string, extra: object = {}) =>
      sim.seedCluster({ ClusterIdentifier: id, NodeType: 'ra3.4xlarge', NumberOfNodes: 2, ClusterStatus, ...extra });
    seeded('mod', 'modifying');
    seeded('reboot', 'rebooting');
    seeded('resize', 'resizing', { PendingModifiedValues: { NumberOfNodes: 4 } });
    seeded('pause', 'pausing');
    seeded('resume', 'resuming');
    seeded('steady', 'available');
    const events: string[] = [];
    sim.subscribe((payload) => {
      const message = (payload as { Records?: { Sns: { Message: string } }[] }).Records?.[0]?.Sns.Message;
      if (message !== undefined) {
        const m = JSON.parse(message) as { Resource: string; 'About this Event': string };
        events.push(`${m.Resource} ${m['About this Event'].replace(/.*#/, '').trim()}`);
      }
    });
    const status = async (id: string) =>
      (await redshift.send(new DescribeClustersCommand({ ClusterIdentifier: id }))).Clusters?.[0];

    expect((await status('mod'))?.ClusterStatus).toBe('modifying');
    sim.clock.advanceBy(60 * MINUTE);

    expect((await status('mod'))?.ClusterStatus).toBe('available');
    expect((await status('reboot'))?.ClusterStatus).toBe('available');
    expect(await status('resize')).toMatchObject({ ClusterStatus: 'available', NumberOfNodes: 4 });
    expect(await status('pause')).toMatchObject({ ClusterStatus: 'paused', ClusterNodes: [] });
    expect((await status('resume'))?.ClusterStatus).toBe('available');
    expect(events.sort()).toEqual([
      'pause REDSHIFT-EVENT-3619',
      'reboot REDSHIFT-EVENT-3000',
      'resize REDSHIFT-EVENT-3534',
      'resize REDSHIFT-EVENT-3537',
    ]);
  });

  it('draws the rest of a seeded transition from its own stream: the other clusters keep their durations', async () => {
    const pauseDoneAt = async (withSeededTransition: boolean) => {
      const { sim, redshift } = simulated();
      if (withSeededTransition) sim.seedCluster({ ClusterIdentifier: 'busy', ClusterStatus: 'modifying' });
      sim.addCluster({ ClusterIdentifier: 'x' });
      await redshift.send(new PauseClusterCommand({ ClusterIdentifier: 'x' }));
      for (let minutes = 1; minutes <= 30; minutes++) {
        sim.clock.advanceBy(MINUTE);
        if (sim.getCluster('x')?.ClusterStatus === 'paused') return minutes;
      }
      return null;
    };

    expect(await pauseDoneAt(true)).toBe(await pauseDoneAt(false));
  });
});
