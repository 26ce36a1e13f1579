/**
 * Checks of the Multi-AZ eligibility, failover (durations, faults, connections) and Data API rows of
 * shared/simulator/facts.md, through the real SDK clients (Redshift and Redshift Data API).
 */
import {
  ClusterNotFoundFault,
  ClusterSubnetGroupNotFoundFault,
  DescribeClusterSubnetGroupsCommand,
  DescribeClustersCommand,
  FailoverPrimaryComputeCommand,
  InvalidClusterStateFault,
  UnsupportedOperationFault,
} from '@aws-sdk/client-redshift';
import {
  DescribeStatementCommand,
  ExecuteStatementCommand,
  GetStatementResultCommand,
  RedshiftDataClient,
  ResourceNotFoundException,
  ValidationException,
} from '@aws-sdk/client-redshift-data';
import { expect } from 'vitest';
import type { RedshiftSimulator } from '../../../../shared/simulator/redshift-simulator.ts';
import { MINUTE, rejection, simulated } from '../harness.ts';
import { clusterEvents, type FactCheck } from './support.ts';

export const SECRET = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:drill-AbCdEf';

/** The simulator with a Redshift Data API client attached too, and the drill's secret known. */
export function withDataApi(seed = 42) {
  const s = simulated({ seed });
  const data = new RedshiftDataClient({
    region: s.sim.region,
    credentials: { accessKeyId: 'AKIDSIMULATOR', secretAccessKey: 'simulator' },
  });
  s.sim.attach(data);
  s.sim.addSecret({ arn: SECRET, username: 'drill' });
  return { ...s, data };
}

/** A Multi-AZ cluster over a seeded three-AZ subnet group (eu-style names in us-east-1: a, b, d). */
export function addMultiAz(sim: RedshiftSimulator, id = 'maz', nodes = 2) {
  sim.seedSubnetGroup({
    ClusterSubnetGroupName: 'three-az',
    VpcId: 'vpc-0abc',
    Subnets: ['a', 'b', 'd'].map((s, i) => ({
      SubnetIdentifier: `subnet-${i}`,
      SubnetAvailabilityZone: { Name: `us-east-1${s}` },
      SubnetStatus: 'Active',
    })),
  });
  return sim.addCluster({
    ClusterIdentifier: id,
    NodeType: 'ra3.4xlarge',
    NumberOfNodes: nodes,
    MultiAZ: true,
    ClusterSubnetGroupName: 'three-az',
    AvailabilityZone: 'us-east-1a',
    SecondaryAvailabilityZone: 'us-east-1b',
  });
}

/** Minutes from `t0` to the first event `id` of the cluster's events. */
function minutesTo(sim: RedshiftSimulator, t0: number, id: string): number {
  return clusterEvents(sim, t0).find((e) => e.id === id)?.minutes ?? Number.NaN;
}

type Data = RedshiftDataClient;

async function run(data: Data, sql: string, cluster = 'maz') {
  const out = await data.send(
    new ExecuteStatementCommand({ ClusterIdentifier: cluster, Database: 'dev', SecretArn: SECRET, Sql: sql }),
  );
  return out.Id ?? '';
}

async function status(data: Data, id: string) {
  return data.send(new DescribeStatementCommand({ Id: id }));
}

export const failoverChecks: Record<string, FactCheck> = {
  'multi-az.requirements': async () => {
    const { sim, redshift } = simulated();
    const refused = (over: Parameters<RedshiftSimulator['addCluster']>[0]) => () =>
      sim.addCluster({ NodeType: 'ra3.4xlarge', NumberOfNodes: 2, MultiAZ: true, ...over });
    expect(refused({ ClusterIdentifier: 'plain', Encrypted: false })).toThrow(/needs an encrypted cluster/);
    expect(refused({ ClusterIdentifier: 'port', Port: 5500 })).toThrow(/port in 5431–5455 or 8191–8215/);
    expect(refused({ ClusterIdentifier: 'eip', ElasticIp: '52.1.2.3' })).toThrow(/can't have an Elastic IP/);
    sim.seedSubnetGroup({
      ClusterSubnetGroupName: 'two-az',
      Subnets: ['a', 'b'].map((s) => ({
        SubnetIdentifier: `subnet-${s}`,
        SubnetAvailabilityZone: { Name: `us-east-1${s}` },
      })),
    });
    expect(refused({ ClusterIdentifier: 'two', ClusterSubnetGroupName: 'two-az' })).toThrow(/subnet group over 3 AZs/);
    // The same settings on a single-AZ cluster are fine, and DescribeClusters shows them.
    sim.addCluster({
      ClusterIdentifier: 'single',
      NodeType: 'ra3.4xlarge',
      NumberOfNodes: 2,
      Encrypted: false,
      Port: 5500,
      ElasticIp: '52.1.2.3',
      ClusterSubnetGroupName: 'two-az',
    });
    sim.addCluster({ ClusterIdentifier: 'ok', NodeType: 'ra3.4xlarge', NumberOfNodes: 2, MultiAZ: true, Port: 8192 });
    const out = await redshift.send(new DescribeClustersCommand({}));
    expect(out.Clusters?.map((c) => c.ClusterIdentifier)).toEqual(['single', 'ok']);
    expect(out.Clusters?.[0]).toMatchObject({
      MultiAZ: 'Disabled',
      Encrypted: false,
      Endpoint: { Port: 5500 },
      ElasticIpStatus: { ElasticIp: '52.1.2.3', Status: 'active' },
      ClusterSubnetGroupName: 'two-az',
    });
    expect(out.Clusters?.[0]?.AvailabilityZone).toMatch(/^us-east-1[ab]$/);
    expect(out.Clusters?.[1]).toMatchObject({ MultiAZ: 'Enabled', Encrypted: true, Endpoint: { Port: 8192 } });
    expect(out.Clusters?.[1]?.MultiAZSecondary?.ClusterNodes).toHaveLength(3);
  },

  'multi-az.subnet-groups': async () => {
    const { sim, redshift } = simulated();
    addMultiAz(sim);
    sim.addCluster({ ClusterIdentifier: 'other' });
    const named = await redshift.send(new DescribeClusterSubnetGroupsCommand({ ClusterSubnetGroupName: 'three-az' }));
    const zones = named.ClusterSubnetGroups?.[0]?.Subnets?.map((s) => s.SubnetAvailabilityZone?.Name);
    expect(zones).toEqual(['us-east-1a', 'us-east-1b', 'us-east-1d']);
    const all = await redshift.send(new DescribeClusterSubnetGroupsCommand({}));
    expect(all.ClusterSubnetGroups?.map((g) => [g.ClusterSubnetGroupName, g.SubnetGroupStatus])).toEqual([
      ['three-az', 'Complete'],
      ['default', 'Complete'],
    ]);
    const missing = await rejection(
      redshift.send(new DescribeClusterSubnetGroupsCommand({ ClusterSubnetGroupName: 'nope' })),
    );
    expect(missing).toBeInstanceOf(ClusterSubnetGroupNotFoundFault);
  },

  'failover.eligibility-errors': async () => {
    const { sim, redshift } = simulated();
    addMultiAz(sim);
    sim.addCluster({ ClusterIdentifier: 'single', NodeType: 'ra3.4xlarge', NumberOfNodes: 2 });
    const failover = (id: string) => redshift.send(new FailoverPrimaryComputeCommand({ ClusterIdentifier: id }));

    expect(await rejection(failover('ghost'))).toBeInstanceOf(ClusterNotFoundFault);
    const single = await rejection(failover('single'));
    expect(single).toBeInstanceOf(UnsupportedOperationFault);
    expect(single).toMatchObject({ Code: 'UnsupportedOperation', $metadata: { httpStatusCode: 400 } });
    await failover('maz');
    const busy = await rejection(failover('maz'));
    expect(busy).toBeInstanceOf(InvalidClusterStateFault);
    expect(busy).toMatchObject({ Code: 'InvalidClusterState' });
    expect(sim.getCluster('single')?.ClusterStatus).toBe('available');
  },

  'failover.third-az-of-subnet-group': async () => {
    const { sim, redshift } = simulated();
    addMultiAz(sim);
    await redshift.send(new FailoverPrimaryComputeCommand({ ClusterIdentifier: 'maz' }));
    sim.clock.advanceBy(30 * MINUTE);
    const after = sim.getCluster('maz');
    expect([after?.AvailabilityZone, after?.MultiAZSecondary?.AvailabilityZone]).toEqual(['us-east-1b', 'us-east-1d']);
    expect(sim.failoverRuns('maz')).toMatchObject([{ fromAz: 'us-east-1a', toAz: 'us-east-1b', outcome: 'recovered' }]);
  },

  'failover.durations': async () => {
    const totals: number[] = [];
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const { sim, redshift } = simulated({ seed });
      addMultiAz(sim, 'maz', seed % 2 === 0 ? 2 : 16);
      const t0 = sim.clock.nowMs();
      await redshift.send(new FailoverPrimaryComputeCommand({ ClusterIdentifier: 'maz' }));
      sim.clock.advanceBy(30 * MINUTE);
      const promoted = minutesTo(sim, t0, 'REDSHIFT-EVENT-3667');
      const back = ((sim.failoverRuns('maz')[0]?.endedAtMs ?? Number.NaN) - t0) / MINUTE;
      expect(promoted, `seed ${seed}`).toBeGreaterThanOrEqual(1);
      expect(promoted, `seed ${seed}`).toBeLessThanOrEqual(5);
      expect(back - promoted, `seed ${seed}`).toBeGreaterThanOrEqual(5);
      expect(back, `seed ${seed}`).toBeLessThanOrEqual(17);
      totals.push(Math.round(back * 60));
    }
    // Seeded variation: the six failovers do not all take the same time.
    expect(new Set(totals).size).toBeGreaterThan(3);
  },

  'failover.recovery-fails': async () => {
    const { sim, redshift } = simulated();
    addMultiAz(sim);
    sim.injectFailoverFaults({ fault: 'recovery-fails', clusterIdentifier: 'maz' });
    const t0 = sim.clock.nowMs();
    await redshift.send(new FailoverPrimaryComputeCommand({ ClusterIdentifier: 'maz' }));
    sim.clock.advanceBy(30 * MINUTE);
    expect(clusterEvents(sim, t0).map((e) => e.id)).toEqual(['REDSHIFT-EVENT-3666', 'REDSHIFT-EVENT-3668']);
    const record = sim.emittedEvents().at(-1)?.payload as { Records: { Sns: { Subject: string; Message: string } }[] };
    expect(record.Records[0]?.Sns.Subject).toMatch(/^\[Amazon Redshift ERROR\]/);
    expect(JSON.parse(record.Records[0]?.Sns.Message ?? '{}')).toMatchObject({
      Severity: 'ERROR',
      Category: ['Monitoring'],
      'Event Message': expect.stringMatching(/^Amazon Redshift Multi-AZ cluster maz has failed to recover at /),
    });
    const after = sim.getCluster('maz');
    expect([after?.ClusterStatus, after?.AvailabilityZone, after?.MultiAZSecondary?.AvailabilityZone]).toEqual([
      'available',
      'us-east-1a',
      'us-east-1b',
    ]);
  },

  'failover.recovery-slow': async () => {
    const { sim, redshift } = simulated();
    addMultiAz(sim);
    sim.injectFailoverFaults({ fault: 'recovery-slow', clusterIdentifier: 'maz', extraMinutes: [30, 30] });
    const t0 = sim.clock.nowMs();
    await redshift.send(new FailoverPrimaryComputeCommand({ ClusterIdentifier: 'maz' }));
    sim.clock.advanceBy(30 * MINUTE);
    expect(sim.getCluster('maz')?.ClusterStatus).toBe('modifying');
    sim.clock.advanceBy(30 * MINUTE);
    expect(minutesTo(sim, t0, 'REDSHIFT-EVENT-3667')).toBeGreaterThanOrEqual(31);
    expect(sim.getCluster('maz')?.ClusterStatus).toBe('available');
    expect(sim.failoverRuns('maz')[0]?.outcome).toBe('recovered');
  },

  'failover.connections': async () => {
    const { sim, redshift, data } = withDataApi();
    addMultiAz(sim);
    const inFlight = await run(data, 'select count(*) from sys_query_history');
    sim.clock.advanceBy(40);
    await redshift.send(new FailoverPrimaryComputeCommand({ ClusterIdentifier: 'maz' }));
    const during = await run(data, 'select 1');
    const blip = sim.failoverRuns('maz')[0];
    expect(((blip?.connectionsBackAtMs ?? 0) - (blip?.startedAtMs ?? 0)) / 1000).toBeGreaterThanOrEqual(5);
    expect(((blip?.connectionsBackAtMs ?? 0) - (blip?.startedAtMs ?? 0)) / 1000).toBeLessThanOrEqual(45);
    sim.clock.advanceBy(3_000);
    expect((await status(data, during)).Status).toBe('SUBMITTED');
    sim.clock.advanceTo((blip?.connectionsBackAtMs ?? 0) + 3_000);
    expect(await status(data, inFlight)).toMatchObject({
      Status: 'FAILED',
      Error: expect.stringMatching(/closed the connection/),
    });
    expect((await status(data, during)).Status).toBe('FINISHED');
    // Still modifying (the new secondary is not up yet), and a new statement runs at once.
    expect(sim.getCluster('maz')?.ClusterStatus).toBe('modifying');
    const later = await run(data, 'select 1');
    sim.clock.advanceBy(3_000);
    expect((await status(data, later)).Status).toBe('FINISHED');
  },

  'multi-az.sys-views-only': async () => {
    const { sim, data } = withDataApi();
    addMultiAz(sim);
    sim.addCluster({ ClusterIdentifier: 'single', NodeType: 'ra3.4xlarge', NumberOfNodes: 2 });
    const sys = await run(data, 'select count(*) from sys_query_history');
    const stl = await run(data, 'select count(*) from STL_QUERY');
    const single = await run(data, 'select count(*) from stl_query', 'single');
    sim.clock.advanceBy(5_000);
    expect((await status(data, sys)).Status).toBe('FINISHED');
    expect(await status(data, stl)).toMatchObject({
      Status: 'FAILED',
      Error: 'ERROR: relation "stl_query" does not exist',
    });
    expect((await status(data, single)).Status).toBe('FINISHED');
  },

  'data-api.statement-lifecycle': async () => {
    const { sim, data } = withDataApi();
    addMultiAz(sim);
    const id = await run(data, 'select count(*) from sys_query_history');
    const submitted = await status(data, id);
    expect(submitted).toMatchObject({
      Status: 'SUBMITTED',
      ClusterIdentifier: 'maz',
      Database: 'dev',
      SecretArn: SECRET,
      Duration: -1,
      ResultRows: -1,
    });
    expect(id).toMatch(/^[a-z0-9]{8}(-[a-z0-9]{4}){3}-[a-z0-9]{12}$/);
    const early = await rejection(data.send(new GetStatementResultCommand({ Id: id })));
    expect(early).toBeInstanceOf(ValidationException);
    sim.clock.advanceBy(5_000);
    const done = await status(data, id);
    expect(done).toMatchObject({ Status: 'FINISHED', HasResultSet: true, ResultRows: 1 });
    expect(done.Duration).toBeGreaterThan(0);
    const result = await data.send(new GetStatementResultCommand({ Id: id }));
    expect(result.ColumnMetadata?.map((c) => [c.name, c.typeName])).toEqual([['count', 'int8']]);
    expect(result.Records?.[0]?.[0]?.longValue).toBeGreaterThan(0);
    const unknown = await rejection(
      data.send(new DescribeStatementCommand({ Id: '00000000-0000-4000-8000-000000000000' })),
    );
    expect(unknown).toBeInstanceOf(ResourceNotFoundException);
  },

  'data-api.errors': async () => {
    const { sim, data } = withDataApi();
    addMultiAz(sim);
    const exec = (input: { ClusterIdentifier?: string; SecretArn?: string; Database?: string }) =>
      data.send(new ExecuteStatementCommand({ Sql: 'select 1', Database: 'dev', ...input }));
    const noCluster = await rejection(exec({ ClusterIdentifier: 'ghost', SecretArn: SECRET }));
    expect(noCluster).toBeInstanceOf(ValidationException);
    expect(noCluster.message).toBe("Redshift endpoint doesn't exist in this region.");
    const noSecret = await rejection(exec({ ClusterIdentifier: 'maz', SecretArn: `${SECRET}x` }));
    expect(noSecret).toBeInstanceOf(ResourceNotFoundException);
    expect(noSecret).toMatchObject({ ResourceId: `${SECRET}x`, $metadata: { httpStatusCode: 404 } });
    // The secret by its name works as by its ARN; a database the cluster lacks fails the statement.
    const byName = await data.send(
      new ExecuteStatementCommand({ ClusterIdentifier: 'maz', Database: 'dev', SecretArn: 'drill', Sql: 'select 1' }),
    );
    const wrongDb = await data.send(
      new ExecuteStatementCommand({ ClusterIdentifier: 'maz', Database: 'sales', SecretArn: SECRET, Sql: 'select 1' }),
    );
    sim.clock.advanceBy(5_000);
    expect((await status(data, byName.Id ?? '')).Status).toBe('FINISHED');
    expect(await status(data, wrongDb.Id ?? '')).toMatchObject({
      Status: 'FAILED',
      Error: 'FATAL: database "sales" does not exist',
    });
  },
};
