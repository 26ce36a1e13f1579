import type { CompiledPolicy, TrackerDeps } from '../../policy/capability.ts';
import { isCompiledDrill } from './drill.capability.ts';
import { watchDrills } from './drill-tracker.ts';

/**
 * The drill watcher's run (functions/watch-drills, every minute; docs/architecture.md, "Failover drills:
 * who watches, and how often"): nothing at all when no packaged policy drills, else one ledger query for
 * the failovers in flight, and for each one step of its drill — one DescribeClusters, the canary (the
 * watcher is the one function holding the Redshift Data API client), the verdict. A minute without a
 * drill costs that one query and returns.
 */
export interface WatchResult {
  /** False when no packaged policy has a failoverDrill block: no query was made. */
  watched: boolean;
  counts: Record<string, number>;
}

export function drillPolicies(policies: readonly CompiledPolicy[]): CompiledPolicy[] {
  return policies.filter((p) => isCompiledDrill(p.capability));
}

export async function runDrillWatcher(deps: TrackerDeps): Promise<WatchResult> {
  if (drillPolicies(deps.policies).length === 0) return { watched: false, counts: {} };
  const counts = await watchDrills(deps);
  const active = Object.values(counts).reduce((a, b) => a + b, 0);
  if (active > 0) deps.logger.info('failover drills stepped', { counts });
  return { watched: true, counts };
}
