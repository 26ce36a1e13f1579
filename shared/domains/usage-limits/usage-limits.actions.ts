import type { CreateUsageLimitCommandInput, UsageLimitBreachAction } from '@aws-sdk/client-redshift';
import type { RedshiftAdapter } from '../../aws/redshift.adapter.ts';
import { ResourceStateConflictError } from '../../errors.ts';
import type { ActionResult, ActionSpec, PermissionSpec } from '../../execute/action-spec.ts';
import { CLUSTER_BROKEN } from '../../execute/cluster-states.ts';
import { BASE_GUARDRAILS } from '../../execute/guardrail-names.ts';
import type { UsageLimitResource } from '../../policy/decision.ts';
import { CHANGE_OPTED_IN_CLUSTERS, redshiftOf } from '../windows/window.actions.ts';
import { changeLimitEffect, dropLimitEffect } from './usage-limit-effects.ts';
import { AUTOPILOT_LIMIT_TAG_KEYS, LIMIT_TAGS, MADE_BY_AUTOPILOT, ownership } from './usage-limit-tags.ts';
import { MAX_LIMITS_PER_FEATURE } from './usage-limits.schema.ts';

/**
 * The provisioned usage-limit calls. Each is complete when it returns (no state to wait for), changes
 * no cluster state and is safe to repeat: a create first looks for the limit it would make (same
 * policy and limit tags) and answers with it, a modify sets what it sets, a delete of a limit already
 * gone is done. Modify and delete re-read the limit first and touch only one tagged by this policy's
 * autopilot on this cluster, whatever the decision says.
 *
 * IAM, as the Service Authorization Reference for Amazon Redshift lists it: CreateUsageLimit takes the
 * cluster (scoped by the opt-in tag) and the new usagelimit, which has no tags yet, so it is scoped by
 * aws:RequestTag/aws:TagKeys; ModifyUsageLimit and DeleteUsageLimit take usagelimit* with
 * aws:ResourceTag; DescribeUsageLimits has no resource type to scope the account-wide listing by.
 */
const USAGE_LIMIT_ARN = 'arn:{partition}:redshift:{region}:{account}:usagelimit:*';

const CREATE_ONLY_TAGGED: PermissionSpec = {
  sid: 'CreateOnlyTaggedUsageLimits',
  actions: ['redshift:CreateUsageLimit', 'redshift:CreateTags'],
  resource: USAGE_LIMIT_ARN,
  condition: { kind: 'requestTag', tags: MADE_BY_AUTOPILOT, tagKeys: AUTOPILOT_LIMIT_TAG_KEYS },
  note: 'a new usage limit has no tags: the request must carry managed-by=redshift-autopilot and only autopilot tag keys (tags at create are also authorised as CreateTags)',
};

const changeOwn = (action: string): PermissionSpec => ({
  sid: 'ChangeOnlyAutopilotUsageLimits',
  actions: [`redshift:${action}`],
  resource: USAGE_LIMIT_ARN,
  condition: { kind: 'resourceTag', tags: MADE_BY_AUTOPILOT },
  note: 'usagelimit* takes aws:ResourceTag: only limits autopilot tagged at create; the handler re-checks the policy tag on a fresh read',
});

const READ_USAGE_LIMITS: PermissionSpec = {
  sid: 'ReadUsageLimits',
  actions: ['redshift:DescribeUsageLimits'],
  resource: '*',
  condition: {
    kind: 'none',
    why: 'read before every change (ownership, idempotent create); the listing by cluster or id names no resource the reference lets a statement scope',
  },
};

const base = {
  service: 'redshift' as const,
  resourceType: 'cluster' as const,
  idParam: 'ClusterIdentifier',
  allowedStatuses: ['available'],
  finalState: null,
  failedStates: CLUSTER_BROKEN,
  observes: 'resource' as const,
  stateKey: null,
  guardrails: [...BASE_GUARDRAILS, 'maxResources'],
  // No tracking: the call is complete when it returns; the next sweep reads the limit back.
};

const refusal = (operation: string, message: string): ResourceStateConflictError =>
  new ResourceStateConflictError(`${operation}: ${message}`, {
    cause: Object.assign(new Error(message), { name: 'UsageLimitNotAutopilots' }),
  });

/**
 * AWS's per-feature rules against what exists on a fresh read (a person may have added limits since the
 * sweep): at most three per feature, one `disable` per feature. Null: there is room.
 */
export function roomRefusal(
  existing: readonly UsageLimitResource[],
  feature: string,
  breachAction: string,
  except: string | null,
): string | null {
  const same = existing.filter((l) => l.feature === feature && l.id !== except);
  if (except === null && same.length >= MAX_LIMITS_PER_FEATURE) {
    return `the cluster already has ${same.length} ${feature} limits (${same.map((l) => l.id).join(', ')}); AWS allows ${MAX_LIMITS_PER_FEATURE} per feature`;
  }
  const disabling = same.find((l) => l.breachAction === 'disable');
  if (breachAction === 'disable' && disabling !== undefined) {
    return `usage limit ${disabling.id} already disables ${feature}; AWS allows one disable per feature`;
  }
  return null;
}

/** The limit on a fresh read, if it is this policy's on this cluster; otherwise why not. */
export function ownedRefusal(
  limit: UsageLimitResource | null,
  params: Readonly<Record<string, unknown>>,
): string | null {
  const id = String(params.UsageLimitId);
  if (limit === null) return null;
  if (limit.clusterId !== params.ClusterIdentifier) {
    return `usage limit ${id} belongs to cluster ${limit.clusterId}, not ${String(params.ClusterIdentifier)}`;
  }
  // A limit of a policy no longer deployed is deleted on behalf of its owner (usage-limits.ownership.ts).
  const owner = ownership(limit, String(params.OrphanOf ?? params.OwnerPolicy));
  if (owner === 'person') return `usage limit ${id} was not made by autopilot (no managed-by tag); left as it is`;
  if (owner === 'other-policy') return `usage limit ${id} belongs to policy ${limit.tags[LIMIT_TAGS.policy] ?? '?'}`;
  if (params.LimitKey !== undefined && limit.tags[LIMIT_TAGS.limit] !== params.LimitKey) {
    return `usage limit ${id} is ${limit.tags[LIMIT_TAGS.limit] ?? 'no declared limit'}, not ${String(params.LimitKey)}`;
  }
  return null;
}

export const createUsageLimit: ActionSpec = {
  ...base,
  name: 'CreateUsageLimit',
  summary: 'create a declared usage limit on a cluster, tagged as autopilot’s',
  params: {
    ClusterIdentifier: { kind: 'target' },
    FeatureType: { kind: 'policy' },
    LimitType: { kind: 'policy' },
    Amount: { kind: 'policy' },
    Period: { kind: 'policy' },
    BreachAction: { kind: 'policy' },
    Tags: { kind: 'policy' },
  },
  permissions: [CHANGE_OPTED_IN_CLUSTERS('CreateUsageLimit'), CREATE_ONLY_TAGGED, READ_USAGE_LIMITS],
  effect: {
    apply: (r, p) => (r.type === 'cluster' ? { ...r, limits: [...(r.limits ?? []), plannedLimit(r.id, p)] } : r),
    changesState: false,
    cost: 'none',
    mark: '⊕',
  },
  perform: (params, services) => createOnce(redshiftOf(services, 'CreateUsageLimit'), params),
};

/** A repeat of a create whose answer was lost meets the limit it made: answered with it, never a second one. */
async function createOnce(redshift: RedshiftAdapter, params: Record<string, unknown>): Promise<ActionResult> {
  const input: CreateUsageLimitCommandInput = {
    ClusterIdentifier: String(params.ClusterIdentifier),
    FeatureType: params.FeatureType as CreateUsageLimitCommandInput['FeatureType'],
    LimitType: params.LimitType as CreateUsageLimitCommandInput['LimitType'],
    Amount: Number(params.Amount),
    Period: params.Period as CreateUsageLimitCommandInput['Period'],
    BreachAction: params.BreachAction as CreateUsageLimitCommandInput['BreachAction'],
    Tags: (params.Tags as { Key: string; Value: string }[]).map((t) => ({ Key: t.Key, Value: t.Value })),
  };
  const tag = (key: string) => input.Tags?.find((t) => t.Key === key)?.Value;
  const existing = await redshift.readUsageLimits({ clusterIdentifier: input.ClusterIdentifier ?? '' });
  const made = existing.find(
    (l) =>
      ownership(l, tag(LIMIT_TAGS.policy) ?? '') === 'this-policy' &&
      l.tags[LIMIT_TAGS.limit] === tag(LIMIT_TAGS.limit) &&
      l.feature === input.FeatureType &&
      l.period === input.Period,
  );
  if (made !== undefined) return { afterState: null, createdId: made.id };
  const full = roomRefusal(existing, input.FeatureType ?? '', input.BreachAction ?? 'log', null);
  if (full !== null) throw refusal('CreateUsageLimit', full);
  const out = await redshift.client.send(new redshift.commands.CreateUsageLimitCommand(input));
  return { afterState: null, ...(out.UsageLimitId === undefined ? {} : { createdId: out.UsageLimitId }) };
}

export const modifyUsageLimit: ActionSpec = {
  ...base,
  name: 'ModifyUsageLimit',
  summary: 'put a usage limit autopilot made back to the declared amount and breach action',
  params: {
    ClusterIdentifier: { kind: 'target' },
    UsageLimitId: { kind: 'checked', why: 'the handler re-reads the limit: on this cluster, tagged by this policy' },
    OwnerPolicy: { kind: 'policy' },
    LimitKey: { kind: 'policy' },
    Amount: { kind: 'policy' },
    BreachAction: { kind: 'policy' },
  },
  permissions: [changeOwn('ModifyUsageLimit'), READ_USAGE_LIMITS],
  effect: changeLimitEffect({
    resource: 'cluster',
    id: 'UsageLimitId',
    amount: 'Amount',
    breachAction: 'BreachAction',
  }),
  async perform(params, services) {
    const redshift = redshiftOf(services, 'ModifyUsageLimit');
    const id = String(params.UsageLimitId);
    const limit = await redshift.readUsageLimit(id);
    if (limit === null) throw refusal('ModifyUsageLimit', `usage limit ${id} no longer exists`);
    const refused = ownedRefusal(limit, params);
    if (refused !== null) throw refusal('ModifyUsageLimit', refused);
    if (params.BreachAction === 'disable' && limit.breachAction !== 'disable') {
      const siblings = await redshift.readUsageLimits({ clusterIdentifier: limit.clusterId });
      const taken = roomRefusal(siblings, limit.feature, 'disable', limit.id);
      if (taken !== null) throw refusal('ModifyUsageLimit', taken);
    }
    await redshift.client.send(
      new redshift.commands.ModifyUsageLimitCommand({
        UsageLimitId: id,
        Amount: Number(params.Amount),
        BreachAction: params.BreachAction as UsageLimitBreachAction,
      }),
    );
    return { afterState: null };
  },
};

export const deleteUsageLimit: ActionSpec = {
  ...base,
  name: 'DeleteUsageLimit',
  summary: 'delete a usage limit autopilot made that its policy no longer declares (or whose period changed)',
  params: {
    ClusterIdentifier: { kind: 'target' },
    UsageLimitId: { kind: 'checked', why: 'the handler re-reads the limit: on this cluster, tagged by this policy' },
    OwnerPolicy: { kind: 'policy' },
    OrphanOf: {
      kind: 'checked',
      why: 'decide() names a policy no deployed policy is named, a day after the sweep recorded the orphan; the handler deletes only a limit tagged managed-by autopilot and that policy, on this cluster',
    },
  },
  permissions: [changeOwn('DeleteUsageLimit'), READ_USAGE_LIMITS],
  effect: dropLimitEffect({ resource: 'cluster', id: 'UsageLimitId' }),
  async perform(params, services) {
    const redshift = redshiftOf(services, 'DeleteUsageLimit');
    const id = String(params.UsageLimitId);
    const limit = await redshift.readUsageLimit(id);
    if (limit === null) return { afterState: 'deleted' };
    const refused = ownedRefusal(limit, params);
    if (refused !== null) throw refusal('DeleteUsageLimit', refused);
    await redshift.client.send(new redshift.commands.DeleteUsageLimitCommand({ UsageLimitId: id }));
    return { afterState: 'deleted' };
  },
};

/** The limit plan assumes a create made (its id is not known before AWS answers). */
function plannedLimit(clusterId: string, p: Readonly<Record<string, unknown>>): UsageLimitResource {
  const tags: Record<string, string> = {};
  for (const t of (p.Tags as { Key: string; Value: string }[] | undefined) ?? []) tags[t.Key] = t.Value;
  return {
    id: `planned:${tags[LIMIT_TAGS.limit] ?? '?'}`,
    clusterId,
    feature: String(p.FeatureType),
    limitType: String(p.LimitType),
    amount: Number(p.Amount),
    period: String(p.Period),
    breachAction: String(p.BreachAction),
    tags,
  };
}

export const USAGE_LIMIT_ACTIONS: readonly ActionSpec[] = [createUsageLimit, modifyUsageLimit, deleteUsageLimit];
