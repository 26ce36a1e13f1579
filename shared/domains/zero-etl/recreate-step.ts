import type { NormalizedEvent } from '../../events/normalized-event.ts';
import type { IntegrationPort } from '../../execute/integration-port.ts';
import type { LedgerRecord } from '../../execute/ports.ts';
import type { TrackerDeps } from '../../policy/capability.ts';
import { idempotencyKey } from '../../policy/decide.ts';
import type { Decision } from '../../policy/decision.ts';
import { RECREATE_ACTION } from './recreate.action.ts';
import { CREATE_ACTION, createParams } from './recreate-create.action.ts';

/**
 * The tracker's half of a recreate's second step (recreate.action.ts): once the old integration is gone
 * and no integration of its name exists, decide CreateIntegration with the settings the first step
 * recorded and send it through the decision queue. The tracker calls nothing that writes: the deciding
 * functions' roles may not create, the executor's may — it authorizes the decision, compares it to the
 * ledger record (guardrail recreateFromRecord) and creates. The key derives from the first step's record,
 * so a redelivered 0001, a second sweep or both send the same key and the executor's claim makes one call.
 * Runs on REDSHIFT-INTEGRATION-EVENT-0001 (deleted) and on every sweep.
 */
export const DELETED_EVENT = 'REDSHIFT-INTEGRATION-EVENT-0001';

export function isDeletedEvent(event: NormalizedEvent): boolean {
  return event.kind === 'integration-event' && event.eventId === DELETED_EVENT;
}

/** The slot of the create step of one recreate: the same for every sweep and event that sees it due. */
export function createSlot(recreate: Pick<LedgerRecord, 'idempotencyKey'>): string {
  return `create-after:${recreate.idempotencyKey}`;
}

/** The create step of this recreate, decided now; null when it is not due (or its policy is gone). */
async function createDecision(deps: TrackerDeps, port: IntegrationPort, recreate: LedgerRecord) {
  const arn = String(recreate.params.IntegrationArn);
  if ((await port.describe(arn)) !== null) return null;
  if ((await port.byName(recreate.target.id)) !== null) return null;
  const settings = await port.recordedSettings(arn);
  if (settings === null) return null;
  const policy = deps.policies.find((p) => p.name === recreate.policy);
  if (policy === undefined) {
    deps.logger.warn('recreate: its policy is no longer deployed; the create is not decided', {
      integration: recreate.target.id,
      policy: recreate.policy,
    });
    return null;
  }
  const now = deps.clock.now().toISOString();
  const slot = createSlot(recreate);
  const decision: Decision = {
    at: now,
    policy: policy.name,
    action: CREATE_ACTION,
    target: recreate.target,
    params: createParams(settings, arn),
    reason: `create ${recreate.target.id} again with the settings recorded before deleting ${arn} (${recreate.reason})`,
    idempotencyKey: idempotencyKey(policy.name, recreate.target, CREATE_ACTION, slot),
    mode: recreate.mode,
    guard: {
      optInTag: { key: policy.optInTag.key, value: policy.optInTag.value },
      allowZeroEtlTarget: false,
      // The policy's own limit (authorize compares it). The create spends no budget slot (it declares no
      // maxResources guardrail): its delete did. A percentage is of what decide() selected, which a tracker
      // does not see; one resource, this one, is what the step acts on.
      maxResources:
        policy.maxResources === null ? null : 'count' in policy.maxResources ? policy.maxResources.count : 1,
    },
    decidedAt: now,
  };
  return decision;
}

/** Every recreate in progress (or only the one of `name`): its create step when due. Returns decisions sent. */
export async function sendCreateSteps(deps: TrackerDeps, name?: string): Promise<number> {
  const port = deps.resources.integration;
  if (port === undefined) return 0;
  const records = (await deps.ledger.listInFlight()).filter(
    (r) => r.action === RECREATE_ACTION && r.status === 'in-progress' && (name === undefined || r.target.id === name),
  );
  const decisions: Decision[] = [];
  for (const record of records) {
    const decision = await createDecision(deps, port, record);
    if (decision !== null) decisions.push(decision);
  }
  if (decisions.length === 0) return 0;
  if (deps.queue === undefined) {
    deps.logger.error('recreate: a create step is due but this function has no decision queue', {
      integrations: decisions.map((d) => d.target.id),
    });
    return 0;
  }
  const { sent } = await deps.queue.send(decisions);
  deps.logger.info('recreate: create steps sent to the executor', {
    integrations: decisions.map((d) => d.target.id),
    idempotencyKeys: decisions.map((d) => d.idempotencyKey),
  });
  return sent;
}
