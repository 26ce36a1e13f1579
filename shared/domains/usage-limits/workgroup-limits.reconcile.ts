import type { EvaluationEnv, Proposal } from '../../policy/capability.ts';
import type { TargetRef, UsageLimitResource, WorkgroupResource } from '../../policy/decision.ts';
import type { DeclaredLimit } from './usage-limits.reconcile.ts';
import { describeLimit } from './usage-limits.reconcile.ts';
import { MAX_LIMITS_PER_WORKGROUP, WORKGROUP_FEATURES } from './usage-limits.schema.ts';
import { SERVERLESS_CREATE, SERVERLESS_DELETE, SERVERLESS_UPDATE } from './workgroup-limits.actions.ts';

/**
 * Desired state for one Serverless workgroup. Serverless usage limits carry no tags, so a limit is
 * autopilot's when the ledger holds this policy's succeeded create of it: the create of declared limit
 * `<feature>#<n>` is decided under the slot `limit:<feature>#<n>/<generation>`, and its record keeps the
 * id AWS answered (createdId). A limit deleted by hand is created again under the next generation; a
 * limit the ledger does not name was made by a person: reported, never modified or deleted.
 * Skip reasons start with a fixed category before the first ':' (the sweep counts skips by it).
 */
export const createSlot = (key: string, generation: number): string => `limit:${key}/${generation}`;

/** Every key a workgroup policy may have declared (features × up to four limits): removed declarations are found too. */
const ALL_KEYS = Object.keys(WORKGROUP_FEATURES).flatMap((f) =>
  Array.from({ length: MAX_LIMITS_PER_WORKGROUP }, (_, i) => `${f}#${i + 1}`),
);

export interface Owned {
  /** Limit ids the ledger says this policy created, by declared key (existing or not). */
  ids: Map<string, string[]>;
  /** The generation a new create of each key takes; null while one is under way. */
  next: Map<string, number | null>;
}

type LedgerLike = Pick<EvaluationEnv['ledger'], 'byKey' | 'keyFor'>;

/** What the ledger says this policy created on the workgroup. */
export function ownedByLedger(ledger: LedgerLike, policy: string, target: TargetRef): Owned {
  const ids = new Map<string, string[]>();
  const next = new Map<string, number | null>();
  for (const key of ALL_KEYS) {
    for (let n = 0; ; n++) {
      const entry = ledger.byKey(ledger.keyFor(policy, target, SERVERLESS_CREATE, createSlot(key, n)));
      if (entry?.status === 'succeeded' && typeof entry.createdId === 'string') {
        ids.set(key, [...(ids.get(key) ?? []), entry.createdId]);
        continue;
      }
      const underWay = entry?.status === 'pending' || entry?.status === 'in-progress';
      next.set(key, underWay ? null : n);
      break;
    }
  }
  return { ids, next };
}

/** The limit this policy made for `key` that exists now, if any. */
export function ownWorkgroupLimit(wg: WorkgroupResource, owned: Owned, key: string): UsageLimitResource | undefined {
  const ids = owned.ids.get(key) ?? [];
  return wg.limits?.find((l) => ids.includes(l.id));
}

export function reconcileWorkgroupLimits(
  wg: WorkgroupResource,
  declared: readonly DeclaredLimit[],
  policy: string,
  env: EvaluationEnv,
  /** Why a declared limit's put-back is done, when it undoes an escalation step (by declared key). */
  why: ReadonlyMap<string, string> = new Map(),
): Proposal[] {
  const target: TargetRef = { type: 'workgroup', id: wg.id };
  if (wg.limits === undefined) {
    return [
      {
        kind: 'skip',
        target,
        reason: 'usage limits not read: this fleet read has no usage limits; no limit is changed',
      },
    ];
  }
  const owned = ownedByLedger(env.ledger, policy, target);
  const mine = new Set([...owned.ids.values()].flat());
  const wanted = new Map(declared.map((d) => [d.key, d]));
  const acts: Proposal[] = [];
  let count = wg.limits.length;
  for (const key of ALL_KEYS) {
    const d = wanted.get(key);
    const existing = wg.limits.filter((l) => (owned.ids.get(key) ?? []).includes(l.id));
    const [keep, ...extra] =
      d === undefined ? [] : existing.filter((l) => l.feature === d.feature && l.period === d.period);
    for (const l of existing.filter((x) => x !== keep)) {
      const reason =
        d === undefined
          ? `policy ${policy} no longer declares ${key}`
          : extra.includes(l)
            ? `a second limit for declared ${key}`
            : `declared ${key} is ${describeLimit(d)}; AWS cannot update a period: deleted now, created on the next sweep`;
      acts.push(deleteProposal(l, target, reason));
      count--;
    }
    if (d === undefined) continue;
    if (keep !== undefined) {
      if (keep.amount !== d.amount || keep.breachAction !== d.breachAction)
        acts.push(updateProposal(keep, d, target, why.get(key)));
      continue;
    }
    if (existing.length > 0) continue; // its period changed: created once the delete is seen done
    const generation = owned.next.get(key);
    if (generation === null || generation === undefined) continue;
    if (count >= MAX_LIMITS_PER_WORKGROUP) {
      acts.push({
        kind: 'skip',
        target,
        reason: `usage limit blocked: declared ${key} (${describeLimit(d)}) cannot be created; the workgroup has ${count} usage limits and AWS allows ${MAX_LIMITS_PER_WORKGROUP}`,
      });
      continue;
    }
    count++;
    acts.push(createProposal(d, target, generation, wg.limits));
  }
  const people: Proposal[] = wg.limits
    .filter((l) => !mine.has(l.id))
    .map((l) => ({
      kind: 'skip',
      target,
      reason: `usage limit made outside autopilot: ${l.id} (${describeLimit(l)}) on workgroup ${wg.id} is not one autopilot's ledger says it created; never modified or deleted`,
    }));
  if (acts.some((p) => p.kind === 'act') && wg.status !== 'AVAILABLE') {
    return [
      { kind: 'skip', target, reason: `status ${wg.status}: usage limits are changed when the workgroup is AVAILABLE` },
      ...people,
    ];
  }
  return [...acts, ...people];
}

function createProposal(
  d: DeclaredLimit,
  target: TargetRef,
  generation: number,
  seen: readonly UsageLimitResource[],
): Proposal {
  return {
    kind: 'act',
    action: SERVERLESS_CREATE,
    target,
    params: {
      workgroupName: target.id,
      usageType: d.feature,
      amount: d.amount,
      period: d.period,
      breachAction: d.breachAction,
      LimitKey: d.key,
      // What was there when decided: a retry whose first answer was lost recognises the limit it made.
      existingLimitIds: seen.map((l) => l.id).join(','),
    },
    reason: `declared ${d.key} (${describeLimit(d)}) is missing on workgroup ${target.id}: create${generation > 0 ? ' again (the one autopilot made is gone)' : ''}`,
    slot: createSlot(d.key, generation),
  };
}

function updateProposal(l: UsageLimitResource, d: DeclaredLimit, target: TargetRef, why: string | undefined): Proposal {
  return {
    kind: 'act',
    action: SERVERLESS_UPDATE,
    target,
    params: {
      workgroupName: target.id,
      usageLimitId: l.id,
      LimitKey: d.key,
      amount: d.amount,
      breachAction: d.breachAction,
    },
    reason:
      why === undefined
        ? `usage limit ${l.id} is ${describeLimit(l)}; declared ${d.key} is ${describeLimit(d)}: put back`
        : `usage limit ${l.id}: ${why}`,
    slot: `${l.id}:${l.amount}/${l.breachAction}->${d.amount}/${d.breachAction}`,
  };
}

function deleteProposal(l: UsageLimitResource, target: TargetRef, why: string): Proposal {
  return {
    kind: 'act',
    action: SERVERLESS_DELETE,
    target,
    params: { workgroupName: target.id, usageLimitId: l.id },
    reason: `delete usage limit ${l.id} (${describeLimit(l)}): ${why}`,
    slot: l.id,
  };
}
