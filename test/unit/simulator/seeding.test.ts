import { DescribeClustersCommand } from '@aws-sdk/client-redshift';
import { ListWorkgroupsCommand } from '@aws-sdk/client-redshift-serverless';
import { describe, expect, it } from 'vitest';
import { recording, simulated } from './harness.ts';

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
});
