import type { Decision } from '../policy/decision.ts';
import { type OperationSpec, operationSpec, USABLE_AVAILABILITY } from './operations.ts';
import type { ObservedResource } from './ports.ts';

/**
 * Guardrails: named checks the executor runs against the state it re-read, just before calling AWS.
 * Each returns null (allow) or a refusal reason. They run in registry order and the first refusal
 * wins; `notSuperseded` and `maxResources` run last because asking them writes to the ledger.
 * Dry-run and freeze are not guardrails: they are an engine switch handled before any read.
 */
export interface GuardrailContext {
  decision: Decision;
  operation: OperationSpec;
  resource: ObservedResource;
  /** Lazily asked facts that cost an AWS or DynamoDB call. */
  facts: {
    isZeroEtlTarget(): Promise<boolean>;
    /** Records this decision as the newest for its state; returns the `at` of a newer one, or null. */
    supersededBy(): Promise<string | null>;
    /** 1-based position of this action in its policy's budget for this run. */
    budgetSlot(): Promise<number>;
  };
}

export interface Guardrail {
  name: GuardrailName;
  /** One line for the README and the refusal alert. */
  rule: string;
  appliesTo(decision: Decision): boolean;
  check(ctx: GuardrailContext): string | null | Promise<string | null>;
}

export const GUARDRAIL_NAMES = [
  'targetMatches',
  'optInTag',
  'stateAllowsOperation',
  'notMultiAz',
  'automatedSnapshotsOn',
  'notZeroEtlTarget',
  'notSuperseded',
  'maxResources',
] as const;
export type GuardrailName = (typeof GUARDRAIL_NAMES)[number];

const always = () => true;
const isPauseOrResume = (d: Decision) => d.action === 'PauseCluster' || d.action === 'ResumeCluster';
const isPause = (d: Decision) => d.action === 'PauseCluster';

export const targetMatches: Guardrail = {
  name: 'targetMatches',
  rule: 'the re-read resource and the call parameters name exactly the decision target',
  appliesTo: always,
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
  rule: 'the resource still carries the opt-in tag (default autopilot:managed=true)',
  appliesTo: always,
  check({ decision, resource }) {
    const { key, value } = decision.guard.optInTag;
    const actual = resource.tags[key];
    if (actual === value) return null;
    return actual === undefined ? `opt-in tag ${key} is missing` : `opt-in tag ${key}=${actual}, expected ${value}`;
  },
};

export const stateAllowsOperation: Guardrail = {
  name: 'stateAllowsOperation',
  rule: 'the current status allows the operation (pause only available, resume only paused, nothing mid-change)',
  appliesTo: always,
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
  appliesTo: isPauseOrResume,
  check({ resource }) {
    return resource.type === 'cluster' && resource.multiAz ? 'Multi-AZ clusters cannot be paused or resumed' : null;
  },
};

export const automatedSnapshotsOn: Guardrail = {
  name: 'automatedSnapshotsOn',
  rule: 'never pause a cluster with automated snapshots off (retention 0, guide L3628–3634)',
  appliesTo: isPause,
  check({ resource }) {
    return resource.type === 'cluster' && resource.automatedSnapshotRetentionPeriod <= 0
      ? 'automated snapshots are off (AutomatedSnapshotRetentionPeriod 0)'
      : null;
  },
};

export const notZeroEtlTarget: Guardrail = {
  name: 'notZeroEtlTarget',
  rule: 'never pause a zero-ETL integration target unless the policy allows it',
  appliesTo: (d) => isPause(d) && !d.guard.allowZeroEtlTarget,
  async check({ facts }) {
    return (await facts.isZeroEtlTarget())
      ? 'cluster is a zero-ETL integration target and the policy does not set allowZeroEtlTarget'
      : null;
  },
};

export const notSuperseded: Guardrail = {
  name: 'notSuperseded',
  rule: 'a decision never undoes a newer one on the same resource (late or reordered delivery)',
  appliesTo: (d) => (operationSpec(d.action)?.stateKey ?? null) !== null,
  async check({ facts }) {
    const newer = await facts.supersededBy();
    return newer === null ? null : `superseded by a newer decision due ${newer}`;
  },
};

export const maxResources: Guardrail = {
  name: 'maxResources',
  rule: 'a policy acts on at most maxResources resources per run',
  appliesTo: (d) => d.guard.maxResources !== null,
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
  stateAllowsOperation,
  notMultiAz,
  automatedSnapshotsOn,
  notZeroEtlTarget,
  notSuperseded,
  maxResources,
];

export interface Refusal {
  guardrail: GuardrailName;
  reason: string;
}

export async function firstRefusal(
  ctx: GuardrailContext,
  registry: readonly Guardrail[] = GUARDRAILS,
): Promise<Refusal | null> {
  for (const guardrail of registry) {
    if (!guardrail.appliesTo(ctx.decision)) continue;
    const reason = await guardrail.check(ctx);
    if (reason !== null) return { guardrail: guardrail.name, reason };
  }
  return null;
}
