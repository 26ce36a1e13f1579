import { GUARDRAIL_RULES } from '../../execute/guardrails.ts';
import type { Proposal } from '../../policy/capability.ts';
import type { ClusterResource } from '../../policy/decision.ts';
import { snapshotId } from '../snapshots/snapshot-id.ts';
import { snapshotTags } from '../snapshots/snapshot-tags.ts';
import { alertProposal } from './reaction-alerts.ts';
import type { ReactionContext } from './reaction-integration.ts';

/**
 * Reactions on a cluster (an alarm such as `{cluster}-disk-high`, or a cluster event): `pause`, `resume`
 * and `snapshot` are the windows' and snapshots' own actions (PauseCluster, ResumeCluster,
 * CreateClusterSnapshot), under the same guardrails; decide() skips with the same rules the executor
 * re-checks. A snapshot is named and tagged as the snapshots capability names them, per event.
 */
function skip(ctx: ReactionContext, why: string): Proposal {
  return { kind: 'skip', target: ctx.subjectRef, reason: `${ctx.label}: ${why}` };
}

function act(ctx: ReactionContext, action: string, params: Record<string, unknown>, why: string): Proposal {
  return {
    kind: 'act',
    action,
    target: ctx.subjectRef,
    params,
    reason: `${ctx.label}: ${why}`,
    slot: ctx.slot,
  };
}

function pause(ctx: ReactionContext, cluster: ClusterResource): Proposal | null {
  if (cluster.status === 'paused' || cluster.status === 'pausing') return null;
  if (cluster.status !== 'available') return skip(ctx, `status ${cluster.status}: PauseCluster needs available`);
  const refusal =
    GUARDRAIL_RULES.notMultiAz(cluster) ??
    GUARDRAIL_RULES.automatedSnapshotsOn(cluster) ??
    GUARDRAIL_RULES.notZeroEtlTarget(ctx.env.fleet.isZeroEtlTarget(cluster), false);
  if (refusal !== null) return skip(ctx, refusal);
  return act(ctx, 'PauseCluster', { ClusterIdentifier: cluster.id }, `pause ${cluster.id}`);
}

function resume(ctx: ReactionContext, cluster: ClusterResource): Proposal | null {
  if (cluster.status === 'available' || cluster.status === 'resuming') return null;
  if (cluster.status !== 'paused') return skip(ctx, `status ${cluster.status}: ResumeCluster needs paused`);
  const refusal = GUARDRAIL_RULES.notMultiAz(cluster);
  if (refusal !== null) return skip(ctx, refusal);
  return act(ctx, 'ResumeCluster', { ClusterIdentifier: cluster.id }, `resume ${cluster.id}`);
}

function snapshot(ctx: ReactionContext, cluster: ClusterResource): Proposal {
  if (cluster.status !== 'available') {
    return skip(ctx, `status ${cluster.status}: a snapshot needs an available cluster`);
  }
  const policy = ctx.env.policy.name;
  const slotMs = Date.parse(ctx.event.time);
  const tags = snapshotTags({ policy, slotIso: new Date(slotMs).toISOString(), attempt: 0 });
  const id = snapshotId({ source: cluster.id, policy, slotMs, attempt: 0 });
  return act(
    ctx,
    'CreateClusterSnapshot',
    {
      ClusterIdentifier: cluster.id,
      SnapshotIdentifier: id,
      Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
    },
    `snapshot ${id} of ${cluster.id}`,
  );
}

export function reactCluster(ctx: ReactionContext, cluster: ClusterResource): Proposal[] {
  const out: Proposal[] = [];
  const done: string[] = [];
  for (const action of ctx.actions) {
    const proposal =
      action === 'pause'
        ? pause(ctx, cluster)
        : action === 'resume'
          ? resume(ctx, cluster)
          : action === 'snapshot'
            ? snapshot(ctx, cluster)
            : null;
    if (proposal === null) continue;
    out.push(proposal);
    if (proposal.kind === 'act') done.push(`${proposal.action}: ${proposal.reason.slice(ctx.label.length + 2)}`);
  }
  if (ctx.actions.includes('alert')) out.push(alertOn(ctx, done));
  return out;
}

/** `alert` on anything that is not an integration: what fired, and what this policy does about it. */
export function alertOn(ctx: ReactionContext, done: readonly string[]): Proposal {
  return alertProposal({
    policy: ctx.env.policy.name,
    event: ctx.event,
    subject: ctx.subject,
    target: ctx.subjectRef,
    slot: ctx.slot,
    reason: `${ctx.label}: alert`,
    next: done.length === 0 ? [] : done.map((d) => `autopilot: ${d} (reported when done)`),
  });
}
