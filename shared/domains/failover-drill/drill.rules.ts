import type { ClusterResource, FleetResource } from '../../policy/decision.ts';

/**
 * The Multi-AZ and failover facts (facts.md §6, copied here: the project never reads it at run time) as
 * pure rules on a cluster as decide() sees it in the fleet and as the executor re-reads it. decide()
 * turns a refusal into a skip (and the drill's one "not run" notice), the executor's guardrail into a
 * refusal: one copy of each rule.
 *
 * Eligible for Multi-AZ (guide L4531–4563, L4610): RA3 only; encrypted; at least 2 nodes per AZ; a
 * subnet group over 3 AZs (L4557, L4629); a port in 5431–5455 or 8191–8215; no Elastic IP.
 */
export const PORT_RANGES: readonly (readonly [number, number])[] = [
  [5431, 5455],
  [8191, 8215],
];

/** Node types that can be Multi-AZ: RA3 only (DC2 and DS2 never). */
export const isRa3 = (nodeType: string): boolean => nodeType.startsWith('ra3.');

/** Why the cluster cannot be Multi-AZ at all, from what any describe-clusters read carries; null: it can. */
export function cannotBeMultiAz(cluster: ClusterResource): string | null {
  if (!isRa3(cluster.nodeType)) return `node type ${cluster.nodeType}: Multi-AZ is RA3 only (guide L4531)`;
  if (cluster.numberOfNodes < 2) {
    return `${cluster.numberOfNodes} node: Multi-AZ needs at least 2 nodes per AZ (guide L4531–4563)`;
  }
  if (cluster.encrypted !== true) return 'not encrypted: Multi-AZ needs an encrypted cluster (guide L4531–4563)';
  const port = cluster.port;
  if (port !== undefined && !PORT_RANGES.some(([lo, hi]) => port >= lo && port <= hi)) {
    return `port ${port}: Multi-AZ needs a port in 5431–5455 or 8191–8215 (guide L4531–4563)`;
  }
  if (cluster.elasticIp !== undefined) {
    return `Elastic IP ${cluster.elasticIp}: a cluster with an Elastic IP cannot be Multi-AZ (guide L4531–4563)`;
  }
  if (cluster.subnetGroupZones !== undefined && cluster.subnetGroupZones.length < 3) {
    const zones = cluster.subnetGroupZones.join(', ') || 'none';
    return `subnet group ${cluster.subnetGroupName ?? '?'} covers ${cluster.subnetGroupZones.length} AZ (${zones}): failover needs 3, a new secondary is made in a third AZ (guide L4557, L4629)`;
  }
  return null;
}

/** The pre-check `multiAzEligible`: Multi-AZ on, and eligible; null when the drill can fail it over. */
export function multiAzRefusal(resource: FleetResource): string | null {
  if (resource.type !== 'cluster') return `target is a ${resource.type}; a failover drill needs a provisioned cluster`;
  const cannot = cannotBeMultiAz(resource);
  if (cannot !== null) return `not eligible for Multi-AZ: ${cannot}`;
  if (!resource.multiAz) return 'single-AZ cluster (MultiAZ Disabled): nothing to fail over; enable Multi-AZ first';
  if (resource.secondaryAvailabilityZone === undefined) return null;
  if (resource.secondaryAvailabilityZone === null) {
    return 'Multi-AZ with no secondary compute now (a recovery or maintenance is making it): failing over would leave no AZ to serve';
  }
  return null;
}

/** The pre-check `clusterAvailable`: the cluster serves now, with no operation under way. */
export function availableRefusal(resource: FleetResource): string | null {
  if (resource.type !== 'cluster') return null;
  if (resource.status !== 'available') return `status ${resource.status}: a drill starts only on an available cluster`;
  const availability = resource.availabilityStatus;
  if (availability !== null && availability !== 'Available') {
    return `availability ${availability}: a drill starts only on an available cluster`;
  }
  return null;
}

const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const WEEK_MS = 7 * 86_400_000;
const WINDOW = /^(sun|mon|tue|wed|thu|fri|sat):(\d{2}):(\d{2})-(sun|mon|tue|wed|thu|fri|sat):(\d{2}):(\d{2})$/i;

/** Minutes into the UTC week (Sunday 00:00 = 0) of `ddd:hh24:mi`. */
const weekMinute = (day: string, hh: string, mi: string) =>
  DAYS.indexOf(day.toLowerCase()) * 1440 + Number(hh) * 60 + Number(mi);

/**
 * `PreferredMaintenanceWindow` (`ddd:hh24:mi-ddd:hh24:mi`, UTC, weekly; it may wrap past Saturday) as
 * the instants of the weeks around `[from, to]` that it covers; null when the text is not that form.
 */
export function maintenanceIntervals(text: string, from: number, to: number): [number, number][] | null {
  const m = WINDOW.exec(text.trim());
  if (m === null) return null;
  const start = weekMinute(m[1] as string, m[2] as string, m[3] as string);
  let end = weekMinute(m[4] as string, m[5] as string, m[6] as string);
  if (end <= start) end += 7 * 1440;
  // The Sunday 00:00 UTC at or before `from`, one week earlier so a wrapping window is seen too.
  const d = new Date(from);
  const sunday = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) - d.getUTCDay() * 86_400_000;
  const out: [number, number][] = [];
  for (let week = sunday - WEEK_MS; week <= to; week += WEEK_MS) {
    out.push([week + start * 60_000, week + end * 60_000]);
  }
  return out;
}

/**
 * The pre-check `outsideMaintenanceWindow`: the drill, from `from` for up to its recovery bound, must not
 * meet the cluster's weekly maintenance window (AWS may patch or restart it then, and a recovery in
 * that window would measure the maintenance, not the failover). Null when it does not, or when the
 * window was not read.
 */
export function maintenanceRefusal(resource: FleetResource, from: number, durationMs: number): string | null {
  if (resource.type !== 'cluster' || resource.maintenanceWindow === undefined) return null;
  const to = from + durationMs;
  const intervals = maintenanceIntervals(resource.maintenanceWindow, from, to);
  if (intervals === null) return null;
  const meets = intervals.find(([a, b]) => a < to && b > from);
  if (meets === undefined) return null;
  return `the drill (${Math.round(durationMs / 60_000)} min from ${new Date(from).toISOString().slice(0, 16)}Z) meets the maintenance window ${resource.maintenanceWindow} UTC (${new Date(meets[0]).toISOString().slice(0, 16)}Z–${new Date(meets[1]).toISOString().slice(11, 16)}Z)`;
}
