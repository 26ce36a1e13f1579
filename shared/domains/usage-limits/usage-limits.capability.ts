import type { CompileContext, CompiledCapability, EvaluationEnv, Proposal } from '../../policy/capability.ts';
import type { FleetResource } from '../../policy/decision.ts';
import { oneOf } from '../../policy/param-check.ts';
import { LIMIT_TAGS, limitTags } from './usage-limit-tags.ts';
import { escalateCluster, escalatedDeclared, resumeAfterPeriod } from './usage-limits.escalate.ts';
import { compileEscalation, type Escalation } from './usage-limits.grades.ts';
import { orphanDeletes } from './usage-limits.orphans.ts';
import { usageBudgets, usageOutlook } from './usage-limits.outlook.ts';
import {
  type DeclaredLimit,
  declaredLimits,
  describeLimit,
  reconcileLimits,
  type SlotOf,
} from './usage-limits.reconcile.ts';
import { checkUsageLimits } from './usage-limits.rules.ts';
import type { UsageLimitsBlock } from './usage-limits.schema.ts';
import { permitsWorkgroup, reconcileWorkgroup } from './workgroup-limits.capability.ts';

/**
 * `usageLimits` compiled: the declared limits kept in place on every selected cluster (reconcile), and
 * the executor's check that a decision's values are ones this policy sets (permitsParam).
 */
export interface CompiledUsageLimits extends CompiledCapability {
  declared: readonly DeclaredLimit[];
  /** The grades, when the policy escalates (the grade-alert tracker reads them too). */
  escalation: Escalation | null;
}

export function compileUsageLimits(raw: Record<string, unknown>, ctx: CompileContext): CompiledUsageLimits | null {
  const block = raw.usageLimits as UsageLimitsBlock;
  ctx.problems.push(...checkUsageLimits(block, ctx.resource));
  if (ctx.problems.some((p) => p.severity !== 'warning')) return null;
  const declared = declaredLimits(block.limits);
  const escalation = compileEscalation(block, declared);
  const policy = ctx.policyName;
  const grades =
    escalation === null
      ? ''
      : `; escalate at ${escalation.grades.map((g) => `${g.percent}% (${g.steps.join(', ')})`).join(', ')}`;
  return {
    key: 'usageLimits',
    // The sweep reads the clusters' usage limits (and, to escalate, their consumption) only for deployments with a policy like this one.
    fleetParts: escalation === null ? ['limits'] : ['limits', 'usage'],
    declared,
    escalation,
    summary: `usage limits: ${declared.map((d) => describeLimit(d)).join('; ')}${grades}`,
    reconcile: (resource: FleetResource, _override, env): Proposal[] => {
      if (resource.type === 'workgroup')
        return [
          ...reconcileWorkgroup(resource, declared, escalation, policy, env),
          ...orphanDeletes(resource, policy, env, (_action, base) => base),
        ];
      if (resource.type !== 'cluster') return [];
      const slots = slotsOf(env, policy, resource.id);
      const orphans = orphanDeletes(resource, policy, env, slots);
      if (escalation === null) return [...reconcileLimits(resource, declared, policy, slots), ...orphans];
      const wanted = escalatedDeclared(resource, declared, escalation, policy, env);
      return [
        ...reconcileLimits(resource, wanted.declared, policy, slots, wanted.why),
        ...orphans,
        ...escalateCluster(resource, escalation, policy, env),
        ...resumeAfterPeriod(resource, escalation, policy, env),
      ];
    },
    // plan: usage against each escalated limit and the grades it reaches (fleet files with usage).
    outlook: (self, fleet, from) => usageOutlook(self, fleet, from, escalation),
    // The report: each escalated limit's consumption against its amount, grades marked.
    usageBudgets: () => usageBudgets(policy, escalation),
    permitsParam: (action, key, value, decision) =>
      decision.target.type === 'workgroup'
        ? permitsWorkgroup(declared, escalation, policy, { action, key, value, params: decision.params })
        : permits(declared, escalation, policy, { action, key, value, params: decision.params }),
  };
}

/** Generations of a change's slot within its UTC day (reconcileLimits' SlotOf), read from the ledger. */
function slotsOf(env: EvaluationEnv, policy: string, clusterId: string): SlotOf {
  const day = new Date(env.now).toISOString().slice(0, 10);
  const target = { type: 'cluster' as const, id: clusterId };
  return (action, base) => {
    for (let n = 0; ; n++) {
      const slot = `${base}@${day}#${n}`;
      const entry = env.ledger.byKey(env.ledger.keyFor(policy, target, action, slot));
      if (entry === undefined || entry.status !== 'succeeded') return slot;
    }
  };
}

/**
 * What this policy would send for `key` of `action`, given the rest of the decision's parameters: the
 * declared values, and breach action disable for an escalated limit when a grade disables its feature.
 */
function permits(
  declared: readonly DeclaredLimit[],
  escalation: Escalation | null,
  policy: string,
  asked: { action: string; key: string; value: unknown; params: Readonly<Record<string, unknown>> },
): string | null {
  const { action, key, value, params } = asked;
  if (key === 'OwnerPolicy') return oneOf(key, value, [policy]);
  const limitKey =
    action === 'CreateUsageLimit'
      ? (params.Tags as { Key?: string; Value?: string }[] | undefined)?.find?.((t) => t.Key === LIMIT_TAGS.limit)
          ?.Value
      : params.LimitKey;
  const d = declared.find((x) => x.key === limitKey);
  if (d === undefined) {
    return `${key}: policy ${policy} declares no limit ${JSON.stringify(limitKey)}; expected one of ${declared.map((x) => x.key).join(', ')}`;
  }
  const wanted: Record<string, unknown> = {
    FeatureType: d.feature,
    LimitType: d.limitType,
    Amount: d.amount,
    Period: d.period,
    BreachAction: d.breachAction,
    Tags: limitTags(policy, d.key),
    LimitKey: d.key,
  };
  const escalated = escalation?.limits.some((e) => e.key === d.key) === true;
  const disables = escalated && escalation?.grades.some((g) => g.steps.includes('disable-feature')) === true;
  if (key === 'BreachAction' && action !== 'CreateUsageLimit' && disables) {
    return oneOf(key, value, [d.breachAction, 'disable']);
  }
  return key in wanted ? oneOf(key, value, [wanted[key]]) : `${key} is not a value policy ${policy} sets`;
}
