import { randomUUID } from 'node:crypto';
import { newLedgerRecord } from '../../execute/ledger-record.ts';
import type { Alert, LedgerRecord } from '../../execute/ports.ts';
import { safeSubject } from '../../execute/report.ts';
import type { CompiledPolicy, LedgerIndex, Tracker, TrackerDeps } from '../../policy/capability.ts';
import { idempotencyKey } from '../../policy/decide.ts';
import type { ClusterResource, FleetResource, TargetRef } from '../../policy/decision.ts';
import { isOptedIn } from '../../policy/targeting.ts';
import type { CompiledUsageLimits } from './usage-limits.capability.ts';
import { gradeFired, gradeReason, MODIFY, PAUSE, planSteps } from './usage-limits.escalate.ts';
import {
  consumption,
  type Escalation,
  GRADE_ALERT_ACTION,
  type Grade,
  gradeSlot,
  nextGrade,
  periodEnd,
  periodStart,
  round,
  stepSlot,
  utcMinute,
} from './usage-limits.grades.ts';
import type { DeclaredLimit } from './usage-limits.reconcile.ts';

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

/** The keys every grade of `d` may have written on `cluster` this period (to read them in one call). */
function keysOf(policy: string, cluster: ClusterResource, esc: Escalation, d: DeclaredLimit, now: number): string[] {
  const target: TargetRef = { type: 'cluster', id: cluster.id };
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

/** The alert-only grade due on one cluster for one feature, if any. */
export function dueGradeAlert(
  policy: string,
  cluster: ClusterResource,
  esc: Escalation,
  d: DeclaredLimit,
  ledger: Pick<LedgerIndex, 'byKey' | 'keyFor'>,
  now: number,
  region: string,
): GradeAlert | null {
  const target: TargetRef = { type: 'cluster', id: cluster.id };
  const start = periodStart(d.period, now);
  const c = consumption(cluster, d, policy, start);
  if ('unknown' in c) return null;
  const slot = (g: Grade) => gradeSlot(esc.budget, d.feature, start, g.percent);
  const used = (c.amount / d.amount) * 100;
  const grade = nextGrade(esc.grades, used, (g) => gradeFired({ ledger }, policy, target, slot(g)));
  if (grade === null) return null;
  const plan = planSteps(grade, cluster, d, c.limit.id);
  if (plan.acts.length > 0) return null;
  const text = { policy, d, start, used: c.amount, amount: d.amount, whose: `cluster ${cluster.id}` };
  const reason = gradeReason(grade, text, ['alert only, nothing changed', ...plan.notes].join('; '));
  const key = idempotencyKey(policy, target, GRADE_ALERT_ACTION, slot(grade));
  const above = esc.grades.find((g) => g.percent > grade.percent);
  const next =
    above === undefined
      ? `this is the last grade; the grades start again at ${utcMinute(periodEnd(d.period, start))}`
      : `the next grade is ${above.percent}% (${above.steps.join(', ')}) at ${round((d.amount * above.percent) / 100)}`;
  const alert: Alert = {
    subject: safeSubject(
      `[autopilot] usage ${round(used)}% of ${d.feature} ${d.period} on ${cluster.id}: grade ${grade.percent}% (${policy})`,
    ),
    body: [
      `What:    ${reason}`,
      `Done:    this alert; ${plan.notes.length === 0 ? 'the grade has no other step' : plan.notes.join('; ')}`,
      `Next:    nothing to do if the use is expected; ${next}. To find what used it, see STL_USAGE_CONTROL and the cluster's query history.`,
      `Console: https://${region}.console.aws.amazon.com/redshiftv2/home?region=${region}#cluster-details?cluster=${encodeURIComponent(cluster.id)}`,
      `Key:     ${key}`,
    ].join('\n'),
    attributes: {
      severity: grade.percent >= 100 ? 'WARNING' : 'INFO',
      policy,
      resource: `cluster/${cluster.id}`,
      action: GRADE_ALERT_ACTION,
      outcome: 'succeeded',
    },
  };
  return { key, policy, target, slot: slot(grade), reason, alert };
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

export function gradeAlertTracker(deps: TrackerDeps): Tracker {
  return {
    onEvent: async () => null,
    async sweep(fleet) {
      const now = deps.clock.now();
      const counts = { alerted: 0 };
      const failures: Record<string, number> = {};
      for (const policy of deps.policies) {
        const esc = escalationOf(policy);
        if (esc === null) continue;
        for (const cluster of selected(policy, fleet)) {
          for (const d of esc.limits) {
            const keys = keysOf(policy.name, cluster, esc, d, now.getTime());
            const held = new Map((await deps.ledger.getMany(keys)).map((r) => [r.idempotencyKey, r]));
            const ledger = {
              byKey: (k: string) => {
                const r = held.get(k);
                return r === undefined ? undefined : { ...r, at: r.decisionAt };
              },
              keyFor: idempotencyKey,
            };
            const due = dueGradeAlert(policy.name, cluster, esc, d, ledger, now.getTime(), deps.region);
            if (due === null) continue;
            try {
              if (await send(due, deps, now)) counts.alerted++;
            } catch (error) {
              failures['usage grade alert'] = (failures['usage grade alert'] ?? 0) + 1;
              deps.logger.error('usage grade alert not sent', { key: due.key, error: String(error) });
            }
          }
        }
      }
      return { counts, failures };
    },
  };
}
