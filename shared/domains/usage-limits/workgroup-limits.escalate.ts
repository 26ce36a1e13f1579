import type { EvaluationEnv, Proposal } from '../../policy/capability.ts';
import type { TargetRef, WorkgroupResource } from '../../policy/decision.ts';
import { gradeReason } from './usage-limits.escalate.ts';
import {
  type Escalation,
  GRADE_ALERT_ACTION,
  type Grade,
  gradeSlot,
  nextGrade,
  periodStart,
  stepSlot,
  utcMinute,
} from './usage-limits.grades.ts';
import type { DeclaredLimit } from './usage-limits.reconcile.ts';
import { SERVERLESS_UPDATE } from './workgroup-limits.actions.ts';
import { workgroupView } from './workgroup-limits.budget.ts';
import { type Owned, ownWorkgroupLimit } from './workgroup-limits.reconcile.ts';

/**
 * Escalation of a Serverless workgroup's own budget (its first declared limit of each usage type): a
 * grade's `{ capMaxCapacity: n }` lowers the workgroup's max capacity to n RPU (the windows'
 * UpdateWorkgroup; the value it replaced is recorded with the decision), `deactivate` switches the
 * escalated limit's breach action to `deactivate` (Serverless turns user queries off when the amount is
 * reached). At the period's UTC boundary the max capacity goes back to what the cap replaced and the
 * limit to its declared breach action, each reported. Grades fire once per period, in order — per
 * workgroup, or once for a shared budget (every member takes the grade's steps; workgroup-limits.budget.ts).
 */
export const UPDATE_WORKGROUP = 'UpdateWorkgroup';

type LedgerLike = Pick<EvaluationEnv['ledger'], 'byKey' | 'keyFor'>;

/**
 * The ledger's word on a workgroup grade: its alert sent (an alert claimed and not sent has not fired:
 * the next sweep sends it), or one of its steps decided. decide() and the grade-alert tracker ask the same.
 */
export function workgroupGradeFired(ledger: LedgerLike, policy: string, target: TargetRef, slot: string): boolean {
  if (ledger.byKey(ledger.keyFor(policy, target, GRADE_ALERT_ACTION, slot))?.status === 'succeeded') return true;
  return [
    ledger.keyFor(policy, target, UPDATE_WORKGROUP, stepSlot(slot, 'capMaxCapacity')),
    ledger.keyFor(policy, target, SERVERLESS_UPDATE, stepSlot(slot, 'deactivate')),
  ].some((k) => ledger.byKey(k) !== undefined);
}

/** What the workgroup's escalated limit consumed this period (RPU-hours), or why it is unknown. */
export function used(wg: WorkgroupResource, owned: Owned, d: DeclaredLimit, start: number): number | string {
  if (wg.usageReadAt === undefined)
    return 'usage not read: this sweep read no usage (every 15 minutes, or the read failed)';
  const limit = ownWorkgroupLimit(wg, owned, d.key);
  if (limit === undefined) return `usage not read: ${d.key} does not exist on workgroup ${wg.id} yet`;
  if (limit.consumed === undefined) return `usage not read: no consumption was read for ${limit.id}`;
  const c = limit.consumed;
  return c === null || Date.parse(c.at) < start ? 0 : c.amount;
}

interface Step {
  action: string;
  step: 'capMaxCapacity' | 'deactivate';
  params: Record<string, unknown>;
  what: string;
}

export function stepsOf(grade: Grade, wg: WorkgroupResource, limitId: string, d: DeclaredLimit, breach: string) {
  const acts: Step[] = [];
  const notes: string[] = [];
  const cap = grade.cap;
  if (grade.steps.includes('capMaxCapacity') && cap !== undefined) {
    const max = wg.maxCapacity;
    if (max !== null && max > 0 && max <= cap)
      notes.push(`capMaxCapacity: max capacity is ${max} RPU already, at or under ${cap}`);
    else {
      const from = max === null || max <= 0 ? -1 : max;
      acts.push({
        action: UPDATE_WORKGROUP,
        step: 'capMaxCapacity',
        params: { workgroupName: wg.id, maxCapacity: cap, replacesMaxCapacity: String(from) },
        what: `max capacity of ${wg.id} ${from === -1 ? 'none' : `${from} RPU`} to ${cap} RPU`,
      });
    }
  }
  if (grade.steps.includes('deactivate')) {
    if (breach === 'deactivate') notes.push(`deactivate: ${limitId} deactivates already`);
    else {
      acts.push({
        action: SERVERLESS_UPDATE,
        step: 'deactivate',
        params: {
          workgroupName: wg.id,
          usageLimitId: limitId,
          LimitKey: d.key,
          amount: d.amount,
          breachAction: 'deactivate',
        },
        what: `${limitId} breach action ${breach} to deactivate (user queries stop at ${d.amount} RPU-hours)`,
      });
    }
  }
  return { acts, notes };
}

export function escalateWorkgroup(
  wg: WorkgroupResource,
  esc: Escalation,
  policy: string,
  env: EvaluationEnv,
  owned: Owned,
): Proposal[] {
  const target: TargetRef = { type: 'workgroup', id: wg.id };
  const out: Proposal[] = [];
  for (const d of esc.limits) {
    const start = periodStart(d.period, env.now);
    // Its own budget, or (budget: shared) the sum over the policy's workgroups: workgroup-limits.budget.ts.
    const view = workgroupView(wg, esc, d, policy, start, env);
    if ('unknown' in view) {
      out.push({ kind: 'skip', target, reason: `${view.unknown}; no grade of ${d.feature} is decided` });
      continue;
    }
    const slot = (g: Grade) => gradeSlot(esc.budget, d.feature, start, g.percent);
    const grade = nextGrade(esc.grades, (view.used / d.amount) * 100, view.fired);
    const limit = ownWorkgroupLimit(wg, owned, d.key);
    if (grade === null || limit === undefined) continue;
    const { acts, notes } = stepsOf(grade, wg, limit.id, d, limit.breachAction);
    const text = { policy, d, start, used: view.used, amount: d.amount, whose: view.whose };
    for (const act of acts) {
      out.push({
        kind: 'act',
        action: act.action,
        target,
        params: act.params,
        reason: gradeReason(grade, text, [`step ${act.step} (${act.what})`, ...notes].join('; ')),
        slot: stepSlot(slot(grade), act.step),
      });
    }
  }
  return out;
}

/** The succeeded record of a grade's step in the period starting at `start`, if any. */
function stepRecord(
  env: EvaluationEnv,
  policy: string,
  target: TargetRef,
  esc: Escalation,
  d: DeclaredLimit,
  start: number,
  step: 'capMaxCapacity' | 'deactivate',
) {
  const action = step === 'capMaxCapacity' ? UPDATE_WORKGROUP : SERVERLESS_UPDATE;
  for (const g of esc.grades.filter((x) => x.steps.includes(step))) {
    const entry = env.ledger.byKey(
      env.ledger.keyFor(policy, target, action, stepSlot(gradeSlot(esc.budget, d.feature, start, g.percent), step)),
    );
    if (entry !== undefined) return { grade: g, entry };
  }
  return null;
}

/**
 * The declared limits as the grades want them now (a limit a grade switched to deactivate stays so until
 * the period ends; after it, it is put back with `why`), and the max capacity to restore after the boundary.
 */
export function workgroupUndo(
  wg: WorkgroupResource,
  declared: readonly DeclaredLimit[],
  esc: Escalation,
  policy: string,
  env: EvaluationEnv,
): { declared: DeclaredLimit[]; why: Map<string, string>; restores: Proposal[] } {
  const target: TargetRef = { type: 'workgroup', id: wg.id };
  const why = new Map<string, string>();
  const restores: Proposal[] = [];
  const out = declared.map((d) => {
    if (!esc.limits.some((e) => e.key === d.key)) return d;
    const start = periodStart(d.period, env.now);
    const previous = periodStart(d.period, start - 1);
    const cap = stepRecord(env, policy, target, esc, d, previous, 'capMaxCapacity');
    const capNow = stepRecord(env, policy, target, esc, d, start, 'capMaxCapacity');
    const replaced = Number(cap?.entry.params?.replacesMaxCapacity);
    if (
      cap?.entry.status === 'succeeded' &&
      capNow === null &&
      Number.isInteger(replaced) &&
      wg.maxCapacity !== (replaced === -1 ? null : replaced)
    ) {
      const back = replaced === -1 ? 'none (-1)' : `${replaced} RPU`;
      restores.push({
        kind: 'act',
        action: UPDATE_WORKGROUP,
        target,
        params: { workgroupName: wg.id, maxCapacity: replaced },
        reason: `period ${utcMinute(start)} began: grade ${cap.grade.percent}% had capped ${wg.id}'s max capacity at ${cap.grade.cap ?? '?'} RPU for ${d.feature} (${d.period} budget); restored to ${back}`,
        slot: stepSlot(gradeSlot(esc.budget, d.feature, previous, cap.grade.percent), 'restore'),
      });
    }
    const now = stepRecord(env, policy, target, esc, d, start, 'deactivate');
    if (now?.entry.status === 'succeeded') return { ...d, breachAction: 'deactivate' };
    if (now !== null) {
      // Under way (or failed): left as it is, neither put back nor switched again.
      const current = wg.limits?.find((l) => l.id === now.entry.params?.usageLimitId);
      return current === undefined ? d : { ...d, breachAction: current.breachAction };
    }
    const before = stepRecord(env, policy, target, esc, d, previous, 'deactivate');
    if (before?.entry.status === 'succeeded') {
      why.set(
        d.key,
        `period ${utcMinute(start)} began: grade ${before.grade.percent}% had switched ${d.key} (${d.feature}) to breach action deactivate for the ${d.period} period that ended; put back to ${d.breachAction}, user queries run again`,
      );
    }
    return d;
  });
  return { declared: out, why, restores };
}
