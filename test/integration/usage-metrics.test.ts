import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  CloudWatchUsageAdapter,
  featureDimension,
  SERVERLESS_USAGE_METRIC,
  USAGE_METRIC,
} from '../../shared/aws/cloudwatch-usage.ts';
import type { UsageLimitResource } from '../../shared/policy/decision.ts';
import { motoClientConfig, motoEndpoint } from '../helpers/moto.ts';

// The usage read through the real SDK over HTTP (moto's CloudWatch): what PutMetricData stored under
// the metric, namespace and dimensions AWS publishes (AWS/Redshift UsageLimitConsumed with
// ClusterIdentifier, FeatureType, UsageLimitId; AWS/Redshift-Serverless ComputeSeconds with Workgroup)
// comes back through shared/aws/cloudwatch-usage.ts's GetMetricData queries as each limit's latest
// consumption and each workgroup's RPU-hours.

const limit = (id: string, clusterId: string, feature: string): UsageLimitResource => ({
  id,
  clusterId,
  feature,
  limitType: feature === 'spectrum' ? 'data-scanned' : 'time',
  amount: 5,
  period: 'daily',
  breachAction: 'log',
  tags: {},
});

describe.skipIf(motoEndpoint === null)('usage metrics against moto (real SDK over HTTP)', () => {
  let client: CloudWatchClient;
  // Whole minutes: CloudWatch stores datapoints at minute resolution at least.
  const now = new Date(Math.floor(Date.now() / 60_000) * 60_000);
  const ago = (minutes: number) => new Date(now.getTime() - minutes * 60_000);

  beforeAll(async () => {
    client = new CloudWatchClient(motoClientConfig());
    const consumed = (l: UsageLimitResource, at: Date, value: number) => ({
      MetricName: USAGE_METRIC.name,
      Dimensions: [
        { Name: 'ClusterIdentifier', Value: l.clusterId },
        { Name: 'FeatureType', Value: featureDimension(l.feature) },
        { Name: 'UsageLimitId', Value: l.id },
      ],
      Timestamp: at,
      Value: value,
      Unit: 'None' as const,
    });
    const spectrum = limit('ul-spectrum', 'etl-1', 'spectrum');
    const scaling = limit('ul-scaling', 'etl-2', 'concurrency-scaling');
    await client.send(
      new PutMetricDataCommand({
        Namespace: USAGE_METRIC.namespace,
        MetricData: [
          consumed(spectrum, ago(12), 3.5),
          consumed(spectrum, ago(7), 4.25),
          consumed(scaling, ago(9), 61),
          // Another cluster's datapoint under the same limit id: not this limit's.
          { ...consumed(spectrum, ago(6), 99), Dimensions: [{ Name: 'ClusterIdentifier', Value: 'other' }] },
        ],
      }),
    );
    // ComputeSeconds is reported every minute, each value the RPU-seconds of the 30 minutes before it:
    // dev-wg ran at 4 RPU for 45 minutes (3 RPU-hours), prod-wg at 1 RPU for 30 minutes (0.5 RPU-hours).
    const computeSeconds = (workgroup: string, rpu: number, startAgo: number, minutes: number) =>
      Array.from({ length: minutes + 30 }, (_, i) => {
        const end = i + 1; // the datapoint at startAgo - end minutes covers minutes (end - 30, end] of the run
        const used = Math.min(end, minutes) - Math.max(0, end - 30);
        return {
          MetricName: SERVERLESS_USAGE_METRIC.name,
          Dimensions: [{ Name: 'Workgroup', Value: workgroup }],
          Timestamp: ago(startAgo - end),
          Value: rpu * 60 * used,
        };
      });
    const data = [...computeSeconds('dev-wg', 4, 150, 45), ...computeSeconds('prod-wg', 1, 100, 30)];
    // 20 datapoints a call (moto's PutMetricData refuses more).
    for (let i = 0; i < data.length; i += 20) {
      await client.send(
        new PutMetricDataCommand({ Namespace: SERVERLESS_USAGE_METRIC.namespace, MetricData: data.slice(i, i + 20) }),
      );
    }
  });

  it('reads each limit’s latest UsageLimitConsumed in the look-back; a limit with no datapoint reads null', async () => {
    const read = await new CloudWatchUsageAdapter(client).readConsumed(
      [
        limit('ul-spectrum', 'etl-1', 'spectrum'),
        limit('ul-scaling', 'etl-2', 'concurrency-scaling'),
        limit('ul-silent', 'etl-3', 'spectrum'),
      ],
      now,
    );
    expect(read.get('ul-spectrum')?.amount).toBe(4.25);
    expect(read.get('ul-scaling')?.amount).toBe(61);
    expect(read.get('ul-silent')).toBeNull();
  });

  it('reads a workgroup’s ComputeSeconds as RPU-hours, summed, and each workgroup alone', async () => {
    const read = await new CloudWatchUsageAdapter(client).readRpuHours(['dev-wg', 'prod-wg', 'idle-wg'], ago(180), now);
    const total = (w: string) => [...(read.get(w)?.values() ?? [])].reduce((a, b) => a + b, 0);
    expect(total('dev-wg')).toBe(3);
    expect(total('prod-wg')).toBe(0.5);
    expect(read.get('idle-wg')?.size ?? 0).toBe(0);
  });
});
