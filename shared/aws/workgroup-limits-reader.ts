import { usageReadDue } from '../app/aws-fleet-reader.ts';
import type { FleetRead, FleetReader } from '../app/deps.ts';
import { periodStart } from '../domains/usage-limits/usage-limits.grades.ts';
import { TransientAwsError } from '../errors.ts';
import { classifyAwsError } from '../execute/classify-error.ts';
import type { FleetResource, UnreadPart, WorkgroupResource } from '../policy/decision.ts';
import type { DailyRpuHours, ServerlessUsageReader } from './cloudwatch-usage.ts';
import type { RedshiftServerlessAdapter } from './redshift-serverless.adapter.ts';

/**
 * The Serverless half of the usage-limit read, around the fleet reader: when a packaged policy keeps
 * usage limits, the sweep's workgroups carry their limits (one account-wide ListUsageLimits listing,
 * never a call per workgroup) and, every 15 minutes when a policy escalates, what the
 * `serverless-compute` limits consumed this period (RPU-hours from ComputeSeconds, one GetMetricData
 * query per workgroup). Each read is isolated: its failure is one unread part, classified, and the
 * workgroups stay without limits (decide() skips them as "not read") or without usage (no grade).
 */
export const WORKGROUP_LIMITS_PART = {
  reader: 'Serverless usage limits',
  operations: ['redshift-serverless:ListUsageLimits'],
  types: [],
  impact:
    'usage-limit policies of workgroups decide nothing this sweep (no limit is created, updated or deleted); everything else is decided as usual',
} as const satisfies Omit<UnreadPart, 'reason' | 'transient'>;

export const WORKGROUP_USAGE_PART = {
  reader: 'Serverless usage (RPU-hours)',
  operations: ['cloudwatch:GetMetricData'],
  types: [],
  impact:
    'usage-limit escalation of workgroups decides no grade this sweep (no cap, no deactivate); limits are kept in place',
} as const satisfies Omit<UnreadPart, 'reason' | 'transient'>;

const unreadOf = (part: Omit<UnreadPart, 'reason' | 'transient'>, error: unknown): UnreadPart => {
  const classified = classifyAwsError(error, part.operations.join(' / '));
  return { ...part, reason: classified.message, transient: classified instanceof TransientAwsError };
};

/** The `serverless-compute` limits' consumption this period, from the workgroups' daily RPU-hours. */
export function withRpuHours(
  wg: WorkgroupResource,
  days: Map<number, number> | undefined,
  now: Date,
): WorkgroupResource {
  const at = now.toISOString();
  const limits = (wg.limits ?? []).map((l) => {
    if (l.feature !== 'serverless-compute' || days === undefined) return l;
    const start = periodStart(l.period, now.getTime());
    let amount = 0;
    for (const [day, hours] of days) if (day >= start) amount += hours;
    return { ...l, consumed: { amount, at } };
  });
  return { ...wg, limits, usageReadAt: at };
}

export function withWorkgroupLimits(
  inner: FleetReader,
  serverless: RedshiftServerlessAdapter,
  options: { usage: ServerlessUsageReader | null; now: () => number },
): FleetReader {
  async function attach(
    workgroups: WorkgroupResource[],
    unread: UnreadPart[],
    sweep: boolean,
  ): Promise<WorkgroupResource[]> {
    let limited: WorkgroupResource[];
    try {
      limited = await serverless.withUsageLimits(workgroups);
    } catch (error) {
      unread.push(unreadOf(WORKGROUP_LIMITS_PART, error));
      return workgroups;
    }
    const nowMs = options.now();
    const reader = options.usage;
    const asked = limited.filter((w) => (w.limits ?? []).some((l) => l.feature === 'serverless-compute'));
    if (!sweep || reader === null || asked.length === 0 || !usageReadDue(nowMs)) return limited;
    const now = new Date(nowMs);
    const since = Math.min(...asked.flatMap((w) => (w.limits ?? []).map((l) => periodStart(l.period, nowMs))));
    let days: DailyRpuHours;
    try {
      days = await reader.readRpuHours(
        asked.map((w) => w.id),
        new Date(since),
        now,
      );
    } catch (error) {
      unread.push(unreadOf(WORKGROUP_USAGE_PART, error));
      return limited;
    }
    return limited.map((w) => (days.has(w.id) ? withRpuHours(w, days.get(w.id), now) : w));
  }
  return {
    async readAll(): Promise<FleetRead> {
      const read = await inner.readAll();
      const workgroups = read.resources.filter((r): r is WorkgroupResource => r.type === 'workgroup');
      if (workgroups.length === 0) return read;
      const unread = [...read.unread];
      const attached = new Map((await attach(workgroups, unread, true)).map((w) => [w.id, w]));
      const resources: FleetResource[] = read.resources.map((r) =>
        r.type === 'workgroup' ? (attached.get(r.id) ?? r) : r,
      );
      return { resources, unread };
    },
    async readFor(event) {
      const resources = await inner.readFor(event);
      const workgroups = resources.filter((r): r is WorkgroupResource => r.type === 'workgroup');
      if (workgroups.length === 0) return resources;
      const attached = new Map((await attach(workgroups, [], false)).map((w) => [w.id, w]));
      return resources.map((r) => (r.type === 'workgroup' ? (attached.get(r.id) ?? r) : r));
    },
  };
}
