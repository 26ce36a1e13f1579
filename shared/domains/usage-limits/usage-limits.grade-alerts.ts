import { randomUUID } from 'node:crypto';
import { newLedgerRecord } from '../../execute/ledger-record.ts';
import type { Alert, LedgerRecord } from '../../execute/ports.ts';
import { safeSubject } from '../../execute/report.ts';
import type { CompiledPolicy, LedgerIndex, Tracker, TrackerDeps } from '../../policy/capability.ts';
import { idempotencyKey } from '../../policy/decide.ts';
import type { ClusterResource, FleetResource, TargetRef } from '../../policy/decision.ts';
import { isOptedIn } from '../../policy/targeting.ts';
import type { CompiledUsageLimits } from './usage-limits.capability.ts';
import { budgetTarget, gradeReason, MODIFY, ownView, PAUSE, planSteps, sharedView } from './usage-limits.escalate.ts';
import {
  type Escalation,
  GRADE_ALERT_ACTION,
  type Grade,
  gradeSlot,
  nextGrade,
  ownLimit,
  periodEnd,
  periodStart,
  round,
  stepSlot,
  unitOf,
  utcMinute,
} from './usage-limits.grades.ts';
import { sweepOwnership } from './usage-limits.notices.ts';
import type { DeclaredLimit } from './usage-limits.reconcile.ts';
import { workgroupGradeAlerts } from './workgroup-limits.grade-alerts.ts';

/**
 * The grades whose only step is their alert (`do: [alert]`, or steps that cannot be taken on this
 * cluster): decide() has no AWS action for them, so the sweep's tracker reports them, once per
 * (policy, cluster, feature, period start, grade), as a ledger record under the grade's key and one
 * alert. The grades with an action are reported by that action's own alert (its reason names the
 * grade), so each grade gives one alert. The tracker runs after decide() on the same read and uses the
 * same rule (nextGrade over the ledger), so the two agree on which grade is next.
 */
export interface GradeAlert {
  key: string;
  policy: string;
  target: TargetRef;
  slot: string;
  reason: string;
  alert: Alert;
}

function escalationOf(policy: CompiledPolicy): Escalation | null {
  if (policy.capability.key !== 'usageLimits' || policy.resource !== 'cluster') return null;
  return (policy.capability as CompiledUsageLimits).escalation ?? null;
}

/** The keys every grade of `d` may have written on `target` this period (to read them in one call). */
function keysOf(policy: string, target: TargetRef, esc: Escalation, d: DeclaredLimit, now: number): string[] {
  const start = periodStart(d.period, now);
  return esc.grades.flatMap((g) => {
    const slot = gradeSlot(esc.budget, d.feature, start, g.percent);
    return [
      idempotencyKey(policy, target, GRADE_ALERT_ACTION, slot),
      idempotencyKey(policy, target, MODIFY, stepSlot(slot, 'disable-feature')),
      idempotencyKey(policy, target, PAUSE, stepSlot(slot, 'pause')),
    ];
  });
}

/** One budget to grade: a cluster's own, or a shared one over its members. */
export interface Budget {
  policy: string;
  /** Where its alert-only grades are recorded: the cluster, or the shared budget's own target. */
  target: TargetRef;
  members: readonly ClusterResource[];
  esc: Escalation;
  d: DeclaredLimit;
}

/** SNS takes subjects of fewer than 100 characters; safeSubject may return exactly 100. */
function shortSubject(text: string): string {
  const subject = safeSubject(text);
  return subject.length < 100 ? subject : `${subject.slice(0, 96)}...`;
}

/** The alert-only grade due on a budget, if any: reached, not fired, and no member has a step to take. */
export function dueGradeAlert(
  b: Budget,
  ledger: Pick<LedgerIndex, 'byKey' | 'keyFor'>,
  now: number,
  region: string,
): GradeAlert | null {
  const { policy, esc, d } = b;
  const start = periodStart(d.period, now);
  const first = b.members[0];
  if (first === undefined) return null;
  const view =
    esc.budget === 'shared'
      ? sharedView(b.members, d, policy, start, { ledger })
      : ownView(first, d, policy, start, { ledger });
  if ('unknown' in view) return null;
  const used = (view.used / d.amount) * 100;
  const grade = nextGrade(esc.grades, used, view.fired);
  if (grade === null) return null;
  const notes: string[] = [];
  for (const m of b.members) {
    const limit = ownLimit(m, policy, d.key);
    if (limit === undefined) continue;
    const plan = planSteps(grade, m, d, limit.id);
    if (plan.acts.length > 0) return null;
    notes.push(...plan.notes.map((n) => (b.members.length > 1 ? `${m.id}: ${n}` : n)));
  }
  const slot = gradeSlot(esc.budget, d.feature, start, grade.percent);
  const where = esc.budget === 'shared' ? `budget ${policy}` : `${first.id} (${policy})`;
  const link =
    esc.budget === 'shared'
      ? `https://${region}.console.aws.amazon.com/redshiftv2/home?region=${region}#clusters`
      : `https://${region}.console.aws.amazon.com/redshiftv2/home?region=${region}#cluster-details?cluster=${encodeURIComponent(first.id)}`;
  return gradeAlertOf({ policy, target: b.target, slot, grade, esc, d, start, used: view.used }, view.whose, {
    notes,
    where,
    link,
  });
}

/** One alert-only grade's record and alert (clusters, shared budgets and workgroups word it alike). */
export function gradeAlertOf(
  g: {
    policy: string;
    target: TargetRef;
    slot: string;
    grade: Grade;
    esc: Escalation;
    d: DeclaredLimit;
    start: number;
    used: number;
  },
  whose: string,
  at: { notes: readonly string[]; where: string; link: string },
): GradeAlert {
  const { policy, grade, d, start, slot } = g;
  const { notes } = at;
  const used = (g.used / d.amount) * 100;
  const text = { policy, d, start, used: g.used, amount: d.amount, whose };
  const reason = gradeReason(grade, text, ['alert only, nothing changed', ...notes].join('; '), false);
  const key = idempotencyKey(policy, g.target, GRADE_ALERT_ACTION, slot);
  const above = g.esc.grades.find((x) => x.percent > grade.percent);
  const next =
    above === undefined
      ? `this is the last grade; the grades start again at ${utcMinute(periodEnd(d.period, start))}`
      : `the next grade is ${above.percent}% (${above.steps.map((x) => stepName(x, above)).join(', ')}) at ${round((d.amount * above.percent) / 100)} ${unitOf(d.feature)}`;
  const alert: Alert = {
    subject: shortSubject(
      `[autopilot] usage grade ${grade.percent}%: ${d.feature} ${d.period} ${round(used)}% on ${at.where}`,
    ),
    body: [
      `What:    ${reason}`,
      `Done:    this alert; ${notes.length === 0 ? 'the grade has no other step' : notes.join('; ')}`,
      `Next:    nothing to do if the use is expected; ${next}. To find what used it, see ${(d.feature as string) === 'serverless-compute' ? 'SYS_SERVERLESS_USAGE' : 'STL_USAGE_CONTROL'} and the query history.`,
      `Console: ${at.link}`,
      `Key:     ${key}`,
    ].join('\n'),
    attributes: {
      severity: grade.percent >= 100 ? 'WARNING' : 'INFO',
      policy,
      resource: `${g.target.type}/${g.target.id}`,
      action: GRADE_ALERT_ACTION,
      outcome: 'succeeded',
    },
  };
  return { key, policy, target: g.target, slot, reason, alert };
}

/** A grade step as the alert names it (`capMaxCapacity 64 RPU`). */
function stepName(step: Grade['steps'][number], grade: Grade): string {
  return step === 'capMaxCapacity' && grade.cap !== undefined ? `capMaxCapacity ${grade.cap} RPU` : step;
}

/** The budgets a policy grades on this read: one per selected cluster and feature, or one shared per feature. */
function budgetsOf(policy: CompiledPolicy, esc: Escalation, fleet: readonly FleetResource[]): Budget[] {
  const members = selected(policy, fleet);
  return esc.limits.flatMap((d): Budget[] => {
    if (esc.budget !== 'shared') {
      return members.map((m) => ({ policy: policy.name, target: { type: 'cluster', id: m.id }, members: [m], esc, d }));
    }
    return members.length === 0
      ? []
      : [{ policy: policy.name, target: budgetTarget(policy.name, d.feature), members, esc, d }];
  });
}

function selected(policy: CompiledPolicy, fleet: readonly FleetResource[]): ClusterResource[] {
  return fleet.filter(
    (r): r is ClusterResource => r.type === 'cluster' && policy.selector.matches(r) && isOptedIn(r, policy.optInTag),
  );
}

/** Claims the grade's record; alerts only when this sweep claimed it (a grade alerts once). */
async function send(g: GradeAlert, deps: TrackerDeps, now: Date): Promise<boolean> {
  const at = now.toISOString();
  const record: LedgerRecord = newLedgerRecord(
    {
      idempotencyKey: g.key,
      policy: g.policy,
      action: GRADE_ALERT_ACTION,
      target: g.target,
      mode: 'act',
      params: { slot: g.slot },
      reason: g.reason,
      decisionAt: at,
      claimToken: `${GRADE_ALERT_ACTION}:${randomUUID()}`,
      leaseUntil: at,
    },
    now,
  );
  const claim = await deps.ledger.claim(record, now);
  if (claim.kind !== 'claimed') return false;
  await deps.notifier.alert(g.alert);
  return deps.ledger.save({
    ...claim.record,
    status: 'succeeded',
    attempts: claim.record.attempts + 1,
    outcomeReason: 'grade alert sent',
    updatedAt: at,
    completedAt: at,
  });
}

/** Every alert-only grade due on the fleet's clusters (own and shared budgets), with one batched ledger read. */
async function clusterGradeAlerts(
  deps: TrackerDeps,
  fleet: readonly FleetResource[],
  now: Date,
): Promise<GradeAlert[]> {
  const budgets = deps.policies.flatMap((p) => {
    const esc = escalationOf(p);
    return esc === null ? [] : budgetsOf(p, esc, fleet);
  });
  if (budgets.length === 0) return [];
  // One ledger read for every budget's grade records (the ledger batches it by 100).
  const keys = budgets.flatMap((b) =>
    [b.target, ...b.members.map((m) => ({ type: 'cluster' as const, id: m.id }))].flatMap((t) =>
      keysOf(b.policy, t, b.esc, b.d, now.getTime()),
    ),
  );
  const held = new Map((await deps.ledger.getMany([...new Set(keys)])).map((r) => [r.idempotencyKey, r]));
  const ledger = {
    byKey: (k: string) => {
      const r = held.get(k);
      return r === undefined ? undefined : { ...r, at: r.decisionAt };
    },
    keyFor: idempotencyKey,
  };
  return budgets.flatMap((b) => dueGradeAlert(b, ledger, now.getTime(), deps.region) ?? []);
}

export function gradeAlertTracker(deps: TrackerDeps): Tracker {
  return {
    onEvent: async () => null,
    async sweep(fleet) {
      const now = deps.clock.now();
      const counts = { alerted: 0, orphans: 0, people: 0 };
      const failures: Record<string, number> = {};
      try {
        Object.assign(counts, await sweepOwnership(deps, fleet, now));
      } catch (error) {
        failures['usage limit ownership'] = 1;
        deps.logger.error('usage limit ownership not swept', { error: String(error) });
      }
      // Usage is read every third sweep: the others have nothing to grade.
      if (!fleet.some((r) => (r.type === 'cluster' || r.type === 'workgroup') && r.usageReadAt !== undefined))
        return { counts, failures };
      const due = [
        ...(await clusterGradeAlerts(deps, fleet, now)),
        ...(await workgroupGradeAlerts(deps, fleet, now.getTime())),
      ];
      for (const g of due) {
        try {
          if (await send(g, deps, now)) counts.alerted++;
        } catch (error) {
          failures['usage grade alert'] = (failures['usage grade alert'] ?? 0) + 1;
          deps.logger.error('usage grade alert not sent', { key: g.key, error: String(error) });
        }
      }
      return { counts, failures };
    },
  };
}
