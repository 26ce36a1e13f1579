import {
  CreateClusterSnapshotCommand,
  DescribeClusterSnapshotsCommand,
  DescribeClustersCommand,
  DescribeIntegrationsCommand,
  RedshiftClient,
} from '@aws-sdk/client-redshift';
import { ListWorkgroupsCommand, RedshiftServerlessClient } from '@aws-sdk/client-redshift-serverless';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientConfig, createClusters } from '../../bench/lib/acting-world.ts';
import { CountingProxy } from '../../bench/lib/moto-proxy.ts';
import { benchActing } from '../../bench/sections/acting.ts';
import { motoEndpoint } from '../helpers/moto.ts';

/**
 * The acting bench's harness (bench/sections/acting.ts) on a small fleet: it must make both sides do
 * the job in moto and count what they called. No timing is asserted (the bench reports timings).
 */
describe.skipIf(motoEndpoint === null)('acting bench: counting proxy in front of moto', () => {
  const endpoint = motoEndpoint ?? '';
  const proxy = new CountingProxy(endpoint);
  let viaProxy = '';
  beforeAll(async () => {
    viaProxy = await proxy.start();
    await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
    await createClusters(endpoint, { clusters: 45, due: 5 });
  });
  afterAll(() => proxy.stop());

  it('pages moto’s single DescribeClusters answer by MaxRecords, with markers, and counts each page', async () => {
    proxy.take();
    const redshift = new RedshiftClient(clientConfig(viaProxy, 'TESTCALLER'));
    const ids: string[] = [];
    let marker: string | undefined;
    let pages = 0;
    do {
      const page = await redshift.send(new DescribeClustersCommand({ MaxRecords: 20, Marker: marker }));
      pages += 1;
      expect(page.Clusters?.length).toBeLessThanOrEqual(20);
      ids.push(...(page.Clusters ?? []).map((c) => c.ClusterIdentifier ?? ''));
      marker = page.Marker;
    } while (marker !== undefined);
    expect(pages).toBe(3);
    expect(new Set(ids).size).toBe(45);
    const calls = proxy.take();
    expect(calls.map((c) => `${c.caller} ${c.service}:${c.operation}`)).toEqual(
      Array(3).fill('TESTCALLER redshift:DescribeClusters'),
    );
  });

  it('applies the DescribeClusterSnapshots tag filter moto ignores', async () => {
    const direct = new RedshiftClient(clientConfig(endpoint, 'TESTSETUP'));
    await direct.send(
      new CreateClusterSnapshotCommand({
        SnapshotIdentifier: 'tagged',
        ClusterIdentifier: 'bench-0001',
        Tags: [{ Key: 'managed-by', Value: 'redshift-autopilot' }],
      }),
    );
    await direct.send(
      new CreateClusterSnapshotCommand({ SnapshotIdentifier: 'untagged', ClusterIdentifier: 'bench-0002' }),
    );
    const filter = { TagKeys: ['managed-by'], TagValues: ['redshift-autopilot'] };
    const all = await direct.send(new DescribeClusterSnapshotsCommand(filter));
    // moto's own answer ignores the filter (if it ever stops ignoring it, this harness shim can go).
    expect((all.Snapshots ?? []).map((s) => s.SnapshotIdentifier)).toContain('untagged');
    const proxied = await new RedshiftClient(clientConfig(viaProxy, 'TESTCALLER')).send(
      new DescribeClusterSnapshotsCommand(filter),
    );
    expect((proxied.Snapshots ?? []).map((s) => s.SnapshotIdentifier)).toEqual(['tagged']);
  });

  it('answers what moto lacks (zero-ETL integrations, Redshift Serverless) with empty lists the SDK parses', async () => {
    proxy.take();
    const config = clientConfig(viaProxy, 'TESTCALLER');
    const integrations = await new RedshiftClient(config).send(new DescribeIntegrationsCommand({}));
    expect(integrations.Integrations ?? []).toEqual([]);
    const workgroups = await new RedshiftServerlessClient(config).send(new ListWorkgroupsCommand({}));
    expect(workgroups.workgroups).toEqual([]);
    const calls = proxy.take();
    expect(calls.map((c) => [c.operation, c.stubbed])).toEqual([
      ['DescribeIntegrations', true],
      ['ListWorkgroups', true],
    ]);
  });
});

describe.skipIf(motoEndpoint === null)('acting bench harness', () => {
  it('pauses the 6 due clusters of 20 on both sides, nothing else, and counts the calls by operation', async () => {
    const result = await benchActing({ rounds: 1, clusters: 20, due: 6, pollers: 2, motoEndpoint: motoEndpoint ?? '' });
    const [deployed] = result.deployed.runs;
    const [bare] = result.bare.runs;
    if (deployed === undefined || bare === undefined) throw new Error('no run recorded');

    // A deployed function that threw (or an environment variable not resolvable in moto) is named here.
    expect(deployed.notes).toEqual([]);
    expect([deployed.pausedDue, deployed.pausedNotDue]).toEqual([6, 0]);
    expect([bare.pausedDue, bare.pausedNotDue]).toEqual([6, 0]);
    // One PauseCluster per due cluster on each side: the deployed path acts once per decision.
    expect(deployed.calls['redshift:PauseCluster']).toBe(6);
    expect(bare.calls['redshift:PauseCluster']).toBe(6);
    expect(bare.calls['redshift:DescribeClusters']).toBe(1);
    expect(bare.callsPerAction).toBe(1);
    // The sweep read the fleet and sent the decisions; the poller stand-in received and deleted them.
    expect(deployed.calls['redshift:DescribeClusters']).toBeGreaterThanOrEqual(1);
    expect(deployed.calls['sqs:SendMessageBatch'] ?? deployed.calls['sqs:SendMessage']).toBeGreaterThanOrEqual(1);
    expect(deployed.pollerCalls['sqs:ReceiveMessage']).toBeGreaterThanOrEqual(1);
    expect(deployed.pollerCalls['sqs:DeleteMessageBatch']).toBeGreaterThanOrEqual(1);
    expect(deployed.drain.messages).toBeGreaterThanOrEqual(6);
    expect(deployed.drain.handlerErrors).toEqual([]);
    expect(deployed.dlqMessages).toBe(0);
    // Calls per action counts the executor's work: at least the pause itself.
    expect(deployed.callsPerAction).toBeGreaterThanOrEqual(1);
    expect(Number.isFinite(deployed.callsPerAction)).toBe(true);
  }, 600_000);
});
