import type { CompiledPolicy, EvaluationEnv } from '../../policy/capability.ts';
import { indexLedger } from '../../policy/decide.ts';
import type { ClusterResource, FleetSnapshot } from '../../policy/decision.ts';
import { indexFleet } from '../../policy/fleet.ts';
import { formatLocal, formatUtcMinute } from '../../policy/local-time.ts';
import { isOptedIn } from '../../policy/targeting.ts';
import { type DrillSettings, prechecks } from './drill.prechecks.ts';
import { refOf } from './drill.reconcile.ts';

/**
 * `plan`'s lines for a drill policy (CompiledCapability.outlook): the next slots after the period's
 * start, however far (a quarterly drill rarely falls in plan's 7 days), and for each selected, opted-in
 * cluster the pre-checks as the fleet shows them at that slot — eligibility, status, calendars, the
 * maintenance window. The ledger checks (a change in progress, one drill at a time) are judged when the
 * slot comes, so the outlook names them as such.
 */
export const OUTLOOK_SLOTS = 2;

export function drillOutlook(
  self: CompiledPolicy,
  settings: DrillSettings,
  fleet: FleetSnapshot,
  from: number,
): string[] {
  const clusters = fleet.resources.filter(
    (r): r is ClusterResource => r.type === 'cluster' && self.selector.matches(r) && isOptedIn(r, self.optInTag),
  );
  const lines = ['  next drills:'];
  const index = indexFleet(fleet);
  const ledger = indexLedger({ entries: [] });
  let t = from;
  for (let n = 0; n < OUTLOOK_SLOTS; n++) {
    const slot = settings.schedule.nextAfter(t);
    if (slot === null) break;
    t = slot;
    lines.push(`    ${formatLocal(slot, settings.zoneName)} (${formatUtcMinute(slot)})`);
    if (clusters.length === 0) lines.push('      no selected, opted-in cluster');
    for (const cluster of clusters) {
      const env: EvaluationEnv = { now: slot, fleet: index, ledger, policy: self, memo: new Map() };
      const results = prechecks({ settings, cluster, target: refOf(cluster), env, at: slot, ledger: false });
      const failed = results.filter((r) => r.reason !== null);
      const verdict =
        failed.length === 0
          ? `would drill (${results.map((r) => r.name).join(', ')} pass; the ledger checks run at the slot)`
          : `no drill: ${failed.map((r) => `${r.name}: ${r.reason}`).join('; ')}`;
      lines.push(`      ${cluster.id}  ${verdict}`);
    }
  }
  if (lines.length === 1) lines.push('    none: the schedule fires no more');
  return lines;
}
