import type { Proposal } from '../../policy/capability.ts';
import type { ClusterResource, TargetRef, UsageLimitResource } from '../../policy/decision.ts';
import { LIMIT_TAGS, limitTags, ownership } from './usage-limit-tags.ts';
import { roomRefusal } from './usage-limits.actions.ts';
import { unitOf } from './usage-limits.grades.ts';
import { CLUSTER_FEATURES, DEFAULT_BREACH_ACTION, DEFAULT_PERIOD, type LimitDecl } from './usage-limits.schema.ts';

/**
 * Skip reasons start with a fixed category before the first ':' (the sweep counts skips by it).
 *
 * Desired state for one cluster: every declared limit exists with its amount, period and breach
 * action; limits this policy made that it no longer declares are deleted; limits made by people are
 * reported and left alone. AWS's per-feature rules (three limits, one `disable`) are checked against
 * what exists before a create or a switch to `disable`, so a person's limits turn a change into a
 * skip with the reason rather than an AWS refusal.
 */
export interface DeclaredLimit {
  /** `<feature>#<n>`: the n-th limit of that feature in the policy; the created limit's `autopilot:limit` tag. */
  key: string;
  feature: keyof typeof CLUSTER_FEATURES;
  limitType: string;
  amount: number;
  period: string;
  breachAction: string;
}

export function declaredLimits(limits: readonly LimitDecl[]): DeclaredLimit[] {
  const seen = new Map<string, number>();
  return limits.map((l) => {
    const n = (seen.get(l.feature) ?? 0) + 1;
    seen.set(l.feature, n);
    const feature = l.feature as keyof typeof CLUSTER_FEATURES;
    return {
      key: `${feature}#${n}`,
      feature,
      // Serverless limits have no LimitType (their usage type says the unit).
      limitType: (CLUSTER_FEATURES as Record<string, { limitType: string }>)[feature]?.limitType ?? '',
      amount: l.amount,
      period: l.period ?? DEFAULT_PERIOD,
      breachAction: l.breachAction ?? DEFAULT_BREACH_ACTION,
    };
  });
}

export function describeLimit(l: Pick<UsageLimitResource, 'feature' | 'amount' | 'period' | 'breachAction'>): string {
  const unit = unitOf(l.feature);
  return `${l.feature} ${l.amount} ${unit} ${l.period}, ${l.breachAction}`.replace(/ {2}/g, ' ');
}

interface Change {
  proposal: Proposal;
  /** A limit this change removes (a delete): it no longer counts against AWS's per-feature rules. */
  removes?: string;
}

/**
 * The slot of a change, from its base (what it changes, to what, and the UTC day): the first generation
 * `#n` whose decision the ledger does not hold as succeeded. A change done and needed again (a limit
 * deleted by hand after autopilot made it) gets the next generation, so it is decided again at once;
 * one that failed, was skipped or is under way keeps its key, so it is tried once a day, not every sweep.
 */
export type SlotOf = (action: string, base: string) => string;

export function reconcileLimits(
  cluster: ClusterResource,
  declared: readonly DeclaredLimit[],
  policy: string,
  slotOf: SlotOf,
  /** Why a declared limit's put-back is done, when it undoes an escalation step (by declared key). */
  why: ReadonlyMap<string, string> = new Map(),
): Proposal[] {
  const target: TargetRef = { type: 'cluster', id: cluster.id };
  if (cluster.limits === undefined) {
    return [
      {
        kind: 'skip',
        target,
        reason: 'usage limits not read: this fleet read has no usage limits; no limit is changed',
      },
    ];
  }
  const existing = cluster.limits;
  const changes = ownChanges(existing, declared, policy, target, slotOf, why);
  const removed = new Set(changes.flatMap((c) => (c.removes === undefined ? [] : [c.removes])));
  const after = existing.filter((l) => !removed.has(l.id));
  // A limit deleted for its period is created on the next sweep, once the delete is seen done.
  const own = new Set(
    existing.filter((l) => ownership(l, policy) === 'this-policy').map((l) => l.tags[LIMIT_TAGS.limit]),
  );
  const creates = missingChanges(
    after,
    declared.filter((d) => !own.has(d.key)),
    target,
    policy,
    slotOf,
  );
  const people: Proposal[] = existing
    .filter((l) => ownership(l, policy) === 'person')
    .map((l) => ({
      kind: 'skip',
      target,
      reason: `usage limit made outside autopilot: ${l.id} (${describeLimit(l)}) has no managed-by tag; never modified or deleted`,
    }));
  const acts = [...changes.map((c) => c.proposal), ...creates];
  if (acts.some((p) => p.kind === 'act') && cluster.status !== 'available') {
    return [
      {
        kind: 'skip',
        target,
        reason: `status ${cluster.status}: usage limits are changed when the cluster is available`,
      },
      ...people,
    ];
  }
  return [...acts, ...people];
}

/** Deletes and modifies of this policy's own limits. */
function ownChanges(
  existing: readonly UsageLimitResource[],
  declared: readonly DeclaredLimit[],
  policy: string,
  target: TargetRef,
  slotOf: SlotOf,
  why: ReadonlyMap<string, string>,
): Change[] {
  const changes: Change[] = [];
  const wanted = new Map(declared.map((d) => [d.key, d]));
  const matched = new Set<string>();
  for (const l of existing.filter((x) => ownership(x, policy) === 'this-policy')) {
    const key = l.tags[LIMIT_TAGS.limit] ?? '';
    const d = wanted.get(key);
    const del = (why: string): Change => ({
      proposal: deleteProposal(l, policy, target, slotOf, why),
      removes: l.id,
    });
    if (d === undefined) changes.push(del(`policy ${policy} no longer declares it`));
    else if (matched.has(key)) changes.push(del(`a second limit for declared ${key}`));
    else if (l.feature !== d.feature || l.limitType !== d.limitType || l.period !== d.period) {
      matched.add(key);
      changes.push(
        del(
          `declared ${key} is ${describeLimit(d)}; AWS cannot modify a period: deleted now, created on the next sweep`,
        ),
      );
    } else {
      matched.add(key);
      if (l.amount !== d.amount || l.breachAction !== d.breachAction) {
        changes.push({ proposal: modifyProposal(l, d, existing, { policy, target, slotOf, why: why.get(d.key) }) });
      }
    }
  }
  return changes;
}

function deleteProposal(
  l: UsageLimitResource,
  policy: string,
  target: TargetRef,
  slotOf: SlotOf,
  why: string,
): Proposal {
  return {
    kind: 'act',
    action: 'DeleteUsageLimit',
    target,
    params: { ClusterIdentifier: target.id, UsageLimitId: l.id, OwnerPolicy: policy },
    reason: `delete usage limit ${l.id} (${describeLimit(l)}): ${why}`,
    slot: slotOf('DeleteUsageLimit', l.id),
  };
}

function modifyProposal(
  l: UsageLimitResource,
  d: DeclaredLimit,
  existing: readonly UsageLimitResource[],
  at: { policy: string; target: TargetRef; slotOf: SlotOf; why: string | undefined },
): Proposal {
  const { policy, target, slotOf } = at;
  const blocked =
    d.breachAction === 'disable' && l.breachAction !== 'disable'
      ? roomRefusal(existing, d.feature, 'disable', l.id)
      : null;
  if (blocked !== null)
    return {
      kind: 'skip',
      target,
      reason: `usage limit blocked: ${l.id} cannot be put back to ${describeLimit(d)}; ${blocked}`,
    };
  return {
    kind: 'act',
    action: 'ModifyUsageLimit',
    target,
    params: {
      ClusterIdentifier: target.id,
      UsageLimitId: l.id,
      OwnerPolicy: policy,
      LimitKey: d.key,
      Amount: d.amount,
      BreachAction: d.breachAction,
    },
    reason:
      at.why === undefined
        ? `usage limit ${l.id} is ${describeLimit(l)}; declared ${d.key} is ${describeLimit(d)}: put back`
        : `usage limit ${l.id}: ${at.why}`,
    slot: slotOf('ModifyUsageLimit', `${l.id}:${l.amount}/${l.breachAction}->${d.amount}/${d.breachAction}`),
  };
}

/** Creates for declared limits this policy has no limit for, unless AWS's per-feature rules forbid them. */
function missingChanges(
  after: readonly UsageLimitResource[],
  missing: readonly DeclaredLimit[],
  target: TargetRef,
  policy: string,
  slotOf: SlotOf,
): Proposal[] {
  const counted = [...after];
  const out: Proposal[] = [];
  for (const d of missing) {
    const blocked = roomRefusal(counted, d.feature, d.breachAction, null);
    if (blocked !== null) {
      out.push({
        kind: 'skip',
        target,
        reason: `usage limit blocked: declared ${d.key} (${describeLimit(d)}) cannot be created; ${blocked}`,
      });
      continue;
    }
    const tags = limitTags(policy, d.key);
    out.push({
      kind: 'act',
      action: 'CreateUsageLimit',
      target,
      params: {
        ClusterIdentifier: target.id,
        FeatureType: d.feature,
        LimitType: d.limitType,
        Amount: d.amount,
        Period: d.period,
        BreachAction: d.breachAction,
        Tags: tags,
      },
      reason: `declared ${d.key} (${describeLimit(d)}) is missing on ${target.id}: create`,
      slot: slotOf('CreateUsageLimit', `${d.key}:${d.amount}/${d.period}/${d.breachAction}`),
    });
    counted.push({ ...d, id: `new:${d.key}`, clusterId: target.id, tags: {} });
  }
  return out;
}
