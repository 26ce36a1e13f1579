import type { Decision, FleetResource } from '../policy/decision.ts';
import type { ObservedResource } from './ports.ts';

/**
 * The re-read the executor may skip (issue 19). A decision the sweep made carries the resource as the
 * sweep read it; while that read is younger than OBSERVED_MAX_AGE_MS the executor runs its guardrails on
 * it instead of calling Describe again.
 *
 * Why 60 s: the sweep reads 1,000 clusters in a few seconds and the queue drains in seconds, so a
 * healthy run acts well inside it, and it is shorter than the sweep's period (5 minutes), so a later
 * sweep's decision about the same resource is never judged on a read older than the action of an
 * earlier one. What can change inside it is covered elsewhere: the state (AWS refuses a pause of a
 * cluster that is not `available` — InvalidClusterStateFault, a skip), the opt-in tag (the call's IAM
 * is conditioned on it: AccessDenied, a failure alert), a person's resume in the meantime (the window's
 * manual-resume rule reads the ledger, not the cluster). A redelivery, an earlier attempt that may have
 * reached AWS, a resource this container acted on since the read, a run with two decisions for one
 * resource, and a message whose observation is not of its target always read again.
 *
 * Trust: the observation travels in the message, so whoever may send to the decision queue could also
 * describe a resource as they like. Only the reconcile and ingest functions may (their IAM); a message
 * from anyone else is refused before this (shared/policy/authorize.ts), an old or redriven one is
 * stale here, and the action's IAM is conditioned on the opt-in tag of the real resource.
 */
export const OBSERVED_MAX_AGE_MS = 60_000;

const OBSERVABLE: ReadonlySet<string> = new Set(['cluster', 'workgroup', 'integration']);
/** Integration statuses in which it writes nothing into its target (the executor's zero-ETL check uses them too). */
export const INACTIVE_INTEGRATION: readonly string[] = ['deleting', 'failed'];

/** By type and id: two hub targets with a resource of the same name share a key, and so get no observation. */
const resourceKey = (r: { type: string; id: string }) => `${r.type}\u0000${r.id}`;

/**
 * The sweep's side: the read attached to each decision that is its resource's only one in the run.
 * `integrationsRead`: the integrations were read completely (else the zero-ETL fact is left to the executor).
 */
export function attachObservations(
  decisions: readonly Decision[],
  resources: readonly FleetResource[],
  readAt: string,
  integrationsRead: boolean,
): Decision[] {
  const byKey = new Map<string, FleetResource>();
  const seen = new Map<string, number>();
  for (const r of resources) {
    if (!OBSERVABLE.has(r.type)) continue;
    const key = resourceKey(r as ObservedResource);
    seen.set(key, (seen.get(key) ?? 0) + 1);
    byKey.set(key, r);
  }
  const perTarget = new Map<string, number>();
  for (const d of decisions) perTarget.set(resourceKey(d.target), (perTarget.get(resourceKey(d.target)) ?? 0) + 1);
  const zeroEtlTargets = new Set(
    resources
      .filter((r) => r.type === 'integration' && !INACTIVE_INTEGRATION.includes(r.status))
      .map((r) => (r as { targetArn: string }).targetArn),
  );
  return decisions.map((d) => {
    const key = resourceKey(d.target);
    const resource = byKey.get(key) as ObservedResource | undefined;
    if (resource === undefined || perTarget.get(key) !== 1 || seen.get(key) !== 1) return d;
    if (d.target.arn !== undefined && resource.arn !== null && d.target.arn !== resource.arn) return d;
    const zeroEtl =
      integrationsRead && resource.type === 'cluster'
        ? { zeroEtlTarget: resource.namespaceArn !== null && zeroEtlTargets.has(resource.namespaceArn) }
        : {};
    return { ...d, observed: { readAt, resource, ...zeroEtl } };
  });
}

/**
 * The executor's side, one per Executor (a container's, or a simulation's): the resources it acted on
 * and when, so a read older than its own action is never taken for the resource's state.
 */
export class ObservedReads {
  readonly #actedAt = new Map<string, number>();

  noteActed(target: Decision['target'], at: Date): void {
    this.#actedAt.set(resourceKey(target), at.getTime());
  }

  /** The sweep's read when it may stand in for a Describe now, else null. */
  fresh(decision: Decision, now: Date): ObservedResource | null {
    const observed = decision.observed;
    if (observed === undefined) return null;
    // The read must be of the target itself: a message edited to point elsewhere reads again.
    const { resource } = observed;
    if (resource.type !== decision.target.type || resource.id !== decision.target.id) return null;
    if (decision.target.arn !== undefined && resource.arn !== null && resource.arn !== decision.target.arn) return null;
    const readAt = Date.parse(observed.readAt);
    if (!Number.isFinite(readAt) || now.getTime() - readAt > OBSERVED_MAX_AGE_MS || readAt > now.getTime()) return null;
    const acted = this.#actedAt.get(resourceKey(decision.target));
    if (acted !== undefined && acted >= readAt) return null;
    return observed.resource;
  }
}
