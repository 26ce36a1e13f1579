import type { NormalizedEvent } from '../events/normalized-event.ts';
import { applyEffect, runningAfter } from './action-effects.ts';
import type { CompiledPolicy } from './capability.ts';
import { decide, type Trigger } from './decide.ts';
import type { Decision, FleetResource, FleetSnapshot, LedgerEntryView, Skip } from './decision.ts';
import type { PolicySet } from './policy-loader.ts';
import { SavingsMeter, type SavingsRow } from './savings.ts';

export type { SavingsRow };

/**
 * plan: run decide() over a period — a tick every `tickMs` plus the given events, in time order —
 * assuming every `act` decision takes effect at once (paused ↔ available, base capacity set), so
 * the output is the sequence a user would see. Each decision is reported once (by idempotency key);
 * a skip is reported when its reason for a resource changes, not on every tick.
 */
export interface PlanInput {
  policies: PolicySet;
  fleet: FleetSnapshot;
  events: readonly NormalizedEvent[];
  from: number;
  to: number;
  tickMs: number;
}

export interface PlanResult {
  decisions: Decision[];
  skips: Skip[];
  savings: SavingsRow[];
  fleet: FleetSnapshot;
}

function applyDecision(resource: FleetResource, decision: Decision): FleetResource {
  return applyEffect(resource, decision.action, decision.params);
}

/** A tick every `tickMs` and the events of the period, in time order. */
function planSteps(input: PlanInput): { at: number; trigger: Trigger }[] {
  const steps: { at: number; trigger: Trigger }[] = [];
  for (let at = input.from; at < input.to; at += input.tickMs) {
    steps.push({ at, trigger: { kind: 'tick', at: new Date(at).toISOString() } });
  }
  for (const event of input.events) {
    const at = Date.parse(event.time);
    if (at >= input.from && at < input.to) steps.push({ at, trigger: event });
  }
  // Events at a tick's instant go after the tick; stable sort keeps file order among events.
  steps.sort((a, b) => a.at - b.at || (a.trigger.kind === 'tick' ? -1 : 0) - (b.trigger.kind === 'tick' ? -1 : 0));
  return steps;
}

function ledgerEntryOf(decision: Decision): LedgerEntryView {
  return {
    idempotencyKey: decision.idempotencyKey,
    policy: decision.policy,
    action: decision.action,
    target: decision.target,
    status: decision.mode === 'act' ? 'succeeded' : 'dry-run',
    at: decision.at,
  };
}

/** Plan's decisions take effect at once: a pause counts from its decision until a resume or the end. */
function meterPause(
  savings: SavingsMeter,
  resource: FleetResource,
  decision: Decision,
  at: number,
  policyNames: ReadonlySet<string>,
): void {
  if (resource.type !== 'cluster') return;
  const running = runningAfter(decision.action);
  if (running === false && policyNames.has(decision.policy)) {
    savings.pause(resource.id, at, decision.policy, { nodes: resource.numberOfNodes, nodeType: resource.nodeType });
  }
  if (running === true) savings.resume(resource.id, at);
}

export function plan(input: PlanInput): PlanResult {
  let fleet = input.fleet;
  let ledger = { entries: [] as LedgerEntryView[] };
  const seenKeys = new Set<string>();
  const lastSkip = new Map<string, Set<string>>();
  const decisions: Decision[] = [];
  const skips: Skip[] = [];
  const savings = new SavingsMeter();
  const policyNames = new Set(input.policies.policies.map((p: CompiledPolicy) => p.name));

  for (const step of planSteps(input)) {
    const now = new Date(step.at).toISOString();
    const out = decide({
      policies: input.policies,
      fleet: { ...fleet, readAt: now },
      trigger: step.trigger,
      now,
      ledger,
    });
    // A skip is reported when the resource's last skips (it may have several) did not give its reason.
    const reasons = new Map<string, Set<string>>();
    for (const skip of out.skips) {
      const key = `${skip.policy}\u0000${skip.target.type}:${skip.target.id}`;
      reasons.set(key, (reasons.get(key) ?? new Set()).add(skip.reason));
      if (lastSkip.get(key)?.has(skip.reason) === true) continue;
      skips.push(skip);
    }
    for (const [key, set] of reasons) lastSkip.set(key, set);
    let changed = false;
    const resources = [...fleet.resources];
    const newEntries: LedgerEntryView[] = [];
    for (const decision of out.decisions) {
      if (seenKeys.has(decision.idempotencyKey)) continue;
      seenKeys.add(decision.idempotencyKey);
      decisions.push(decision);
      newEntries.push(ledgerEntryOf(decision));
      if (decision.mode !== 'act') continue;
      const i = resources.findIndex((r) => r.type === decision.target.type && r.id === decision.target.id);
      const resource = resources[i];
      if (resource === undefined) continue;
      const updated = applyDecision(resource, decision);
      if (updated !== resource) {
        resources[i] = updated;
        changed = true;
        meterPause(savings, resource, decision, step.at, policyNames);
      }
    }
    if (newEntries.length > 0) ledger = { entries: [...ledger.entries, ...newEntries] };
    if (changed) fleet = { ...fleet, resources };
  }
  savings.finish(input.to);
  return { decisions, skips, savings: savings.rows(), fleet };
}
