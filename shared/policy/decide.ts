import type { NormalizedEvent } from '../events/normalized-event.ts';
import { actionRegistry } from '../execute/action-registry.ts';
import type { CompiledPolicy, EvaluationEnv, FleetIndex, LedgerIndex, Proposal, ProposedAction } from './capability.ts';
import type {
  Decision,
  DecisionMode,
  FleetResource,
  FleetSnapshot,
  LedgerView,
  Skip,
  TargetRef,
  UnreadPart,
} from './decision.ts';
import { indexFleet, resourceOfRef } from './fleet.ts';
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

import { idempotencyKey, indexLedger } from './decision-keys.ts';

export { idempotencyKey, indexLedger } from './decision-keys.ts';

const fleetCache = new WeakMap<FleetSnapshot, FleetIndex>();
function fleetIndexOf(fleet: FleetSnapshot): FleetIndex {
  let index = fleetCache.get(fleet);
  if (index === undefined) {
    index = withUnreadIntegrations(indexFleet(fleet), fleet.unread ?? []);
    fleetCache.set(fleet, index);
  }
  return index;
}

/** A fleet read without its integrations: targets are those checked one by one; the rest is unknown. */
function withUnreadIntegrations(index: FleetIndex, unread: readonly UnreadPart[]): FleetIndex {
  const part = unread.find((p) => p.types.includes('integration'));
  if (part === undefined) return index;
  const checked = part.checked ?? {};
  const text = unreadText(part);
  // `cluster/<id>@<account>/<region>` (a hub's sweep, where one name may be in two targets), else `cluster/<id>`.
  const known = (r: FleetResource) =>
    checked[`${r.type}/${r.id}@${r.account}/${r.region}`] ?? checked[`${r.type}/${r.id}`];
  return {
    ...index,
    isZeroEtlTarget: (r) => index.isZeroEtlTarget(r) || known(r) === true,
    zeroEtlUnknown: (r) => (r.type === 'cluster' && known(r) === undefined ? text : null),
  };
}

function unreadText(part: UnreadPart): string {
  return `${part.reader} not read (${part.reason})`;
}

/** How the skip of an action on a cluster of unknown zero-ETL status begins (the sweep looks for it). */
export const ZERO_ETL_UNKNOWN = 'zero-ETL status unknown';

/** The guardrail whose facts come from the integrations: what it protects waits while they are unknown. */
const ZERO_ETL_GUARDRAIL = 'notZeroEtlTarget';

/**
 * A cluster whose zero-ETL status is unknown is not paused: an action the zero-ETL guardrail protects,
 * proposed while the integrations could not be read, becomes a skip (unless the policy allows acting on
 * zero-ETL targets anyway). The next sweep that reads them decides it again.
 */
function unknownZeroEtl(proposal: Proposal, fleet: FleetIndex): Proposal {
  if (proposal.kind !== 'act' || fleet.zeroEtlUnknown === undefined || proposal.allowZeroEtlTarget === true) {
    return proposal;
  }
  // By ARN first: in a hub one name may be in two targets, each with its own zero-ETL status.
  const resource = proposal.actsOn ?? resourceOfRef(fleet, proposal.target);
  const unknown = resource === undefined ? null : fleet.zeroEtlUnknown(resource);
  if (unknown === null || !(actionRegistry.action(proposal.action)?.guardrails ?? []).includes(ZERO_ETL_GUARDRAIL)) {
    return proposal;
  }
  return {
    kind: 'skip',
    target: proposal.target,
    reason: `${ZERO_ETL_UNKNOWN}: ${unknown}; ${proposal.action} waits until the sweep can tell`,
  };
}

/** On a sweep, a policy whose resources were not read decides nothing, and says so once. */
function unreadSkip(policy: CompiledPolicy, call: DecideCall): Skip | null {
  if (call.event !== null || policy.capability.reconcile === undefined) return null;
  const part = (call.input.fleet.unread ?? []).find((p) => p.types.includes(policy.resource));
  if (part === undefined) return null;
  return {
    at: call.nowIso,
    policy: policy.name,
    target: { type: policy.resource, id: '*' },
    reason: `not decided: ${unreadText(part)}; every ${policy.resource} of the policy waits for the next sweep`,
  };
}

const NONE: readonly FleetResource[] = [];

/**
 * The resources of the policy's type its selector matches, in fleet order, per fleet snapshot: the
 * sweep decides more than once on one snapshot (again with the ledger records decide() asked for), and
 * selection depends only on the snapshot and the compiled policy. Snapshots are not mutated once
 * decided on (the fleet index above is cached the same way). The snapshot's resources are split by
 * type once, so each policy tests only resources of its own type.
 */
interface Selections {
  byType: Map<string, FleetResource[]>;
  byPolicy: WeakMap<CompiledPolicy, readonly FleetResource[]>;
}
const selectionCache = new WeakMap<FleetSnapshot, Selections>();
function selectedBy(
  snapshot: FleetSnapshot,
  resources: readonly FleetResource[],
  policy: CompiledPolicy,
): readonly FleetResource[] {
  let cached = selectionCache.get(snapshot);
  if (cached === undefined) {
    const byType = new Map<string, FleetResource[]>();
    for (const resource of resources) {
      const list = byType.get(resource.type);
      if (list === undefined) byType.set(resource.type, [resource]);
      else list.push(resource);
    }
    cached = { byType, byPolicy: new WeakMap() };
    selectionCache.set(snapshot, cached);
  }
  let selected = cached.byPolicy.get(policy);
  if (selected === undefined) {
    const list: FleetResource[] = [];
    const matches = policy.selector.matches;
    for (const resource of cached.byType.get(policy.resource) ?? NONE) if (matches(resource)) list.push(resource);
    selected = list;
    cached.byPolicy.set(policy, selected);
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

/** What every policy of one decide() call shares. */
interface DecideCall {
  input: DecideInput;
  now: number;
  nowIso: string;
  fleet: FleetIndex;
  ledger: LedgerIndex;
  memo: Map<string, unknown>;
  policies: readonly CompiledPolicy[];
  /** Each policy's evaluation env, made when first needed (explaining the event, then proposing). */
  envs: (EvaluationEnv | undefined)[];
  event: NormalizedEvent | null;
  /** For an event: the resource it is about, when the fleet has it. */
  eventResource: FleetResource | undefined;
  /** For an event one policy caused on purpose: which policy, and why. */
  explained: string | null;
  /** How many resources the policy being decided selected (proposalsOf sets it). */
  selected: number;
}

function envOf(call: DecideCall, i: number): EvaluationEnv {
  let env = call.envs[i];
  if (env === undefined) {
    env = {
      now: call.now,
      fleet: call.fleet,
      ledger: call.ledger,
      policy: call.policies[i] as CompiledPolicy,
      memo: call.memo,
      policies: call.policies,
    };
    call.envs[i] = env;
  }
  return env;
}

/** `new Date(ms).toISOString()` of the last call: a burst of events and the sweep's second pass share one. */
let lastIso: { ms: number; iso: string } = { ms: Number.NaN, iso: '' };
function isoOf(ms: number): string {
  if (lastIso.ms !== ms) lastIso = { ms, iso: new Date(ms).toISOString() };
  return lastIso.iso;
}

export function decide(input: DecideInput): DecideOutput {
  const policies = Array.isArray(input.policies) ? input.policies : (input.policies as PolicySet).policies;
  const now = Date.parse(input.now);
  const fleet = fleetIndexOf(input.fleet);
  const asked = new Set<string>();
  const trigger = input.trigger;
  const event = isSweep(trigger) ? null : (trigger as NormalizedEvent);
  const call: DecideCall = {
    input,
    now,
    nowIso: isoOf(now),
    fleet,
    ledger: askingLedger(indexLedger(input.ledger), asked),
    memo: new Map(),
    policies,
    envs: new Array(policies.length),
    event,
    eventResource: event === null ? undefined : resourceOfEvent(event, fleet),
    explained: null,
    selected: 0,
  };
  if (event !== null) call.explained = explainedBy(event, call);
  const decisions: Decision[] = [];
  const skips: Skip[] = [];
  for (let i = 0; i < policies.length; i++) {
    const policy = policies[i] as CompiledPolicy;
    const unread = unreadSkip(policy, call);
    if (unread !== null) {
      skips.push(unread);
      continue;
    }
    const proposals = proposalsOf(policy, i, call);
    // Nothing proposed: nothing to count, limit, freeze or report (most policies for most events).
    if (proposals.length === 0) continue;
    settle(
      policy,
      fleet.zeroEtlUnknown === undefined ? proposals : proposals.map((p) => unknownZeroEtl(p, fleet)),
      call.selected,
      call,
      decisions,
      skips,
    );
  }
  if (decisions.length > 1)
    decisions.sort(
      (a, b) =>
        cmp(a.at, b.at) ||
        cmp(a.policy, b.policy) ||
        cmp(a.target.type, b.target.type) ||
        cmp(a.target.id, b.target.id) ||
        cmp(a.action, b.action) ||
        cmp(a.idempotencyKey, b.idempotencyKey),
    );
  if (skips.length > 1)
    skips.sort(
      (a, b) =>
        cmp(a.policy, b.policy) ||
        cmp(a.target.type, b.target.type) ||
        cmp(a.target.id, b.target.id) ||
        cmp(a.reason, b.reason),
    );
  return { decisions, skips, ledgerKeys: asked.size === 0 ? [] : [...asked].sort() };
}

/** The ledger index, noting every key looked up and not found (DecideOutput.ledgerKeys). */
function askingLedger(indexed: LedgerIndex, asked: Set<string>): LedgerIndex {
  return {
    ...indexed,
    byKey: (key) => {
      const found = indexed.byKey(key);
      if (found === undefined) asked.add(key);
      return found;
    },
  };
}

// For an event, desired-state capabilities reconcile only the resource the event is about.
// A name a hub holds in two targets is the one in the event's account and Region.
function resourceOfEvent(event: NormalizedEvent, fleet: FleetIndex): FleetResource | undefined {
  const found = resourceOfRef(fleet, event.resource);
  if (found !== undefined || fleet.namesakes === undefined || event.account === null) return found;
  const type = event.resource.type as FleetResource['type'];
  const named = fleet.namesakes(type, event.resource.id);
  if (named.length < 2) return found;
  return named.find((r) => r.account === event.account && (event.region === null || r.region === event.region));
}

// An event one policy caused on purpose is not something other policies react to.
function explainedBy(event: NormalizedEvent, call: DecideCall): string | null {
  for (let i = 0; i < call.policies.length; i++) {
    const policy = call.policies[i] as CompiledPolicy;
    const explains = policy.capability.explainsEvent;
    if (explains === undefined) continue;
    const why = explains(event, envOf(call, i));
    if (why !== null) return `${policy.name}: ${why}`;
  }
  return null;
}

const NO_PROPOSALS: Proposal[] = [];

/**
 * The policy's proposals for this trigger; how many resources it selected (for maxResources %) goes to
 * `call.selected`. Nothing is allocated for a policy that proposes nothing (most policies, most events):
 * the shared empty list is returned, never changed by the caller.
 */
function proposalsOf(policy: CompiledPolicy, index: number, call: DecideCall): Proposal[] {
  const capability = policy.capability;
  const { event, eventResource } = call;
  call.selected = 0;
  let proposals: Proposal[] = NO_PROPOSALS;
  if (capability.reconcile !== undefined) {
    if (event === null) {
      const candidates = selectedBy(call.input.fleet, call.fleet.resources, policy);
      if (candidates.length > 0) {
        proposals = [];
        for (const resource of candidates) reconcileOne(policy, index, resource, call, proposals);
      }
    } else if (
      eventResource !== undefined &&
      eventResource.type === policy.resource &&
      policy.selector.matches(eventResource)
    ) {
      proposals = [];
      reconcileOne(policy, index, eventResource, call, proposals);
    }
  }
  if (event === null || capability.react === undefined) return proposals;
  const reactions = capability.react(event, envOf(call, index));
  if (reactions.length === 0) return proposals;
  call.selected += 1;
  const explained = call.explained;
  if (proposals === NO_PROPOSALS && (explained === null || capability.explainsEvent !== undefined)) return reactions;
  if (proposals === NO_PROPOSALS) proposals = [];
  for (const reaction of reactions) {
    if (explained !== null && reaction.kind === 'act' && capability.explainsEvent === undefined) {
      proposals.push({
        kind: 'skip',
        target: reaction.target,
        reason: `expected event, not acted on: ${explained}`,
      });
    } else proposals.push(reaction);
  }
  return proposals;
}

/** One selected resource: not opted in, an invalid override, or what the capability proposes for it. */
function reconcileOne(
  policy: CompiledPolicy,
  index: number,
  resource: FleetResource,
  call: DecideCall,
  proposals: Proposal[],
): void {
  if (!isOptedIn(resource, policy.optInTag)) {
    proposals.push({ kind: 'skip', target: refOf(resource), reason: 'not opted in' });
    return;
  }
  call.selected++;
  const override = readOverride(resource, call.now);
  if (override.kind === 'invalid') {
    proposals.push({ kind: 'skip', target: refOf(resource), reason: override.reason });
    return;
  }
  for (const p of (policy.capability.reconcile as NonNullable<CompiledPolicy['capability']['reconcile']>)(
    resource,
    override,
    envOf(call, index),
  ))
    proposals.push(p);
}

/** maxResources as a number for this call (a percentage is of the resources selected), and its text. */
function limitOf(policy: CompiledPolicy, selected: number): { limit: number | null; limitText: string } {
  if (policy.maxResources === null) return { limit: null, limitText: '' };
  if ('count' in policy.maxResources) {
    return { limit: policy.maxResources.count, limitText: String(policy.maxResources.count) };
  }
  const limit = Math.floor((policy.maxResources.percent * selected) / 100);
  return { limit, limitText: `${limit} (${policy.maxResources.percent}% of ${selected})` };
}

/** The decision mode, and the reason suffix when a freeze calendar covers now. */
function modeOf(policy: CompiledPolicy, now: number): { mode: DecisionMode; frozenBy: string } {
  for (const calendar of policy.freeze) {
    const what = calendar.explain(now);
    if (what !== null) return { mode: 'frozen', frozenBy: `; frozen by ${calendar.name} (${what})` };
  }
  return { mode: policy.dryRun ? 'dry-run' : 'act', frozenBy: '' };
}

/** One policy's proposals → decisions and skips, with its limit, freeze and dry-run applied. */
function settle(
  policy: CompiledPolicy,
  proposals: readonly Proposal[],
  selected: number,
  call: DecideCall,
  decisions: Decision[],
  skips: Skip[],
): void {
  const { nowIso } = call;
  const acts = proposals.filter((p): p is ProposedAction => p.kind === 'act');
  const { limit, limitText } = limitOf(policy, selected);
  // Custodian semantics: over the limit, the policy refuses and acts on none of them.
  const refused = limit !== null && acts.length > limit;
  const { mode, frozenBy } = modeOf(policy, call.now);
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
      decidedAt: nowIso,
    });
  }
}
