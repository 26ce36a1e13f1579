import type { CompileContext, CompiledCapability, EvaluationEnv, Proposal } from '../../policy/capability.ts';
import type { FleetResource } from '../../policy/decision.ts';
import { oneOf } from '../../policy/param-check.ts';
import { LIMIT_TAGS, limitTags } from './usage-limit-tags.ts';
import {
  type DeclaredLimit,
  declaredLimits,
  describeLimit,
  reconcileLimits,
  type SlotOf,
} from './usage-limits.reconcile.ts';
import { checkUsageLimits, notBuiltYet } from './usage-limits.rules.ts';
import type { UsageLimitsBlock } from './usage-limits.schema.ts';

/**
 * `usageLimits` compiled: the declared limits kept in place on every selected cluster (reconcile), and
 * the executor's check that a decision's values are ones this policy sets (permitsParam).
 */
export interface CompiledUsageLimits extends CompiledCapability {
  declared: readonly DeclaredLimit[];
}

export function compileUsageLimits(raw: Record<string, unknown>, ctx: CompileContext): CompiledUsageLimits | null {
  const block = raw.usageLimits as UsageLimitsBlock;
  ctx.problems.push(...checkUsageLimits(block, ctx.resource), ...notBuiltYet(block, ctx.resource));
  if (ctx.problems.some((p) => p.severity !== 'warning')) return null;
  const declared = declaredLimits(block.limits);
  const policy = ctx.policyName;
  return {
    key: 'usageLimits',
    // The sweep reads the clusters' usage limits only for deployments with a policy like this one.
    fleetParts: ['limits'],
    declared,
    summary: `usage limits: ${declared.map((d) => describeLimit(d)).join('; ')}`,
    reconcile: (resource: FleetResource, _override, env): Proposal[] =>
      resource.type === 'cluster' ? reconcileLimits(resource, declared, policy, slotsOf(env, policy, resource.id)) : [],
    permitsParam: (action, key, value, decision) => permits(declared, policy, action, key, value, decision.params),
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

/** What this policy would send for `key` of `action`, given the rest of the decision's parameters. */
function permits(
  declared: readonly DeclaredLimit[],
  policy: string,
  action: string,
  key: string,
  value: unknown,
  params: Readonly<Record<string, unknown>>,
): string | null {
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
  return key in wanted ? oneOf(key, value, [wanted[key]]) : `${key} is not a value policy ${policy} sets`;
}
