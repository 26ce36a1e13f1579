import { RedshiftClient, type Snapshot } from '@aws-sdk/client-redshift';
import {
  ListSnapshotsCommand,
  ListTagsForResourceCommand,
  ListWorkgroupsCommand,
  RedshiftServerlessClient,
} from '@aws-sdk/client-redshift-serverless';
// Type only: the SDK's own middleware types (a dependency of every @aws-sdk client).
import type { InitializeMiddleware, MetadataBearer } from '@smithy/types';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { AwsFleetReader } from '../../../shared/app/aws-fleet-reader.ts';
import { RedshiftAdapter } from '../../../shared/aws/redshift.adapter.ts';
import { RedshiftServerlessAdapter } from '../../../shared/aws/redshift-serverless.adapter.ts';
import { MANAGED_BY, SNAPSHOT_TAGS } from '../../../shared/domains/snapshots/snapshot-tags.ts';
import type { SnapshotResource } from '../../../shared/policy/decision.ts';
import { RedshiftSimulator, SIMULATOR_MIDDLEWARE_NAME } from '../../../shared/simulator/index.ts';

// The sweep's fleet read (AwsFleetReader.readAll) includes autopilot's own snapshots — retention,
// retries, the in-progress guard and deadlines decide from them — at a cost that does not grow per
// cluster: DescribeClusterSnapshots pages filtered by AWS on the managed-by tag.

const START = Date.UTC(2026, 0, 5, 3, 0);
const MANAGED = [
  { Key: SNAPSHOT_TAGS.managedBy, Value: MANAGED_BY },
  { Key: SNAPSHOT_TAGS.policy, Value: 'nightly' },
];

function snapshot(cluster: string, id: string, tags: { Key: string; Value: string }[], type = 'manual'): Snapshot {
  return {
    SnapshotIdentifier: id,
    ClusterIdentifier: cluster,
    SnapshotCreateTime: new Date(START - 86_400_000),
    Status: 'available',
    SnapshotType: type,
    NodeType: 'ra3.xlplus',
    NumberOfNodes: 2,
    Tags: tags,
  };
}

/** Records every request's operation and input in front of the simulator. */
function record(client: RedshiftClient): { name: string; input: Record<string, unknown> }[] {
  const calls: { name: string; input: Record<string, unknown> }[] = [];
  const middleware: InitializeMiddleware<object, MetadataBearer> = (next, ctx) => async (args) => {
    calls.push({ name: ctx.commandName ?? '', input: args.input as Record<string, unknown> });
    return next(args);
  };
  client.middlewareStack.addRelativeTo(middleware, {
    relation: 'before',
    toMiddleware: SIMULATOR_MIDDLEWARE_NAME,
    name: 'recordCalls',
  });
  return calls;
}

describe('AwsFleetReader.readAll', () => {
  it('adds the managed snapshots of the whole fleet with one tag-filtered DescribeClusterSnapshots per 100', async () => {
    // Prepare: 150 clusters; 120 autopilot snapshots, a person's manual one and an automated one per cluster.
    const sim = new RedshiftSimulator({ start: START, seed: 3 });
    const redshift = new RedshiftClient({ region: sim.region });
    const serverless = new RedshiftServerlessClient({ region: sim.region });
    sim.attach(redshift);
    sim.attach(serverless);
    for (let i = 0; i < 150; i++) {
      const id = `etl-${String(i).padStart(3, '0')}`;
      sim.addCluster({ ClusterIdentifier: id, NodeType: 'ra3.xlplus', NumberOfNodes: 2 });
      sim.seedSnapshot(snapshot(id, `rs:${id}-2026-01-04-00-00`, [], 'automated'));
      sim.seedSnapshot(snapshot(id, `${id}-before-upgrade`, [{ Key: 'owner', Value: 'ana' }]));
      if (i < 120) sim.seedSnapshot(snapshot(id, `${id}-nightly-202601040100`, MANAGED));
    }
    const calls = record(redshift);
    const reader = new AwsFleetReader(new RedshiftAdapter(redshift), new RedshiftServerlessAdapter(serverless));

    // Act
    const { resources: fleet } = await reader.readAll();

    // Assess: every managed snapshot and nothing else; the listing is two pages, never per cluster.
    const snapshots = fleet.filter((r): r is SnapshotResource => r.type === 'snapshot');
    expect(snapshots).toHaveLength(120);
    expect(snapshots.every((s) => s.tags[SNAPSHOT_TAGS.managedBy] === MANAGED_BY)).toBe(true);
    expect(fleet.filter((r) => r.type === 'cluster')).toHaveLength(150);
    const listings = calls.filter((c) => c.name === 'DescribeClusterSnapshotsCommand');
    expect(listings).toHaveLength(2);
    for (const { input } of listings) {
      expect(input).toMatchObject({ TagKeys: [SNAPSHOT_TAGS.managedBy], TagValues: [MANAGED_BY] });
      expect(input.ClusterIdentifier).toBeUndefined();
      expect(input.SnapshotIdentifier).toBeUndefined();
    }
  });

  it('reads Serverless tags only of snapshots whose name can be autopilot’s, and keeps only tagged ones', async () => {
    // Prepare: a namespace with a person's snapshot, an autopilot snapshot and a look-alike name.
    const redshift = new RedshiftClient({ region: 'us-east-1' });
    const sim = new RedshiftSimulator({ start: START, seed: 3 });
    sim.attach(redshift);
    const serverless = new RedshiftServerlessClient({
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' },
    });
    const mock = mockClient(serverless);
    const arn = (name: string) => `arn:aws:redshift-serverless:us-east-1:123456789012:snapshot/${name}-uuid`;
    const item = (snapshotName: string) => ({
      snapshotName,
      snapshotArn: arn(snapshotName),
      namespaceName: 'analytics',
      status: 'AVAILABLE' as const,
      snapshotCreateTime: new Date(START - 3_600_000),
    });
    mock.on(ListWorkgroupsCommand).resolves({ workgroups: [] });
    mock.on(ListSnapshotsCommand).resolves({
      snapshots: [
        item('analytics-before-migration'),
        item('analytics-nightly-202601050200'),
        item('analytics-copy-202601050200'),
      ],
    });
    mock.on(ListTagsForResourceCommand, { resourceArn: arn('analytics-nightly-202601050200') }).resolves({
      tags: [
        { key: SNAPSHOT_TAGS.managedBy, value: MANAGED_BY },
        { key: SNAPSHOT_TAGS.policy, value: 'nightly' },
      ],
    });
    mock.on(ListTagsForResourceCommand, { resourceArn: arn('analytics-copy-202601050200') }).resolves({ tags: [] });
    const reader = new AwsFleetReader(new RedshiftAdapter(redshift), new RedshiftServerlessAdapter(serverless));

    // Act
    const { resources: fleet } = await reader.readAll();

    // Assess: two tag reads (not three), one snapshot kept.
    expect(fleet.filter((r) => r.type === 'snapshot').map((r) => r.id)).toEqual(['analytics-nightly-202601050200']);
    const tagReads = mock.commandCalls(ListTagsForResourceCommand).map((c) => c.args[0].input.resourceArn);
    expect(tagReads.sort()).toEqual([arn('analytics-copy-202601050200'), arn('analytics-nightly-202601050200')]);
  });

  it('does not list snapshots for a zero-ETL integration event', async () => {
    const sim = new RedshiftSimulator({ start: START, seed: 3 });
    const redshift = new RedshiftClient({ region: sim.region });
    const serverless = new RedshiftServerlessClient({ region: sim.region });
    sim.attach(redshift);
    sim.attach(serverless);
    sim.addCluster({ ClusterIdentifier: 'etl-1', NodeType: 'ra3.xlplus', NumberOfNodes: 2 });
    const calls = record(redshift);
    const reader = new AwsFleetReader(new RedshiftAdapter(redshift), new RedshiftServerlessAdapter(serverless));

    const resources = await reader.readFor({
      kind: 'integration-event',
      eventId: 'REDSHIFT-INTEGRATION-EVENT-0019',
      resource: { type: 'integration', id: 'arn:aws:redshift:us-east-1:123456789012:integration:x' },
    } as never);

    expect(resources.map((r) => r.id)).toEqual(['etl-1']);
    expect(calls.map((c) => c.name)).not.toContain('DescribeClusterSnapshotsCommand');
  });
});
