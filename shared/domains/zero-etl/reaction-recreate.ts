import type { Proposal } from '../../policy/capability.ts';
import type { IntegrationResource } from '../../policy/decision.ts';
import { runbookOf } from './integration-events.ts';
import { alertProposal } from './reaction-alerts.ts';
import type { ReactionContext } from './reaction-integration.ts';
import { RECREATE_ACTION, REDSHIFT_API_SOURCE } from './recreate.action.ts';

/**
 * decide()'s half of `recreate`: one recreate per integration instance (the slot is its ARN, so the same
 * failure delivered twice is one decision), never a second while the first has not seen the integration
 * `active` again — the ledger decides: its record stays in progress until then, and a delete-and-recreate
 * event meanwhile is one ERROR alert saying recreating did not fix it. Aurora and RDS sources are created
 * with the RDS API: skipped, the alert carries the runbook.
 */
export function recreateProposals(ctx: ReactionContext, integration: IntegrationResource): Proposal[] {
  if (integration.arn === null) {
    return [{ kind: 'skip', target: ctx.subjectRef, reason: `${ctx.label}: the integration has no ARN to delete` }];
  }
  if (!REDSHIFT_API_SOURCE.test(integration.sourceArn)) {
    const reason = `${ctx.label}: source ${integration.sourceArn} is not a DynamoDB table or S3 bucket; Redshift's CreateIntegration cannot create it again (an Aurora or RDS integration is recreated with aws rds create-integration, with its data filter)`;
    return [{ kind: 'skip', target: ctx.subjectRef, reason }];
  }
  const earlier = ctx.env.ledger.inProgress(ctx.subjectRef).find((e) => e.action === RECREATE_ACTION);
  if (earlier !== undefined) return [againAlert(ctx, integration, earlier.at)];
  return [
    {
      kind: 'act',
      action: RECREATE_ACTION,
      target: ctx.subjectRef,
      params: {
        IntegrationName: integration.id,
        IntegrationArn: integration.arn,
        SourceArn: integration.sourceArn,
        TargetArn: integration.targetArn,
      },
      reason: `${ctx.label}: AWS says to delete and recreate zero-ETL integration ${integration.id}; recreate it with the same source, target, name, description, KMS key, encryption context and tags`,
      slot: `recreate:${integration.arn}`,
    },
  ];
}

/** Recreated already, and broken again before it was ever active: say so once per event, do nothing. */
function againAlert(ctx: ReactionContext, integration: IntegrationResource, since: string): Proposal {
  return alertProposal({
    policy: ctx.env.policy.name,
    event: ctx.event,
    subject: ctx.subject,
    target: ctx.subjectRef,
    slot: `${ctx.slot}#recreate-again`,
    reason: `${ctx.label}: recreated at ${since} and not active since; not recreated twice`,
    severity: 'ERROR',
    headline: `Zero-ETL integration ${integration.id} needs recreating again (${ctx.event.eventId}), but autopilot recreated it at ${since} and it has not been active since: recreating did not fix it. Not recreated again.`,
    next: [
      'look for what breaks it on the source or the target: the integration errors (aws redshift describe-integrations), the events of the source and target since the recreate, the source parameters and permissions, the target namespace authorization.',
      ...runbookOf(ctx.event, integration),
      'once it is active again, the next delete-and-recreate event is acted on again.',
    ],
  });
}
