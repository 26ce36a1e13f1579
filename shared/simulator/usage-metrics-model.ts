/**
 * CloudWatch `UsageLimitConsumed` of provisioned usage limits, driven by the clusters' workload
 * profiles, and the GetMetricData call that reads it. Not a CloudWatch emulator: it answers the
 * queries the sweep's usage read sends (one metric per query, MetricStat, Maximum over 5-minute
 * buckets) and refuses the rest the way GetMetricData refuses a malformed request.
 *
 * The workload key `usage:<feature>` (`usage:spectrum`, `usage:concurrency-scaling`,
 * `usage:cross-region-datasharing`) is the feature's consumption per hour while the cluster is
 * `available`: TB scanned per hour, or concurrency-scaling minutes per hour. Every 5 minutes each
 * limit of the cluster adds the feature's consumption of the step to its period's total and emits it
 * as the bucket's datapoint (facts.md §5: reported every minute, units minutes or TB, dimensions
 * ClusterIdentifier, FeatureType, UsageLimitId). The total starts again at the limit's UTC period
 * boundary (daily, weekly from Sunday, monthly) and a limit counts from when it is first seen (a limit
 * created mid-period counts from creation). A limit whose breach action is `disable` turns its feature
 * off once its total reaches its amount (the step that reaches it completes), until the period ends:
 * the cluster's consumption of that feature stops. A paused cluster consumes nothing and emits no datapoint.
 */

import {
  type GetMetricDataCommandInput,
  type GetMetricDataCommandOutput,
  InvalidParameterValueException,
  type MetricDataResult,
} from '@aws-sdk/client-cloudwatch';
import type { UsageLimit } from '@aws-sdk/client-redshift';
import type { ClusterRegistry } from './cluster-registry.ts';
import { Prng } from './prng.ts';
import type { ProvisionedContext } from './provisioned-context.ts';
import type { UsageLimitsModel } from './usage-limits-model.ts';
import { sampleProfile } from './workload.ts';

export const USAGE_WORKLOAD_PREFIX = 'usage:';
const STEP_MS = 5 * 60_000;
/** Datapoints kept per limit: two hours of 5-minute buckets (the sweep's read looks back 15 minutes). */
const KEPT = 24;
/** GetMetricData: at most 500 queries per call (API reference). */
export const MAX_METRIC_DATA_QUERIES = 500;

const DIMENSION_FEATURE: Readonly<Record<string, string>> = {
  SPECTRUM: 'spectrum',
  CONCURRENCY_SCALING: 'concurrency-scaling',
  CROSS_REGION_DATASHARING: 'cross-region-datasharing',
};

interface LimitUsage {
  periodStart: number;
  consumed: number;
  points: { at: number; value: number }[];
}

/** Start of the UTC period containing `ms`: day, week (from Sunday: API reference UsageLimit) or month. */
export function periodStartOf(period: string, ms: number): number {
  const d = new Date(ms);
  const day = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  if (period === 'daily') return day;
  if (period === 'weekly') return day - d.getUTCDay() * 86_400_000;
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}

function invalid(message: string): InvalidParameterValueException {
  return new InvalidParameterValueException({ message, $metadata: { httpStatusCode: 400 } });
}

export class UsageMetricsModel {
  private readonly usage = new Map<string, LimitUsage>();
  private readonly rngs = new Map<string, Prng>();
  private watching = false;
  readonly handlers: Record<string, (input: never) => object>;

  constructor(
    private readonly ctx: ProvisionedContext,
    private readonly clusters: ClusterRegistry,
    private readonly limits: UsageLimitsModel,
  ) {
    this.handlers = { GetMetricData: (i: GetMetricDataCommandInput) => this.getMetricData(i) };
  }

  /** Starts the 5-minute metric clock (once; called when a workload is set). */
  watch(): void {
    if (this.watching) return;
    this.watching = true;
    const firstAt = (Math.floor(this.ctx.clock.nowMs() / STEP_MS) + 1) * STEP_MS;
    this.ctx.clock.every(STEP_MS, (at) => this.step(at.getTime()), { firstAt, label: 'usage-metrics' });
  }

  /** What a limit has consumed in its current period, as the last datapoint says (0 when none). */
  consumedOf(usageLimitId: string): number {
    return this.usage.get(usageLimitId)?.consumed ?? 0;
  }

  /** One 5-minute step ending at `at`: each limit of an available cluster adds its feature's consumption. */
  private step(at: number): void {
    const from = at - STEP_MS;
    const increments = new Map<string, number>();
    const all = [...this.limits.values()].map((r) => r.view);
    for (const view of all) {
      const id = view.UsageLimitId ?? '';
      const clusterId = view.ClusterIdentifier ?? '';
      const rec = this.clusters.get(clusterId);
      if (rec === undefined || rec.view.ClusterStatus === 'paused') continue;
      const periodStart = periodStartOf(view.Period ?? 'monthly', from);
      let state = this.usage.get(id);
      if (state === undefined) {
        // First seen: counts from now on (a limit created mid-period counts from creation).
        state = { periodStart, consumed: 0, points: [] };
        this.usage.set(id, state);
      } else if (state.periodStart !== periodStart) {
        state.periodStart = periodStart;
        state.consumed = 0;
      } else {
        const key = `${clusterId}|${view.FeatureType ?? ''}`;
        let add = increments.get(key);
        if (add === undefined) {
          const feature = view.FeatureType ?? '';
          add = Math.min(this.rate(clusterId, feature, from), this.room(clusterId, feature, all));
          increments.set(key, add);
        }
        state.consumed += add;
      }
      state.points.push({ at: from, value: state.consumed });
      if (state.points.length > KEPT) state.points.shift();
    }
  }

  /**
   * The feature's use this step: none once a `disable` limit of it reached its amount this period; the
   * step in which it is reached completes (queries running then finish), so the total may pass the amount.
   */
  private room(clusterId: string, feature: string, all: readonly UsageLimit[]): number {
    for (const v of all) {
      if (v.ClusterIdentifier !== clusterId || v.FeatureType !== feature || v.BreachAction !== 'disable') continue;
      if (this.consumedOf(v.UsageLimitId ?? '') >= (v.Amount ?? 0)) return 0;
    }
    return Number.POSITIVE_INFINITY;
  }

  /** The feature's consumption over one step, from the cluster's `usage:<feature>` profile (per hour). */
  private rate(clusterId: string, feature: string, from: number): number {
    const rec = this.clusters.get(clusterId);
    const profile = rec?.workload?.[`${USAGE_WORKLOAD_PREFIX}${feature}`];
    // Queries run on an available cluster only (not while pausing, resuming or resizing).
    if (rec === undefined || profile === undefined || rec.view.ClusterStatus !== 'available') return 0;
    const key = `${clusterId}/${feature}`;
    let rng = this.rngs.get(key);
    if (rng === undefined) {
      rng = new Prng(`${this.ctx.seed}/usage/${key}`);
      this.rngs.set(key, rng);
    }
    const perHour = sampleProfile(profile, new Date(from), rng, rec.createdAtMs) ?? 0;
    return Math.max(0, perHour) * (STEP_MS / 3_600_000);
  }

  getMetricData(input: GetMetricDataCommandInput): Omit<GetMetricDataCommandOutput, '$metadata'> {
    const queries = input.MetricDataQueries ?? [];
    if (queries.length === 0) throw invalid('The parameter MetricDataQueries is required.');
    if (queries.length > MAX_METRIC_DATA_QUERIES) {
      throw invalid(`The collection MetricDataQueries must not have a size greater than ${MAX_METRIC_DATA_QUERIES}.`);
    }
    const start = input.StartTime?.getTime();
    const end = input.EndTime?.getTime();
    if (start === undefined || end === undefined || !(start < end)) {
      throw invalid('The parameter StartTime must be less than the parameter EndTime.');
    }
    const ids = new Set<string>();
    const results: MetricDataResult[] = queries.map((q) => {
      if (q.Id === undefined || !/^[a-z][a-zA-Z0-9_]*$/.test(q.Id) || ids.has(q.Id)) {
        throw invalid(`The value ${q.Id ?? 'null'} for parameter MetricDataQueries.member.Id is not valid.`);
      }
      ids.add(q.Id);
      const metric = q.MetricStat?.Metric;
      const dims = new Map((metric?.Dimensions ?? []).map((d) => [d.Name, d.Value]));
      const id = dims.get('UsageLimitId');
      const view = id === undefined ? undefined : this.limits.get(id)?.view;
      const matches =
        metric?.Namespace === 'AWS/Redshift' &&
        metric.MetricName === 'UsageLimitConsumed' &&
        view !== undefined &&
        dims.get('ClusterIdentifier') === view.ClusterIdentifier &&
        DIMENSION_FEATURE[dims.get('FeatureType') ?? ''] === view.FeatureType;
      const points = matches ? (this.usage.get(id ?? '')?.points ?? []).filter((p) => p.at >= start && p.at < end) : [];
      if (input.ScanBy !== 'TimestampAscending') points.reverse();
      return {
        Id: q.Id,
        Label: metric?.MetricName ?? q.Id,
        Timestamps: points.map((p) => new Date(p.at)),
        Values: points.map((p) => p.value),
        StatusCode: 'Complete',
      };
    });
    return { MetricDataResults: results, Messages: [] };
  }
}
