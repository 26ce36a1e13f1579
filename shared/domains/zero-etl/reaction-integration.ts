import type { NormalizedEvent } from '../../events/normalized-event.ts';
import type { EvaluationEnv, Proposal } from '../../policy/capability.ts';
import type { FleetResource, IntegrationResource, TargetRef } from '../../policy/decision.ts';
import { isOptedIn } from '../../policy/targeting.ts';
import { familyOf, runbookOf, TARGET_PARAMETER } from './integration-events.ts';
import type { ReactionAction } from './reaction.schema.ts';
import { alertProposal } from './reaction-alerts.ts';
import { foldedInto } from './reaction-fold.ts';
import { recreateProposals } from './reaction-recreate.ts';
import { REDSHIFT_API_SOURCE } from './recreate.action.ts';

/**
 * A zero-ETL integration event, for a policy on `resource: integration`: the family's fix where the
 * policy asks for it (`resume-target` for 0018/0019, `fix-target-parameter` for 1001), and `alert` with
 * the runbook of what autopilot does not fix. A target a window pauses on purpose is not resumed: one
 * alert per paused period says so (the window's explanation names the period).
 */
export interface ReactionContext {
  event: NormalizedEvent;
  env: EvaluationEnv;
  actions: readonly ReactionAction[];
  subject: FleetResource;
  subjectRef: TargetRef;
  label: string;
  slot: string;
}

export function refOf(resource: FleetResource): TargetRef {
  const out: TargetRef = { type: resource.type, id: resource.id };
  if (resource.arn !== null) out.arn = resource.arn;
  if (resource.region !== null) out.region = resource.region;
  return out;
}

/** Another policy's window explains the event (it pauses the target on purpose), or null. */
function windowExplains(event: NormalizedEvent, env: EvaluationEnv): string | null {
  for (const policy of env.policies ?? []) {
    if (policy === env.policy || policy.capability.explainsEvent === undefined) continue;
    const why = policy.capability.explainsEvent(event, { ...env, policy });
    if (why !== null) return `${policy.name}: ${why}`;
  }
  return null;
}

type TargetCluster = { cluster: FleetResource & { type: 'cluster' } } | { skip: Proposal };

function targetCluster(ctx: ReactionContext, integration: IntegrationResource, what: string): TargetCluster {
  const cluster = ctx.env.fleet.clusterByNamespaceArn(integration.targetArn);
  if (cluster === undefined || cluster.type !== 'cluster') {
    const reason = `${ctx.label}: target ${integration.targetArn} is not a provisioned cluster in the fleet (${what})`;
    return { skip: { kind: 'skip', target: ctx.subjectRef, reason } };
  }
  if (!isOptedIn(cluster, ctx.env.policy.optInTag)) {
    return { skip: { kind: 'skip', target: refOf(cluster), reason: `${ctx.label}: target cluster not opted in` } };
  }
  return { cluster };
}

function resumeTarget(ctx: ReactionContext, integration: IntegrationResource): Proposal[] {
  const found = targetCluster(ctx, integration, 'Serverless targets have no pause');
  if ('skip' in found) return [found.skip];
  const { cluster } = found;
  const clusterRef = refOf(cluster);
  if (cluster.status === 'paused') {
    return [
      {
        kind: 'act',
        action: 'ResumeCluster',
        target: clusterRef,
        params: { ClusterIdentifier: cluster.id },
        reason: `${ctx.label}: zero-ETL integration ${integration.id} needs its target running`,
        slot: ctx.slot,
        actsOn: cluster,
      },
    ];
  }
  if (cluster.status === 'available' || cluster.status === 'resuming') return [];
  // Pausing (0018): the 0019 that follows once it is paused resumes it.
  return [{ kind: 'skip', target: clusterRef, reason: `${ctx.label}: status ${cluster.status}` }];
}

function fixTargetParameter(ctx: ReactionContext, integration: IntegrationResource): Proposal[] {
  const found = targetCluster(ctx, integration, 'only a provisioned cluster has a parameter group');
  if ('skip' in found) return [found.skip];
  const { cluster } = found;
  return [
    {
      kind: 'act',
      action: 'ModifyClusterParameterGroup',
      target: refOf(cluster),
      params: {
        ClusterIdentifier: cluster.id,
        ParameterName: TARGET_PARAMETER.name,
        ParameterValue: TARGET_PARAMETER.value,
      },
      reason: `${ctx.label}: zero-ETL integration ${integration.id} needs ${TARGET_PARAMETER.name}=${TARGET_PARAMETER.value} on its target; set in ${cluster.id}'s parameter group (refused for a default.* group), applied at the cluster's next reboot — reboot it (aws redshift reboot-cluster --cluster-identifier ${cluster.id}) in a quiet hour, then delete and recreate the integration`,
      slot: ctx.slot,
      actsOn: cluster,
    },
  ];
}

/** The runbook, unless the policy takes the family's fix itself (then what it does). */
function nextSteps(ctx: ReactionContext, integration: IntegrationResource): string[] {
  const family = familyOf(ctx.event.eventId);
  if (family === 'target-paused' && ctx.actions.includes('resume-target')) return [];
  if (family === 'recreate' && ctx.actions.includes('recreate') && REDSHIFT_API_SOURCE.test(integration.sourceArn)) {
    return [
      'autopilot deletes it and creates it again with the same source, target, name, description, KMS key, encryption context and tags (recorded in its ledger before the delete); the next alert says whether it became active.',
      'if it fails again before it is active, autopilot does not recreate it twice: it alerts instead.',
    ];
  }
  if (family === 'target-parameter' && ctx.actions.includes('fix-target-parameter')) {
    return [
      `autopilot sets ${TARGET_PARAMETER.name}=${TARGET_PARAMETER.value} in the target cluster's parameter group (ModifyClusterParameterGroup; the group must carry the opt-in tag; a default.* group AWS refuses to modify — then the executor's alert says to attach a custom group).`,
      ...runbookOf(ctx.event, integration).slice(2),
    ];
  }
  return runbookOf(ctx.event, integration);
}

export function reactIntegration(ctx: ReactionContext, integration: IntegrationResource): Proposal[] {
  const { event, env } = ctx;
  const family = familyOf(event.eventId);
  if (family === 'target-paused' || family === 'target-resuming') {
    const explained = windowExplains(event, env);
    if (explained !== null) return expectedPause(ctx, explained, family === 'target-paused');
  }
  const out: Proposal[] = [];
  for (const action of ctx.actions) {
    if (action === 'resume-target' && family === 'target-paused') out.push(...resumeTarget(ctx, integration));
    if (action === 'fix-target-parameter' && family === 'target-parameter') {
      out.push(...fixTargetParameter(ctx, integration));
    }
    if (action === 'recreate' && family === 'recreate') out.push(...recreateProposals(ctx, integration));
    if (action !== 'alert') continue;
    const folded = foldedInto(env, event);
    if (folded !== null) {
      out.push({ kind: 'skip', target: ctx.subjectRef, reason: `${ctx.label}: folded into the alert of ${folded}` });
      continue;
    }
    out.push(
      alertProposal({
        policy: env.policy.name,
        event,
        subject: ctx.subject,
        target: ctx.subjectRef,
        slot: ctx.slot,
        reason: `${ctx.label}: alert`,
        next: nextSteps(ctx, integration),
      }),
    );
  }
  return out;
}

/** A window pauses the target on purpose: no resume; one alert per paused period (0018/0019), none for 0020. */
function expectedPause(ctx: ReactionContext, explained: string, paused: boolean): Proposal[] {
  const wants = ctx.actions.includes('resume-target') || ctx.actions.includes('alert');
  if (!paused || !wants) {
    return [{ kind: 'skip', target: ctx.subjectRef, reason: `expected event, not acted on: ${explained}` }];
  }
  return [
    alertProposal({
      policy: ctx.env.policy.name,
      event: ctx.event,
      subject: ctx.subject,
      target: ctx.subjectRef,
      slot: `expected pause: ${explained}`,
      reason: `${ctx.label}: target paused on purpose, not resumed (${explained})`,
      severity: 'INFO',
      headline: `Zero-ETL integration ${ctx.subject.id} stops replicating while its target is paused on purpose by ${explained}. Not resumed; one alert per paused period.`,
      next: ['nothing, if the pause is wanted: replication catches up after the window resumes the target.'],
    }),
  ];
}
