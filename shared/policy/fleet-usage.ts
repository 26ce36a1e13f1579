import type { ClusterResource, FleetResource, UsageLimitResource, WorkgroupResource } from './decision.ts';

/**
 * Usage-limit fleet files for `plan`, `simulate` and `validate` (issue 14), read beside the resources:
 *
 * - `aws redshift describe-usage-limits` (`UsageLimits`, tags inside each limit): the clusters' limits.
 *   The listing is account-wide, so with it every cluster of the fleet carries its limits (none: []).
 * - `aws redshift-serverless list-usage-limits` (`usageLimits`, each naming its workgroup by ARN, which
 *   list-workgroups' `workgroupArn` maps to a name): the workgroups' limits.
 * - `aws cloudwatch get-metric-data` (`MetricDataResults`): what was used. GetMetricData's output has no
 *   dimensions, so each query's `Label` names what it measured: the `UsageLimitId` for AWS/Redshift
 *   `UsageLimitConsumed` (the latest datapoint is the limit's consumption this period), or the workgroup
 *   name for AWS/Redshift-Serverless `ComputeSeconds` with Stat `Sum` (RPU-hours per UTC day: each
 *   datapoint counts the RPU-seconds of the 30 minutes before it, so a Sum is 30 times the use —
 *   as the sweep's reader divides it). docs/policy-language.md shows the queries.
 *
 * Whatever a file holds that matches nothing in the fleet is a problem named with the file, not ignored.
 */
type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/** Each minute of Serverless use is counted in 30 consecutive ComputeSeconds datapoints (guide L2343). */
const DATAPOINTS_PER_MINUTE_OF_USE = 30;
const DAY_MS = 86_400_000;

interface MetricSeries {
  label: string;
  where: string;
  points: { at: number; value: number }[];
}

/** What the usage files of one fleet held, gathered file by file and attached once every file is read. */
export interface UsageFiles {
  clusterLimits: UsageLimitResource[] | null;
  serverlessLimits: { limit: UsageLimitResource; resourceArn: string; where: string }[] | null;
  metrics: MetricSeries[];
}

const newUsageFiles = (): UsageFiles => ({ clusterLimits: null, serverlessLimits: null, metrics: [] });

function tagsOf(list: unknown): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const t of Array.isArray(list) ? list : []) {
    if (isObject(t) && typeof t.Key === 'string') tags[t.Key] = typeof t.Value === 'string' ? t.Value : '';
  }
  return tags;
}

const amountOf = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

function clusterLimit(item: Json, where: string, problems: string[]): UsageLimitResource | null {
  const id = str(item.UsageLimitId);
  const clusterId = str(item.ClusterIdentifier);
  const amount = amountOf(item.Amount);
  if (id === null || clusterId === null || str(item.FeatureType) === null || amount === null) {
    problems.push(
      `${where} is ${JSON.stringify(item)}; expected describe-usage-limits output, where every limit has UsageLimitId, ClusterIdentifier, FeatureType and a numeric Amount`,
    );
    return null;
  }
  return {
    id,
    clusterId,
    feature: item.FeatureType as string,
    limitType: str(item.LimitType) ?? '',
    amount,
    period: str(item.Period) ?? 'monthly',
    breachAction: str(item.BreachAction) ?? 'log',
    tags: tagsOf(item.Tags),
  };
}

function serverlessLimit(item: Json, where: string, problems: string[]) {
  const id = str(item.usageLimitId);
  const resourceArn = str(item.resourceArn);
  const amount = amountOf(item.amount);
  if (id === null || resourceArn === null || str(item.usageType) === null || amount === null) {
    problems.push(
      `${where} is ${JSON.stringify(item)}; expected list-usage-limits output, where every limit has usageLimitId, resourceArn, usageType and a numeric amount`,
    );
    return null;
  }
  const limit: UsageLimitResource = {
    id,
    clusterId: resourceArn,
    // The API answers the usage type in upper case (SERVERLESS_COMPUTE); the engine compares kebab-case.
    feature: (item.usageType as string).toLowerCase().replace(/_/g, '-'),
    limitType: '',
    amount,
    period: str(item.period) ?? 'monthly',
    breachAction: str(item.breachAction) ?? 'log',
    tags: {},
  };
  return { limit, resourceArn, where };
}

/** A time as the CLI prints it (ISO text) or the SDK gives it (Date); null when it is neither. */
function msOf(v: unknown): number | null {
  const ms = v instanceof Date ? v.getTime() : typeof v === 'string' ? Date.parse(v) : Number.NaN;
  return Number.isNaN(ms) ? null : ms;
}

function metricSeries(item: Json, where: string, problems: string[]): MetricSeries | null {
  const status = str(item.StatusCode);
  if (status === 'Forbidden' || status === 'InternalError') {
    problems.push(`${where}: GetMetricData answered ${status} for this query; expected Complete (read it again)`);
    return null;
  }
  const label = str(item.Label);
  const times = Array.isArray(item.Timestamps) ? item.Timestamps : null;
  const values = Array.isArray(item.Values) ? item.Values : null;
  if (label === null || times === null || values === null || times.length !== values.length) {
    problems.push(
      `${where} has no Label, or Timestamps and Values of different lengths; expected get-metric-data output with each query's Label set to a UsageLimitId or a workgroup name`,
    );
    return null;
  }
  const points: MetricSeries['points'] = [];
  for (const [i, t] of times.entries()) {
    const at = msOf(t);
    const value = amountOf(values[i]);
    if (at === null || value === null) {
      problems.push(
        `${where}.Timestamps[${i}] / Values[${i}] is ${JSON.stringify([t, values[i]])}; expected a time and a number`,
      );
      continue;
    }
    points.push({ at, value });
  }
  return { label, where, points };
}

/** `doc` is one of the usage files (the fleet parser's recogniser; withUsage reads it once every file is in). */
export function isUsageFile(doc: Json): boolean {
  return 'UsageLimits' in doc || 'MetricDataResults' in doc || 'usageLimits' in doc;
}

/** Reads `doc` if it is one of the usage files; false when it is not. */
function readUsageFile(doc: Json, name: string, usage: UsageFiles, problems: string[]): boolean {
  // `usageLimits` is ListUsageLimits' own field (named in the registry meta test's AWS_FIELDS for this file).
  const { UsageLimits: provisioned, usageLimits: serverless, MetricDataResults: metrics } = doc;
  const list = (key: string, value: unknown): Json[] => {
    if (!Array.isArray(value)) {
      problems.push(`${name}: ${key} is ${JSON.stringify(value)}; expected a list`);
      return [];
    }
    return value.flatMap((item, i) => {
      if (isObject(item)) return [item];
      problems.push(`${name}: ${key}[${i}] is ${JSON.stringify(item)}; expected an object`);
      return [];
    });
  };
  if (provisioned !== undefined) {
    usage.clusterLimits ??= [];
    for (const [i, item] of list('UsageLimits', provisioned).entries()) {
      const l = clusterLimit(item, `${name}: UsageLimits[${i}]`, problems);
      if (l !== null) usage.clusterLimits.push(l);
    }
  }
  if (serverless !== undefined) {
    usage.serverlessLimits ??= [];
    for (const [i, item] of list('usageLimits', serverless).entries()) {
      const l = serverlessLimit(item, `${name}: usageLimits[${i}]`, problems);
      if (l !== null) usage.serverlessLimits.push(l);
    }
  }
  if (metrics !== undefined) {
    for (const [i, item] of list('MetricDataResults', metrics).entries()) {
      const s = metricSeries(item, `${name}: MetricDataResults[${i}]`, problems);
      if (s !== null) usage.metrics.push(s);
    }
  }
  return provisioned !== undefined || serverless !== undefined || metrics !== undefined;
}

/** RPU-hours per UTC day (`2026-11-30`) from a ComputeSeconds Sum series, at or before `readAt`. */
export function rpuHoursByDay(
  points: readonly { at: number; value: number }[],
  readAt: number,
): Record<string, number> {
  const days: Record<string, number> = {};
  for (const p of points) {
    if (p.at > readAt) continue;
    const day = new Date(Math.floor(p.at / DAY_MS) * DAY_MS).toISOString().slice(0, 10);
    days[day] = (days[day] ?? 0) + p.value / DATAPOINTS_PER_MINUTE_OF_USE / 3600;
  }
  return days;
}

/** Start of the UTC period (daily, weekly from Sunday, monthly) containing `ms`. */
function periodStart(period: string, ms: number): number {
  const d = new Date(ms);
  const day = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  if (period === 'daily') return day;
  if (period === 'weekly') return day - d.getUTCDay() * DAY_MS;
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}

/** A Serverless limit's consumption this period: the days of its period summed (the sweep's withRpuHours). */
function rpuConsumed(days: Readonly<Record<string, number>>, period: string, readAt: number): number {
  const start = periodStart(period, readAt);
  return Object.entries(days).reduce((sum, [day, h]) => (Date.parse(`${day}T00:00:00Z`) >= start ? sum + h : sum), 0);
}

function latest(
  points: readonly { at: number; value: number }[],
  readAt: number,
): { amount: number; at: string } | null {
  const seen = points.filter((p) => p.at <= readAt).sort((a, b) => b.at - a.at)[0];
  return seen === undefined ? null : { amount: seen.value, at: new Date(seen.at).toISOString() };
}

function attachClusters(
  resources: FleetResource[],
  usage: UsageFiles,
  series: Map<string, MetricSeries>,
  readAt: number,
) {
  const read = new Date(readAt).toISOString();
  const byCluster = new Map<string, UsageLimitResource[]>();
  for (const l of usage.clusterLimits ?? []) byCluster.set(l.clusterId, [...(byCluster.get(l.clusterId) ?? []), l]);
  for (const [i, r] of resources.entries()) {
    if (r.type !== 'cluster') continue;
    const limits = (usage.clusterLimits === null ? (r.limits ?? []) : (byCluster.get(r.id) ?? [])).map((l) => {
      const s = series.get(l.id);
      return s === undefined ? l : { ...l, consumed: latest(s.points, readAt) };
    });
    // With a get-metric-data file, usage counts as read for every cluster (a limit it has no query for reads as unknown).
    const measured = usage.metrics.length > 0;
    if (usage.clusterLimits === null && r.limits === undefined && !measured) continue;
    resources[i] = { ...r, limits, ...(measured ? { usageReadAt: read } : {}) } as ClusterResource;
  }
}

function attachWorkgroups(
  resources: FleetResource[],
  usage: UsageFiles,
  series: Map<string, MetricSeries>,
  readAt: number,
  problems: string[],
) {
  const read = new Date(readAt).toISOString();
  const nameOf = new Map(
    resources.flatMap((r) => (r.type === 'workgroup' && r.arn !== null ? [[r.arn, r.id] as const] : [])),
  );
  const byWorkgroup = new Map<string, UsageLimitResource[]>();
  for (const s of usage.serverlessLimits ?? []) {
    const name = nameOf.get(s.resourceArn);
    if (name === undefined) {
      problems.push(
        `${s.where}: resourceArn ${s.resourceArn} is no workgroup of the fleet; expected the list-workgroups output of the same account and Region beside it`,
      );
      continue;
    }
    byWorkgroup.set(name, [...(byWorkgroup.get(name) ?? []), { ...s.limit, clusterId: name }]);
  }
  for (const [i, r] of resources.entries()) {
    if (r.type !== 'workgroup') continue;
    const s = series.get(r.id);
    const days = s === undefined ? null : rpuHoursByDay(s.points, readAt);
    const base = usage.serverlessLimits === null ? r.limits : (byWorkgroup.get(r.id) ?? []);
    if (base === undefined && days === null) continue;
    const limits = (base ?? []).map((l) =>
      days === null || l.feature !== 'serverless-compute'
        ? l
        : { ...l, consumed: { amount: rpuConsumed(days, l.period, readAt), at: read } },
    );
    const wg: WorkgroupResource = {
      ...r,
      ...(base === undefined ? {} : { limits }),
      ...(days === null ? {} : { usageReadAt: read, rpuHoursByDay: days }),
    };
    resources[i] = wg;
  }
}

/**
 * Gives the fleet's clusters and workgroups the limits and usage the usage files hold; every metric
 * label that names no limit nor workgroup is a problem (a wrong Label would otherwise read as "no usage").
 */
export function withUsage(
  resources: FleetResource[],
  documents: readonly { name: string; json: unknown }[],
  readAt: string,
): string[] {
  const problems: string[] = [];
  const usage = newUsageFiles();
  for (const { name, json } of documents) {
    // A recorded botocore response (`{status_code, data}`) holds the output in `data`, as parseFleet reads it.
    const doc = isObject(json) && 'status_code' in json && isObject(json.data) ? json.data : json;
    if (isObject(doc)) readUsageFile(doc, name, usage, problems);
  }
  if (usage.clusterLimits === null && usage.serverlessLimits === null && usage.metrics.length === 0) return problems;
  const at = Date.parse(readAt);
  const limitIds = new Set([
    ...(usage.clusterLimits ?? []).map((l) => l.id),
    ...resources.flatMap((r) => (r.type === 'cluster' ? (r.limits ?? []).map((l) => l.id) : [])),
  ]);
  const workgroups = new Set(resources.filter((r) => r.type === 'workgroup').map((r) => r.id));
  const series = new Map<string, MetricSeries>();
  for (const s of usage.metrics) {
    if (limitIds.has(s.label) || workgroups.has(s.label)) series.set(s.label, s);
    else
      problems.push(
        `${s.where}: Label "${s.label}" names no usage limit of the fleet's describe-usage-limits nor a workgroup of its list-workgroups; expected each query's Label to be the UsageLimitId (AWS/Redshift UsageLimitConsumed) or the workgroup name (AWS/Redshift-Serverless ComputeSeconds, Stat Sum)`,
      );
  }
  attachClusters(resources, usage, series, at);
  attachWorkgroups(resources, usage, series, at, problems);
  return problems;
}
