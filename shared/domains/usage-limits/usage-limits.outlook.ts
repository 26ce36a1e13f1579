import type { CompiledPolicy, UsageBudget } from '../../policy/capability.ts';
import type { ClusterResource, FleetSnapshot, UsageLimitResource, WorkgroupResource } from '../../policy/decision.ts';
import { isOptedIn } from '../../policy/targeting.ts';
import { LIMIT_TAGS, ownership } from './usage-limit-tags.ts';
import { planSteps } from './usage-limits.escalate.ts';
import {
  type Escalation,
  type Grade,
  periodEnd,
  periodStart,
  round,
  unitOf,
  utcMinute,
} from './usage-limits.grades.ts';
import type { DeclaredLimit } from './usage-limits.reconcile.ts';
import { stepsOf } from './workgroup-limits.escalate.ts';

/**
 * What `plan` prints under a usage-limits policy beyond its decisions (issue 14): per selected resource
 * (or per shared budget) and escalated feature, what was used this period against the declared amount,
 * and every grade the current usage reaches — in order, each with the steps it would take and why a
 * step would not be taken — then the next grade and the amount it needs. The usage is what the fleet
 * files say (describe-usage-limits / list-usage-limits with get-metric-data); plan's decision table
 * shows only the steps with an AWS action, and only after the alert-only grades below them have fired
 * in the deployed sweep, so this list is where a planner reads the whole escalation.
 */
type Resource = ClusterResource | WorkgroupResource;

/** What `r` used of `d`'s feature this period, or why it is not known. */
export function usedOf(r: Resource, d: DeclaredLimit, policy: string, at: number): number | string {
  const start = periodStart(d.period, at);
  if (r.type === 'workgroup' && r.rpuHoursByDay !== undefined && (d.feature as string) === 'serverless-compute') {
    return Object.entries(r.rpuHoursByDay).reduce(
      (sum, [day, h]) => (Date.parse(`${day}T00:00:00Z`) >= start ? sum + h : sum),
      0,
    );
  }
  if (r.usageReadAt === undefined) return 'usage not read (no get-metric-data file for it)';
  const same = (r.limits ?? []).filter((l) => l.feature === d.feature && l.period === d.period);
  // The limit this policy owns (tags on clusters) counts from its creation; another of the same period counts the same use.
  const own = same.find((l) => ownership(l, policy) === 'this-policy' && l.tags[LIMIT_TAGS.limit] === d.key);
  const limit = [own, ...same].find((l) => l?.consumed !== undefined);
  if (limit?.consumed === undefined) return `no ${d.period} ${d.feature} limit with a measured consumption on it yet`;
  const c = limit.consumed;
  return c === null || Date.parse(c.at) < start ? 0 : c.amount;
}

/** The escalated limit on the resource a step acts on: this policy's (tags), else the first of the feature. */
function limitFor(r: Resource, d: DeclaredLimit, policy: string): UsageLimitResource | undefined {
  const same = (r.limits ?? []).filter((l) => l.feature === d.feature);
  return same.find((l) => ownership(l, policy) === 'this-policy' && l.tags[LIMIT_TAGS.limit] === d.key) ?? same[0];
}

/** A grade's steps as plan says them: `alert, disable-feature (ModifyUsageLimit lim-1 emit-metric → disable)`. */
function stepsText(grade: Grade, members: readonly Resource[], d: DeclaredLimit, policy: string): string {
  const parts: string[] = grade.steps.includes('alert') ? ['alert'] : [];
  for (const m of members) {
    const limit = limitFor(m, d, policy);
    const who = members.length > 1 ? `${m.id}: ` : '';
    if (m.type === 'cluster') {
      const plan = planSteps(grade, m, d, limit?.id ?? `${d.key} (once created)`);
      for (const a of plan.acts) {
        const what =
          a.step === 'pause'
            ? `${a.action} ${m.id}`
            : `${a.action} ${limit?.id ?? d.key} ${limit?.breachAction ?? d.breachAction} → disable`;
        parts.push(`${who}${a.step} (${what})`);
      }
      parts.push(...plan.notes.map((n) => `${who}${n}`));
    } else {
      const plan = stepsOf(grade, m, limit?.id ?? `${d.key} (once created)`, d, limit?.breachAction ?? d.breachAction);
      parts.push(
        ...plan.acts.map((a) => `${who}${a.step} (${a.action}: ${a.what})`),
        ...plan.notes.map((n) => `${who}${n}`),
      );
    }
  }
  return parts.join(', ');
}

function budgetLine(
  esc: Escalation,
  members: readonly Resource[],
  d: DeclaredLimit,
  policy: string,
  at: number,
): string[] {
  const unit = unitOf(d.feature);
  const usedEach = members.map((m) => ({ m, used: usedOf(m, d, policy, at) }));
  const unknown = usedEach.filter((u) => typeof u.used === 'string');
  const name =
    esc.budget === 'shared' ? `shared budget (${members.map((m) => m.id).join(', ')})` : (members[0]?.id ?? '');
  if (unknown.length === usedEach.length) {
    return [`    ${name}  ${d.feature}: ${(unknown[0]?.used as string) ?? 'no usage'}; no grade can be judged`];
  }
  const used = usedEach.reduce((sum, u) => sum + (typeof u.used === 'number' ? u.used : 0), 0);
  const percent = (used / d.amount) * 100;
  const reached = esc.grades.filter((g) => percent >= g.percent);
  const next = esc.grades.find((g) => percent < g.percent);
  const parts =
    esc.budget === 'shared'
      ? ` = ${usedEach.map((u) => `${u.m.id} ${typeof u.used === 'number' ? round(u.used) : `? (${u.used})`}`).join(' + ')}`
      : '';
  const lines = [`    ${name}  ${d.feature} ${round(used)} of ${d.amount} ${unit} (${round(percent)}%)${parts}`];
  for (const g of reached)
    lines.push(`      would fire ${g.percent}%: ${stepsText(g, members, d, policy) || 'nothing to do'}`);
  lines.push(
    next === undefined
      ? `      every grade reached; they start again at ${utcMinute(periodEnd(d.period, periodStart(d.period, at)))}`
      : `      next ${next.percent}% at ${round((d.amount * next.percent) / 100)} ${unit} (${round((d.amount * next.percent) / 100 - used)} ${unit} more)`,
  );
  return lines;
}

export function usageOutlook(self: CompiledPolicy, fleet: FleetSnapshot, at: number, esc: Escalation | null): string[] {
  if (esc === null || esc.limits.length === 0) return [];
  const members = fleet.resources.filter(
    (r): r is Resource =>
      r.type === self.resource &&
      (r.type === 'cluster' || r.type === 'workgroup') &&
      self.selector.matches(r) &&
      isOptedIn(r, self.optInTag),
  );
  if (members.length === 0) return [];
  const lines: string[] = [];
  for (const d of esc.limits) {
    lines.push(
      `  usage at ${utcMinute(at)} against ${d.key} (${d.amount} ${unitOf(d.feature)} ${d.period}, period from ${utcMinute(periodStart(d.period, at))}):`,
    );
    if (esc.budget === 'shared') lines.push(...budgetLine(esc, members, d, self.name, at));
    else for (const m of members) lines.push(...budgetLine(esc, [m], d, self.name, at));
  }
  return lines;
}

/** The budgets the HTML report draws for a resource the policy selects: each escalated limit, its grades. */
export function usageBudgets(policy: string, esc: Escalation | null): UsageBudget[] {
  return (esc?.limits ?? []).map((d) => ({
    policy,
    feature: d.feature,
    unit: unitOf(d.feature),
    amount: d.amount,
    period: d.period,
    grades:
      esc?.grades.map((g) => ({
        percent: g.percent,
        does: g.steps
          .map((s) => (s === 'capMaxCapacity' && g.cap !== undefined ? `capMaxCapacity ${g.cap}` : s))
          .join(', '),
      })) ?? [],
    shared: esc?.budget === 'shared',
  }));
}
