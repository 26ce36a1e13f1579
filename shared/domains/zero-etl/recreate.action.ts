import { ConfigurationError, ResourceStateConflictError } from '../../errors.ts';
import type { ActionServices, ActionSpec } from '../../execute/action-spec.ts';
import { BASE_GUARDRAILS } from '../../execute/guardrail-names.ts';
import type { Guardrail } from '../../execute/guardrails.ts';
import type { IntegrationPort } from '../../execute/integration-port.ts';
import type { FleetResource } from '../../policy/decision.ts';

/**
 * `recreate` (REDSHIFT-INTEGRATION-EVENT-0006, 0007, 0012, 0014: "Delete and recreate the integration"):
 * two executor actions, each named after the call it makes, tracked in the ledger.
 * 1. DeleteIntegration (this declaration; decide() proposes it): re-read the integration by ARN, record
 *    its settings (name, source, target, description, KMS key, encryption context, tags) in the ledger under
 *    the old ARN, then delete. Its record stays in progress until an integration of that name is `active`
 *    again (0000/0013, or a sweep reading it `active`): that record is the recreate.
 * 2. CreateIntegration (recreate-create.action.ts): once the delete is done (REDSHIFT-INTEGRATION-EVENT-0001,
 *    or a sweep no longer finding the old ARN), the reactions' tracker sends it through the decision queue
 *    with the recorded settings (recreate-step.ts); the executor authorizes it, checks it against the
 *    record and creates. The tracker never calls AWS to create: only the executor's role may.
 * A lost answer or a crash between the two finds the settings in the ledger, never in a re-read of an
 * integration that no longer exists. Redshift's CreateIntegration takes DynamoDB and S3 sources only (API
 * reference: SourceArn `arn:aws:(s3|dynamodb):…`); an Aurora or RDS source is recreated with the RDS API
 * (its data filter lives there), which autopilot does not call: decide() alerts the runbook instead.
 */
export const RECREATE_ACTION = 'DeleteIntegration';
export const INTEGRATION_ARN = 'arn:{partition}:redshift:{region}:{account}:integration:*';
/** What the Redshift API creates: DynamoDB tables and S3 buckets (API reference, CreateIntegration SourceArn). */
export const REDSHIFT_API_SOURCE = /^arn:aws[a-z-]*:(s3|dynamodb):/;
/** How long a recreate may take before the sweep alerts (delete minutes, create up to ~30 min, initial load). */
export const RECREATE_DEADLINE_MS = 2 * 3_600_000;

const DELETABLE = ['failed', 'needs_attention', 'active', 'syncing'];

function portOf(services: ActionServices): IntegrationPort {
  if (services.integration === undefined) {
    throw new ConfigurationError('no integration port is wired in this deployment; a recreate cannot run here');
  }
  return services.integration;
}

/** The params a decision may carry name exactly the integration the executor re-read; null when they do. */
export function paramsMismatch(resource: FleetResource, params: Readonly<Record<string, unknown>>): string | null {
  if (resource.type !== 'integration') return `target is a ${resource.type}, not an integration`;
  const want: Record<string, string | null> = {
    IntegrationArn: resource.arn,
    IntegrationName: resource.id,
    SourceArn: resource.sourceArn,
    TargetArn: resource.targetArn,
  };
  for (const [key, value] of Object.entries(want)) {
    if (params[key] !== value) {
      return `params.${key} is ${JSON.stringify(params[key])}, the integration has ${JSON.stringify(value)}`;
    }
  }
  return null;
}

export const recreateMatchesIntegration: Guardrail = {
  name: 'recreateMatchesIntegration',
  rule: 'a recreate names exactly the re-read integration (ARN, name, source, target) and a source the Redshift API can create again',
  appliesTo: (_d, spec) => spec.guardrails.includes('recreateMatchesIntegration'),
  check({ decision, resource }) {
    const mismatch = paramsMismatch(resource, decision.params);
    if (mismatch !== null) return mismatch;
    const source = String(decision.params.SourceArn);
    return REDSHIFT_API_SOURCE.test(source)
      ? null
      : `source ${source} is not a DynamoDB table or S3 bucket: recreate it with the RDS API`;
  },
};

async function performRecreate(params: Record<string, unknown>, services: ActionServices) {
  const port = portOf(services);
  const arn = String(params.IntegrationArn);
  const now = await port.describe(arn);
  let settings = await port.recordedSettings(arn);
  if (settings === null) {
    if (now === null)
      throw new ResourceStateConflictError(`integration ${arn} no longer exists and nothing recorded its settings`);
    const mismatch = paramsMismatch(now.resource, params);
    if (mismatch !== null) throw new ResourceStateConflictError(mismatch);
    // First: the settings, in the ledger. Only then the delete.
    settings = await port.recordSettings(arn, now.settings, String(params.IntegrationName));
  }
  if (now !== null && now.resource.status !== 'deleting') {
    try {
      await port.remove(arn);
    } catch (error) {
      // The SDK repeated a delete whose answer was lost: AWS refuses the repeat while it deletes.
      const again = await port.describe(arn);
      if (again !== null && again.resource.status !== 'deleting') throw error;
    }
  }
  return { afterState: 'deleting' };
}

export const recreateIntegration: ActionSpec = {
  name: RECREATE_ACTION,
  params: {
    IntegrationName: { kind: 'target' },
    IntegrationArn: { kind: 'checked', why: 'guardrail recreateMatchesIntegration against the re-read integration' },
    SourceArn: { kind: 'checked', why: 'guardrail recreateMatchesIntegration against the re-read integration' },
    TargetArn: { kind: 'checked', why: 'guardrail recreateMatchesIntegration against the re-read integration' },
  },
  service: 'redshift',
  summary:
    'recreate a zero-ETL integration AWS says to delete and recreate, first step: record its settings in the ledger, then DeleteIntegration; the record stays in progress until CreateIntegration (the second step) made it active again (opt-in, once until then)',
  resourceType: 'integration',
  idParam: 'IntegrationName',
  allowedStatuses: DELETABLE,
  finalState: 'active',
  // A recreate that fails again stays in progress: the next delete-and-recreate event alerts instead of acting.
  failedStates: [],
  observes: 'resource',
  stateKey: null,
  guardrails: [...BASE_GUARDRAILS, 'recreateMatchesIntegration', 'maxResources'],
  permissions: [
    {
      sid: 'DeleteOnlyOptedInIntegrations',
      actions: ['redshift:DeleteIntegration'],
      resource: INTEGRATION_ARN,
      condition: { kind: 'optInTag' },
      note: 'Service Authorization Reference (Redshift): DeleteIntegration takes the integration resource type, which carries aws:ResourceTag/<key>; the recreated integration keeps the old tags, opt-in tag included.',
    },
  ],
  tracking: {
    deadlineMs: RECREATE_DEADLINE_MS,
    closedBy: ['REDSHIFT-INTEGRATION-EVENT-0000', 'REDSHIFT-INTEGRATION-EVENT-0013', 'sweep: active'],
  },
  effect: { changesState: true, cost: 'none', mark: '♻' },
  perform: performRecreate,
  alreadyDone(resource, params) {
    if (resource.status === 'deleting' || resource.status === 'deleted') return { done: false };
    if (resource.arn !== params.IntegrationArn) return { done: resource.status === 'active' };
    return null;
  },
  reached(resource, params) {
    return resource.arn !== params.IntegrationArn
      ? true
      : `integration ${resource.id} is active under its old ARN: it was never deleted`;
  },
};
