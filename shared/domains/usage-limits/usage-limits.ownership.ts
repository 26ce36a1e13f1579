import type { CompiledPolicy, EvaluationEnv } from '../../policy/capability.ts';
import type { FleetResource, TargetRef } from '../../policy/decision.ts';
import { isOptedIn } from '../../policy/targeting.ts';

/**
 * Limits autopilot made for a policy that is no longer deployed (its file removed, the policy renamed)
 * are removed — after a grace, so that a policy file missing from one deploy does not cost its limits
 * (a limit created again counts only from its creation, guide L3150, and its grades would restart):
 *
 * 1. The sweep's tracker sees an autopilot limit whose owner no deployed usage-limits policy is named:
 *    it records the orphan in the ledger (`UsageLimitOrphan`, keyed by resource and limit id, holding
 *    the owner's name and when it was first seen) and alerts once, saying when it will be removed.
 * 2. From ORPHAN_GRACE_MS after that, decide() proposes its delete — only while at least one usage-limits
 *    policy is deployed (the policy deciding it) and the owner's name is still absent; the first deployed
 *    usage-limits policy (by name) that selects the resource decides it, so it is one decision.
 *
 * The owner of a provisioned limit is its `autopilot:policy` tag. Serverless limits have no tags: the
 * tracker writes an owner row (`UsageLimitOwner`, keyed by resource and limit id) for each limit a
 * deployed policy's ledger create record names, so the owner is still known once the policy is gone. A
 * limit with neither mark was made by a person: reported once a day, never modified or deleted.
 */
export const ORPHAN_GRACE_MS = 24 * 60 * 60_000;
export const ORPHAN_ACTION = 'UsageLimitOrphan';
export const OWNER_ACTION = 'UsageLimitOwner';

/** The ledger key of a limit's orphan record (no policy: the deciding policy does not know the owner's). */
export const orphanKey = (env: Pick<EvaluationEnv['ledger'], 'keyFor'>, target: TargetRef, limitId: string) =>
  env.keyFor('', { type: target.type, id: target.id }, ORPHAN_ACTION, limitId);

/** The ledger key of a Serverless limit's owner row. */
export const ownerKey = (env: Pick<EvaluationEnv['ledger'], 'keyFor'>, target: TargetRef, limitId: string) =>
  env.keyFor('', { type: target.type, id: target.id }, OWNER_ACTION, limitId);

/** The deployed usage-limits policies of a resource type. */
export function usagePolicies(policies: readonly CompiledPolicy[], type: FleetResource['type']): CompiledPolicy[] {
  return policies.filter((p) => p.capability.key === 'usageLimits' && p.resource === type);
}

/** The deployed usage-limits policy that decides orphans' deletes on `resource`: the first by name that selects it. */
export function orphanDecider(resource: FleetResource, policies: readonly CompiledPolicy[]): string | null {
  const names = usagePolicies(policies, resource.type)
    .filter((p) => p.selector.matches(resource) && isOptedIn(resource, p.optInTag))
    .map((p) => p.name)
    .sort();
  return names[0] ?? null;
}

/**
 * Whether `policy` deletes the orphan `limitId` on `resource` now: the env knows every deployed policy,
 * `policy` is the one that decides orphans there, the owner is not deployed, and the orphan record is
 * at least ORPHAN_GRACE_MS old. Returns the owner's name and since when, or null.
 */
export function dueOrphan(
  resource: FleetResource,
  limitId: string,
  policy: string,
  env: Pick<EvaluationEnv, 'ledger' | 'policies' | 'now'>,
): { owner: string; since: string } | null {
  if (env.policies === undefined || orphanDecider(resource, env.policies) !== policy) return null;
  const record = env.ledger.byKey(orphanKey(env.ledger, { type: resource.type, id: resource.id }, limitId));
  const owner = record?.params?.owner;
  if (record === undefined || typeof owner !== 'string') return null;
  if (usagePolicies(env.policies, resource.type).some((p) => p.name === owner)) return null;
  const since = Date.parse(record.at);
  if (!(env.now - since >= ORPHAN_GRACE_MS)) return null;
  return { owner, since: record.at };
}

/** The words of an orphan's delete. */
export const orphanReason = (owner: string, since: string, deployed: readonly string[]): string =>
  `autopilot made it for policy ${owner}, which no deployed policy is named since ${since.slice(0, 16)}Z (the grace of ${ORPHAN_GRACE_MS / 3_600_000} h has passed; deployed usage-limits policies: ${deployed.join(', ')})`;
