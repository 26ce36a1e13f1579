import {
  type CloudWatchClient,
  GetMetricDataCommand,
  type MetricDataQuery,
  type MetricDataResult,
} from '@aws-sdk/client-cloudwatch';
import type { UsageLimitResource } from '../policy/decision.ts';

/**
 * What provisioned usage limits consumed, read from CloudWatch: `UsageLimitConsumed` (AWS/Redshift,
 * dimensions ClusterIdentifier, FeatureType, UsageLimitId; minutes or TB; reported every minute —
 * facts.md §5, guide L26875–26876). One GetMetricData call carries up to 500 queries (one metric each),
 * so a fleet's limits cost ⌈limits / 500⌉ calls, never one per cluster. Only `UsageLimitConsumed` is
 * read: `UsageLimitAvailable` is the limit's amount minus it, and each metric requested is billed.
 */
export const USAGE_METRIC = { namespace: 'AWS/Redshift', name: 'UsageLimitConsumed' } as const;

/** GetMetricData: at most 500 MetricDataQuery structures per call (API reference). */
export const MAX_QUERIES_PER_CALL = 500;

/** How far back a read looks for the latest datapoint: three 5-minute buckets. */
export const USAGE_LOOKBACK_MS = 15 * 60_000;
const PERIOD_SECONDS = 300;

/** The metric's FeatureType dimension takes the API's upper-case names (guide L26894). */
const FEATURE_DIMENSION: Readonly<Record<string, string>> = {
  spectrum: 'SPECTRUM',
  'concurrency-scaling': 'CONCURRENCY_SCALING',
  'cross-region-datasharing': 'CROSS_REGION_DATASHARING',
};

export function featureDimension(feature: string): string {
  return FEATURE_DIMENSION[feature] ?? feature.toUpperCase().replace(/-/g, '_');
}

/** The latest consumption of one limit, or null when CloudWatch has no datapoint for it in the lookback. */
export type Consumed = { amount: number; at: string } | null;

export interface UsageReader {
  /** The limits' consumption by limit id; every asked limit has an entry. Throws what AWS answers. */
  readConsumed(limits: readonly UsageLimitResource[], now: Date): Promise<Map<string, Consumed>>;
}

export function usageQuery(limit: UsageLimitResource, index: number): MetricDataQuery {
  return {
    Id: `u${index}`,
    MetricStat: {
      Metric: {
        Namespace: USAGE_METRIC.namespace,
        MetricName: USAGE_METRIC.name,
        Dimensions: [
          { Name: 'ClusterIdentifier', Value: limit.clusterId },
          { Name: 'FeatureType', Value: featureDimension(limit.feature) },
          { Name: 'UsageLimitId', Value: limit.id },
        ],
      },
      Period: PERIOD_SECONDS,
      Stat: 'Maximum',
    },
    ReturnData: true,
  };
}

/** A result CloudWatch could not fill (`Forbidden`, `InternalError`) is an AWS error, not "no usage". */
function failedResult(result: MetricDataResult): Error | null {
  if (result.StatusCode !== 'Forbidden' && result.StatusCode !== 'InternalError') return null;
  const detail = (result.Messages ?? []).map((m) => `${m.Code ?? ''} ${m.Value ?? ''}`.trim()).join('; ');
  const name = result.StatusCode === 'Forbidden' ? 'AccessDeniedException' : 'InternalFailure';
  return Object.assign(
    new Error(`GetMetricData result ${result.Id ?? '?'}: ${result.StatusCode}${detail ? ` (${detail})` : ''}`),
    {
      name,
    },
  );
}

export class CloudWatchUsageAdapter implements UsageReader {
  constructor(readonly client: CloudWatchClient) {}

  /** Workgroups' RPU-hours per UTC day (Redshift Serverless; see CloudWatchServerlessUsage). */
  readRpuHours(workgroups: readonly string[], since: Date, now: Date): Promise<DailyRpuHours> {
    return new CloudWatchServerlessUsage(this.client).readRpuHours(workgroups, since, now);
  }

  async readConsumed(limits: readonly UsageLimitResource[], now: Date): Promise<Map<string, Consumed>> {
    const out = new Map<string, Consumed>();
    for (let start = 0; start < limits.length; start += MAX_QUERIES_PER_CALL) {
      await this.#readBatch(limits.slice(start, start + MAX_QUERIES_PER_CALL), now, out);
    }
    for (const l of limits) if (!out.has(l.id)) out.set(l.id, null);
    return out;
  }

  /** One batch of up to 500 queries; pages (NextToken) carry older datapoints, so the first value seen is kept. */
  async #readBatch(batch: readonly UsageLimitResource[], now: Date, out: Map<string, Consumed>): Promise<void> {
    const queries = batch.map((l, i) => usageQuery(l, i));
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new GetMetricDataCommand({
          MetricDataQueries: queries,
          StartTime: new Date(now.getTime() - USAGE_LOOKBACK_MS),
          EndTime: now,
          ScanBy: 'TimestampDescending',
          ...(token === undefined ? {} : { NextToken: token }),
        }),
      );
      for (const result of page.MetricDataResults ?? []) {
        const failed = failedResult(result);
        if (failed !== null) throw failed;
        const limit = batch[Number((result.Id ?? '').slice(1))];
        if (limit === undefined || (out.get(limit.id) ?? null) !== null) continue;
        const value = result.Values?.[0];
        const at = result.Timestamps?.[0];
        out.set(limit.id, value === undefined || at === undefined ? null : { amount: value, at: at.toISOString() });
      }
      token = page.NextToken;
    } while (token !== undefined);
  }
}

/**
 * Redshift Serverless: what a workgroup used, in RPU-hours, from CloudWatch `ComputeSeconds`
 * (AWS/Redshift-Serverless, dimension Workgroup; RPU-seconds). Serverless usage limits have no metric of
 * their own, so the read is one query per workgroup — never per limit — summed per UTC day (Period
 * 86400) from the start of the longest period asked (a month: at most 31 values per query, 500 queries
 * per call). A limit's consumption is the sum of the days of its own period (weekly from Sunday).
 *
 * Each ComputeSeconds datapoint is the RPU-seconds "accumulated over the last 30 minutes" (metric table,
 * guide L2343), reported every minute (L1159): every minute of use is counted in 30 consecutive
 * datapoints, so a day's `Sum` is 30 times what was used. The day's RPU-hours are its Sum / 30 / 3600.
 * `Sum` (not `Average` × 48) keeps minutes without a datapoint at zero use. A day's value thus holds the
 * use of the 30 minutes before it in part and misses part of its own last 30 minutes: at most half an
 * hour of use moves across a day (and period) boundary, never counted twice nor lost in a sum of days.
 * The last half hour is counted only by the datapoints reported so far: a steady use reads about 15
 * minutes late, caught up 30 minutes after.
 */
export const SERVERLESS_USAGE_METRIC = { namespace: 'AWS/Redshift-Serverless', name: 'ComputeSeconds' } as const;
const DAY_SECONDS = 86_400;
/** Datapoints (one a minute) each minute of use is counted in: a ComputeSeconds value covers 30 minutes. */
export const COMPUTE_SECONDS_DATAPOINTS_PER_MINUTE_OF_USE = 30;

export function serverlessUsageQuery(workgroupName: string, index: number): MetricDataQuery {
  return {
    Id: `w${index}`,
    MetricStat: {
      Metric: {
        Namespace: SERVERLESS_USAGE_METRIC.namespace,
        MetricName: SERVERLESS_USAGE_METRIC.name,
        Dimensions: [{ Name: 'Workgroup', Value: workgroupName }],
      },
      Period: DAY_SECONDS,
      Stat: 'Sum',
    },
    ReturnData: true,
  };
}

/** RPU-hours per UTC day (day start in ms → RPU-hours) of each asked workgroup; every one has an entry. */
export type DailyRpuHours = Map<string, Map<number, number>>;

export interface ServerlessUsageReader {
  readRpuHours(workgroups: readonly string[], since: Date, now: Date): Promise<DailyRpuHours>;
}

export class CloudWatchServerlessUsage implements ServerlessUsageReader {
  constructor(readonly client: CloudWatchClient) {}

  async readRpuHours(workgroups: readonly string[], since: Date, now: Date): Promise<DailyRpuHours> {
    const out: DailyRpuHours = new Map(workgroups.map((w) => [w, new Map<number, number>()]));
    // At a period's first instant nothing is used yet, and GetMetricData refuses an empty time range.
    if (since.getTime() >= now.getTime()) return out;
    for (let start = 0; start < workgroups.length; start += MAX_QUERIES_PER_CALL) {
      const batch = workgroups.slice(start, start + MAX_QUERIES_PER_CALL);
      let token: string | undefined;
      do {
        const page = await this.client.send(
          new GetMetricDataCommand({
            MetricDataQueries: batch.map((w, i) => serverlessUsageQuery(w, i)),
            StartTime: since,
            EndTime: now,
            ...(token === undefined ? {} : { NextToken: token }),
          }),
        );
        for (const result of page.MetricDataResults ?? []) {
          const failed = failedResult(result);
          if (failed !== null) throw failed;
          const days = out.get(batch[Number((result.Id ?? '').slice(1))] ?? '');
          for (const [i, at] of (result.Timestamps ?? []).entries()) {
            const rpuSeconds = (result.Values?.[i] ?? 0) / COMPUTE_SECONDS_DATAPOINTS_PER_MINUTE_OF_USE;
            days?.set(at.getTime(), rpuSeconds / 3600);
          }
        }
        token = page.NextToken;
      } while (token !== undefined);
    }
    return out;
  }
}

/** The usage reader also reads Serverless RPU-hours (CloudWatchUsageAdapter does). */
export function serverlessUsageOf(reader: UsageReader | null | undefined): ServerlessUsageReader | null {
  return reader != null && typeof (reader as Partial<ServerlessUsageReader>).readRpuHours === 'function'
    ? (reader as UsageReader & ServerlessUsageReader)
    : null;
}
