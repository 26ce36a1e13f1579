import type { Decision, FleetResource } from '../policy/decision.ts';
import type { ActionSpec } from './action-spec.ts';
import { USABLE_AVAILABILITY } from './cluster-states.ts';
import type { GuardrailName } from './guardrail-names.ts';
import type { ObservedResource } from './ports.ts';

/**
 * Guardrails: named checks the executor runs against the state it re-read, just before calling AWS.
 * Each returns null (allow) or a refusal reason. They run in registry order and the first refusal
 * wins; `notSuperseded` and `maxResources` run last because asking them writes to the ledger.
 * Dry-run and freeze are not guardrails: they are an engine switch handled before any read.
 */
export interface GuardrailContext {
  decision: Decision;
  operation: ActionSpec;
  resource: ObservedResource;
  /** Lazily asked facts that cost an AWS or DynamoDB call. */
  facts: {
    isZeroEtlTarget(): Promise<boolean>;
    /** Records this decision as the newest for its state; returns the `at` of a newer one, or null. */
    supersededBy(): Promise<string | null>;
    /** 1-based position of this action in its policy's budget for this run. */
    budgetSlot(): Promise<number>;
    /** Why the deciding policy's selector does not select the re-read resource, or null (also when not checked). */
    policySelects?(): string | null;
  };
}

export interface Guardrail {
  /** A built-in name, or a capability's own guardrail name. */
  name: GuardrailName | string;
  /** One line for the README and the refusal alert. */
  rule: string;
  appliesTo(decision: Decision, spec: ActionSpec): boolean;
  check(ctx: GuardrailContext): string | null | Promise<string | null>;
}

export { GUARDRAIL_NAMES, type GuardrailName } from './guardrail-names.ts';

/** The guardrail applies when the action's declaration lists it (and the extra condition holds). */
export const declared =
  (name: string, also: (d: Decision, spec: ActionSpec) => boolean = () => true) =>
  (d: Decision, spec: ActionSpec) =>
    spec.guardrails.includes(name) && also(d, spec);

/**
 * The rules themselves, on a resource as decide() sees it in the fleet and as the executor re-reads
 * it: decide() turns a refusal into a skip with this reason, the executor into a refusal. One copy.
 */
export const GUARDRAIL_RULES = {
  notMultiAz: (resource: FleetResource): string | null =>
    resource.type === 'cluster' && resource.multiAz ? 'Multi-AZ cluster cannot be paused' : null,
  automatedSnapshotsOn: (resource: FleetResource): string | null =>
    resource.type === 'cluster' && resource.automatedSnapshotRetentionPeriod <= 0 ? 'automated snapshots off' : null,
  notZeroEtlTarget: (isTarget: boolean, allowed: boolean): string | null =>
    isTarget && !allowed ? 'zero-ETL target (pauseZeroEtlTargets not set)' : null,
} as const;

export const targetMatches: Guardrail = {
  name: 'targetMatches',
  rule: 'the re-read resource and the call parameters name exactly the decision target',
  appliesTo: declared('targetMatches'),
  check({ decision, operation, resource }) {
    if (resource.type !== operation.resourceType) {
      return `target is a ${resource.type}, ${decision.action} needs a ${operation.resourceType}`;
    }
    if (resource.id !== decision.target.id) return `re-read ${resource.id}, decision names ${decision.target.id}`;
    const named = decision.params[operation.idParam];
    const idOf = operation.idOf ?? 'target';
    if (idOf === 'none') return null;
    if (idOf === 'namespace') {
      // Serverless snapshot calls name the namespace: it must be the re-read workgroup's own.
      const namespace = resource.type === 'workgroup' ? resource.namespaceName : null;
      return named === namespace && namespace !== null
        ? null
        : `params.${operation.idParam} is ${JSON.stringify(named)}, workgroup ${resource.id} has namespace ${JSON.stringify(namespace)}`;
    }
    if (named !== decision.target.id) {
      return `params.${operation.idParam} is ${JSON.stringify(named)}, decision target is ${decision.target.id}`;
    }
    return null;
  },
};

export const optInTag: Guardrail = {
  name: 'optInTag',
  rule: 'the resource still carries the opt-in tag (defaults.optInTag, default autopilot:managed=true)',
  appliesTo: declared('optInTag'),
  check({ decision, resource }) {
    const { key, value } = decision.guard.optInTag;
    const actual = resource.tags[key];
    if (actual === value) return null;
    return actual === undefined ? `opt-in tag ${key} is missing` : `opt-in tag ${key}=${actual}, expected ${value}`;
  },
};

/**
 * A decision names its policy; the executor holds that deployed policy (shared/policy/authorize.ts) and
 * asks its selector about the resource it re-read: a pause that `dev-office-hours` (match env: dev) is
 * said to have decided for a cluster tagged env: prod is refused, opted in or not.
 */
export const policySelects: Guardrail = {
  name: 'policySelects',
  rule: "the deciding policy's `match` still selects the re-read resource",
  appliesTo: declared('policySelects'),
  check: ({ facts }) => facts.policySelects?.() ?? null,
};

export const stateAllowsOperation: Guardrail = {
  name: 'stateAllowsOperation',
  rule: 'the current status allows the operation (pause only available, resume only paused, nothing mid-change)',
  appliesTo: declared('stateAllowsOperation'),
  check({ decision, operation, resource }) {
    if (operation.anyState === true) return null;
    if (!operation.allowedStatuses.includes(resource.status)) {
      return `status ${resource.status}: ${decision.action} needs ${operation.allowedStatuses.join(' or ')}`;
    }
    if (resource.type === 'cluster') {
      const availability = resource.availabilityStatus;
      const allowed: readonly (string | null)[] = operation.allowedAvailability ?? USABLE_AVAILABILITY;
      if (!allowed.includes(availability)) {
        const names = allowed.filter((a): a is string => a !== null);
        return `availability ${availability}: ${decision.action} needs ${names.join(' or ')}`;
      }
    }
    return null;
  },
};

export const notMultiAz: Guardrail = {
  name: 'notMultiAz',
  rule: 'never pause or resume a Multi-AZ cluster (not supported, guide L4559)',
  appliesTo: declared('notMultiAz'),
  check: ({ resource }) => GUARDRAIL_RULES.notMultiAz(resource),
};

export const automatedSnapshotsOn: Guardrail = {
  name: 'automatedSnapshotsOn',
  rule: 'never pause a cluster with automated snapshots off (retention 0, guide L3628–3634)',
  appliesTo: declared('automatedSnapshotsOn'),
  check: ({ resource }) => GUARDRAIL_RULES.automatedSnapshotsOn(resource),
};

export const notZeroEtlTarget: Guardrail = {
  name: 'notZeroEtlTarget',
  rule: 'never pause a zero-ETL integration target unless the policy sets pauseZeroEtlTargets: true',
  appliesTo: declared('notZeroEtlTarget', (d) => !d.guard.allowZeroEtlTarget),
  async check({ facts }) {
    return GUARDRAIL_RULES.notZeroEtlTarget(await facts.isZeroEtlTarget(), false);
  },
};

export const notSuperseded: Guardrail = {
  name: 'notSuperseded',
  rule: 'a decision never undoes a newer one on the same resource (late or reordered delivery)',
  appliesTo: declared('notSuperseded', (_d, spec) => spec.stateKey !== null),
  async check({ facts }) {
    const newer = await facts.supersededBy();
    return newer === null ? null : `superseded by a newer decision due ${newer}`;
  },
};

export const maxResources: Guardrail = {
  name: 'maxResources',
  rule: 'a policy acts on at most maxResources resources per run',
  appliesTo: declared('maxResources', (d) => d.guard.maxResources !== null),
  async check({ decision, facts }) {
    const limit = decision.guard.maxResources;
    if (limit === null) return null;
    const slot = await facts.budgetSlot();
    return slot > limit ? `maxResources ${limit} reached for policy ${decision.policy} in this run` : null;
  },
};

/** Registry order is evaluation order. */
export const GUARDRAILS: readonly Guardrail[] = [
  targetMatches,
  optInTag,
  policySelects,
  stateAllowsOperation,
  notMultiAz,
  automatedSnapshotsOn,
  notZeroEtlTarget,
  notSuperseded,
  maxResources,
];

export interface Refusal {
  guardrail: GuardrailName | string;
  reason: string;
}

export async function firstRefusal(
  ctx: GuardrailContext,
  registry: readonly Guardrail[] = GUARDRAILS,
): Promise<Refusal | null> {
  for (const guardrail of registry) {
    if (!guardrail.appliesTo(ctx.decision, ctx.operation)) continue;
    const reason = await guardrail.check(ctx);
    if (reason !== null) return { guardrail: guardrail.name, reason };
  }
  return null;
}
