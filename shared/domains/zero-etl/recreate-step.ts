import type { NormalizedEvent } from '../../events/normalized-event.ts';
import { classifyAwsError, rootErrorName } from '../../execute/classify-error.ts';
import type { IntegrationPort } from '../../execute/integration-port.ts';
import type { LedgerRecord } from '../../execute/ports.ts';
import { safeSubject } from '../../execute/report.ts';
import type { TrackerDeps } from '../../policy/capability.ts';
import { RECREATE_ACTION } from './recreate.action.ts';

/**
 * The second step of a recreate (recreate.action.ts): once the old integration is gone, create it again
 * from the settings the first step recorded, exactly once — under a ledger claim keyed by the old ARN, and
 * only when no integration of that name exists yet (a create whose answer was lost made one already).
 * Runs on REDSHIFT-INTEGRATION-EVENT-0001 (deleted) and on every sweep.
 */
export const DELETED_EVENT = 'REDSHIFT-INTEGRATION-EVENT-0001';
export const CREATE_STEP = 'CreateIntegrationStep';

export function isDeletedEvent(event: NormalizedEvent): boolean {
  return event.kind === 'integration-event' && event.eventId === DELETED_EVENT;
}

function stepRecord(recreate: LedgerRecord, at: string): LedgerRecord {
  return {
    ...recreate,
    idempotencyKey: `${CREATE_STEP}#${String(recreate.params.IntegrationArn)}`,
    action: CREATE_STEP,
    reason: `create ${recreate.target.id} again after deleting ${String(recreate.params.IntegrationArn)}`,
    decisionAt: at,
    status: 'pending',
    retryable: false,
    attempts: 1,
    claimToken: `create:${String(recreate.params.IntegrationArn)}:${at}`,
    leaseUntil: new Date(Date.parse(at) + 5 * 60_000).toISOString(),
    outcomeReason: null,
    createdId: null,
    error: null,
    budgetSlot: null,
    claimedAt: at,
    updatedAt: at,
    completedAt: null,
  };
}

function failureAlert(recreate: LedgerRecord, error: { name: string; message: string }) {
  const arn = String(recreate.params.IntegrationArn);
  return {
    subject: safeSubject(`[autopilot] ${recreate.policy}: recreating ${recreate.target.id} failed at the create`),
    body: [
      `What:    integration ${recreate.target.id} (${arn}) was deleted to be recreated; creating it again failed: ${error.name}: ${error.message}.`,
      `Why:     ${recreate.reason}`,
      `Next:    the sweep retries the create from the settings recorded before the delete; if it keeps failing, create it by hand (aws redshift create-integration --integration-name ${recreate.target.id} --source-arn ${String(recreate.params.SourceArn)} --target-arn ${String(recreate.params.TargetArn)}, with the old description, KMS key, encryption context and tags).`,
    ].join('\n'),
    attributes: {
      severity: 'ERROR' as const,
      policy: recreate.policy,
      resource: `integration/${recreate.target.id}`,
      action: RECREATE_ACTION,
      outcome: 'failed' as const,
    },
  };
}

/** One recreate record: create again when the old one is gone and no integration of its name exists. */
async function step(deps: TrackerDeps, port: IntegrationPort, recreate: LedgerRecord): Promise<boolean> {
  const arn = String(recreate.params.IntegrationArn);
  if ((await port.describe(arn)) !== null) return false;
  const existing = await port.byName(recreate.target.id);
  if (existing !== null) return false;
  const settings = await port.recordedSettings(arn);
  if (settings === null) return false;
  const now = deps.clock.now();
  const claim = await deps.ledger.claim(stepRecord(recreate, now.toISOString()), now);
  if (claim.kind !== 'claimed') return false;
  try {
    const made = await port.create(settings);
    const at = deps.clock.now().toISOString();
    await deps.ledger.save({
      ...claim.record,
      status: 'succeeded',
      afterState: made.resource.status,
      createdId: made.resource.arn,
      outcomeReason: `created again as ${made.resource.arn}`,
      updatedAt: at,
      completedAt: at,
    });
    return true;
  } catch (error) {
    const classified = classifyAwsError(error, RECREATE_ACTION);
    const failure = { name: rootErrorName(classified), message: classified.message };
    deps.logger.error('recreate: the create failed', { integration: recreate.target.id, error: failure });
    const at = deps.clock.now().toISOString();
    await deps.ledger.save({ ...claim.record, status: 'failed', retryable: true, error: failure, updatedAt: at });
    if (claim.previous === null) await deps.notifier.alert(failureAlert(recreate, failure));
    return false;
  }
}

/** Every recreate in progress (or only the one of `name`): its create step when due. Returns creates made. */
export async function runCreateSteps(deps: TrackerDeps, name?: string): Promise<number> {
  const port = deps.resources.integration;
  if (port === undefined) return 0;
  const records = (await deps.ledger.listInFlight()).filter(
    (r) => r.action === RECREATE_ACTION && r.status === 'in-progress' && (name === undefined || r.target.id === name),
  );
  let made = 0;
  for (const record of records) if (await step(deps, port, record)) made++;
  return made;
}
