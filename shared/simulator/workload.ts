/**
 * Simple workload profiles (what a cluster's CloudWatch metrics look like over a week) and the
 * CloudWatch alarms evaluated on them. Enough to drive "idle cluster" and "disk filling up" alarms
 * through ALARM/OK like real ones; not a CloudWatch emulator.
 */
import { DateTime } from 'luxon';
import {
  type AlarmState,
  type AlarmStateValue,
  alarmStateChangeEvent,
  cloudWatchTimestamp,
} from './event-envelopes.ts';
import type { Prng } from './prng.ts';

export type MetricProfileSpec =
  | { kind: 'constant'; value: number }
  /**
   * Busy on `days` (ISO weekday numbers, 1 = Monday; default Mon–Fri) between `start` and `end`
   * local time in `timeZone` (default UTC), idle otherwise; values drawn uniformly from the range.
   */
  | {
      kind: 'office-hours';
      timeZone?: string;
      days?: readonly number[];
      start?: string;
      end?: string;
      busy: readonly [number, number];
      idle: readonly [number, number];
    }
  /** Grows linearly from `start` by `perDay` (e.g. PercentageDiskSpaceUsed), capped at `max`. */
  | { kind: 'growth'; start: number; perDay: number; max?: number; jitter?: number };

/** A metric profile: a spec, or a function of time (undefined = no datapoint). */
export type MetricProfile = MetricProfileSpec | ((at: Date, rng: Prng) => number | undefined);

/** Metric name (AWS/Redshift, e.g. DatabaseConnections) → profile. */
export type ClusterWorkload = Readonly<Record<string, MetricProfile>>;

/**
 * A Serverless workgroup's workload: `rpuDemand` is the RPUs its queries would use at a time (0, or no
 * datapoint, = no query running). What it uses follows its base and max capacity, and a `deactivate`
 * usage limit past its amount stops it (usage-metrics-model.ts).
 */
export interface WorkgroupWorkload {
  readonly rpuDemand: MetricProfile;
}

export type ComparisonOperator =
  | 'GreaterThanThreshold'
  | 'GreaterThanOrEqualToThreshold'
  | 'LessThanThreshold'
  | 'LessThanOrEqualToThreshold';

export interface AlarmSpec {
  alarmName: string;
  clusterIdentifier: string;
  metricName: string;
  namespace?: string;
  statistic?: 'Average' | 'Maximum' | 'Minimum' | 'Sum' | 'SampleCount';
  periodSeconds?: number;
  evaluationPeriods?: number;
  datapointsToAlarm?: number;
  threshold: number;
  comparisonOperator: ComparisonOperator;
  /** CloudWatch default is `missing`: no data (e.g. a paused cluster) → INSUFFICIENT_DATA. */
  treatMissingData?: 'missing' | 'notBreaching' | 'breaching' | 'ignore';
  description?: string;
}

const OPERATOR_TEXT: Record<ComparisonOperator, string> = {
  GreaterThanThreshold: 'greater than',
  GreaterThanOrEqualToThreshold: 'greater than or equal to',
  LessThanThreshold: 'less than',
  LessThanOrEqualToThreshold: 'less than or equal to',
};

function breaches(op: ComparisonOperator, value: number, threshold: number): boolean {
  switch (op) {
    case 'GreaterThanThreshold':
      return value > threshold;
    case 'GreaterThanOrEqualToThreshold':
      return value >= threshold;
    case 'LessThanThreshold':
      return value < threshold;
    case 'LessThanOrEqualToThreshold':
      return value <= threshold;
  }
}

function parseHm(text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const match = /^(\d{1,2}):(\d{2})$/.exec(text);
  if (match === null) throw new RangeError(`workload profile: bad time '${text}', expected HH:mm`);
  return Number(match[1]) * 60 + Number(match[2]);
}

/** Local weekday and minute of day; luxon is called once per zone per 15 minutes, not per sample. */
const localCache = new Map<string, { weekday: number; minuteOfDay: number }>();
function localTime(ms: number, zone: string): { weekday: number; minuteOfDay: number } {
  const bucket = Math.floor(ms / 900_000);
  const key = `${zone}|${bucket}`;
  let base = localCache.get(key);
  if (base === undefined) {
    const dt = DateTime.fromMillis(bucket * 900_000, { zone });
    if (!dt.isValid) throw new RangeError(`workload profile: unknown time zone '${zone}'`);
    base = { weekday: dt.weekday, minuteOfDay: dt.hour * 60 + dt.minute };
    if (localCache.size > 50_000) localCache.clear();
    localCache.set(key, base);
  }
  const extra = Math.floor((ms - bucket * 900_000) / 60_000);
  return { weekday: base.weekday, minuteOfDay: base.minuteOfDay + extra };
}

export function sampleProfile(profile: MetricProfile, at: Date, rng: Prng, origin: number): number | undefined {
  if (typeof profile === 'function') return profile(at, rng);
  switch (profile.kind) {
    case 'constant':
      return profile.value;
    case 'office-hours': {
      const { weekday, minuteOfDay } = localTime(at.getTime(), profile.timeZone ?? 'UTC');
      const days = profile.days ?? [1, 2, 3, 4, 5];
      const start = parseHm(profile.start, 8 * 60);
      const end = parseHm(profile.end, 18 * 60);
      const inHours =
        start <= end ? minuteOfDay >= start && minuteOfDay < end : minuteOfDay >= start || minuteOfDay < end;
      const [lo, hi] = days.includes(weekday) && inHours ? profile.busy : profile.idle;
      const value = rng.between(lo, hi);
      // Counts (connections) stay whole numbers; percentages keep two decimals.
      return Number.isInteger(lo) && Number.isInteger(hi) ? Math.round(value) : Math.round(value * 100) / 100;
    }
    case 'growth': {
      const days = (at.getTime() - origin) / 86_400_000;
      const value = profile.start + profile.perDay * days + (profile.jitter ?? 0) * (rng.next() - 0.5);
      return Math.min(profile.max ?? Number.POSITIVE_INFINITY, Math.round(value * 100) / 100);
    }
  }
}

interface AlarmRuntime {
  spec: Required<Omit<AlarmSpec, 'description'>> & { description?: string };
  datapoints: (number | undefined)[];
  state: AlarmState;
  metricId: string;
}

export interface AlarmEnvironment {
  region: string;
  account: string;
  ids: Prng;
}

/** One alarm's evaluation: returns the EventBridge event when its state changes, else undefined. */
export class AlarmEvaluator {
  private readonly runtime: AlarmRuntime;

  constructor(spec: AlarmSpec, createdAt: Date, ids: Prng) {
    this.runtime = {
      spec: {
        namespace: 'AWS/Redshift',
        statistic: 'Average',
        periodSeconds: 300,
        evaluationPeriods: 1,
        treatMissingData: 'missing',
        ...spec,
        datapointsToAlarm: spec.datapointsToAlarm ?? spec.evaluationPeriods ?? 1,
      },
      datapoints: [],
      state: {
        value: 'INSUFFICIENT_DATA',
        reason: 'Unchecked: Initial alarm creation',
        reasonData: '',
        timestamp: cloudWatchTimestamp(createdAt),
      },
      metricId: ids.uuid(),
    };
  }

  get spec(): AlarmRuntime['spec'] {
    return this.runtime.spec;
  }

  get state(): AlarmStateValue {
    return this.runtime.state.value;
  }

  /** Add the datapoint of the period that just ended at `at` and evaluate. */
  evaluate(value: number | undefined, at: Date, env: AlarmEnvironment) {
    const rt = this.runtime;
    const { spec } = rt;
    rt.datapoints.push(value);
    if (rt.datapoints.length > spec.evaluationPeriods) rt.datapoints.shift();
    const window = rt.datapoints;
    const present = window.filter((v): v is number => v !== undefined);
    let next: AlarmStateValue;
    let breachingCount = present.filter((v) => breaches(spec.comparisonOperator, v, spec.threshold)).length;
    const missing = window.length - present.length;
    if (present.length === 0 && spec.treatMissingData === 'missing') next = 'INSUFFICIENT_DATA';
    else if (present.length === 0 && spec.treatMissingData === 'ignore') return undefined;
    else {
      if (spec.treatMissingData === 'breaching') breachingCount += missing;
      if (window.length < spec.evaluationPeriods && breachingCount < spec.datapointsToAlarm) {
        next = rt.state.value === 'INSUFFICIENT_DATA' && present.length === 0 ? 'INSUFFICIENT_DATA' : 'OK';
      } else next = breachingCount >= spec.datapointsToAlarm ? 'ALARM' : 'OK';
    }
    if (next === rt.state.value) return undefined;
    const previous = rt.state;
    const periodStart = new Date(at.getTime() - spec.periodSeconds * 1000);
    const fmt = (d: Date) =>
      `${String(d.getUTCDate()).padStart(2, '0')}/${String(d.getUTCMonth() + 1).padStart(2, '0')}/${String(
        d.getUTCFullYear() % 100,
      ).padStart(2, '0')} ${d.toISOString().slice(11, 19)}`;
    const shown = present.slice(-Math.max(1, spec.datapointsToAlarm));
    const reason =
      next === 'INSUFFICIENT_DATA'
        ? `Insufficient Data: ${window.length} datapoint${window.length === 1 ? ' was' : 's were'} unknown.`
        : `Threshold Crossed: ${shown.length} out of the last ${window.length} datapoints [${shown
            .map((v) => `${v} (${fmt(periodStart)})`)
            .join(
              ', ',
            )}] was ${next === 'ALARM' ? '' : 'not '}${OPERATOR_TEXT[spec.comparisonOperator]} the threshold (${
            spec.threshold
          }) (minimum ${spec.datapointsToAlarm} datapoint for ${previous.value === 'ALARM' ? 'ALARM' : 'OK'} -> ${next} transition).`;
    const reasonData = JSON.stringify({
      version: '1.0',
      queryDate: cloudWatchTimestamp(at),
      startDate: cloudWatchTimestamp(periodStart),
      statistic: spec.statistic,
      period: spec.periodSeconds,
      recentDatapoints: shown,
      threshold: spec.threshold,
    });
    rt.state = { value: next, reason, reasonData, timestamp: cloudWatchTimestamp(at) };
    const event = alarmStateChangeEvent({
      alarmName: spec.alarmName,
      ...(spec.description === undefined ? {} : { description: spec.description }),
      metricId: rt.metricId,
      namespace: spec.namespace,
      metricName: spec.metricName,
      dimensions: { ClusterIdentifier: spec.clusterIdentifier },
      periodSeconds: spec.periodSeconds,
      stat: spec.statistic,
      previousState: previous,
      state: rt.state,
      at,
      region: env.region,
      account: env.account,
      ids: env.ids,
    });
    return event;
  }
}
