import {
  ClusterNotFoundFault,
  ClusterSnapshotAlreadyExistsFault,
  CreateClusterSnapshotCommand,
  CreateTagsCommand,
  CreateUsageLimitCommand,
  DeleteTagsCommand,
  DeleteUsageLimitCommand,
  DescribeClusterSnapshotsCommand,
  DescribeClustersCommand,
  DescribeEventsCommand,
  DescribeIntegrationsCommand,
  DescribeTagsCommand,
  DescribeUsageLimitsCommand,
  FailoverPrimaryComputeCommand,
  InvalidClusterStateFault,
  InvalidUsageLimitFault,
  ModifyUsageLimitCommand,
  PauseClusterCommand,
  paginateDescribeClusters,
  RebootClusterCommand,
  RedshiftServiceException,
  ResizeClusterCommand,
  ResumeClusterCommand,
  UnsupportedOperationFault,
} from '@aws-sdk/client-redshift';
import { describe, expect, it } from 'vitest';
import { SimulatorUnsupportedCommandError } from '../../../shared/simulator/aws-errors.ts';
import { MINUTE, rejection, simulated } from './harness.ts';

async function status(redshift: ReturnType<typeof simulated>['redshift'], id: string) {
  const out = await redshift.send(new DescribeClustersCommand({ ClusterIdentifier: id }));
  const c = out.Clusters?.[0];
  return `${c?.ClusterStatus} / ${c?.ClusterAvailabilityStatus}`;
}

/** Ids of the Redshift notifications emitted so far, with minutes since `start`. */
function notifications(sim: ReturnType<typeof simulated>['sim'], start: number) {
  return sim
    .emittedEvents()
    .filter((e) => e.kind === 'redshift-notification')
    .map((e) => ({ id: e.eventId, minutes: (e.emittedAt.getTime() - start) / MINUTE }));
}

describe('pause and resume', () => {
  it('pause: available → pausing → paused within 5–15 min, 3618 at the call and 3619 at the end', async () => {
    const { sim, redshift } = simulated();
    sim.addCluster({ ClusterIdentifier: 'etl', NodeType: 'ra3.xlplus', NumberOfNodes: 4 });
    const t0 = sim.clock.nowMs();

    await redshift.send(new PauseClusterCommand({ ClusterIdentifier: 'etl' }));
    expect(await status(redshift, 'etl')).toBe('pausing / Modifying');
    sim.clock.advanceBy(4 * MINUTE);
    expect(await status(redshift, 'etl')).toBe('pausing / Modifying');
    sim.clock.advanceBy(11 * MINUTE);

    expect(await status(redshift, 'etl')).toBe('paused / Paused');
    const events = notifications(sim, t0);
    expect(events.map((e) => e.id)).toEqual(['REDSHIFT-EVENT-3618', 'REDSHIFT-EVENT-3619']);
    expect(events[0]?.minutes).toBeLessThan(0.5);
    expect(events[1]?.minutes).toBeGreaterThanOrEqual(5);
    expect(events[1]?.minutes).toBeLessThanOrEqual(15.5);
    const paused = (await redshift.send(new DescribeClustersCommand({ ClusterIdentifier: 'etl' }))).Clusters?.[0];
    expect(paused?.ClusterNodes).toEqual([]);
  });

  it('resume: paused → resuming → available within several minutes, with no cluster event', async () => {
    const { sim, redshift } = simulated();
    sim.addCluster({ ClusterIdentifier: 'bi', ClusterStatus: 'paused', NumberOfNodes: 2 });
    const t0 = sim.clock.nowMs();

    const out = await redshift.send(new ResumeClusterCommand({ ClusterIdentifier: 'bi' }));
    expect(out.Cluster?.ClusterStatus).toBe('resuming');
    sim.clock.advanceBy(3 * MINUTE);
    expect(await status(redshift, 'bi')).toBe('resuming / Modifying');
    sim.clock.advanceBy(8 * MINUTE);

    expect(await status(redshift, 'bi')).toBe('available / Available');
    expect(notifications(sim, t0)).toEqual([]);
    const resumed = (await redshift.send(new DescribeClustersCommand({ ClusterIdentifier: 'bi' }))).Clusters?.[0];
    expect(resumed?.ClusterNodes).toHaveLength(3);
  });

  it('refuses to pause a cluster that is not available, with the InvalidClusterState text AWS returns', async () => {
    const { sim, redshift } = simulated();
    sim.addCluster({ ClusterIdentifier: 'etl' });
    await redshift.send(new PauseClusterCommand({ ClusterIdentifier: 'etl' }));

    const error = await rejection(redshift.send(new PauseClusterCommand({ ClusterIdentifier: 'etl' })));

    expect(error).toBeInstanceOf(InvalidClusterStateFault);
    expect(error).toMatchObject({
      message: 'You can only pause an ACTIVE Cluster',
      Code: 'InvalidClusterState',
      $metadata: { httpStatusCode: 400 },
    });
  });

  it('answers an unknown cluster with ClusterNotFound (404)', async () => {
    const { redshift } = simulated();

    const error = await rejection(redshift.send(new PauseClusterCommand({ ClusterIdentifier: 'ghost' })));

    expect(error).toBeInstanceOf(ClusterNotFoundFault);
    expect(error).toMatchObject({
      message: 'Cluster ghost not found.',
      Code: 'ClusterNotFound',
      $metadata: { httpStatusCode: 404 },
    });
  });
});

describe('resize, reboot, failover', () => {
  it('elastic resize goes prep-for-resize → resizing → resize-cleanup → available with 3012, 3011, 3534, 3537', async () => {
    const { sim, redshift } = simulated();
    sim.addCluster({ ClusterIdentifier: 'dw', NodeType: 'ra3.4xlarge', NumberOfNodes: 2 });
    const t0 = sim.clock.nowMs();
    const seen = new Set<string>();
    const stop = sim.clock.every(30_000, () => seen.add(sim.getCluster('dw')?.ClusterStatus ?? ''), { firstAt: t0 });

    const out = await redshift.send(new ResizeClusterCommand({ ClusterIdentifier: 'dw', NumberOfNodes: 4 }));
    sim.clock.advanceBy(60 * MINUTE);
    stop();

    expect(out.Cluster).toMatchObject({
      ClusterStatus: 'available, prep-for-resize',
      PendingModifiedValues: { NumberOfNodes: 4 },
    });
    expect([...seen]).toEqual(['available, prep-for-resize', 'resizing', 'available, resize-cleanup', 'available']);
    expect(sim.getCluster('dw')).toMatchObject({
      NumberOfNodes: 4,
      ClusterStatus: 'available',
      PendingModifiedValues: {},
    });
    const events = notifications(sim, t0);
    expect(events.map((e) => e.id)).toEqual([
      'REDSHIFT-EVENT-3012',
      'REDSHIFT-EVENT-3011',
      'REDSHIFT-EVENT-3534',
      'REDSHIFT-EVENT-3537',
    ]);
    const resizing = (events[2]?.minutes ?? 0) - (events[1]?.minutes ?? 0);
    expect(resizing).toBeGreaterThanOrEqual(9.9);
    expect(resizing).toBeLessThanOrEqual(15.5);
  });

  it('refuses an elastic resize beyond the node type limit and any resize of a paused cluster', async () => {
    const { sim, redshift } = simulated();
    sim.addCluster({ ClusterIdentifier: 'dc', NodeType: 'dc2.large', NumberOfNodes: 2 });
    sim.addCluster({ ClusterIdentifier: 'p', ClusterStatus: 'paused' });

    const tooBig = await rejection(
      redshift.send(new ResizeClusterCommand({ ClusterIdentifier: 'dc', NumberOfNodes: 8 })),
    );
    const paused = await rejection(
      redshift.send(new ResizeClusterCommand({ ClusterIdentifier: 'p', NumberOfNodes: 4 })),
    );

    expect(tooBig).toBeInstanceOf(UnsupportedOperationFault);
    expect(paused).toBeInstanceOf(InvalidClusterStateFault);
  });

  it('reboots through rebooting with REDSHIFT-EVENT-3000; a single-AZ cluster has no failover (Multi-AZ: facts.test.ts)', async () => {
    const { sim, redshift } = simulated();
    sim.addCluster({ ClusterIdentifier: 'r' });

    await redshift.send(new RebootClusterCommand({ ClusterIdentifier: 'r' }));
    expect(await status(redshift, 'r')).toBe('rebooting / Unavailable');
    sim.clock.advanceBy(15 * MINUTE);

    expect(await status(redshift, 'r')).toBe('available / Available');
    expect(sim.emittedEvents().map((e) => e.eventId)).toEqual(['REDSHIFT-EVENT-3000']);
    const single = await rejection(redshift.send(new FailoverPrimaryComputeCommand({ ClusterIdentifier: 'r' })));
    expect(single).toBeInstanceOf(UnsupportedOperationFault);
  });
});

describe('snapshots', () => {
  it('a user snapshot goes creating → available with 2009 then 3004; a first snapshot copies all data, a later one only the change', async () => {
    const { sim, redshift } = simulated();
    // Automated snapshots off (DC2 only): the simulator knows of no earlier snapshot of either.
    for (const id of ['small', 'big'])
      sim.addCluster({
        ClusterIdentifier: id,
        NodeType: 'dc2.large',
        NumberOfNodes: 2,
        AutomatedSnapshotRetentionPeriod: 0,
        dataSizeMB: id === 'small' ? 10_000 : 400_000,
      });
    const t0 = sim.clock.nowMs();

    for (const id of ['small', 'big']) {
      const out = await redshift.send(
        new CreateClusterSnapshotCommand({ ClusterIdentifier: id, SnapshotIdentifier: `${id}-1` }),
      );
      expect(out.Snapshot?.Status).toBe('creating');
    }
    sim.clock.advanceBy(24 * 60 * MINUTE);
    await redshift.send(new CreateClusterSnapshotCommand({ ClusterIdentifier: 'big', SnapshotIdentifier: 'big-2' }));
    sim.clock.advanceBy(60 * MINUTE);

    const done = sim.emittedEvents().filter((e) => e.eventId === 'REDSHIFT-EVENT-3004');
    expect(done.map((e) => e.resource)).toEqual(['small-1', 'big-1', 'big-2']);
    const minutes = done.slice(0, 2).map((e) => (e.emittedAt.getTime() - t0) / MINUTE);
    expect(minutes[1]).toBeGreaterThan((minutes[0] ?? 0) * 3);
    const snaps = (await redshift.send(new DescribeClusterSnapshotsCommand({ ClusterIdentifier: 'big' }))).Snapshots;
    const [first, second] = snaps ?? [];
    expect(first?.ActualIncrementalBackupSizeInMegaBytes).toBe(400_000);
    expect(second?.ActualIncrementalBackupSizeInMegaBytes).toBeLessThan(400_000 * 0.05);
    expect(second?.ElapsedTimeInSeconds).toBeLessThan((first?.ElapsedTimeInSeconds ?? 0) / 10);
    expect(sim.emittedEvents().filter((e) => e.eventId === 'REDSHIFT-EVENT-2009')).toHaveLength(3);
  });

  it('an injected failure ends the snapshot as failed with REDSHIFT-EVENT-3503', async () => {
    const { sim, redshift } = simulated();
    sim.addCluster({ ClusterIdentifier: 'c' });
    sim.injectSnapshotFailures({ rate: 1 });

    await redshift.send(new CreateClusterSnapshotCommand({ ClusterIdentifier: 'c', SnapshotIdentifier: 's' }));
    sim.clock.advanceBy(3 * 60 * MINUTE);

    expect(sim.emittedEvents().map((e) => e.eventId)).toEqual(['REDSHIFT-EVENT-2009', 'REDSHIFT-EVENT-3503']);
  });

  it('refuses a duplicate identifier and a snapshot of a paused cluster', async () => {
    const { sim, redshift } = simulated();
    sim.addCluster({ ClusterIdentifier: 'c' });
    sim.addCluster({ ClusterIdentifier: 'p', ClusterStatus: 'paused' });
    await redshift.send(new CreateClusterSnapshotCommand({ ClusterIdentifier: 'c', SnapshotIdentifier: 's' }));

    const dup = await rejection(
      redshift.send(new CreateClusterSnapshotCommand({ ClusterIdentifier: 'c', SnapshotIdentifier: 's' })),
    );
    const paused = await rejection(
      redshift.send(new CreateClusterSnapshotCommand({ ClusterIdentifier: 'p', SnapshotIdentifier: 't' })),
    );

    expect(dup).toBeInstanceOf(ClusterSnapshotAlreadyExistsFault);
    expect(dup).toMatchObject({ Code: 'ClusterSnapshotAlreadyExists', $metadata: { httpStatusCode: 400 } });
    expect(paused).toBeInstanceOf(InvalidClusterStateFault);
  });
});

describe('DescribeClusters paging and tags', () => {
  it('reads 250 clusters in 3 calls of up to 100 with the SDK paginator', async () => {
    const { sim, redshift } = simulated();
    for (let i = 0; i < 250; i++) sim.addCluster({ ClusterIdentifier: `c-${String(i).padStart(3, '0')}` });
    sim.resetCallCounts();

    const seen: string[] = [];
    for await (const page of paginateDescribeClusters({ client: redshift }, {})) {
      for (const c of page.Clusters ?? []) seen.push(c.ClusterIdentifier ?? '');
    }

    expect(sim.callCounts()).toEqual({ DescribeClusters: 3 });
    expect(seen).toHaveLength(250);
    expect(new Set(seen).size).toBe(250);
  });

  it('filters by TagKeys / TagValues and returns the tags inside each cluster', async () => {
    const { sim, redshift } = simulated();
    sim.addCluster({ ClusterIdentifier: 'managed', Tags: [{ Key: 'autopilot:managed', Value: 'true' }] });
    sim.addCluster({ ClusterIdentifier: 'off', Tags: [{ Key: 'autopilot:managed', Value: 'false' }] });
    sim.addCluster({ ClusterIdentifier: 'untagged' });

    const byKey = await redshift.send(new DescribeClustersCommand({ TagKeys: ['autopilot:managed'] }));
    const byBoth = await redshift.send(
      new DescribeClustersCommand({ TagKeys: ['autopilot:managed'], TagValues: ['true'] }),
    );

    expect(byKey.Clusters?.map((c) => c.ClusterIdentifier)).toEqual(['managed', 'off']);
    expect(byBoth.Clusters?.map((c) => c.ClusterIdentifier)).toEqual(['managed']);
    expect(byBoth.Clusters?.[0]?.Tags).toEqual([{ Key: 'autopilot:managed', Value: 'true' }]);
  });

  it('rejects MaxRecords outside 20–100 like the API', async () => {
    const { redshift } = simulated();

    const error = await rejection(redshift.send(new DescribeClustersCommand({ MaxRecords: 5 })));

    expect(error).toBeInstanceOf(RedshiftServiceException);
    expect(error.name).toBe('InvalidParameterValue');
  });

  it('creates, lists and deletes tags by ARN', async () => {
    const { sim, redshift } = simulated();
    sim.addCluster({ ClusterIdentifier: 'c', Tags: [{ Key: 'team', Value: 'bi' }] });
    const arn = `arn:aws:redshift:${sim.region}:${sim.account}:cluster:c`;

    await redshift.send(
      new CreateTagsCommand({ ResourceName: arn, Tags: [{ Key: 'autopilot:keep-until', Value: '2026-01-06T00:00Z' }] }),
    );
    await redshift.send(new DeleteTagsCommand({ ResourceName: arn, TagKeys: ['team'] }));
    const out = await redshift.send(new DescribeTagsCommand({ ResourceName: arn }));

    expect(out.TaggedResources).toEqual([
      { ResourceName: arn, ResourceType: 'cluster', Tag: { Key: 'autopilot:keep-until', Value: '2026-01-06T00:00Z' } },
    ]);
    expect(sim.getCluster('c')?.Tags).toEqual([{ Key: 'autopilot:keep-until', Value: '2026-01-06T00:00Z' }]);
  });
});

describe('usage limits and integrations', () => {
  it('creates, modifies, lists and deletes usage limits; a fourth limit per feature is refused', async () => {
    const { sim, redshift } = simulated();
    sim.addCluster({ ClusterIdentifier: 'c' });
    const create = (amount: number) =>
      redshift.send(
        new CreateUsageLimitCommand({
          ClusterIdentifier: 'c',
          FeatureType: 'concurrency-scaling',
          LimitType: 'time',
          Amount: amount,
          Period: 'daily',
        }),
      );

    const first = await create(60);
    await create(120);
    await create(180);
    const fourth = await rejection(create(240));
    await redshift.send(new ModifyUsageLimitCommand({ UsageLimitId: first.UsageLimitId, BreachAction: 'disable' }));
    await redshift.send(new DeleteUsageLimitCommand({ UsageLimitId: first.UsageLimitId }));
    const listed = await redshift.send(new DescribeUsageLimitsCommand({ ClusterIdentifier: 'c' }));

    expect(first).toMatchObject({
      FeatureType: 'concurrency-scaling',
      Amount: 60,
      Period: 'daily',
      BreachAction: 'log',
    });
    expect(fourth).toBeInstanceOf(InvalidUsageLimitFault);
    expect(listed.UsageLimits?.map((l) => l.Amount)).toEqual([120, 180]);
  });

  it('lists integrations whose target is a simulated cluster', async () => {
    const { sim, redshift } = simulated();
    sim.addCluster({ ClusterIdentifier: 'target' });
    const integ = sim.addIntegration({
      IntegrationName: 'orders-zero-etl',
      SourceArn: 'arn:aws:rds:us-east-1:123456789012:cluster:orders',
      targetClusterIdentifier: 'target',
    });

    const out = await redshift.send(new DescribeIntegrationsCommand({}));

    expect(out.Integrations).toEqual([integ]);
    expect(integ.TargetArn).toBe(sim.getCluster('target')?.ClusterNamespaceArn);
  });
});

describe('fault injection and call counts', () => {
  it('throttles matching calls at the given rate, counts every call, and stops at the limit', async () => {
    const { sim, redshift } = simulated();
    sim.addCluster({ ClusterIdentifier: 'c' });
    sim.injectFaults({ operation: 'DescribeClusters', rate: 1, error: 'throttling', seed: 1, limit: 2 });

    const first = await rejection(redshift.send(new DescribeClustersCommand({})));
    await rejection(redshift.send(new DescribeClustersCommand({})));
    const third = await redshift.send(new DescribeClustersCommand({}));
    await redshift.send(new PauseClusterCommand({ ClusterIdentifier: 'c' }));

    expect(first).toBeInstanceOf(RedshiftServiceException);
    expect(first).toMatchObject({
      name: 'ThrottlingException',
      $retryable: { throttling: true },
      $metadata: { httpStatusCode: 400 },
    });
    expect(third.Clusters).toHaveLength(1);
    expect(sim.callCounts()).toEqual({ DescribeClusters: 3, PauseCluster: 1 });
  });

  it('injects 5xx errors as server faults', async () => {
    const { sim, redshift } = simulated();
    sim.injectFaults({ rate: 1, error: '5xx' });

    const error = await rejection(redshift.send(new DescribeClustersCommand({})));

    expect(error).toMatchObject({ name: 'InternalFailure', $fault: 'server', $metadata: { httpStatusCode: 500 } });
  });

  it('names a command it does not implement', async () => {
    const { redshift } = simulated();

    const error = await rejection(redshift.send(new DescribeEventsCommand({})));

    expect(error).toBeInstanceOf(SimulatorUnsupportedCommandError);
    expect(error.message).toContain('DescribeEventsCommand');
  });
});
