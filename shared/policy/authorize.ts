import { type ActionSpec, actionKey } from '../execute/action-spec.ts';
import type { CapabilityRegistration, CompiledPolicy } from './capability.ts';
import { ALERT_ACTION, type Decision, type DecisionMode, type FleetResource } from './decision.ts';
import type { PolicySet } from './policy-loader.ts';

/**
 * The executor's check that a deployed policy decided what a queue message says (issue 22). The
 * message is data anyone with `sqs:SendMessage` could have written, so the executor takes nothing from
 * it that it can check itself: the policy must exist, its capability must be able to request the action
 * on that kind of target, every parameter must be one the action declares and a value the policy would
 * set, the guard (opt-in tag, zero-ETL allowance, resource limit) must be the policy's, and the
 * decision must be recent. Mode is the stricter of the message's and the policy's now (dry run, a
 * freeze calendar covering the executor's clock). Pure: the executor refuses before it claims, reads or
 * calls anything, so a forged message cannot take a real decision's idempotency key either.
 */
export type RefusalCause =
  | 'stale'
  | 'not-yet-due'
  | 'unknown-policy'
  | 'action-not-in-policy'
  | 'param-not-declared'
  | 'param-not-in-policy'
  | 'guard-mismatch';

export type Authorization =
  | {
      ok: true;
      decision: Decision;
      /**
       * Why the policy's selector does not select the resource the executor re-reads, or null; absent when
       * the policy selects another kind of resource than it acts on (a reaction on an integration resumes
       * its target cluster), where only the opt-in guardrail applies.
       */
      selects?: (resource: FleetResource) => string | null;
    }
  | { ok: false; cause: RefusalCause; detail: string };

export interface AuthorizeOptions {
  now: number;
  /** Decisions older than this are refused. */
  maxAgeMs: number;
  /** The declaration of an action (the executor's action registry). */
  action(name: string): ActionSpec | null;
  /** The capability that compiled a policy block, by its YAML key. */
  capability(key: string): Pick<CapabilityRegistration, 'actions'> | undefined;
}

/** A decision may be due a little after the executor's clock (clock skew between hosts), not later. */
export const MAX_CLOCK_SKEW_MS = 5 * 60_000;

const ALERT_PARAMS = new Set(['Subject', 'Message', 'MessageAttributes']);

const refuse = (cause: RefusalCause, detail: string): Authorization => ({ ok: false, cause, detail });

export function authorizeDecision(decision: Decision, policies: PolicySet, options: AuthorizeOptions): Authorization {
  const at = Date.parse(decision.at);
  const made = decision.decidedAt === undefined ? at : Date.parse(decision.decidedAt);
  if (Number.isNaN(at) || Number.isNaN(made)) {
    return refuse(
      'stale',
      `due ${JSON.stringify(decision.at)}, decided ${JSON.stringify(decision.decidedAt)}: not times`,
    );
  }
  // The age is the decision's (a snapshot retried an hour after its slot is still due at its slot).
  const age = options.now - made;
  if (age > options.maxAgeMs) {
    return refuse(
      'stale',
      `decided ${Math.round(age / 60_000)} min ago; the bound is ${options.maxAgeMs / 60_000} min`,
    );
  }
  if (at - options.now > MAX_CLOCK_SKEW_MS) {
    return refuse('not-yet-due', `due ${Math.round((at - options.now) / 60_000)} min in the future`);
  }
  const policy = policies.policies.find((p) => p.name === decision.policy);
  if (policy === undefined)
    return refuse('unknown-policy', `no deployed policy is named ${JSON.stringify(decision.policy)}`);
  const refusal =
    decision.action === ALERT_ACTION ? alertRefusal(decision, policy) : actionRefusal(decision, policy, options);
  if (refusal !== null) return refusal;
  const guard = guardRefusal(decision, policy);
  if (guard !== null) return refuse('guard-mismatch', guard);
  const admitted = withPolicyMode(decision, policy, options.now);
  if (policy.resource !== decision.target.type) return { ok: true, decision: admitted };
  const selects = (resource: FleetResource) =>
    policy.selector.matches(resource) ? null : `policy ${policy.name} does not select ${resource.type} ${resource.id}`;
  return { ok: true, decision: admitted, selects };
}

function actionRefusal(decision: Decision, policy: CompiledPolicy, options: AuthorizeOptions): Authorization | null {
  const spec = options.action(decision.action);
  const owner = options.capability(policy.capability.key);
  const declared = owner?.actions?.some((a) => actionKey(a) === decision.action) ?? false;
  if (spec === null || !declared) {
    return refuse(
      'action-not-in-policy',
      `policy ${policy.name} (${policy.capability.key}) never requests ${decision.action}`,
    );
  }
  if (spec.resourceType !== decision.target.type) {
    return refuse(
      'action-not-in-policy',
      `${decision.action} acts on a ${spec.resourceType}, the decision names a ${decision.target.type}`,
    );
  }
  for (const [key, value] of Object.entries(decision.params)) {
    if (value === undefined) continue;
    const rule = spec.params[key];
    if (rule === undefined) {
      const expected = Object.keys(spec.params).join(', ');
      return refuse('param-not-declared', `${decision.action} takes no parameter ${key}; expected only ${expected}`);
    }
    const why = paramRefusal(rule, key, value, decision, policy);
    if (why !== null) return refuse('param-not-in-policy', `${decision.action}: ${why}`);
  }
  return null;
}

function paramRefusal(
  rule: ActionSpec['params'][string],
  key: string,
  value: unknown,
  decision: Decision,
  policy: CompiledPolicy,
): string | null {
  if (rule.kind === 'target') {
    return value === decision.target.id
      ? null
      : `${key} ${JSON.stringify(value)} is not the target ${decision.target.id}`;
  }
  if (rule.kind === 'checked') return typeof value === 'string' ? null : `${key} is not a string`;
  const check = policy.capability.permitsParam;
  if (check === undefined) return `${key}: policy ${policy.name} sets no such parameter`;
  return check(decision.action, key, value, { target: decision.target, params: decision.params });
}

/** An alert names its policy and goes only to the alert topic: text is bounded by SNS, the policy must match. */
function alertRefusal(decision: Decision, policy: CompiledPolicy): Authorization | null {
  const extra = Object.keys(decision.params).filter((k) => !ALERT_PARAMS.has(k));
  if (extra.length > 0) return refuse('param-not-declared', `Publish takes no parameter ${extra.join(', ')}`);
  const attributes = decision.params.MessageAttributes as Record<string, { StringValue?: unknown }> | undefined;
  const named = attributes?.policy?.StringValue;
  if (named !== undefined && named !== policy.name) {
    return refuse(
      'param-not-in-policy',
      `Publish: MessageAttributes.policy ${JSON.stringify(named)} is not ${policy.name}`,
    );
  }
  return null;
}

function guardRefusal(decision: Decision, policy: CompiledPolicy): string | null {
  const { guard } = decision;
  const tag = policy.optInTag;
  if (guard.optInTag.key !== tag.key || guard.optInTag.value !== tag.value) {
    return `opt-in tag ${guard.optInTag.key}=${guard.optInTag.value} is not policy ${policy.name}'s ${tag.key}=${tag.value}`;
  }
  if (guard.allowZeroEtlTarget && policy.capability.allowsZeroEtlTarget !== true) {
    return `policy ${policy.name} does not allow acting on a zero-ETL target`;
  }
  const limit = policy.maxResources;
  if (limit === null && guard.maxResources !== null) {
    return `maxResources ${guard.maxResources}: policy ${policy.name} sets none`;
  }
  if (limit !== null && guard.maxResources === null) return `maxResources missing: policy ${policy.name} sets one`;
  // A percentage is of the resources decide() selected, which only the decider saw: the count it sent is kept.
  if (limit !== null && 'count' in limit && guard.maxResources !== limit.count) {
    return `maxResources ${guard.maxResources} is not policy ${policy.name}'s ${limit.count}`;
  }
  return null;
}

/** The stricter mode: a message may ask for less than the policy (dry run, frozen), never more. */
function withPolicyMode(decision: Decision, policy: CompiledPolicy, now: number): Decision {
  if (decision.mode !== 'act') return decision;
  for (const calendar of policy.freeze) {
    const what = calendar.explain(now);
    if (what !== null)
      return modeChanged(decision, 'frozen', `frozen by ${calendar.name} (${what}) when it reached the executor`);
  }
  return policy.dryRun ? modeChanged(decision, 'dry-run', `policy ${policy.name} is a dry run`) : decision;
}

function modeChanged(decision: Decision, mode: DecisionMode, why: string): Decision {
  return { ...decision, mode, reason: `${decision.reason}; ${why}` };
}
