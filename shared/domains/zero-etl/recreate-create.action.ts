import { ConfigurationError } from '../../errors.ts';
import type { ActionServices, ActionSpec } from '../../execute/action-spec.ts';
import { BASE_GUARDRAILS } from '../../execute/guardrail-names.ts';
import type { Guardrail } from '../../execute/guardrails.ts';
import {
  type IntegrationPort,
  type IntegrationSettings,
  isRecordedIntegration,
} from '../../execute/integration-port.ts';
import { INTEGRATION_ARN } from './recreate.action.ts';

/**
 * The second step of a recreate: CreateIntegration with the settings recorded before the delete. The
 * reactions' tracker decides it once the old integration is gone (recreate-step.ts) and sends it through
 * the decision queue like any decision; the executor performs it, because only the executor's role may
 * create (the deciding functions' roles hold no redshift:CreateIntegration or CreateTags).
 *
 * Its parameters are exactly the recorded settings — `AdditionalEncryptionContext` and `TagList` as JSON
 * text, since every parameter the executor takes on trust from a queue message is a string — plus the
 * deleted integration's ARN, which names the ledger record they come from. They are `checked`: the
 * guardrail `recreateFromRecord` compares them to that record on the executor's re-read, which is the
 * record only while no integration of the name exists (shared/aws/integration.adapter.ts `read`).
 */
export const CREATE_ACTION = 'CreateIntegration';
/** The integration the recreate deleted: the key of the recorded settings, not an input of CreateIntegration. */
export const DELETED_ARN = 'DeletedIntegrationArn';

/** The create step's parameters for these recorded settings of `deletedArn`: one canonical form. */
export function createParams(settings: IntegrationSettings, deletedArn: string): Record<string, string> {
  const out: Record<string, string> = {
    IntegrationName: settings.IntegrationName,
    SourceArn: settings.SourceArn,
    TargetArn: settings.TargetArn,
    [DELETED_ARN]: deletedArn,
  };
  if (settings.KMSKeyId !== undefined) out.KMSKeyId = settings.KMSKeyId;
  if (settings.Description !== undefined) out.Description = settings.Description;
  const context = settings.AdditionalEncryptionContext;
  if (context !== undefined && Object.keys(context).length > 0) {
    out.AdditionalEncryptionContext = JSON.stringify(
      Object.fromEntries(Object.entries(context).sort(([a], [b]) => a.localeCompare(b))),
    );
  }
  if (settings.TagList !== undefined && settings.TagList.length > 0) out.TagList = JSON.stringify(settings.TagList);
  return out;
}

/** The CreateIntegration input the parameters stand for (the inverse of createParams). */
export function settingsOfParams(params: Readonly<Record<string, unknown>>): IntegrationSettings {
  const out: IntegrationSettings = {
    IntegrationName: String(params.IntegrationName),
    SourceArn: String(params.SourceArn),
    TargetArn: String(params.TargetArn),
  };
  if (typeof params.KMSKeyId === 'string') out.KMSKeyId = params.KMSKeyId;
  if (typeof params.Description === 'string') out.Description = params.Description;
  if (typeof params.AdditionalEncryptionContext === 'string') {
    out.AdditionalEncryptionContext = JSON.parse(params.AdditionalEncryptionContext) as Record<string, string>;
  }
  if (typeof params.TagList === 'string') out.TagList = JSON.parse(params.TagList) as { Key: string; Value: string }[];
  return out;
}

/** Why `params` are not exactly `want`, or null. */
function paramsDiffer(
  want: Readonly<Record<string, string>>,
  params: Readonly<Record<string, unknown>>,
): string | null {
  const keys = [...new Set([...Object.keys(want), ...Object.keys(params)])].sort();
  for (const key of keys) {
    if (params[key] !== want[key]) {
      return `params.${key} is ${JSON.stringify(params[key])}, the settings recorded before the delete have ${JSON.stringify(want[key])}`;
    }
  }
  return null;
}

export const recreateFromRecord: Guardrail = {
  name: 'recreateFromRecord',
  rule: 'a recreate creates only what the ledger recorded before its delete (every setting equal), and only while no integration of that name exists',
  appliesTo: (_d, spec) => spec.guardrails.includes('recreateFromRecord'),
  check({ decision, resource }) {
    const deleted = decision.params[DELETED_ARN];
    if (resource.type !== 'integration') return `target is a ${resource.type}, not an integration`;
    if (resource.arn !== deleted) {
      return `an integration named ${resource.id} exists now (${resource.arn}, ${resource.status}): not created again`;
    }
    if (!isRecordedIntegration(resource)) {
      return `integration ${String(deleted)} still exists (${resource.status}): the create waits for its delete`;
    }
    return paramsDiffer(createParams(resource.recorded, resource.arn ?? ''), decision.params);
  },
};

function portOf(services: ActionServices): IntegrationPort {
  if (services.integration === undefined) {
    throw new ConfigurationError('no integration port is wired in this deployment; a recreate cannot create here');
  }
  return services.integration;
}

const CHECKED = {
  kind: 'checked',
  why: 'guardrail recreateFromRecord against the settings recorded before the delete',
} as const;

export const createIntegrationAgain: ActionSpec = {
  name: CREATE_ACTION,
  params: {
    IntegrationName: { kind: 'target' },
    SourceArn: CHECKED,
    TargetArn: CHECKED,
    KMSKeyId: CHECKED,
    Description: CHECKED,
    AdditionalEncryptionContext: CHECKED,
    TagList: CHECKED,
    [DELETED_ARN]: CHECKED,
  },
  service: 'redshift',
  summary:
    "a recreate's second step: CreateIntegration with exactly the settings recorded before its DeleteIntegration, decided by the reactions' tracker once the old integration is gone and none of its name exists",
  resourceType: 'integration',
  idParam: 'IntegrationName',
  // The re-read of a deleted integration whose settings the ledger holds (and no integration of its name).
  allowedStatuses: ['deleted'],
  // Complete when AWS accepts it: the recreate's first record stays in progress until the new one is active.
  finalState: null,
  failedStates: [],
  observes: 'resource',
  stateKey: null,
  guardrails: [...BASE_GUARDRAILS, 'recreateFromRecord'],
  permissions: [
    {
      sid: 'CreateIntegrationsAgain',
      actions: ['redshift:CreateIntegration', 'redshift:CreateTags'],
      resource: INTEGRATION_ARN,
      condition: {
        kind: 'none',
        why: 'the integration does not exist yet and takes back the old tags, whatever their keys: no resource or request tag can scope it',
      },
      note: 'Granted to the executor role only (the deciding functions send the create step through the decision queue). CreateIntegration also needs what the source and target require of whoever creates an integration: the DynamoDB table resource policy allowing redshift.amazonaws.com to export it, the target namespace resource policy authorizing the source, and, with a customer-managed KMS key, kms:CreateGrant and kms:DescribeKey on that key for the executor role. Grant those next to the integration; autopilot changes none of them.',
    },
  ],
  effect: { changesState: true, cost: 'none', mark: '♻' },
  async perform(params, services) {
    const made = await portOf(services).create(settingsOfParams(params));
    return {
      afterState: made.resource.status,
      ...(made.resource.arn === null ? {} : { createdId: made.resource.arn }),
    };
  },
  /** An integration of the name from the same source into the same target, not the deleted one: created. */
  alreadyDone(resource, params) {
    if (resource.type !== 'integration' || resource.arn === params[DELETED_ARN]) return null;
    return resource.sourceArn === params.SourceArn && resource.targetArn === params.TargetArn ? { done: true } : null;
  },
};
