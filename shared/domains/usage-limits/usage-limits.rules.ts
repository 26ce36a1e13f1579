import type { CompileProblem, PolicyResource } from '../../policy/capability.ts';
import {
  CLUSTER_BREACH_ACTIONS,
  CLUSTER_FEATURES,
  DEFAULT_BREACH_ACTION,
  type EscalationStep,
  MAX_LIMITS_PER_FEATURE,
  MAX_LIMITS_PER_WORKGROUP,
  percentOf,
  type UsageLimitsBlock,
  WORKGROUP_BREACH_ACTIONS,
  WORKGROUP_FEATURES,
} from './usage-limits.schema.ts';

/**
 * AWS's rules for a declared set of limits, checked by `validate` where they depend on the policy's
 * resource (facts.md §5): which features and breach actions the service has, at most three limits per
 * feature and one `disable` per feature on a cluster (guide L3163, L3167), at most four limits per
 * workgroup (guide L1964); escalation grades in increasing order, each step one the resource has.
 * Paths are relative to the policy object, so the loader reports them at their file:line:col.
 */
const KEY = 'usageLimits';

export function checkUsageLimits(block: UsageLimitsBlock, resource: PolicyResource): CompileProblem[] {
  if (resource === 'integration') {
    return [
      {
        path: [KEY],
        atKey: true,
        message: 'usageLimits does not apply to integrations; expected resource: cluster or workgroup',
      },
    ];
  }
  return [...checkLimits(block, resource), ...checkGrades(block, resource)];
}

function checkLimits(block: UsageLimitsBlock, resource: 'cluster' | 'workgroup'): CompileProblem[] {
  const problems: CompileProblem[] = [];
  const features: Record<string, unknown> = resource === 'cluster' ? CLUSTER_FEATURES : WORKGROUP_FEATURES;
  const actions: readonly string[] = resource === 'cluster' ? CLUSTER_BREACH_ACTIONS : WORKGROUP_BREACH_ACTIONS;
  const perFeature = new Map<string, number>();
  const disableAt = new Map<string, number>();
  for (const [i, limit] of block.limits.entries()) {
    const at = [KEY, 'limits', i];
    if (!(limit.feature in features)) {
      problems.push({
        path: [...at, 'feature'],
        message: `feature "${limit.feature}" is not a ${resource} feature; expected one of ${Object.keys(features).join(', ')}`,
      });
      continue;
    }
    const action = limit.breachAction ?? DEFAULT_BREACH_ACTION;
    if (!actions.includes(action)) {
      problems.push({
        path: [...at, 'breachAction'],
        message: `breachAction "${action}" is not a ${resource} breach action; expected one of ${actions.join(', ')}`,
      });
    }
    if (resource === 'workgroup') continue;
    const count = (perFeature.get(limit.feature) ?? 0) + 1;
    perFeature.set(limit.feature, count);
    if (count === MAX_LIMITS_PER_FEATURE + 1) {
      problems.push({
        path: at,
        message: `a ${ordinal(count)} ${limit.feature} limit; AWS allows at most ${MAX_LIMITS_PER_FEATURE} limits per feature on a cluster`,
      });
    }
    if (action !== 'disable') continue;
    const first = disableAt.get(limit.feature);
    if (first === undefined) disableAt.set(limit.feature, i);
    else {
      problems.push({
        path: [...at, 'breachAction'],
        message: `a second ${limit.feature} limit with breachAction disable (limits[${first}] has one); AWS allows one disable per feature; expected log or emit-metric`,
      });
    }
  }
  if (resource === 'workgroup' && block.limits.length > MAX_LIMITS_PER_WORKGROUP) {
    problems.push({
      path: [KEY, 'limits', MAX_LIMITS_PER_WORKGROUP],
      message: `a ${ordinal(MAX_LIMITS_PER_WORKGROUP + 1)} limit; AWS allows at most ${MAX_LIMITS_PER_WORKGROUP} usage limits per workgroup`,
    });
  }
  return problems;
}

const STEPS_OF: Record<'cluster' | 'workgroup', readonly string[]> = {
  cluster: ['alert', 'disable-feature', 'pause'],
  workgroup: ['alert', 'deactivate', 'capMaxCapacity'],
};

const stepName = (step: EscalationStep): string => (typeof step === 'string' ? step : 'capMaxCapacity');

function checkGrades(block: UsageLimitsBlock, resource: 'cluster' | 'workgroup'): CompileProblem[] {
  const problems: CompileProblem[] = [];
  let previous: { percent: number; i: number } | null = null;
  for (const [i, grade] of (block.escalate ?? []).entries()) {
    const percent = percentOf(String(grade.at)) ?? 0;
    if (previous !== null && percent <= previous.percent) {
      problems.push({
        path: [KEY, 'escalate', i, 'at'],
        message: `at ${grade.at} does not climb above the grade before it (${previous.percent}%); expected grades in increasing order`,
      });
    }
    previous = { percent, i };
    for (const [j, step] of grade.do.entries()) {
      const name = stepName(step);
      if (STEPS_OF[resource].includes(name)) continue;
      problems.push({
        path: [KEY, 'escalate', i, 'do', j],
        message: `step ${name} does not apply to a ${resource}; expected one of ${STEPS_OF[resource].join(', ')}`,
      });
    }
  }
  return problems;
}

function ordinal(n: number): string {
  return ['zeroth', 'first', 'second', 'third', 'fourth', 'fifth'][n] ?? `${n}th`;
}
