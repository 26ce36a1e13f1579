import type { NormalizedEvent } from '../events/normalized-event.ts';
import type { Tracker } from '../policy/capability.ts';
import { registry } from '../policy/registry.ts';
import type { AppDeps } from './deps.ts';

/**
 * The capabilities' trackers wired to the app's deps (the snapshots capability's verifier, …): ingest
 * hands each the events it handles, the sweep runs each on its fleet read. Built per invocation, only
 * for capabilities the deployed policies use.
 */
export interface ActiveTracker {
  name: string;
  handles(event: NormalizedEvent): boolean;
  tracker: Tracker;
}

export function activeTrackers(deps: AppDeps, events?: readonly NormalizedEvent[]): ActiveTracker[] {
  const used = new Set(deps.policies.policies.map((p) => p.capability.key));
  const trackerDeps = {
    ledger: deps.ledger,
    notifier: deps.notifier,
    clock: deps.clock,
    region: deps.config.region,
    policies: deps.policies.policies,
    logger: deps.observability.logger,
    resources: deps.resources,
    queue: deps.queue,
    ...(deps.dataApi === undefined ? {} : { dataApi: deps.dataApi }),
  };
  const out: ActiveTracker[] = [];
  for (const capability of registry.capabilities) {
    const hook = capability.tracker;
    if (hook === undefined || !capability.keys.some((k) => used.has(k))) continue;
    if (events !== undefined && !events.some((e) => hook.handles(e))) continue;
    out.push({ name: capability.name, handles: (e) => hook.handles(e), tracker: hook.create(trackerDeps) });
  }
  return out;
}
