import type { LedgerRecord } from '../../execute/ports.ts';
import type { CompiledPolicy, LedgerIndex, TrackerDeps } from '../../policy/capability.ts';
import { idempotencyKey } from '../../policy/decide.ts';
import type { FleetResource, LedgerEntryView, TargetRef, WorkgroupResource } from '../../policy/decision.ts';
import { isOptedIn } from '../../policy/targeting.ts';
import type { CompiledUsageLimits } from './usage-limits.capability.ts';
import { budgetTarget } from './usage-limits.escalate.ts';
import { type GradeAlert, gradeAlertOf } from './usage-limits.grade-alerts.ts';
import { type Escalation, gradeSlot, nextGrade, periodStart } from './usage-limits.grades.ts';
import { ownWorkgroupView, sharedWorkgroupView } from './workgroup-limits.budget.ts';
import { stepsOf } from './workgroup-limits.escalate.ts';
import { ownedByLedger, ownWorkgroupLimit } from './workgroup-limits.reconcile.ts';

/**
 * A workgroup's grades with no step to take — `do: [alert]`, a cap at or above the max capacity the
 * workgroup already has, a limit that deactivates already — are reported by the sweep's grade-alert
 * tracker, once per (policy, workgroup, feature, period start, grade), as for clusters: decide() has
 * no AWS action for them, and without their record the next grade would never be reached.
 */
type LedgerLike = Pick<LedgerIndex, 'byKey' | 'keyFor'>;

/**
 * The alert-only grades due on a workgroup budget: one workgroup's own (`members` is that one), or a
 * policy's shared budget over its members — reached, not fired, and no member has a step to take.
 */
export function dueWorkgroupGradeAlert(
  policy: string,
  members: readonly WorkgroupResource[],
  esc: Escalation,
  ledger: LedgerLike,
  now: number,
  region: string,
): GradeAlert[] {
  const first = members[0];
  if (first === undefined) return [];
  const shared = esc.budget === 'shared';
  const out: GradeAlert[] = [];
  for (const d of esc.limits) {
    const start = periodStart(d.period, now);
    const view = shared
      ? sharedWorkgroupView(members, d, policy, start, ledger)
      : ownWorkgroupView(first, d, policy, start, ledger);
    if ('unknown' in view) continue;
    const grade = nextGrade(esc.grades, (view.used / d.amount) * 100, view.fired);
    if (grade === null) continue;
    const notes: string[] = [];
    let stepped = false;
    let limited = false;
    for (const m of members) {
      const limit = ownWorkgroupLimit(m, ownedByLedger(ledger, policy, { type: 'workgroup', id: m.id }), d.key);
      if (limit === undefined) continue;
      limited = true;
      const plan = stepsOf(grade, m, limit.id, d, limit.breachAction);
      if (plan.acts.length > 0) stepped = true;
      notes.push(...plan.notes.map((n) => (shared ? `${m.id}: ${n}` : n)));
    }
    if (stepped || !limited) continue;
    const target: TargetRef = shared ? budgetTarget(policy, d.feature) : { type: 'workgroup', id: first.id };
    const console = `https://${region}.console.aws.amazon.com/serverless-redshift/home?region=${region}`;
    const link = shared
      ? `${console}#workgroups`
      : `${console}#workgroup?workgroupName=${encodeURIComponent(first.id)}`;
    const slot = gradeSlot(esc.budget, d.feature, start, grade.percent);
    out.push(
      gradeAlertOf({ policy, target, slot, grade, esc, d, start, used: view.used }, view.whose, {
        notes,
        where: shared ? `budget ${policy}` : `${first.id} (${policy})`,
        link,
      }),
    );
  }
  return out;
}

function workgroupEscalations(policies: readonly CompiledPolicy[]): { policy: CompiledPolicy; esc: Escalation }[] {
  return policies.flatMap((p) => {
    if (p.capability.key !== 'usageLimits' || p.resource !== 'workgroup') return [];
    const esc = (p.capability as CompiledUsageLimits).escalation ?? null;
    return esc === null ? [] : [{ policy: p, esc }];
  });
}

/** The most rounds of ledger reads one sweep makes to learn what a workgroup's grades need (generations of creates). */
const MAX_ROUNDS = 6;

/**
 * Runs `compute` over the ledger records it asks for, reading the keys it looked up and did not find
 * (in batches, LedgerPort.getMany) and running it again, until it asks for nothing new: the create
 * records of each generation are found one round at a time, as decide() finds them.
 */
export async function withLedger<T>(
  ledger: Pick<TrackerDeps['ledger'], 'getMany'>,
  compute: (index: LedgerLike) => T,
): Promise<T> {
  const held = new Map<string, LedgerRecord>();
  const tried = new Set<string>();
  for (let round = 0; ; round++) {
    const asked = new Set<string>();
    const index: LedgerLike = {
      byKey: (k): LedgerEntryView | undefined => {
        const r = held.get(k);
        if (r === undefined && !tried.has(k)) asked.add(k);
        return r === undefined ? undefined : { ...r, at: r.decisionAt };
      },
      keyFor: idempotencyKey,
    };
    const result = compute(index);
    if (asked.size === 0 || round >= MAX_ROUNDS) return result;
    for (const k of asked) tried.add(k);
    for (const r of await ledger.getMany([...asked])) held.set(r.idempotencyKey, r);
  }
}

/** Every alert-only grade due on the fleet's workgroups this sweep. */
export async function workgroupGradeAlerts(
  deps: Pick<TrackerDeps, 'ledger' | 'policies' | 'region'>,
  fleet: readonly FleetResource[],
  now: number,
): Promise<GradeAlert[]> {
  const escalations = workgroupEscalations(deps.policies);
  if (escalations.length === 0) return [];
  const read = fleet.filter(
    (r): r is WorkgroupResource => r.type === 'workgroup' && r.usageReadAt !== undefined && r.limits !== undefined,
  );
  if (read.length === 0) return [];
  return withLedger(deps.ledger, (ledger) =>
    escalations.flatMap(({ policy, esc }) => {
      const members = read.filter((wg) => policy.selector.matches(wg) && isOptedIn(wg, policy.optInTag));
      // A shared budget is one budget over every member; per-resource, one per workgroup.
      const budgets = esc.budget === 'shared' ? [members] : members.map((m) => [m]);
      return budgets.flatMap((b) => dueWorkgroupGradeAlert(policy.name, b, esc, ledger, now, deps.region));
    }),
  );
}
