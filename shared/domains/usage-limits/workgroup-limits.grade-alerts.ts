import type { LedgerRecord } from '../../execute/ports.ts';
import type { CompiledPolicy, LedgerIndex, TrackerDeps } from '../../policy/capability.ts';
import { idempotencyKey } from '../../policy/decide.ts';
import type { FleetResource, LedgerEntryView, TargetRef, WorkgroupResource } from '../../policy/decision.ts';
import { isOptedIn } from '../../policy/targeting.ts';
import type { CompiledUsageLimits } from './usage-limits.capability.ts';
import { type GradeAlert, gradeAlertOf } from './usage-limits.grade-alerts.ts';
import { type Escalation, gradeSlot, nextGrade, periodStart } from './usage-limits.grades.ts';
import { stepsOf, used, workgroupGradeFired } from './workgroup-limits.escalate.ts';
import { ownedByLedger, ownWorkgroupLimit } from './workgroup-limits.reconcile.ts';

/**
 * A workgroup's grades with no step to take — `do: [alert]`, a cap at or above the max capacity the
 * workgroup already has, a limit that deactivates already — are reported by the sweep's grade-alert
 * tracker, once per (policy, workgroup, feature, period start, grade), as for clusters: decide() has
 * no AWS action for them, and without their record the next grade would never be reached.
 */
type LedgerLike = Pick<LedgerIndex, 'byKey' | 'keyFor'>;

/** The alert-only grade due on one workgroup's budget for `d`, if any. */
export function dueWorkgroupGradeAlert(
  policy: string,
  wg: WorkgroupResource,
  esc: Escalation,
  ledger: LedgerLike,
  now: number,
  region: string,
): GradeAlert[] {
  const target: TargetRef = { type: 'workgroup', id: wg.id };
  const owned = ownedByLedger(ledger, policy, target);
  const out: GradeAlert[] = [];
  for (const d of esc.limits) {
    const start = periodStart(d.period, now);
    const usage = used(wg, owned, d, start);
    const limit = ownWorkgroupLimit(wg, owned, d.key);
    if (typeof usage === 'string' || limit === undefined) continue;
    const slot = (g: { percent: number }) => gradeSlot('per-resource', d.feature, start, g.percent);
    const grade = nextGrade(esc.grades, (usage / d.amount) * 100, (g) =>
      workgroupGradeFired(ledger, policy, target, slot(g)),
    );
    if (grade === null) continue;
    const { acts, notes } = stepsOf(grade, wg, limit.id, d, limit.breachAction);
    if (acts.length > 0) continue;
    const link = `https://${region}.console.aws.amazon.com/serverless-redshift/home?region=${region}#workgroup?workgroupName=${encodeURIComponent(wg.id)}`;
    out.push(
      gradeAlertOf({ policy, target, slot: slot(grade), grade, esc, d, start, used: usage }, `workgroup ${wg.id}`, {
        notes,
        where: `${wg.id} (${policy})`,
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
    escalations.flatMap(({ policy, esc }) =>
      read
        .filter((wg) => policy.selector.matches(wg) && isOptedIn(wg, policy.optInTag))
        .flatMap((wg) => dueWorkgroupGradeAlert(policy.name, wg, esc, ledger, now, deps.region)),
    ),
  );
}
