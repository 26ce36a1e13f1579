import type { EvaluationEnv, Proposal } from '../../policy/capability.ts';
import type { ClusterResource, TargetRef, WorkgroupResource } from '../../policy/decision.ts';
import { LIMIT_TAGS, MANAGED_BY } from './usage-limit-tags.ts';
import { dueOrphan, orphanReason, usagePolicies } from './usage-limits.ownership.ts';
import { describeLimit, type SlotOf } from './usage-limits.reconcile.ts';
import { SERVERLESS_DELETE } from './workgroup-limits.actions.ts';

/**
 * decide()'s deletes of limits autopilot made for a policy no longer deployed, once their grace has
 * passed (usage-limits.ownership.ts says when). Only on an available resource; the deciding policy is
 * the first deployed usage-limits policy selecting it, so each orphan is one decision.
 */
export function orphanDeletes(
  resource: ClusterResource | WorkgroupResource,
  policy: string,
  env: EvaluationEnv,
  slotOf: SlotOf,
): Proposal[] {
  if (resource.limits === undefined || env.policies === undefined) return [];
  const ready = resource.type === 'cluster' ? resource.status === 'available' : resource.status === 'AVAILABLE';
  if (!ready) return [];
  const deployed = usagePolicies(env.policies, resource.type).map((p) => p.name);
  const target: TargetRef = { type: resource.type, id: resource.id };
  const out: Proposal[] = [];
  for (const l of resource.limits) {
    // A provisioned limit names its owner in its tags: a person's (untagged) or this policy's is never an orphan.
    if (
      resource.type === 'cluster' &&
      (l.tags[LIMIT_TAGS.managedBy] !== MANAGED_BY || l.tags[LIMIT_TAGS.policy] === policy)
    )
      continue;
    const due = dueOrphan(resource, l.id, policy, env);
    if (due === null) continue;
    const why = orphanReason(due.owner, due.since, deployed);
    out.push(
      resource.type === 'cluster'
        ? {
            kind: 'act',
            action: 'DeleteUsageLimit',
            target,
            params: { ClusterIdentifier: resource.id, UsageLimitId: l.id, OwnerPolicy: policy, OrphanOf: due.owner },
            reason: `delete usage limit ${l.id} (${describeLimit(l)}): ${why}`,
            slot: slotOf('DeleteUsageLimit', `orphan:${l.id}`),
          }
        : {
            kind: 'act',
            action: SERVERLESS_DELETE,
            target,
            params: { workgroupName: resource.id, usageLimitId: l.id },
            reason: `delete usage limit ${l.id} (${describeLimit(l)}): ${why}`,
            slot: `orphan:${l.id}`,
          },
    );
  }
  return out;
}
