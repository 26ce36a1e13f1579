import type { ReceivedAlert } from '../acting.env.ts';
import type { GateEntry } from './harness.ts';

/**
 * What really reached AWS, from the state gate's log. The SDK tags every attempt with its invocation id
 * (`amz-sdk-invocation-id`, one per `client.send`) and attempt number, so the SDK repeating one call
 * whose answer was lost is told apart from the code calling again:
 * - `accepted`: attempts forwarded to moto on a target in the allowed state, per cluster — real actions;
 * - `wrongState`: calls whose first attempt to reach AWS met a target in a state the action does not
 *   accept — the code acting on its own result, or on a target it should have left alone;
 * - `sdkRepeats`: later attempts of a call AWS had already taken, refused as AWS refuses them.
 */
export interface ActionAudit {
  accepted: Map<string, number>;
  wrongState: GateEntry[];
  sdkRepeats: number;
}

export function auditActions(log: readonly GateEntry[], operation: string): ActionAudit {
  const accepted = new Map<string, number>();
  const wrongState: GateEntry[] = [];
  const seen = new Map<string, { acted: boolean }>();
  let sdkRepeats = 0;
  for (const entry of log) {
    if (entry.operation !== operation) continue;
    if (entry.forwarded) accepted.set(entry.cluster, (accepted.get(entry.cluster) ?? 0) + 1);
    const call = seen.get(entry.invocationId);
    if (call === undefined) {
      seen.set(entry.invocationId, { acted: entry.forwarded });
      if (!entry.forwarded) wrongState.push(entry);
    } else if (!entry.forwarded && call.acted) {
      sdkRepeats += 1;
    } else if (!entry.forwarded) {
      wrongState.push(entry);
    } else {
      call.acted = true;
    }
  }
  return { accepted, wrongState, sdkRepeats };
}

/** Outcome alerts of one action, by resource id (`resource: cluster/<id>`, `workgroup/<name>`). */
export function outcomeAlertsByCluster(alerts: readonly ReceivedAlert[], action: string): Map<string, string[]> {
  const byCluster = new Map<string, string[]>();
  for (const alert of alerts) {
    if (alert.attributes.action !== action) continue;
    const id = (alert.attributes.resource ?? '').replace(/^[a-z-]+\//, '');
    byCluster.set(id, [...(byCluster.get(id) ?? []), alert.attributes.outcome ?? '?']);
  }
  return byCluster;
}

/** `id: what` lines for the clusters where `problem` says something; empty when none. */
export function problems<T>(ids: readonly T[], problem: (id: T) => string | null): string[] {
  const found: string[] = [];
  for (const id of ids) {
    const p = problem(id);
    if (p !== null) found.push(`${String(id)}: ${p}`);
  }
  return found;
}
