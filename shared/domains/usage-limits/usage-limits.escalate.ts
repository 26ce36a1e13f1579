import type { EvaluationEnv, Proposal } from '../../policy/capability.ts';
import type { ClusterResource, TargetRef } from '../../policy/decision.ts';
import { roomRefusal } from './usage-limits.actions.ts';
import {
  consumption,
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
import type { DeclaredLimit } from './usage-limits.reconcile.ts';

/**
 * Escalation in decide(): the steps of the next grade (a `ModifyUsageLimit` to breach action disable,
 * a `PauseCluster` under the windows' guardrails), what the grades' steps mean for the declared limits
 * while they last, and their undoing when the period turns. A grade whose only step is its alert is
 * the grade-alert tracker's (usage-limits.grade-alerts.ts): decide() proposes nothing for it.
 */
export const MODIFY = 'ModifyUsageLimit';
export const PAUSE = 'PauseCluster';
export const RESUME = 'ResumeCluster';

/** What a grade does on one cluster: the actions, and the steps it cannot take, with why. */
export interface StepPlan {
  acts: { action: string; params: Record<string, unknown>; step: 'disable-feature' | 'pause' }[];
  notes: string[];
}

export function planSteps(grade: Grade, cluster: ClusterResource, d: DeclaredLimit, limitId: string): StepPlan {
  const plan: StepPlan = { acts: [], notes: [] };
  const limit = cluster.limits?.find((l) => l.id === limitId);
  if (grade.steps.includes('disable-feature')) {
    const blocked = roomRefusal(cluster.limits ?? [], d.feature, 'disable', limitId);
    if (limit?.breachAction === 'disable') plan.notes.push(`disable-feature: ${limitId} already disables ${d.feature}`);
    else if (blocked !== null) plan.notes.push(`disable-feature not done: ${blocked}`);
    else {
      plan.acts.push({
        action: MODIFY,
        step: 'disable-feature',
        params: {
          ClusterIdentifier: cluster.id,
          UsageLimitId: limitId,
          OwnerPolicy: '',
          LimitKey: d.key,
          Amount: d.amount,
          BreachAction: 'disable',
        },
      });
    }
  }
  if (grade.steps.includes('pause')) {
    if (cluster.multiAz) plan.notes.push('pause not done: a Multi-AZ cluster is never paused');
    else if (cluster.status === 'paused') plan.notes.push('pause: the cluster is paused already');
    else plan.acts.push({ action: PAUSE, step: 'pause', params: { ClusterIdentifier: cluster.id } });
  }
  return plan;
}

/** The ledger's word on a grade for one target: did any of its records get written? */
export function gradeFired(
  env: { ledger: Pick<EvaluationEnv['ledger'], 'byKey' | 'keyFor'> },
  policy: string,
  target: TargetRef,
  slot: string,
): boolean {
  // An alert claimed and not sent (the notifier failed) has not fired: the next sweep sends it.
  if (env.ledger.byKey(env.ledger.keyFor(policy, target, GRADE_ALERT_ACTION, slot))?.status === 'succeeded')
    return true;
  const keys = [
    env.ledger.keyFor(policy, target, MODIFY, stepSlot(slot, 'disable-feature')),
    env.ledger.keyFor(policy, target, PAUSE, stepSlot(slot, 'pause')),
  ];
  return keys.some((k) => env.ledger.byKey(k) !== undefined);
}

export interface GradeText {
  policy: string;
  d: DeclaredLimit;
  start: number;
  used: number;
  amount: number;
  whose: string;
}

/** The grade's words: usage, amount, period, grade, what is done, when it is undone (steps) or grades restart, what to do. */
export function gradeReason(grade: Grade, t: GradeText, done: string, undone = true): string {
  const unit = unitOf(t.d.feature);
  const end = periodEnd(t.d.period, t.start);
  const after = undone ? `undone at ${utcMinute(end)}` : `the grades start again at ${utcMinute(end)}`;
  return (
    `usage grade ${grade.percent}%: ${t.whose} used ${round(t.used)} ${unit} of ${t.d.feature}, ${round((t.used / t.amount) * 100)}% of ${t.amount} ${unit} ` +
    `(${t.d.period} period ${utcMinute(t.start)} to ${utcMinute(end)}); ${done}; ${after}; ` +
    `to allow more, raise ${t.d.key}'s amount in policy ${t.policy}`
  );
}

/** What a budget used this period and who used it, and whether a grade fired; or why it is unknown. */
export type BudgetView = { used: number; whose: string; fired: (g: Grade) => boolean } | { unknown: string };

type LedgerLike = { ledger: Pick<EvaluationEnv['ledger'], 'byKey' | 'keyFor'> };

/** A per-resource budget: the cluster's own escalated limit. */
export function ownView(
  cluster: ClusterResource,
  d: DeclaredLimit,
  policy: string,
  start: number,
  env: LedgerLike,
): BudgetView {
  const c = consumption(cluster, d, policy, start);
  if ('unknown' in c) return c;
  const target: TargetRef = { type: 'cluster', id: cluster.id };
  const slot = (g: Grade) => gradeSlot('per-resource', d.feature, start, g.percent);
  return { used: c.amount, whose: `cluster ${cluster.id}`, fired: (g) => gradeFired(env, policy, target, slot(g)) };
}

/** The ledger target of a shared budget's own records (its alert-only grades). */
export const budgetTarget = (policy: string, feature: string): TargetRef => ({
  type: 'schedule',
  id: `usage-budget/${policy}/${feature}`,
});

/**
 * A shared budget: the sum of every member's escalated limit (a member whose limit does not exist yet
 * counts 0). A grade fired when its budget alert was sent or any member's step was decided.
 */
export function sharedView(
  members: readonly ClusterResource[],
  d: DeclaredLimit,
  policy: string,
  start: number,
  env: LedgerLike,
): BudgetView {
  const unread = members.find((m) => m.usageReadAt === undefined);

  if (unread !== undefined)
    return {
      unknown: `usage not read: this sweep read no usage for ${unread.id} (every 15 minutes, or the read failed)`,
    };
  const parts = members.map((m) => {
    const c = consumption(m, d, policy, start);
    return { id: m.id, amount: 'unknown' in c ? 0 : c.amount };
  });
  const used = parts.reduce((sum, p) => sum + p.amount, 0);
  const slot = (g: Grade) => gradeSlot('shared', d.feature, start, g.percent);
  const fired = (g: Grade) =>
    gradeFired(env, policy, budgetTarget(policy, d.feature), slot(g)) ||
    members.some((m) => gradeFired(env, policy, { type: 'cluster', id: m.id }, slot(g)));
  const whose = `the ${members.length} clusters of the shared budget (${parts.map((p) => `${p.id} ${round(p.amount)}`).join(', ')})`;
  return { used, whose, fired };
}

/** The clusters the deciding policy selects and may act on: a shared budget's members. */
function membersOf(env: EvaluationEnv): ClusterResource[] {
  const key = `usage-budget-members/${env.policy.name}`;
  const memo = env.memo.get(key) as ClusterResource[] | undefined;
  if (memo !== undefined) return memo;
  const members = env.fleet.resources.filter(
    (r): r is ClusterResource =>
      r.type === 'cluster' &&
      env.policy.selector.matches(r) &&
      r.tags[env.policy.optInTag.key] === env.policy.optInTag.value,
  );
  env.memo.set(key, members);
  return members;
}

/** A shared budget's view, once per decide() call (every member's reconcile asks for it). */
function sharedOnce(env: EvaluationEnv, d: DeclaredLimit, policy: string, start: number): BudgetView {
  const key = `usage-budget-view/${policy}/${d.key}/${start}`;
  const memo = env.memo.get(key) as BudgetView | undefined;
  if (memo !== undefined) return memo;
  const view = sharedView(membersOf(env), d, policy, start, env);
  env.memo.set(key, view);
  return view;
}

/** The next grade's actions on one cluster (its own budget, or its share of a shared one); skips say why usage is unknown. */
export function escalateCluster(
  cluster: ClusterResource,
  esc: Escalation,
  policy: string,
  env: EvaluationEnv,
): Proposal[] {
  const target: TargetRef = { type: 'cluster', id: cluster.id };
  const out: Proposal[] = [];
  for (const d of esc.limits) {
    const start = periodStart(d.period, env.now);
    const view = esc.budget === 'shared' ? sharedOnce(env, d, policy, start) : ownView(cluster, d, policy, start, env);
    if ('unknown' in view) {
      out.push({ kind: 'skip', target, reason: `${view.unknown}; no grade of ${d.feature} is decided` });
      continue;
    }
    const grade = nextGrade(esc.grades, (view.used / d.amount) * 100, view.fired);
    const limit = ownLimit(cluster, policy, d.key);
    if (grade === null || limit === undefined) continue;
    const plan = planSteps(grade, cluster, d, limit.id);
    const text = { policy, d, start, used: view.used, amount: d.amount, whose: view.whose };
    for (const act of plan.acts) {
      const step =
        act.step === 'pause'
          ? `pause ${cluster.id}`
          : `${limit.id} on ${cluster.id} breach action ${limit.breachAction} to disable`;
      out.push({
        kind: 'act',
        action: act.action,
        target,
        params: act.action === MODIFY ? { ...act.params, OwnerPolicy: policy } : act.params,
        reason: gradeReason(grade, text, [`step ${act.step} (${step})`, ...plan.notes].join('; ')),
        slot: stepSlot(gradeSlot(esc.budget, d.feature, start, grade.percent), act.step),
      });
    }
  }
  return out;
}

type EntryStatus = NonNullable<ReturnType<EvaluationEnv['ledger']['byKey']>>['status'];

/** The status of the first grade's disable of `d` in the period starting at `start`, if one was decided. */
function disableStatus(
  env: EvaluationEnv,
  policy: string,
  target: TargetRef,
  esc: Escalation,
  d: DeclaredLimit,
  start: number,
): { grade: Grade; status: EntryStatus } | null {
  for (const g of esc.grades.filter((x) => x.steps.includes('disable-feature'))) {
    const slot = stepSlot(gradeSlot(esc.budget, d.feature, start, g.percent), 'disable-feature');
    const entry = env.ledger.byKey(env.ledger.keyFor(policy, target, MODIFY, slot));
    if (entry !== undefined) return { grade: g, status: entry.status };
  }
  return null;
}

/**
 * The declared limits as the grades' steps want them now: an escalated limit a grade switched to disable
 * this period stays disable until the period ends (under way: left as it is); after the boundary it is put
 * back to its declared breach action, with `why` saying it is the grade's step being undone.
 */
export function escalatedDeclared(
  cluster: ClusterResource,
  declared: readonly DeclaredLimit[],
  esc: Escalation,
  policy: string,
  env: EvaluationEnv,
): { declared: DeclaredLimit[]; why: Map<string, string> } {
  const target: TargetRef = { type: 'cluster', id: cluster.id };
  const why = new Map<string, string>();
  const out = declared.map((d) => {
    if (!esc.limits.some((e) => e.key === d.key)) return d;
    const start = periodStart(d.period, env.now);
    const now = disableStatus(env, policy, target, esc, d, start);
    if (now?.status === 'succeeded') return { ...d, breachAction: 'disable' };
    if (now?.status === 'pending' || now?.status === 'in-progress') {
      const current = ownLimit(cluster, policy, d.key);
      return current === undefined ? d : { ...d, breachAction: current.breachAction };
    }
    const before = disableStatus(env, policy, target, esc, d, periodStart(d.period, start - 1));
    if (before?.status === 'succeeded') {
      why.set(
        d.key,
        `period ${utcMinute(start)} began: grade ${before.grade.percent}% had switched ${d.key} (${d.feature}) to breach action disable for the ${d.period} period that ended; put back to ${d.breachAction}, the feature runs again`,
      );
    }
    return d;
  });
  return { declared: out, why };
}

/** A window policy that wants the cluster paused now, if any (its running window is closed). */
function pausingWindow(cluster: ClusterResource, env: EvaluationEnv): string | null {
  for (const p of env.policies ?? []) {
    const window = p.capability.runningWindow;
    if (p.resource !== 'cluster' || window === undefined || !p.selector.matches(cluster)) continue;
    if (cluster.tags[p.optInTag.key] !== p.optInTag.value) continue;
    if (!window.isRunning(env.now)) return `window policy ${p.name} (${window.description})`;
  }
  return null;
}

/**
 * After the period's boundary, a cluster a grade paused in the period that ended resumes, unless a
 * window wants it paused now: then it stays paused, and the skip says whose window resumes it.
 */
export function resumeAfterPeriod(
  cluster: ClusterResource,
  esc: Escalation,
  policy: string,
  env: EvaluationEnv,
): Proposal[] {
  if (cluster.status !== 'paused') return [];
  const target: TargetRef = { type: 'cluster', id: cluster.id };
  for (const d of esc.limits) {
    const start = periodStart(d.period, env.now);
    const previous = periodStart(d.period, start - 1);
    for (const g of esc.grades.filter((x) => x.steps.includes('pause'))) {
      const slot = gradeSlot(esc.budget, d.feature, previous, g.percent);
      const entry = env.ledger.byKey(env.ledger.keyFor(policy, target, PAUSE, stepSlot(slot, 'pause')));
      if (entry?.status !== 'succeeded') continue;
      const what = `period ${utcMinute(start)} began: grade ${g.percent}% had paused ${cluster.id} for ${d.feature} (${d.period} budget)`;
      const window = pausingWindow(cluster, env);
      if (window !== null) {
        return [
          {
            kind: 'skip',
            target,
            reason: `usage pause kept: ${what}; ${window} wants it paused now, it resumes when that window opens`,
          },
        ];
      }
      return [
        {
          kind: 'act',
          action: RESUME,
          target,
          params: { ClusterIdentifier: cluster.id },
          reason: `${what}; resumed (no window wants it paused)`,
          slot: stepSlot(slot, 'resume'),
        },
      ];
    }
  }
  return [];
}
