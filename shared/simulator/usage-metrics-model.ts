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
 *
 * Redshift Serverless (ServerlessCompute below): `ComputeSeconds` (AWS/Redshift-Serverless, dimension
 * Workgroup, RPU-seconds) as the metric table defines it — "RPU-seconds accumulated over the last 30
 * minutes" (L2343) — emitted every minute (L1159 speaks of the current minute): each datapoint is the
 * RPU-seconds of the 30 minutes ending at it, so every minute of use is in 30 consecutive datapoints.
 * The simulator keeps CloudWatch's 5-minute statistic sets of them (sum, count, min, max) and answers
 * Periods that are multiples of 300 s. A workgroup's use comes from its `rpuDemand` profile
 * (workload.ts): none while the demand is 0, else the demand held between its base and max capacity
 * (5632 RPU without one). A `serverless-compute` limit with breach action `deactivate` whose period's
 * consumption reached its amount stops the workgroup's user queries until the period ends (the step
 * that reaches it completes); it no longer stops them once its action, amount or existence changes.
 */

import {
  type GetMetricDataCommandInput,
  type GetMetricDataCommandOutput,
  InvalidParameterValueException,
  type MetricDataQuery,
  type MetricDataResult,
} from '@aws-sdk/client-cloudwatch';
import type { UsageLimit } from '@aws-sdk/client-redshift';
import type { UsageLimit as ServerlessUsageLimit } from '@aws-sdk/client-redshift-serverless';
import type { ClusterRegistry } from './cluster-registry.ts';
import { Prng } from './prng.ts';
import type { ProvisionedContext } from './provisioned-context.ts';
import { MAX_CAPACITY, type ServerlessModel } from './serverless-model.ts';
import type { UsageLimitsModel } from './usage-limits-model.ts';
import { sampleProfile, type WorkgroupWorkload } from './workload.ts';

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
  /** Redshift Serverless compute use and ComputeSeconds (null when no Serverless model is given). */
  readonly compute: ServerlessCompute | null;

  constructor(
    private readonly ctx: ProvisionedContext,
    private readonly clusters: ClusterRegistry,
    private readonly limits: UsageLimitsModel,
    serverless?: ServerlessModel,
  ) {
    this.handlers = { GetMetricData: (i: GetMetricDataCommandInput) => this.getMetricData(i) };
    this.compute = serverless === undefined ? null : new ServerlessCompute(ctx.seed, serverless);
  }

  /** A workgroup's workload (workload.ts WorkgroupWorkload): drives its compute use and ComputeSeconds. */
  setWorkgroupWorkload(workgroupName: string, workload: WorkgroupWorkload): void {
    if (this.compute === null) throw new Error('setWorkgroupWorkload: this model has no Serverless workgroups');
    this.compute.setWorkload(workgroupName, workload, this.ctx.clock.nowMs());
    this.watch();
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
    this.compute?.step(from, STEP_MS);
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

  /** UsageLimitConsumed datapoints of one query (none unless it names an existing limit exactly). */
  private consumedPoints(q: MetricDataQuery, start: number, end: number): { at: number; value: number }[] {
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
    return matches ? (this.usage.get(id ?? '')?.points ?? []).filter((p) => p.at >= start && p.at < end) : [];
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
      const serverless = metric?.Namespace === 'AWS/Redshift-Serverless' && metric.MetricName === 'ComputeSeconds';
      const points =
        serverless && this.compute !== null ? this.compute.result(q, start, end) : this.consumedPoints(q, start, end);
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

/** ComputeSeconds: each datapoint covers the 30 minutes ending at it (metric table, L2343). */
export const COMPUTE_SECONDS_WINDOW_MINUTES = 30;
/** How long 5-minute statistic sets are kept: CloudWatch keeps 300-second data for 63 days. */
const COMPUTE_KEPT_MS = 63 * 86_400_000;

interface StatSet {
  at: number;
  sum: number;
  count: number;
  min: number;
  max: number;
}

interface WorkgroupCompute {
  profile: WorkgroupWorkload['rpuDemand'];
  rng: Prng;
  /** When the workload was set (the origin of a `growth` profile). */
  origin: number;
  /** RPU-seconds of each of the last 30 minutes, oldest first. */
  minutes: number[];
  stats: StatSet[];
}

/** A `serverless-compute` limit's period and what the workgroup used in it (RPU-hours). */
interface LimitPeriod {
  periodStart: number;
  consumed: number;
}

const statOf = (set: StatSet, stat: string): number | undefined =>
  ({ Sum: set.sum, SampleCount: set.count, Average: set.sum / set.count, Minimum: set.min, Maximum: set.max })[stat];

/** Redshift Serverless compute use, ComputeSeconds and the effect of `deactivate` (see the file's header). */
export class ServerlessCompute {
  private readonly workgroups = new Map<string, WorkgroupCompute>();
  private readonly periods = new Map<string, LimitPeriod>();

  constructor(
    private readonly seed: string,
    private readonly serverless: ServerlessModel,
  ) {}

  get active(): boolean {
    return this.workgroups.size > 0;
  }

  setWorkload(workgroupName: string, workload: WorkgroupWorkload, nowMs: number): void {
    if (this.serverless.getWorkgroupView(workgroupName) === undefined) {
      throw new Error(`setWorkgroupWorkload: no workgroup '${workgroupName}' in the simulator`);
    }
    const known = this.workgroups.get(workgroupName);
    if (known !== undefined) known.profile = workload.rpuDemand;
    else {
      this.workgroups.set(workgroupName, {
        profile: workload.rpuDemand,
        rng: new Prng(`${this.seed}/compute/${workgroupName}`),
        origin: nowMs,
        minutes: [],
        stats: [],
      });
    }
  }

  /** What the workgroup used this period under a limit, in RPU-hours (0 before the limit is first seen). */
  consumedOf(usageLimitId: string): number {
    return this.periods.get(usageLimitId)?.consumed ?? 0;
  }

  /** One 5-minute step starting at `from`: each workgroup with a workload uses RPUs and emits 5 datapoints. */
  step(from: number, stepMs: number): void {
    for (const [name, wg] of this.workgroups) {
      const view = this.serverless.getWorkgroupView(name);
      if (view === undefined) continue;
      const limits = this.serverless.usageLimits
        .forResource(view.workgroupArn ?? '')
        .filter((l) => l.usageType === 'serverless-compute');
      const stopped = limits.some(
        (l) => l.breachAction === 'deactivate' && this.current(l, from).consumed >= (l.amount ?? 0),
      );
      const demand = stopped ? 0 : Math.max(0, sampleProfile(wg.profile, new Date(from), wg.rng, wg.origin) ?? 0);
      const max = view.maxCapacity !== undefined && view.maxCapacity > 0 ? view.maxCapacity : MAX_CAPACITY.max;
      const rpu = demand === 0 ? 0 : Math.min(Math.max(demand, view.baseCapacity ?? 128), max);
      for (const l of limits) this.current(l, from).consumed += (rpu * stepMs) / 3_600_000;
      this.emit(wg, from, rpu, stepMs);
    }
  }

  /** The limit's current period; a limit first seen counts from now (created mid-period: from creation). */
  private current(limit: ServerlessUsageLimit, from: number): LimitPeriod {
    const id = limit.usageLimitId ?? '';
    const start = periodStartOf(limit.period ?? 'monthly', from);
    let p = this.periods.get(id);
    if (p === undefined || p.periodStart !== start) {
      p = { periodStart: start, consumed: 0 };
      this.periods.set(id, p);
    }
    return p;
  }

  /** The step's per-minute ComputeSeconds datapoints, kept as one 5-minute statistic set. */
  private emit(wg: WorkgroupCompute, from: number, rpu: number, stepMs: number): void {
    const set: StatSet = { at: from, sum: 0, count: 0, min: Number.POSITIVE_INFINITY, max: 0 };
    for (let m = 0; m < stepMs / 60_000; m++) {
      wg.minutes.push(rpu * 60);
      if (wg.minutes.length > COMPUTE_SECONDS_WINDOW_MINUTES) wg.minutes.shift();
      const value = wg.minutes.reduce((a, b) => a + b, 0);
      set.sum += value;
      set.count += 1;
      set.min = Math.min(set.min, value);
      set.max = Math.max(set.max, value);
    }
    wg.stats.push(set);
    while ((wg.stats[0]?.at ?? from) < from - COMPUTE_KEPT_MS) wg.stats.shift();
  }

  /** One ComputeSeconds query of GetMetricData: the statistic over Period-long buckets from `start`. */
  result(query: MetricDataQuery, start: number, end: number): { at: number; value: number }[] {
    const stat = query.MetricStat;
    const dims = stat?.Metric?.Dimensions ?? [];
    const name = dims.length === 1 && dims[0]?.Name === 'Workgroup' ? dims[0].Value : undefined;
    const wg = this.workgroups.get(name ?? '');
    const periodMs = (stat?.Period ?? 0) * 1000;
    if (!(periodMs > 0) || periodMs % STEP_MS !== 0) {
      throw new RangeError(
        `simulator: ComputeSeconds is kept as 5-minute statistics; Period ${stat?.Period} is not a multiple of 300`,
      );
    }
    if (wg === undefined) return [];
    const origin = Math.floor(start / STEP_MS) * STEP_MS;
    const buckets = new Map<number, StatSet>();
    for (const s of wg.stats) {
      if (s.at < start || s.at >= end) continue;
      const at = origin + Math.floor((s.at - origin) / periodMs) * periodMs;
      const b = buckets.get(at);
      if (b === undefined) buckets.set(at, { ...s, at });
      else
        Object.assign(b, {
          sum: b.sum + s.sum,
          count: b.count + s.count,
          min: Math.min(b.min, s.min),
          max: Math.max(b.max, s.max),
        });
    }
    return [...buckets.values()].map((b) => {
      const value = statOf(b, stat?.Stat ?? '');
      if (value === undefined)
        throw invalid(`The value ${stat?.Stat} for parameter MetricDataQueries.member.MetricStat.Stat is not valid.`);
      return { at: b.at, value };
    });
  }
}
