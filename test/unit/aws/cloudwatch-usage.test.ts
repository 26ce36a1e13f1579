import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CreateUsageLimitCommand } from '@aws-sdk/client-redshift';
import { describe, expect, it } from 'vitest';
import { AwsFleetReader, USAGE_READ_EVERY_MS, usageReadDue } from '../../../shared/app/aws-fleet-reader.ts';
import { reportReaders } from '../../../shared/app/fleet-gaps.ts';
import { inProcessDeps } from '../../../shared/app/memory-deps.ts';
import { CloudWatchUsageAdapter, type UsageReader } from '../../../shared/aws/cloudwatch-usage.ts';
import { RedshiftAdapter } from '../../../shared/aws/redshift.adapter.ts';
import { RedshiftServerlessAdapter } from '../../../shared/aws/redshift-serverless.adapter.ts';
import { LIMIT_TAGS, limitTags } from '../../../shared/domains/usage-limits/usage-limit-tags.ts';
import type { ClusterResource } from '../../../shared/policy/decision.ts';
import { loadPolicySources } from '../../../shared/policy/policy-loader.ts';
import { attachService } from '../../../shared/simulation/aws-services.ts';
import { Prng } from '../../../shared/simulator/prng.ts';
import { simulated } from '../simulator/harness.ts';

// The sweep reads what autopilot's limits consumed in one batched GetMetricData per 500 limits (never
// per cluster), every third sweep; a failing read is one unread part: the rest of the fleet is decided.

/** Quarter past: a 5-minute bucket whose sweep reads usage. */
const DUE = Date.UTC(2026, 0, 5, 9, 15);

async function fleetOf(clusters: number, options: { person?: boolean } = {}) {
  const s = simulated({ start: DUE - 60 * 60_000 });
  for (let i = 0; i < clusters; i++) {
    const id = `c-${String(i).padStart(4, '0')}`;
    s.sim.addCluster({ ClusterIdentifier: id, NodeType: 'ra3.xlplus', NumberOfNodes: 2 });
    const tags = options.person === true && i === 0 ? [] : limitTags('budget', 'spectrum#1');
    await s.redshift.send(
      new CreateUsageLimitCommand({
        ClusterIdentifier: id,
        FeatureType: 'spectrum',
        LimitType: 'data-scanned',
        Amount: 5,
        Period: 'daily',
        Tags: tags,
      }),
    );
    s.sim.setWorkload(id, { 'usage:spectrum': { kind: 'constant', value: 2 } });
  }
  s.sim.clock.advanceTo(DUE);
  const cloudwatch = new CloudWatchClient({
    region: s.sim.region,
    credentials: { accessKeyId: 'AKIDSIMULATOR', secretAccessKey: 'simulator' },
  });
  attachService(cloudwatch, (op, input) => s.sim.callCloudWatch(op, input), new Prng('cw'));
  const reader = (usage: UsageReader) =>
    new AwsFleetReader(
      new RedshiftAdapter(s.redshift),
      new RedshiftServerlessAdapter(s.serverless),
      () => s.sim.clock.nowMs(),
      {
        limits: true,
        usage,
      },
    );
  return { ...s, cloudwatch, reader };
}

const clustersOf = (resources: readonly { type: string }[]) =>
  resources.filter((r): r is ClusterResource => r.type === 'cluster');

describe('usage read (CloudWatch GetMetricData)', () => {
  it('reads 1,201 clusters’ limits in 3 calls (500 queries each at most), each limit with its consumption', async () => {
    const s = await fleetOf(1201);
    s.sim.resetCallCounts();
    const read = await s.reader(new CloudWatchUsageAdapter(s.cloudwatch)).readAll();
    expect(s.sim.callCounts().GetMetricData).toBe(3);
    expect(read.unread).toEqual([]);
    const clusters = clustersOf(read.resources);
    expect(clusters).toHaveLength(1201);
    // 2 TB/h for the hour since the limits were made (the first step only sees them).
    const amounts = new Set(clusters.map((c) => c.limits?.[0]?.consumed?.amount.toFixed(3)));
    expect([...amounts]).toEqual([(2 * (55 / 60)).toFixed(3)]);
    expect(clusters[0]?.usageReadAt).toBe(new Date(DUE).toISOString());
  });

  it('asks only for autopilot’s limits: a person’s limit is never read (nor billed)', async () => {
    const s = await fleetOf(2, { person: true });
    const read = await s.reader(new CloudWatchUsageAdapter(s.cloudwatch)).readAll();
    const [person, own] = clustersOf(read.resources);
    expect(person?.limits?.[0]?.tags[LIMIT_TAGS.managedBy]).toBeUndefined();
    expect(person?.limits?.[0]?.consumed).toBeUndefined();
    expect(own?.limits?.[0]?.consumed?.amount).toBeGreaterThan(1);
  });

  it('reads every third sweep only (:00, :15, :30, :45 UTC buckets)', async () => {
    const due = [0, 5, 10, 15, 20, 25, 30].map((m) => usageReadDue(Date.UTC(2026, 0, 5, 9, m, 40)));
    expect(due).toEqual([true, false, false, true, false, false, true]);
    expect(USAGE_READ_EVERY_MS).toBe(15 * 60_000);
    const s = await fleetOf(1);
    s.sim.clock.advanceBy(5 * 60_000);
    s.sim.resetCallCounts();
    const read = await s.reader(new CloudWatchUsageAdapter(s.cloudwatch)).readAll();
    expect(s.sim.callCounts().GetMetricData).toBeUndefined();
    expect(clustersOf(read.resources)[0]?.usageReadAt).toBeUndefined();
  });
});

describe('usage read failures', () => {
  it('a denied read is one unread part: limits are read, usage is absent, one alert per outage', async () => {
    const s = await fleetOf(2);
    const denied: UsageReader = {
      readConsumed: async () => {
        throw Object.assign(
          new Error(
            'User: arn:aws:sts::123456789012:assumed-role/reconcile is not authorized to perform: cloudwatch:GetMetricData',
          ),
          {
            name: 'AccessDenied',
            $fault: 'client',
            $metadata: { httpStatusCode: 403 },
          },
        );
      },
    };
    const read = await s.reader(denied).readAll();
    expect(read.unread.map((u) => [u.reader, u.operations, u.transient])).toEqual([
      ['usage-limit consumption', ['cloudwatch:GetMetricData'], false],
    ]);
    expect(read.unread[0]?.reason).toContain('cloudwatch:GetMetricData');
    const clusters = clustersOf(read.resources);
    expect(clusters.map((c) => [c.limits?.length, c.usageReadAt, c.limits?.[0]?.consumed])).toEqual([
      [1, undefined, undefined],
      [1, undefined, undefined],
    ]);
    const { deps, notifier } = inProcessDeps({
      redshift: s.redshift,
      redshiftServerless: s.serverless,
      policies: loadPolicySources([{ file: 'p.yml', text: 'version: 1\npolicies: []\n' }]).policySet,
      clock: { now: () => s.sim.clock.now() },
    });
    await reportReaders(read.unread, deps);
    await reportReaders(read.unread, deps);
    expect(notifier.alerts.map((a) => a.subject)).toEqual([
      '[autopilot] sweep: usage-limit consumption not read; deciding without them',
    ]);
    expect(notifier.alerts[0]?.body).toContain('usage-limit escalation decides no grade this sweep');
  });

  it('a result CloudWatch could not fill (Forbidden) is an AWS error, not "no usage"', async () => {
    const client = {
      send: async () => ({ MetricDataResults: [{ Id: 'u0', StatusCode: 'Forbidden', Messages: [] }] }),
    } as unknown as CloudWatchClient;
    const s = await fleetOf(1);
    const read = await s.reader(new CloudWatchUsageAdapter(client)).readAll();
    expect(read.unread.map((u) => u.reason)).toEqual([expect.stringContaining('Forbidden')]);
  });
});
