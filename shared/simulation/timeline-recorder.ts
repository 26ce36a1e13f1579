import { actionRegistry } from '../execute/action-registry.ts';
import { resourcesListedIn } from '../execute/digest.ts';
import type { ActionEventDetail } from '../execute/ports.ts';
import type { CompiledPolicy } from '../policy/capability.ts';
import type { FleetResource } from '../policy/decision.ts';
import type { BusEvent, PublishedAlert } from './aws-services.ts';
import { resourceName } from './simulation-defaults.ts';
import {
  ACTED_OUTCOMES,
  type ActionRecord,
  type AlertRecord,
  type PolicySummary,
  type SkipRecord,
  type StateRecord,
  type SummaryRecord,
  type TimelineRecord,
  WOULD_HAVE_OUTCOMES,
} from './timeline.ts';

/**
 * The timeline as it happens: state transitions the observer saw, the executor's outcome events
 * (actions and guardrail skips), decide()'s skips and the alerts published, in the order they occurred.
 */

export interface ObservedState {
  state: string;
  /** Workgroups: base capacity in RPUs. */
  capacity?: number;
}

/** A resource of the run, with the zone its policies think in. */
export interface ResourceRow {
  name: string;
  type: string;
  id: string;
  zone: string;
  nodes: number | null;
  initial: string;
}

export function isActed(outcome: string): boolean {
  return (ACTED_OUTCOMES as readonly string[]).includes(outcome);
}

export class TimelineRecorder {
  readonly records: TimelineRecord[] = [];
  readonly #lastState = new Map<string, ObservedState>();
  readonly #lastSkip = new Map<string, string>();
  readonly #zoneOf = new Map<string, string>();
  readonly #policies: readonly CompiledPolicy[];

  constructor(policies: readonly CompiledPolicy[]) {
    this.#policies = policies;
  }

  /** The states the run starts in, and the zone each resource's times are shown in. */
  start(states: readonly ({ name: string } & ObservedState)[], at: string, fleet: readonly FleetResource[]): void {
    for (const { name, state, capacity } of states) {
      const record: StateRecord = { type: 'state', at, resource: name, from: null, to: state };
      if (capacity === undefined) this.#lastState.set(name, { state });
      else {
        this.#lastState.set(name, { state, capacity });
        record.capacity = capacity;
      }
      this.records.push(record);
    }
    // The zone a resource's times are shown in: that of the first policy selecting it.
    const fallbackZone = this.#policies[0]?.zoneName ?? 'UTC';
    for (const name of this.#lastState.keys()) this.#zoneOf.set(name, fallbackZone);
    for (const r of fleet) {
      const policy = this.#policies.find((p) => p.resource === r.type && p.selector.matches(r));
      if (policy !== undefined) this.#zoneOf.set(resourceName(r.type, r.id), policy.zoneName);
    }
  }

  knows(resource: string): boolean {
    return this.#lastState.has(resource);
  }

  /** Records a transition when `next` differs from the last state seen; returns the state it left, or undefined. */
  transition(resource: string, next: ObservedState, at: string): { from: string | null } | undefined {
    const prev = this.#lastState.get(resource);
    if (prev !== undefined && prev.state === next.state && prev.capacity === next.capacity) return undefined;
    this.#lastState.set(resource, next);
    const record: StateRecord = { type: 'state', at, resource, from: prev?.state ?? null, to: next.state };
    if (next.capacity !== undefined) record.capacity = next.capacity;
    this.records.push(record);
    return { from: prev?.state ?? null };
  }

  skip(record: SkipRecord): void {
    // A skip is news when its reason for (policy, resource, action) changes, not on every tick.
    const key = `${record.policy}\u0000${record.resource}\u0000${record.action ?? ''}`;
    if (this.#lastSkip.get(key) === record.reason) return;
    this.#lastSkip.set(key, record.reason);
    this.records.push(record);
  }

  /** An `Autopilot Action` event: a guardrail skip, or an action; returns the action's detail. */
  outcome(event: BusEvent): ActionEventDetail | undefined {
    if (event.detailType !== 'Autopilot Action') return undefined;
    const d = event.detail as ActionEventDetail;
    const resource = resourceName(d.target.type, d.target.id);
    if (d.outcome === 'skipped') {
      this.skip({
        type: 'skipped',
        at: event.at,
        resource,
        policy: d.policy,
        action: d.action,
        reason: d.outcomeReason ?? d.reason,
        by: 'executor',
      });
      return undefined;
    }
    const record: ActionRecord = {
      type: 'action',
      at: event.at,
      resource,
      policy: d.policy,
      action: d.action,
      outcome: d.outcome,
      reason: d.reason,
      outcomeReason: d.outcomeReason,
      beforeState: d.beforeState,
      afterState: d.afterState,
      key: d.idempotencyKey,
    };
    this.records.push(record);
    return d;
  }

  alert(alert: PublishedAlert): void {
    const record: AlertRecord = {
      type: 'alert',
      at: alert.at,
      resource: this.#resourceOfAlert(alert.attributes.resource ?? '-'),
      policy: alert.attributes.policy ?? '-',
      action: alert.attributes.action ?? '-',
      severity: alert.attributes.severity ?? 'INFO',
      outcome: alert.attributes.outcome ?? '-',
      subject: alert.subject ?? '',
    };
    const listed = resourcesListedIn(alert.message);
    this.records.push(listed.length > 0 ? { ...record, listed } : record);
  }

  /** Outcome alerts name `type/id`; a policy's own `Publish` alert names the bare id. */
  #resourceOfAlert(resource: string): string {
    if (resource.includes('/')) return resource;
    for (const type of ['cluster', 'workgroup']) {
      if (this.#lastState.has(resourceName(type, resource))) return resourceName(type, resource);
    }
    return resource;
  }

  zoneFor(resource: string): string {
    return this.#zoneOf.get(resource) ?? this.#policies[0]?.zoneName ?? 'UTC';
  }

  /** Every resource seen, by name, with the state it started in (records in time order). */
  resources(records: readonly TimelineRecord[], nodesOf: (clusterId: string) => number | null): ResourceRow[] {
    return [...this.#lastState.keys()].sort().map((name) => {
      const slash = name.indexOf('/');
      const id = name.slice(slash + 1);
      const first = records.find((r) => r.type === 'state' && r.resource === name) as StateRecord | undefined;
      return {
        name,
        type: name.slice(0, slash),
        id,
        zone: this.zoneFor(name),
        nodes: name.startsWith('cluster/') ? nodesOf(id) : null,
        initial: first?.to ?? 'unknown',
      };
    });
  }

  /**
   * Per policy (the configured ones first, then any other that appears) and in total: actions, dry
   * runs and failures count decisions (idempotency keys), not retries, plus each distinct ERROR alert a
   * policy raised about something other than an action (a missed snapshot slot); skips and alerts
   * count records.
   */
  summarize(
    records: readonly TimelineRecord[],
    nodeHours: ReadonlyMap<string, number>,
  ): Pick<SummaryRecord, 'policies' | 'totals'> {
    const rows = new Map<string, PolicyTally>();
    const row = (policy: string) => {
      let r = rows.get(policy);
      if (r === undefined) {
        r = newTally(policy);
        rows.set(policy, r);
      }
      return r;
    };
    for (const policy of this.#policies) row(policy.name);
    for (const record of records) {
      if (record.type === 'action') {
        const r = row(record.policy);
        if (isActed(record.outcome)) r.keys.add(record.key);
        else if ((WOULD_HAVE_OUTCOMES as readonly string[]).includes(record.outcome)) r.dryKeys.add(record.key);
        else if (record.outcome === 'failed') r.failKeys.add(record.key);
      } else if (record.type === 'skipped') row(record.policy).skips++;
      else if (record.type === 'alert' && record.policy !== '-') {
        const r = row(record.policy);
        r.alerts++;
        // An ERROR a policy raises about no action of its own (a snapshot slot MISSED, a stuck state
        // change) is a failure too; an action's own failure is counted once, by its key, above.
        if (record.severity === 'ERROR' && actionRegistry.action(record.action) === null) {
          r.failKeys.add(`alert:${record.subject}`);
        }
      }
    }
    for (const [policy, hours] of nodeHours) row(policy).nodeHoursSaved += hours;
    const policies: PolicySummary[] = [...rows.values()].map((r) => ({
      policy: r.policy,
      actions: r.keys.size,
      dryRuns: r.dryKeys.size,
      skips: r.skips,
      failures: r.failKeys.size,
      alerts: r.alerts,
      nodeHoursSaved: Math.round(r.nodeHoursSaved * 100) / 100,
    }));
    // Breaker alerts carry no policy; they still count in the totals.
    return { policies, totals: totalsOf(policies, records.filter((r) => r.type === 'alert').length) };
  }
}

type PolicyTally = PolicySummary & { keys: Set<string>; dryKeys: Set<string>; failKeys: Set<string> };

function newTally(policy: string): PolicyTally {
  return {
    policy,
    actions: 0,
    dryRuns: 0,
    skips: 0,
    failures: 0,
    alerts: 0,
    nodeHoursSaved: 0,
    keys: new Set(),
    dryKeys: new Set(),
    failKeys: new Set(),
  };
}

function totalsOf(policies: readonly PolicySummary[], alerts: number): SummaryRecord['totals'] {
  const totals = { actions: 0, dryRuns: 0, skips: 0, failures: 0, alerts, nodeHoursSaved: 0 };
  for (const p of policies) {
    totals.actions += p.actions;
    totals.dryRuns += p.dryRuns;
    totals.skips += p.skips;
    totals.failures += p.failures;
    totals.nodeHoursSaved = Math.round((totals.nodeHoursSaved + p.nodeHoursSaved) * 100) / 100;
  }
  return totals;
}
