import type { ClusterResource, UsageLimitResource } from '../../policy/decision.ts';
import { LIMIT_TAGS, ownership } from './usage-limit-tags.ts';
import type { DeclaredLimit } from './usage-limits.reconcile.ts';
import { CLUSTER_FEATURES, percentOf, type UsageLimitsBlock, WORKGROUP_FEATURES } from './usage-limits.schema.ts';

/**
 * Escalation's pure parts, shared by decide() (the grades' actions), the grade-alert tracker and the
 * executor's parameter check: the grades, the UTC periods (weekly from Sunday: API reference
 * UsageLimit), what a feature's escalated limit consumed this period, and which grade is next.
 *
 * A feature is escalated on its first declared limit (`<feature>#1`): its amount and period are the
 * budget, and `disable-feature` switches that limit (the one autopilot owns) to breach action disable.
 * Grades fire once per period and resource (or shared budget), in order: only the lowest grade
 * reached and not yet fired is decided on a read, so a jump from 0 to 160 % takes three reads.
 */
export type GradeStep = 'alert' | 'disable-feature' | 'pause' | 'deactivate' | 'capMaxCapacity';

export interface Grade {
  percent: number;
  steps: readonly GradeStep[];
  /** A workgroup grade's `{ capMaxCapacity: n }`: the max capacity (RPU) it lowers the workgroup to. */
  cap?: number;
}

export interface Escalation {
  grades: readonly Grade[];
  budget: 'per-resource' | 'shared';
  /** The escalated limit of each declared feature (`<feature>#1`). */
  limits: readonly DeclaredLimit[];
}

/** Not an AWS action: the ledger record of a grade whose only step is its alert (the tracker's). */
export const GRADE_ALERT_ACTION = 'UsageGradeAlert';

export function compileEscalation(block: UsageLimitsBlock, declared: readonly DeclaredLimit[]): Escalation | null {
  if (block.escalate === undefined) return null;
  const grades = block.escalate.map((g): Grade => {
    const cap = g.do.find((s): s is { capMaxCapacity: number } => typeof s === 'object')?.capMaxCapacity;
    return {
      percent: percentOf(String(g.at)) ?? 0,
      steps: g.do.map((s): GradeStep => (typeof s === 'string' ? s : 'capMaxCapacity')),
      ...(cap === undefined ? {} : { cap: Number(cap) }),
    };
  });
  return { grades, budget: block.budget ?? 'per-resource', limits: declared.filter((d) => d.key.endsWith('#1')) };
}

const DAY_MS = 86_400_000;

/** Start of the UTC period containing `ms`. */
export function periodStart(period: string, ms: number): number {
  const d = new Date(ms);
  const day = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  if (period === 'daily') return day;
  if (period === 'weekly') return day - d.getUTCDay() * DAY_MS;
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}

/** Start of the period after the one starting at `start`. */
export function periodEnd(period: string, start: number): number {
  if (period === 'daily') return start + DAY_MS;
  if (period === 'weekly') return start + 7 * DAY_MS;
  const d = new Date(start);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
}

export const utcMinute = (ms: number): string => `${new Date(ms).toISOString().slice(0, 16)}Z`;

/** The slot of a grade: feature, period start, percent (per resource, or the policy's shared budget). */
export function gradeSlot(budget: Escalation['budget'], feature: string, start: number, percent: number): string {
  return `${budget === 'shared' ? 'budget' : 'usage'}:${feature}@${new Date(start).toISOString()}#${percent}%`;
}

/** The slot of one step of a grade on one cluster. */
export const stepSlot = (slot: string, step: GradeStep | 'resume' | 'restore'): string => `${slot}/${step}`;

export function unitOf(feature: string): string {
  const units = { ...WORKGROUP_FEATURES, ...CLUSTER_FEATURES } as Record<string, { unit: string }>;
  return units[feature]?.unit ?? '';
}

/** The cluster's limit this policy made for `key`, if any. */
export function ownLimit(cluster: ClusterResource, policy: string, key: string): UsageLimitResource | undefined {
  return cluster.limits?.find((l) => ownership(l, policy) === 'this-policy' && l.tags[LIMIT_TAGS.limit] === key);
}

export type Consumption = { amount: number; limit: UsageLimitResource } | { unknown: string };

/**
 * What the cluster's escalated limit for `d` consumed in the period starting at `start`: the sweep's
 * read, 0 for a datapoint of an earlier period or none at all; unknown (with why) when usage was not read
 * or the limit does not exist yet.
 */
export function consumption(cluster: ClusterResource, d: DeclaredLimit, policy: string, start: number): Consumption {
  if (cluster.usageReadAt === undefined) {
    return { unknown: 'usage not read: this sweep read no usage (every 15 minutes, or the read failed)' };
  }
  const limit = ownLimit(cluster, policy, d.key);
  if (limit === undefined) return { unknown: `usage not read: ${d.key} does not exist on ${cluster.id} yet` };
  if (limit.consumed === undefined) return { unknown: `usage not read: no consumption was read for ${limit.id}` };
  const c = limit.consumed;
  return { amount: c === null || Date.parse(c.at) < start ? 0 : c.amount, limit };
}

/**
 * The grade to fire now: the lowest grade reached (`used` percent of the amount) that has not fired this
 * period, provided every grade below it has. Null: none to fire.
 */
export function nextGrade(grades: readonly Grade[], used: number, fired: (g: Grade) => boolean): Grade | null {
  for (const g of grades) {
    if (used < g.percent) return null;
    if (!fired(g)) return g;
  }
  return null;
}

export const round = (n: number): string => String(Math.round(n * 100) / 100);
