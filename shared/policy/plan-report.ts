import type { CompiledPolicy } from './capability.ts';
import type { TargetRef } from './decision.ts';
import { formatLocal, formatUtcMinute } from './local-time.ts';
import type { PlanResult } from './plan.ts';
import { isOptedIn } from './targeting.ts';

/** Why a policy with neither actions nor skips did nothing: its selector meets no resource, or none opted in. */
function whyNothing(policy: CompiledPolicy, result: PlanResult): string {
  const selected = result.fleet.resources.filter((r) => r.type === policy.resource && policy.selector.matches(r));
  const kind = policy.resource;
  if (selected.length === 0) {
    return `: the selector matches no ${kind} of the fleet (check match: tags, identifiers, accounts, regions)`;
  }
  const tag = `${policy.optInTag.key}=${policy.optInTag.value}`;
  if (!selected.some((r) => isOptedIn(r, policy.optInTag))) {
    const n = selected.length;
    return `: ${n} ${kind}${n === 1 ? '' : 's'} match${n === 1 ? 'es' : ''}, none carries the opt-in tag ${tag}`;
  }
  return '';
}

/** The readable `plan` table: one section per policy, decisions in time order, then skips and savings. */
/** `account/Region` of a decision's target: its own, else its ARN's. */
function targetLocation(t: TargetRef): string {
  const parts = t.arn?.split(':') ?? [];
  return `${t.account ?? parts[4] ?? '?'}/${t.region ?? parts[3] ?? '?'}`;
}

export function formatPlanTable(
  result: PlanResult,
  policies: readonly CompiledPolicy[],
  period: { from: number; to: number; tickMs: number },
): string {
  const lines: string[] = [];
  lines.push(
    `Plan ${formatUtcMinute(period.from)} → ${formatUtcMinute(period.to)}, tick ${period.tickMs / 60_000} min, ${policies.length} policies, ${result.fleet.resources.length} resources`,
  );
  let totalNodeHours = 0;
  // Fleets of several accounts or Regions (issue 18): each target with its account/Region.
  const spans = new Set(result.fleet.resources.map((r) => `${r.account}/${r.region}`)).size > 1;
  const where = (t: TargetRef) => (spans ? `${t.id} (${targetLocation(t)})` : t.id);
  for (const policy of policies) {
    const decisions = result.decisions.filter((d) => d.policy === policy.name);
    const skips = result.skips.filter((s) => s.policy === policy.name);
    lines.push('', `${policy.name}  (${policy.file}:${policy.line}:${policy.col})  ${policy.capability.summary}`);
    if (decisions.length === 0) lines.push(`  no actions${skips.length === 0 ? whyNothing(policy, result) : ''}`);
    else {
      const rows = decisions.map((d) => {
        const at = Date.parse(d.at);
        return [formatLocal(at, policy.zoneName), formatUtcMinute(at), d.action, where(d.target), d.mode, d.reason];
      });
      const header = ['local time', 'UTC', 'action', 'target', 'mode', 'reason'];
      const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
      const fmt = (r: string[]) =>
        `  ${r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] as number))).join('  ')}`.trimEnd();
      lines.push(fmt(header), ...rows.map(fmt));
    }
    if (skips.length > 0) {
      lines.push('  skipped:');
      const width = Math.max(...skips.map((s) => s.target.id.length));
      for (const s of skips)
        lines.push(`    ${s.target.id.padEnd(width)}  from ${formatUtcMinute(Date.parse(s.at))}  ${s.reason}`);
    }
    // What the capability adds beyond the period (a drill's next slots and their pre-checks).
    lines.push(...(policy.capability.outlook?.(policy, result.fleet, period.from) ?? []));
    const savings = result.savings.filter((s) => s.policy === policy.name);
    if (savings.length > 0) {
      const total = savings.reduce((sum, s) => sum + s.nodeHours, 0);
      totalNodeHours += total;
      const parts = savings.map(
        (s) => `${s.cluster} ${s.nodeHours.toFixed(1)} (${s.nodes}× ${s.nodeType}, ${s.pausedHours.toFixed(1)} h)`,
      );
      lines.push(`  savings: ${total.toFixed(1)} node-hours paused — ${parts.join('; ')}`);
    }
  }
  lines.push('', `Savings: ${totalNodeHours.toFixed(1)} node-hours paused over the period`);
  return `${lines.join('\n')}\n`;
}
