/**
 * Failover drills' simulated account: a fleet in AWS CLI shape (describe-clusters,
 * describe-cluster-subnet-groups, secretsmanager list-secrets) seeds eligible and ineligible clusters,
 * FailoverPrimaryCompute runs on the eligible one only, and the Data API canary sees the blip.
 */
import {
  DescribeClustersCommand,
  FailoverPrimaryComputeCommand,
  UnsupportedOperationFault,
} from '@aws-sdk/client-redshift';
import { DescribeStatementCommand, ExecuteStatementCommand, RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import { describe, expect, it } from 'vitest';
import { seedSimulator } from '../../../shared/simulation/fleet-seed.ts';
import { MINUTE, rejection, simulated } from './harness.ts';

const SECRET = 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:drill';

const subnetGroups = {
  ClusterSubnetGroups: [
    {
      ClusterSubnetGroupName: 'three-az',
      Description: 'three AZs',
      VpcId: 'vpc-0a1',
      SubnetGroupStatus: 'Complete',
      Subnets: ['a', 'b', 'c'].map((z, i) => ({
        SubnetIdentifier: `subnet-0${i}`,
        SubnetAvailabilityZone: { Name: `eu-central-1${z}` },
        SubnetStatus: 'Active',
      })),
    },
    {
      ClusterSubnetGroupName: 'two-az',
      VpcId: 'vpc-0a1',
      Subnets: ['a', 'b'].map((z, i) => ({
        SubnetIdentifier: `subnet-1${i}`,
        SubnetAvailabilityZone: { Name: `eu-central-1${z}` },
        SubnetStatus: 'Active',
      })),
    },
  ],
};

const base = {
  NodeType: 'ra3.4xlarge',
  NumberOfNodes: 2,
  ClusterStatus: 'available',
  Encrypted: true,
  Endpoint: { Address: 'x.eu-central-1.redshift.amazonaws.com', Port: 5439 },
  PreferredMaintenanceWindow: 'sun:02:00-sun:02:30',
  DBName: 'dev',
  Tags: [{ Key: 'tier', Value: 'critical' }],
};

/** What `aws redshift describe-clusters` prints for the drill's fleet (trimmed to what matters). */
const clusters = {
  Clusters: [
    {
      ...base,
      ClusterIdentifier: 'eligible',
      MultiAZ: 'Enabled',
      AvailabilityZone: 'eu-central-1a',
      MultiAZSecondary: { AvailabilityZone: 'eu-central-1b', ClusterNodes: [] },
      ClusterSubnetGroupName: 'three-az',
      ClusterNamespaceArn: 'arn:aws:redshift:eu-central-1:123456789012:namespace:0000',
    },
    { ...base, ClusterIdentifier: 'single-az', MultiAZ: 'Disabled', AvailabilityZone: 'eu-central-1a' },
    { ...base, ClusterIdentifier: 'dc2', NodeType: 'dc2.large', MultiAZ: 'Disabled', Encrypted: false },
    { ...base, ClusterIdentifier: 'two-az', MultiAZ: 'Disabled', ClusterSubnetGroupName: 'two-az' },
    {
      ...base,
      ClusterIdentifier: 'eip',
      MultiAZ: 'Disabled',
      ElasticIpStatus: { ElasticIp: '3.1.2.3', Status: 'active' },
    },
    { ...base, ClusterIdentifier: 'port', MultiAZ: 'Disabled', Endpoint: { Address: 'p', Port: 5500 } },
  ],
};

const secrets = { SecretList: [{ ARN: SECRET, Name: 'drill' }] };

function seeded() {
  const s = simulated({ region: 'eu-central-1' });
  const data = new RedshiftDataClient({
    region: s.sim.region,
    credentials: { accessKeyId: 'AKIDSIMULATOR', secretAccessKey: 'simulator' },
  });
  s.sim.attach(data);
  // Clusters first in the list: the subnet groups are still seeded before them.
  const counts = seedSimulator(s.sim, [
    { name: 'clusters.json', json: clusters },
    { name: 'subnet-groups.json', json: subnetGroups },
    { name: 'secrets.json', json: secrets },
  ]);
  return { ...s, data, counts };
}

describe('failover drill fleet in AWS CLI shape', () => {
  it('seeds eligible and ineligible clusters with the Multi-AZ fields DescribeClusters shows', async () => {
    const { redshift, counts } = seeded();
    expect(counts.clusters).toBe(6);

    const out = await redshift.send(new DescribeClustersCommand({}));
    const byId = new Map(out.Clusters?.map((c) => [c.ClusterIdentifier, c]));
    expect(byId.get('eligible')).toMatchObject({
      MultiAZ: 'Enabled',
      AvailabilityZone: 'eu-central-1a',
      MultiAZSecondary: { AvailabilityZone: 'eu-central-1b' },
      ClusterSubnetGroupName: 'three-az',
      PreferredMaintenanceWindow: 'sun:02:00-sun:02:30',
    });
    expect(byId.get('eip')?.ElasticIpStatus).toEqual({ ElasticIp: '3.1.2.3', Status: 'active' });
    expect(byId.get('port')?.Endpoint?.Port).toBe(5500);
    expect(byId.get('dc2')).toMatchObject({ NodeType: 'dc2.large', Encrypted: false, MultiAZ: 'Disabled' });
  });

  it('fails over the eligible cluster to the third AZ and refuses the single-AZ ones', async () => {
    const { sim, redshift } = seeded();
    for (const id of ['single-az', 'dc2', 'two-az', 'eip', 'port']) {
      const error = await rejection(redshift.send(new FailoverPrimaryComputeCommand({ ClusterIdentifier: id })));
      expect(error, id).toBeInstanceOf(UnsupportedOperationFault);
    }
    const out = await redshift.send(new FailoverPrimaryComputeCommand({ ClusterIdentifier: 'eligible' }));
    expect(out.Cluster).toMatchObject({ ClusterStatus: 'modifying', ClusterAvailabilityStatus: 'Modifying' });
    sim.clock.advanceBy(20 * MINUTE);
    const after = sim.getCluster('eligible');
    expect([after?.ClusterStatus, after?.AvailabilityZone, after?.MultiAZSecondary?.AvailabilityZone]).toEqual([
      'available',
      'eu-central-1b',
      'eu-central-1c',
    ]);
  });
});

describe('failover drill fleet: refusals and the canary', () => {
  it('refuses a fleet file with a Multi-AZ cluster AWS could not have, naming the requirement', () => {
    const s = simulated({ region: 'eu-central-1' });
    const bad = { Clusters: [{ ...clusters.Clusters[0], ClusterIdentifier: 'bad', ClusterSubnetGroupName: 'two-az' }] };

    expect(() =>
      seedSimulator(s.sim, [
        { name: 'subnet-groups.json', json: subnetGroups },
        { name: 'bad.json', json: bad },
      ]),
    ).toThrow(
      /fleet: the simulator refuses cluster bad: Multi-AZ needs a subnet group over 3 AZs .*two-az covers eu-central-1a, eu-central-1b/,
    );
  });

  it('answers the canary with the list-secrets secret, and the same seed gives the same failover', async () => {
    const timings: number[][] = [];
    for (let i = 0; i < 2; i++) {
      const { sim, redshift, data } = seeded();
      await redshift.send(new FailoverPrimaryComputeCommand({ ClusterIdentifier: 'eligible' }));
      const ids: string[] = [];
      const poll = async () => {
        const { Id } = await data.send(
          new ExecuteStatementCommand({
            ClusterIdentifier: 'eligible',
            Database: 'dev',
            SecretArn: SECRET,
            Sql: 'select 1 from sys_query_history limit 1',
          }),
        );
        ids.push(Id ?? '');
      };
      for (let t = 0; t < 6; t++) {
        await poll();
        sim.clock.advanceBy(10_000);
      }
      const statuses = await Promise.all(
        ids.map(async (Id) => (await data.send(new DescribeStatementCommand({ Id }))).Status),
      );
      expect(statuses.every((s) => s === 'FINISHED')).toBe(true);
      const run = sim.failoverRuns('eligible')[0];
      timings.push([run?.connectionsBackAtMs ?? 0, run?.startedAtMs ?? 0]);
    }
    expect(timings[0]).toEqual(timings[1]);
  });
});
