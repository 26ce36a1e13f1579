import { describe, expect, it } from 'vitest';
import type { CompiledUsageLimits } from '../../../shared/domains/usage-limits/usage-limits.capability.ts';
import { escalateCluster, resumeAfterPeriod } from '../../../shared/domains/usage-limits/usage-limits.escalate.ts';
import { dueGradeAlert } from '../../../shared/domains/usage-limits/usage-limits.grade-alerts.ts';
import {
  GRADE_ALERT_ACTION,
  gradeSlot,
  nextGrade,
  periodEnd,
  periodStart,
  stepSlot,
} from '../../../shared/domains/usage-limits/usage-limits.grades.ts';
import type { EvaluationEnv } from '../../../shared/policy/capability.ts';
import { idempotencyKey } from '../../../shared/policy/decide.ts';
import type { ClusterResource } from '../../../shared/policy/decision.ts';
import { loadPolicySources } from '../../../shared/policy/policy-loader.ts';

const POLICY = `version: 1
policies:
  - name: budget
    resource: cluster
    match: { tags: { team: analytics } }
    usageLimits:
      limits:
        - { feature: spectrum, amount: 5, period: daily, breachAction: emit-metric }
        - { feature: spectrum, amount: 50, period: monthly, breachAction: log }
      escalate:
        - { at: 80%, do: [alert] }
        - { at: 100%, do: [alert, disable-feature] }
        - { at: 150%, do: [alert, pause] }
`;

function compiled(): CompiledUsageLimits {
  const { policySet, problems } = loadPolicySources([{ file: 'p.yml', text: POLICY }]);
  expect(problems).toEqual([]);
  return policySet.policies[0]?.capability as CompiledUsageLimits;
}

describe('usage grades: periods and order', () => {
  it('periods start on UTC boundaries; a week begins on Sunday (API reference UsageLimit)', () => {
    const wed = Date.parse('2026-12-09T15:00:00Z');
    expect(new Date(periodStart('daily', wed)).toISOString()).toBe('2026-12-09T00:00:00.000Z');
    expect(new Date(periodStart('weekly', wed)).toISOString()).toBe('2026-12-06T00:00:00.000Z');
    expect(new Date(periodStart('monthly', wed)).toISOString()).toBe('2026-12-01T00:00:00.000Z');
    expect(new Date(periodEnd('monthly', periodStart('monthly', wed))).toISOString()).toBe('2027-01-01T00:00:00.000Z');
  });

  it('fires the lowest grade reached and not fired, one at a time, never skipping one', () => {
    const grades = compiled().escalation?.grades ?? [];
    const fired = new Set<number>();
    const climb = (used: number) => {
      const g = nextGrade(grades, used, (x) => fired.has(x.percent));
      if (g !== null) fired.add(g.percent);
      return g?.percent ?? null;
    };
    expect([climb(50), climb(160), climb(160), climb(160), climb(160)]).toEqual([null, 80, 100, 150, null]);
  });

  it('escalates each feature on its first limit; the sweep reads usage for it', () => {
    const c = compiled();
    expect(c.escalation?.limits.map((d) => d.key)).toEqual(['spectrum#1']);
    expect(c.fleetParts).toEqual(['limits', 'usage']);
  });
});

describe('usage grades: what the executor admits', () => {
  const decision = (limitKey: string, breach: string) => ({
    target: { type: 'cluster' as const, id: 'a' },
    params: { LimitKey: limitKey, BreachAction: breach },
  });

  it('breach action disable only for the escalated limit of a feature a grade disables', () => {
    const c = compiled();
    const check = c.permitsParam;
    if (check === undefined) throw new Error('no permitsParam');
    const ask = (key: string, value: string) => check('ModifyUsageLimit', 'BreachAction', value, decision(key, value));
    expect([ask('spectrum#1', 'disable'), ask('spectrum#1', 'emit-metric')]).toEqual([null, null]);
    expect(ask('spectrum#2', 'disable')).toMatch(/BreachAction/);
    expect(ask('spectrum#1', 'log')).toMatch(/BreachAction/);
  });
});

describe('usage grades: the period boundary and windows', () => {
  const cluster = {
    type: 'cluster',
    id: 'a',
    status: 'paused',
    tags: { 'autopilot:managed': 'true' },
  } as unknown as ClusterResource;
  const NOW = Date.parse('2026-12-08T00:05:00Z');
  const paused = stepSlot(gradeSlot('per-resource', 'spectrum', Date.parse('2026-12-07T00:00:00Z'), 150), 'pause');
  const env = (windowRunning: boolean | null): EvaluationEnv =>
    ({
      now: NOW,
      ledger: {
        keyFor: idempotencyKey,
        byKey: (k: string) =>
          k === idempotencyKey('budget', { type: 'cluster', id: 'a' }, 'PauseCluster', paused)
            ? { status: 'succeeded' }
            : undefined,
      },
      policies:
        windowRunning === null
          ? []
          : [
              {
                name: 'office-hours',
                resource: 'cluster',
                selector: { matches: () => true },
                optInTag: { key: 'autopilot:managed', value: 'true' },
                capability: {
                  runningWindow: { isRunning: () => windowRunning, description: 'Mon-Fri 07:00-19:00 UTC' },
                },
              },
            ],
    }) as unknown as EvaluationEnv;

  it('resumes a cluster a grade paused in the period that ended, unless a window wants it paused', () => {
    const esc = compiled().escalation;
    if (esc === null) throw new Error('no escalation');
    expect(resumeAfterPeriod(cluster, esc, 'budget', env(null)).map((p) => [p.kind, p.reason])).toEqual([
      [
        'act',
        'period 2026-12-08T00:00Z began: grade 150% had paused a for spectrum (daily budget); resumed (no window wants it paused)',
      ],
    ]);
    expect(resumeAfterPeriod(cluster, esc, 'budget', env(true)).map((p) => p.kind)).toEqual(['act']);
    expect(resumeAfterPeriod(cluster, esc, 'budget', env(false)).map((p) => [p.kind, p.reason])).toEqual([
      [
        'skip',
        'usage pause kept: period 2026-12-08T00:00Z began: grade 150% had paused a for spectrum (daily budget); window policy office-hours (Mon-Fri 07:00-19:00 UTC) wants it paused now, it resumes when that window opens',
      ],
    ]);
  });
});

const NOW = Date.parse('2026-12-07T10:00:00Z');
const own = (breachAction: string, consumed: number) => ({
  id: 'lim-own',
  clusterId: 'a',
  feature: 'spectrum',
  limitType: 'data-scanned',
  amount: 5,
  period: 'daily',
  breachAction,
  tags: { 'managed-by': 'redshift-autopilot', 'autopilot:policy': 'budget', 'autopilot:limit': 'spectrum#1' },
  consumed: { amount: consumed, at: '2026-12-07T09:55:00.000Z' },
});
const person = { ...own('disable', 0), id: 'lim-person', amount: 20, tags: {}, consumed: undefined };
const cluster = (over: Record<string, unknown>): ClusterResource =>
  ({
    type: 'cluster',
    id: 'a',
    status: 'available',
    multiAz: false,
    tags: { 'autopilot:managed': 'true', team: 'analytics' },
    usageReadAt: '2026-12-07T10:00:00.000Z',
    limits: [own('emit-metric', 5.5)],
    ...over,
  }) as unknown as ClusterResource;
const env = {
  now: NOW,
  ledger: { keyFor: idempotencyKey, byKey: () => undefined },
  memo: new Map(),
} as unknown as EvaluationEnv;
const grades = () => {
  const esc = compiled().escalation;
  if (esc === null) throw new Error('no escalation');
  return esc;
};

describe('usage grades: unknown usage and the next step', () => {
  it('usage not read this sweep: a skip with the reason, no grade', () => {
    const out = escalateCluster(cluster({ usageReadAt: undefined }), grades(), 'budget', env);
    expect(out.map((p) => [p.kind, p.reason])).toEqual([
      [
        'skip',
        'usage not read: this sweep read no usage (every 15 minutes, or the read failed); no grade of spectrum is decided',
      ],
    ]);
  });

  it('at 110 % with grade 80 % fired, grade 100 % switches the limit to disable', () => {
    const fired = {
      ...env,
      ledger: {
        keyFor: idempotencyKey,
        byKey: (k: string) =>
          k ===
          idempotencyKey(
            'budget',
            { type: 'cluster', id: 'a' },
            GRADE_ALERT_ACTION,
            gradeSlot('per-resource', 'spectrum', Date.parse('2026-12-07T00:00:00Z'), 80),
          )
            ? { status: 'succeeded' }
            : undefined,
      },
    } as unknown as EvaluationEnv;
    const out = escalateCluster(cluster({}), grades(), 'budget', fired);
    expect(
      out.map((p) => (p.kind === 'act' ? [p.action, p.params.BreachAction, p.params.UsageLimitId] : p.reason)),
    ).toEqual([['ModifyUsageLimit', 'disable', 'lim-own']]);
  });
});

describe('usage grades: steps that cannot be taken', () => {
  it('a person’s disable limit on the feature leaves disable-feature undone: the grade is an alert that says why', () => {
    const c = cluster({ limits: [own('emit-metric', 5.5), person] as never });
    const ledger = {
      keyFor: idempotencyKey,
      byKey: (k: string) =>
        k ===
        idempotencyKey(
          'budget',
          { type: 'cluster', id: 'a' },
          GRADE_ALERT_ACTION,
          gradeSlot('per-resource', 'spectrum', Date.parse('2026-12-07T00:00:00Z'), 80),
        )
          ? ({ status: 'succeeded' } as never)
          : undefined,
    };
    expect(escalateCluster(c, grades(), 'budget', { ...env, ledger } as never)).toEqual([]);
    const esc = grades();
    const due = dueGradeAlert(
      { policy: 'budget', target: { type: 'cluster', id: 'a' }, members: [c], esc, d: esc.limits[0] as never },
      ledger,
      NOW,
      'eu-central-1',
    );
    expect(due?.alert.attributes.severity).toBe('WARNING');
    expect(due?.alert.body).toContain(
      'disable-feature not done: usage limit lim-person already disables spectrum; AWS allows one disable per feature',
    );
  });
});
