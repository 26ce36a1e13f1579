import type { EvaluationEnv } from '../../policy/capability.ts';
import type { TargetRef, WorkgroupResource } from '../../policy/decision.ts';
import { isOptedIn } from '../../policy/targeting.ts';
import { type BudgetView, budgetTarget } from './usage-limits.escalate.ts';
import { type Escalation, type Grade, gradeSlot, round } from './usage-limits.grades.ts';
import type { DeclaredLimit } from './usage-limits.reconcile.ts';
import { used, workgroupGradeFired } from './workgroup-limits.escalate.ts';
import { ownedByLedger } from './workgroup-limits.reconcile.ts';

/**
 * The budget a workgroup grade is judged on: the workgroup's own escalated limit (`budget: per-resource`),
 * or — `budget: shared` — the sum of what every selected, opted-in workgroup of the policy used this
 * period (RPU-hours of `serverless-compute`), compared with the declared amount once for all of them.
 * A shared grade fires once per period for the budget: its alert is recorded under the budget's own
 * target (as for clusters), its steps under each member with the budget's slot, and a grade has fired
 * when either exists. A member whose limit does not exist yet counts 0; when usage was not read for a
 * member, no grade of the budget is decided (a sum with a hole would fire late or never).
 */
type LedgerLike = Pick<EvaluationEnv['ledger'], 'byKey' | 'keyFor'>;

/** A workgroup's own budget of `d` in the period starting at `start`. */
export function ownWorkgroupView(
  wg: WorkgroupResource,
  d: DeclaredLimit,
  policy: string,
  start: number,
  ledger: LedgerLike,
): BudgetView {
  const target: TargetRef = { type: 'workgroup', id: wg.id };
  const usage = used(wg, ownedByLedger(ledger, policy, target), d, start);
  if (typeof usage === 'string') return { unknown: usage };
  const slot = (g: Grade) => gradeSlot('per-resource', d.feature, start, g.percent);
  return {
    used: usage,
    whose: `workgroup ${wg.id}`,
    fired: (g) => workgroupGradeFired(ledger, policy, target, slot(g)),
  };
}

/** A shared budget over `members`: the sum of their use, fired when its alert or any member's step was recorded. */
export function sharedWorkgroupView(
  members: readonly WorkgroupResource[],
  d: DeclaredLimit,
  policy: string,
  start: number,
  ledger: LedgerLike,
): BudgetView {
  const unread = members.find((m) => m.usageReadAt === undefined);
  if (unread !== undefined) {
    return {
      unknown: `usage not read: this sweep read no usage for workgroup ${unread.id} (every 15 minutes, or the read failed)`,
    };
  }
  const parts = members.map((m) => {
    const u = used(m, ownedByLedger(ledger, policy, { type: 'workgroup', id: m.id }), d, start);
    return { id: m.id, amount: typeof u === 'number' ? u : 0 };
  });
  const slot = (g: Grade) => gradeSlot('shared', d.feature, start, g.percent);
  const fired = (g: Grade) =>
    workgroupGradeFired(ledger, policy, budgetTarget(policy, d.feature), slot(g)) ||
    members.some((m) => workgroupGradeFired(ledger, policy, { type: 'workgroup', id: m.id }, slot(g)));
  const whose = `the ${members.length} workgroups of the shared budget (${parts.map((p) => `${p.id} ${round(p.amount)}`).join(', ')})`;
  return { used: parts.reduce((sum, p) => sum + p.amount, 0), whose, fired };
}

/** The workgroups the deciding policy selects and may act on: a shared budget's members (once per decide() call). */
function membersOf(env: EvaluationEnv): WorkgroupResource[] {
  const key = `usage-budget-workgroups/${env.policy.name}`;
  const memo = env.memo.get(key) as WorkgroupResource[] | undefined;
  if (memo !== undefined) return memo;
  const members = env.fleet.resources.filter(
    (r): r is WorkgroupResource =>
      r.type === 'workgroup' && env.policy.selector.matches(r) && isOptedIn(r, env.policy.optInTag),
  );
  env.memo.set(key, members);
  return members;
}

/** The budget a workgroup's grades of `d` are judged on in decide(): its own, or its policy's shared one (memoised). */
export function workgroupView(
  wg: WorkgroupResource,
  esc: Escalation,
  d: DeclaredLimit,
  policy: string,
  start: number,
  env: EvaluationEnv,
): BudgetView {
  if (esc.budget !== 'shared') return ownWorkgroupView(wg, d, policy, start, env.ledger);
  const key = `usage-budget-workgroups-view/${policy}/${d.key}/${start}`;
  const memo = env.memo.get(key) as BudgetView | undefined;
  if (memo !== undefined) return memo;
  const view = sharedWorkgroupView(membersOf(env), d, policy, start, env.ledger);
  env.memo.set(key, view);
  return view;
}
