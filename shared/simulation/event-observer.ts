import { normalizeDetailed } from '../events/normalize.ts';
import type { NormalizedEvent } from '../events/normalized-event.ts';
import type { MemoryLedger } from '../execute/memory-ledger.ts';
import { decideWithLedger, ledgerEntryView } from '../execute/reconcile.ts';
import { decide } from '../policy/decide.ts';
import type { FleetResource } from '../policy/decision.ts';
import type { PolicySet } from '../policy/policy-loader.ts';
import { registry } from '../policy/registry.ts';
import { resourceName } from './simulation-defaults.ts';
import type { EventRecord } from './timeline.ts';

/**
 * Every delivered event leaves a trace: the ingest function decides and enqueues, and reports only
 * counts, so an event that decided nothing is decided again here, on the fleet slice the function
 * read for it, to say why — as an `event` record of the timeline. decide() is pure; the ledger is the
 * one the function used (it changes only when the executor runs, later).
 */
export class EventObserver {
  readonly #policies: PolicySet;
  readonly #ledger: MemoryLedger;
  readonly #record: (record: EventRecord) => void;
  /** The YAML keys of the deployed policies: a capability's tracker is active when one of its keys is used. */
  readonly #used: ReadonlySet<string>;

  constructor(policies: PolicySet, ledger: MemoryLedger, record: (record: EventRecord) => void) {
    this.#policies = policies;
    this.#ledger = ledger;
    this.#record = record;
    this.#used = new Set(policies.policies.map((p) => p.capability.key));
  }

  /** After an ingest invocation: its payload, its result, where it came from, and its fleet reads (one per event). */
  async observe(payload: unknown, output: unknown, source: string, reads: readonly FleetResource[][], nowMs: number) {
    const at = new Date(nowMs).toISOString();
    const { events, ignored } = normalizeDetailed(payload, { receivedAt: at });
    for (const input of ignored) {
      this.#record({
        type: 'event',
        at,
        resource: '-',
        eventId: null,
        source,
        outcome: 'ignored',
        reason: input.reason,
      });
    }
    const decided = (output as { decisions?: unknown } | undefined)?.decisions;
    if (events.length === 1 && typeof decided === 'number' && decided > 0) return;
    const inFlight = (await this.#ledger.listInFlight()).map(ledgerEntryView);
    for (const [i, event] of events.entries()) {
      const record = await this.#explain(event, reads[i] ?? [], at, inFlight);
      if (record !== null) this.#record({ ...record, source });
    }
  }

  async #explain(
    event: NormalizedEvent,
    resources: readonly FleetResource[],
    at: string,
    entries: ReturnType<typeof ledgerEntryView>[],
  ): Promise<Omit<EventRecord, 'source'> | null> {
    if (this.#tracked(event)) return null;
    const { decisions, skips } = await decideWithLedger(
      (input) =>
        decide({ policies: this.#policies, fleet: input.fleet, trigger: event, now: at, ledger: input.ledger }),
      { fleet: { readAt: at, resources: [...resources] }, now: new Date(at), ledger: { entries } },
      this.#ledger,
    );
    if (decisions.length > 0) return null;
    const { type, id } = event.resource;
    const base = { type: 'event', at, resource: resourceName(type, id), eventId: event.eventId ?? event.kind } as const;
    const missing = `the fleet holds no ${type} ${id}${event.resource.arn === undefined ? '' : ` (${event.resource.arn})`}`;
    if (skips.length > 0) {
      const notInFleet = skips.every((s) => s.reason.endsWith('is not in the fleet'));
      const reason = skips.map((s) => `${s.policy}: ${s.reason}`).join('; ');
      return notInFleet
        ? { ...base, outcome: 'no-resource', reason: `${missing}; ${reason}` }
        : { ...base, outcome: 'skipped', reason };
    }
    const subject = resources.find(
      (r) => (event.resource.arn !== undefined && r.arn === event.resource.arn) || (r.type === type && r.id === id),
    );
    const selecting = this.#policies.policies.filter((p) => p.resource === type);
    if (selecting.length === 0) {
      return { ...base, outcome: 'no-policy', reason: `no policy reacts to ${base.eventId} or acts on ${type}s` };
    }
    if (subject === undefined) return { ...base, outcome: 'no-resource', reason: missing };
    if (!selecting.some((p) => p.selector.matches(subject))) {
      return {
        ...base,
        outcome: 'no-policy',
        reason: `no policy reacts to ${base.eventId} or selects ${type} ${id} (${selecting.map((p) => p.name).join(', ')} do not match it)`,
      };
    }
    // A policy selects it and has nothing to do: the resource is as it wants it.
    return null;
  }

  /** A capability's tracker takes the event (a snapshot started, completed or failed). */
  #tracked(event: NormalizedEvent): boolean {
    return registry.capabilities.some(
      (c) =>
        c.tracker !== undefined &&
        c.keys.some((k) => this.#used.has(k)) &&
        c.tracker.handles(event) &&
        c.tracker.observesOnly?.(event) !== true,
    );
  }
}
