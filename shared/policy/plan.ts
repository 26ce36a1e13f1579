import type { NormalizedEvent } from '../events/normalized-event.ts';
import type { CompiledPolicy } from './capability.ts';
import { decide, type Trigger } from './decide.ts';
import type { Decision, FleetResource, FleetSnapshot, LedgerEntryView, Skip } from './decision.ts';
import type { PolicySet } from './policy-loader.ts';

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

export interface SavingsRow {
  policy: string;
  cluster: string;
  nodeType: string;
  nodes: number;
  pausedHours: number;
  nodeHours: number;
}

export interface PlanResult {
  decisions: Decision[];
  skips: Skip[];
  savings: SavingsRow[];
  fleet: FleetSnapshot;
}

function applyDecision(resource: FleetResource, decision: Decision): FleetResource {
  if (resource.type === 'cluster' && decision.action === 'PauseCluster') return { ...resource, status: 'paused' };
  if (resource.type === 'cluster' && decision.action === 'ResumeCluster') return { ...resource, status: 'available' };
  if (resource.type === 'workgroup' && decision.action === 'UpdateWorkgroup') {
    const base = decision.params.baseCapacity;
    const max = decision.params.maxCapacity;
    return {
      ...resource,
      baseCapacity: typeof base === 'number' ? base : resource.baseCapacity,
      maxCapacity: typeof max === 'number' ? max : resource.maxCapacity,
    };
  }
  return resource;
}

export function plan(input: PlanInput): PlanResult {
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

  let fleet = input.fleet;
  let ledger = { entries: [] as LedgerEntryView[] };
  const seenKeys = new Set<string>();
  const lastSkip = new Map<string, string>();
  const decisions: Decision[] = [];
  const skips: Skip[] = [];
  const pausedSince = new Map<string, { at: number; policy: string }>();
  const savings = new Map<string, SavingsRow>();
  const policyNames = new Set(input.policies.policies.map((p: CompiledPolicy) => p.name));

  const closePause = (cluster: FleetResource, until: number) => {
    const open = pausedSince.get(cluster.id);
    if (open === undefined || cluster.type !== 'cluster') return;
    pausedSince.delete(cluster.id);
    const key = `${open.policy}\u0000${cluster.id}`;
    const row = savings.get(key) ?? {
      policy: open.policy,
      cluster: cluster.id,
      nodeType: cluster.nodeType,
      nodes: cluster.numberOfNodes,
      pausedHours: 0,
      nodeHours: 0,
    };
    const hours = (until - open.at) / 3_600_000;
    row.pausedHours += hours;
    row.nodeHours += hours * cluster.numberOfNodes;
    savings.set(key, row);
  };

  for (const step of steps) {
    const now = new Date(step.at).toISOString();
    const out = decide({
      policies: input.policies,
      fleet: { ...fleet, readAt: now },
      trigger: step.trigger,
      now,
      ledger,
    });
    for (const skip of out.skips) {
      const key = `${skip.policy}\u0000${skip.target.type}:${skip.target.id}`;
      if (lastSkip.get(key) === skip.reason) continue;
      lastSkip.set(key, skip.reason);
      skips.push(skip);
    }
    let changed = false;
    const resources = [...fleet.resources];
    const newEntries: LedgerEntryView[] = [];
    for (const decision of out.decisions) {
      if (seenKeys.has(decision.idempotencyKey)) continue;
      seenKeys.add(decision.idempotencyKey);
      decisions.push(decision);
      newEntries.push({
        idempotencyKey: decision.idempotencyKey,
        policy: decision.policy,
        action: decision.action,
        target: decision.target,
        status: decision.mode === 'act' ? 'succeeded' : 'dry-run',
        at: decision.at,
      });
      if (decision.mode !== 'act') continue;
      const i = resources.findIndex((r) => r.type === decision.target.type && r.id === decision.target.id);
      const resource = resources[i];
      if (resource === undefined) continue;
      const updated = applyDecision(resource, decision);
      if (updated !== resource) {
        resources[i] = updated;
        changed = true;
        if (decision.action === 'PauseCluster' && policyNames.has(decision.policy)) {
          pausedSince.set(resource.id, { at: step.at, policy: decision.policy });
        }
        if (decision.action === 'ResumeCluster') closePause(resource, step.at);
      }
    }
    if (newEntries.length > 0) ledger = { entries: [...ledger.entries, ...newEntries] };
    if (changed) fleet = { ...fleet, resources };
  }
  for (const resource of fleet.resources) closePause(resource, input.to);
  const rows = [...savings.values()].sort((a, b) =>
    a.policy < b.policy ? -1 : a.policy > b.policy ? 1 : a.cluster < b.cluster ? -1 : 1,
  );
  return { decisions, skips, savings: rows, fleet };
}
