import type { EvaluationEnv, Proposal } from '../../policy/capability.ts';
import type { WorkgroupResource } from '../../policy/decision.ts';
import { oneOf } from '../../policy/param-check.ts';
import { MAX_RPU } from '../windows/window.schema.ts';
import type { Escalation } from './usage-limits.grades.ts';
import type { DeclaredLimit } from './usage-limits.reconcile.ts';
import { SERVERLESS_CREATE, SERVERLESS_UPDATE } from './workgroup-limits.actions.ts';
import { escalateWorkgroup, UPDATE_WORKGROUP, workgroupUndo } from './workgroup-limits.escalate.ts';
import { ownedByLedger, reconcileWorkgroupLimits } from './workgroup-limits.reconcile.ts';

/** `usageLimits` on a Serverless workgroup: its limits kept in place (by the ledger), its grades, their undoing. */
export function reconcileWorkgroup(
  wg: WorkgroupResource,
  declared: readonly DeclaredLimit[],
  escalation: Escalation | null,
  policy: string,
  env: EvaluationEnv,
): Proposal[] {
  if (escalation === null) return reconcileWorkgroupLimits(wg, declared, policy, env);
  const undo = workgroupUndo(wg, declared, escalation, policy, env);
  const owned = ownedByLedger(env.ledger, policy, { type: 'workgroup', id: wg.id });
  return [
    ...reconcileWorkgroupLimits(wg, undo.declared, policy, env, undo.why),
    ...(wg.limits === undefined ? [] : escalateWorkgroup(wg, escalation, policy, env, owned)),
    ...undo.restores,
  ];
}

/** A max capacity AWS takes: a multiple of 8 RPU up to 5632, or -1 (none). */
const validMax = (v: unknown): boolean =>
  v === -1 ||
  (typeof v === 'number' && Number.isInteger(v) && v >= MAX_RPU.min && v <= MAX_RPU.max && v % MAX_RPU.step === 0);

/**
 * The executor's check of a workgroup decision's values: the declared limit's own (by LimitKey), breach
 * action deactivate only for the escalated limit of a policy whose grades deactivate, and a max capacity
 * that is one of the grades' caps or — for the restore at the boundary — a valid value not under the
 * lowest cap (a restore only lifts the ceiling back).
 */
export function permitsWorkgroup(
  declared: readonly DeclaredLimit[],
  escalation: Escalation | null,
  policy: string,
  asked: { action: string; key: string; value: unknown; params: Readonly<Record<string, unknown>> },
): string | null {
  const { action, key, value, params } = asked;
  if (action === UPDATE_WORKGROUP) {
    const caps = (escalation?.grades ?? []).flatMap((g) => (g.cap === undefined ? [] : [g.cap]));
    if (key !== 'maxCapacity' || caps.length === 0) return `${key} is not a value policy ${policy} sets`;
    if (caps.includes(value as number)) return null;
    const lowest = Math.min(...caps);
    return validMax(value) && (value === -1 || (value as number) >= lowest)
      ? null
      : `maxCapacity ${JSON.stringify(value)}: policy ${policy} caps at ${caps.join(', ')} RPU and restores only a valid max capacity at or above ${lowest}`;
  }
  const d = declared.find((x) => x.key === params.LimitKey);
  if (d === undefined) {
    return `${key}: policy ${policy} declares no limit ${JSON.stringify(params.LimitKey)}; expected one of ${declared.map((x) => x.key).join(', ')}`;
  }
  const wanted: Record<string, unknown> = {
    usageType: d.feature,
    amount: d.amount,
    period: d.period,
    breachAction: d.breachAction,
    LimitKey: d.key,
  };
  const deactivates =
    escalation?.limits.some((e) => e.key === d.key) === true &&
    escalation.grades.some((g) => g.steps.includes('deactivate'));
  if (key === 'breachAction' && action === SERVERLESS_UPDATE && deactivates) {
    return oneOf(key, value, [d.breachAction, 'deactivate']);
  }
  if (action === SERVERLESS_CREATE || key in wanted) {
    return key in wanted ? oneOf(key, value, [wanted[key]]) : `${key} is not a value policy ${policy} sets`;
  }
  return `${key} is not a value policy ${policy} sets`;
}
