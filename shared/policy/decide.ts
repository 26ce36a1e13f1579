import { createHash } from 'node:crypto';
import type { NormalizedEvent } from '../events/normalized-event.ts';
import type { CompiledPolicy, EvaluationEnv, LedgerIndex, Proposal, ProposedAction } from './capability.ts';
import type {
  Decision,
  DecisionMode,
  FleetResource,
  FleetSnapshot,
  LedgerEntryView,
  LedgerView,
  Skip,
  TargetRef,
} from './decision.ts';
import { indexFleet } from './fleet.ts';
import type { PolicySet } from './policy-loader.ts';
import { isOptedIn, readOverride } from './targeting.ts';

/**
 * decide(): policies × fleet × trigger × now × ledger → decisions and skips. Pure: no clock, no I/O,
 * no randomness; the same input gives byte-identical output (sorted, fixed key order). Policies come
 * compiled from the loader; fleet and ledger indexes are cached per input object, so repeated calls
 * with the same snapshot (a burst of events) do not rebuild them.
 */
export type TickTrigger = { kind: 'tick'; at: string };
export type Trigger = NormalizedEvent | TickTrigger;

export interface DecideInput {
  policies: PolicySet | readonly CompiledPolicy[];
  fleet: FleetSnapshot;
  trigger: Trigger;
  /** ISO 8601 UTC. */
  now: string;
  ledger: LedgerView;
}

export interface DecideOutput {
  decisions: Decision[];
  skips: Skip[];
  /**
   * Idempotency keys decide() looked up and did not find in the ledger view it was given (the sweep
   * passes only in-flight records). A caller that can read them (LedgerPort.getMany) and finds some
   * should decide again with them added: the answer may change (an idle pause keeps its cluster paused).
   */
  ledgerKeys: string[];
}

const IN_PROGRESS: ReadonlySet<LedgerEntryView['status']> = new Set(['in-progress']);

export function idempotencyKey(policy: string, target: TargetRef, action: string, slot: string): string {
  return createHash('sha256')
    .update(JSON.stringify([policy, target.type, target.id, action, slot]))
    .digest('hex');
}

const ledgerCache = new WeakMap<LedgerView, LedgerIndex>();
export function indexLedger(ledger: LedgerView): LedgerIndex {
  let index = ledgerCache.get(ledger);
  if (index !== undefined) return index;
  const byKey = new Map<string, LedgerEntryView>();
  const busy = new Map<string, LedgerEntryView[]>();
  for (const entry of ledger.entries) {
    byKey.set(entry.idempotencyKey, entry);
    if (IN_PROGRESS.has(entry.status)) {
      const key = `${entry.target.type}:${entry.target.id}`;
      busy.set(key, [...(busy.get(key) ?? []), entry]);
    }
  }
  index = {
    byKey: (key) => byKey.get(key),
    inProgress: (target) => busy.get(`${target.type}:${target.id}`) ?? [],
    keyFor: idempotencyKey,
  };
  ledgerCache.set(ledger, index);
  return index;
}

const fleetCache = new WeakMap<FleetSnapshot, ReturnType<typeof indexFleet>>();
function fleetIndexOf(fleet: FleetSnapshot) {
  let index = fleetCache.get(fleet);
  if (index === undefined) {
    index = indexFleet(fleet);
    fleetCache.set(fleet, index);
  }
  return index;
}

const NONE: readonly FleetResource[] = [];

/**
 * The resources of the policy's type its selector matches, in fleet order, per fleet snapshot: the
 * sweep decides more than once on one snapshot (again with the ledger records decide() asked for), and
 * selection depends only on the snapshot and the compiled policy. Snapshots are not mutated once
 * decided on (the fleet index above is cached the same way).
 */
const selectionCache = new WeakMap<FleetSnapshot, WeakMap<CompiledPolicy, readonly FleetResource[]>>();
function selectedBy(
  snapshot: FleetSnapshot,
  resources: readonly FleetResource[],
  policy: CompiledPolicy,
): readonly FleetResource[] {
  let byPolicy = selectionCache.get(snapshot);
  if (byPolicy === undefined) {
    byPolicy = new WeakMap();
    selectionCache.set(snapshot, byPolicy);
  }
  let selected = byPolicy.get(policy);
  if (selected === undefined) {
    const list: FleetResource[] = [];
    for (const resource of resources) {
      if (resource.type === policy.resource && policy.selector.matches(resource)) list.push(resource);
    }
    selected = list;
    byPolicy.set(policy, selected);
  }
  return selected;
}

function refOf(resource: FleetResource): TargetRef {
  const ref: TargetRef = { type: resource.type, id: resource.id };
  if (resource.arn !== null) ref.arn = resource.arn;
  if (resource.region !== null) ref.region = resource.region;
  return ref;
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Events that mean "sweep now": EventBridge Scheduler ticks carry kind `schedule`. */
function isSweep(trigger: Trigger): boolean {
  return trigger.kind === 'tick' || trigger.kind === 'schedule';
}

export function decide(input: DecideInput): DecideOutput {
  const policies = Array.isArray(input.policies) ? input.policies : (input.policies as PolicySet).policies;
  const now = Date.parse(input.now);
  const nowIso = new Date(now).toISOString();
  const fleet = fleetIndexOf(input.fleet);
  const indexed = indexLedger(input.ledger);
  const asked = new Set<string>();
  const ledger: LedgerIndex = {
    ...indexed,
    byKey: (key) => {
      const found = indexed.byKey(key);
      if (found === undefined) asked.add(key);
      return found;
    },
  };
  const memo = new Map<string, unknown>();
  const decisions: Decision[] = [];
  const skips: Skip[] = [];
  const trigger = input.trigger;
  const event = isSweep(trigger) ? null : (trigger as NormalizedEvent);

  // For an event, desired-state capabilities reconcile only the resource the event is about.
  let eventResource: FleetResource | undefined;
  if (event !== null) {
    eventResource =
      (event.resource.arn === undefined ? undefined : fleet.byArn(event.resource.arn)) ??
      fleet.byTypeAndId(event.resource.type as FleetResource['type'], event.resource.id);
  }

  // An event one policy caused on purpose is not something other policies react to.
  let explained: string | null = null;
  if (event !== null) {
    for (const policy of policies) {
      const why = policy.capability.explainsEvent?.(event, { now, fleet, ledger, policy, memo }) ?? null;
      if (why !== null) {
        explained = `${policy.name}: ${why}`;
        break;
      }
    }
  }

  for (const policy of policies) {
    const capability = policy.capability;
    const env: EvaluationEnv = { now, fleet, ledger, policy, memo };
    const proposals: Proposal[] = [];
    let selected = 0;
    if (capability.reconcile !== undefined) {
      const candidates =
        event === null
          ? selectedBy(input.fleet, fleet.resources, policy)
          : eventResource === undefined ||
              eventResource.type !== policy.resource ||
              !policy.selector.matches(eventResource)
            ? NONE
            : [eventResource];
      for (const resource of candidates) {
        if (!isOptedIn(resource, policy.optInTag)) {
          proposals.push({ kind: 'skip', target: refOf(resource), reason: 'not opted in' });
          continue;
        }
        selected++;
        const override = readOverride(resource, now);
        if (override.kind === 'invalid') {
          proposals.push({ kind: 'skip', target: refOf(resource), reason: override.reason });
          continue;
        }
        proposals.push(...capability.reconcile(resource, override, env));
      }
    }
    if (event !== null && capability.react !== undefined) {
      const reactions = capability.react(event, env);
      selected += reactions.length > 0 ? 1 : 0;
      for (const reaction of reactions) {
        if (explained !== null && reaction.kind === 'act' && capability.explainsEvent === undefined) {
          proposals.push({
            kind: 'skip',
            target: reaction.target,
            reason: `expected event, not acted on: ${explained}`,
          });
        } else proposals.push(reaction);
      }
    }

    // Nothing proposed: nothing to count, limit, freeze or report (most policies for most events).
    if (proposals.length === 0) continue;
    const acts = proposals.filter((p): p is ProposedAction => p.kind === 'act');
    let limit: number | null = null;
    let limitText = '';
    if (policy.maxResources !== null) {
      if ('count' in policy.maxResources) {
        limit = policy.maxResources.count;
        limitText = String(limit);
      } else {
        limit = Math.floor((policy.maxResources.percent * selected) / 100);
        limitText = `${limit} (${policy.maxResources.percent}% of ${selected})`;
      }
    }
    // Custodian semantics: over the limit, the policy refuses and acts on none of them.
    const refused = limit !== null && acts.length > limit;
    let mode: DecisionMode = policy.dryRun ? 'dry-run' : 'act';
    let frozenBy = '';
    for (const calendar of policy.freeze) {
      const what = calendar.explain(now);
      if (what !== null) {
        mode = 'frozen';
        frozenBy = `; frozen by ${calendar.name} (${what})`;
        break;
      }
    }
    for (const proposal of proposals) {
      if (proposal.kind === 'skip') {
        skips.push({ at: nowIso, policy: policy.name, target: proposal.target, reason: proposal.reason });
        continue;
      }
      if (refused) {
        skips.push({
          at: nowIso,
          policy: policy.name,
          target: proposal.target,
          reason: `maxResources exceeded: ${acts.length} > ${limitText}`,
        });
        continue;
      }
      decisions.push({
        at: proposal.at === undefined ? nowIso : new Date(proposal.at).toISOString(),
        policy: policy.name,
        action: proposal.action,
        target: proposal.target,
        params: proposal.params,
        reason: `${proposal.reason}${frozenBy}`,
        idempotencyKey: idempotencyKey(policy.name, proposal.target, proposal.action, proposal.slot),
        mode,
        guard: {
          optInTag: { key: policy.optInTag.key, value: policy.optInTag.value },
          allowZeroEtlTarget: proposal.allowZeroEtlTarget ?? false,
          maxResources: limit,
        },
      });
    }
  }

  decisions.sort(
    (a, b) =>
      cmp(a.at, b.at) ||
      cmp(a.policy, b.policy) ||
      cmp(a.target.type, b.target.type) ||
      cmp(a.target.id, b.target.id) ||
      cmp(a.action, b.action) ||
      cmp(a.idempotencyKey, b.idempotencyKey),
  );
  skips.sort(
    (a, b) =>
      cmp(a.policy, b.policy) ||
      cmp(a.target.type, b.target.type) ||
      cmp(a.target.id, b.target.id) ||
      cmp(a.reason, b.reason),
  );
  return { decisions, skips, ledgerKeys: [...asked].sort() };
}
