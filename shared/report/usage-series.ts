import type { FleetResource } from '../policy/decision.ts';

/**
 * What the usage limits consumed over a simulated period, as the sweeps read it: every sweep whose read
 * carried usage (every 15 minutes, when a policy escalates) gives one sample per limit with a measured
 * consumption — the same numbers decide() graded on, so the report's chart shows what the grades saw.
 * Generic over the fleet's shape (limits with `consumed`): it names no capability.
 */
export interface UsageSample {
  /** `cluster/analytics-1`, `workgroup/etl-dev`: the report's resource name. */
  resource: string;
  limitId: string;
  feature: string;
  period: string;
  amount: number;
  breachAction: string;
  /** When the sweep read it (ISO). */
  at: string;
  /** What the limit counted in its current period at `at` (0 when the latest datapoint was of an earlier period or none). */
  consumed: number;
}

const DAY_MS = 86_400_000;

/** Start of the UTC period (daily, weekly from Sunday, monthly) containing `ms`. */
export function usagePeriodStart(period: string, ms: number): number {
  const d = new Date(ms);
  const day = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  if (period === 'daily') return day;
  if (period === 'weekly') return day - d.getUTCDay() * DAY_MS;
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}

export class UsageRecorder {
  readonly samples: UsageSample[] = [];

  /** One sweep's read: a sample per limit whose consumption it read. */
  observe(resources: readonly FleetResource[]): void {
    for (const r of resources) {
      if ((r.type !== 'cluster' && r.type !== 'workgroup') || r.usageReadAt === undefined) continue;
      const at = Date.parse(r.usageReadAt);
      for (const l of r.limits ?? []) {
        if (l.consumed === undefined) continue;
        const c = l.consumed;
        const current = c !== null && Date.parse(c.at) >= usagePeriodStart(l.period, at);
        this.samples.push({
          resource: `${r.type}/${r.id}`,
          limitId: l.id,
          feature: l.feature,
          period: l.period,
          amount: l.amount,
          breachAction: l.breachAction,
          at: r.usageReadAt,
          consumed: current ? c.amount : 0,
        });
      }
    }
  }
}
