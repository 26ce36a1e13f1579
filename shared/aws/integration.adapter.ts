import {
  CreateIntegrationCommand,
  DeleteIntegrationCommand,
  DescribeIntegrationsCommand,
  type Integration,
  paginateDescribeIntegrations,
  type RedshiftClient,
} from '@aws-sdk/client-redshift';
import { ConfigurationError } from '../errors.ts';
import { actionRegistry } from '../execute/action-registry.ts';
import type {
  IntegrationPort,
  IntegrationSettings,
  IntegrationView,
  RecordedIntegration,
} from '../execute/integration-port.ts';
import type { ActionResult, LedgerPort, LedgerRecord } from '../execute/ports.ts';
import type { IntegrationResource, TargetRef } from '../policy/decision.ts';
import { mapIntegrations } from './fleet-mapping.ts';

/**
 * Zero-ETL integrations through the Redshift API (DescribeIntegrations, DeleteIntegration,
 * CreateIntegration), with the settings of an integration about to be recreated kept in the ledger:
 * a record keyed by the old ARN, written before the delete, read by a retry of the delete and by the
 * create step (the reactions' tracker decides it, the executor performs it) once the delete is done.
 */
export const SETTINGS_RECORD = 'IntegrationSettings';
export function settingsKey(arn: string): string {
  return `${SETTINGS_RECORD}#${arn}`;
}

export function settingsOf(i: Integration): IntegrationSettings {
  const out: IntegrationSettings = {
    IntegrationName: i.IntegrationName ?? '',
    SourceArn: i.SourceArn ?? '',
    TargetArn: i.TargetArn ?? '',
  };
  if (i.KMSKeyId !== undefined) out.KMSKeyId = i.KMSKeyId;
  if (i.AdditionalEncryptionContext !== undefined && Object.keys(i.AdditionalEncryptionContext).length > 0) {
    out.AdditionalEncryptionContext = { ...i.AdditionalEncryptionContext };
  }
  if (i.Description !== undefined) out.Description = i.Description;
  const tags = (i.Tags ?? []).flatMap((t) => (t.Key === undefined ? [] : [{ Key: t.Key, Value: t.Value ?? '' }]));
  if (tags.length > 0) out.TagList = tags;
  return out;
}

function viewOf(i: Integration): IntegrationView | null {
  const [resource] = mapIntegrations([i]);
  return resource === undefined ? null : { resource, settings: settingsOf(i) };
}

function isNotFound(error: unknown): boolean {
  return (error as { name?: string }).name === 'IntegrationNotFoundFault';
}

export class IntegrationAdapter implements IntegrationPort {
  readonly #client: RedshiftClient;
  readonly #ledger: LedgerPort;
  readonly #now: () => Date;

  constructor(client: RedshiftClient, ledger: LedgerPort, now: () => Date = () => new Date()) {
    this.#client = client;
    this.#ledger = ledger;
    this.#now = now;
  }

  async describe(arn: string): Promise<IntegrationView | null> {
    try {
      const out = await this.#client.send(new DescribeIntegrationsCommand({ IntegrationArn: arn }));
      const found = out.Integrations?.find((i) => i.IntegrationArn === arn);
      return found === undefined ? null : viewOf(found);
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  async byName(name: string): Promise<IntegrationView | null> {
    for await (const page of paginateDescribeIntegrations({ client: this.#client }, {})) {
      const found = page.Integrations?.find((i) => i.IntegrationName === name);
      if (found !== undefined) return viewOf(found);
    }
    return null;
  }

  /**
   * The integration the decision names, by its ARN. Gone, but its settings recorded (a recreate deleted
   * it): the integration of its name if one exists now (the one created again), else the ledger's record
   * of it, `deleted` (RecordedIntegration) — so that a retry of the delete records the recreate as under
   * way, and the create step's guardrail compares the decision to what was recorded before the delete.
   * Gone without a record: null (nothing autopilot started).
   */
  async read(target: TargetRef): Promise<IntegrationResource | null> {
    const arn = target.arn;
    if (arn === undefined) return (await this.byName(target.id))?.resource ?? null;
    const found = await this.describe(arn);
    if (found !== null) return found.resource;
    const record = await this.#ledger.get(settingsKey(arn));
    if (record === null) return null;
    const recorded = record.params.settings as IntegrationSettings;
    const now = await this.byName(recorded.IntegrationName);
    if (now !== null) return now.resource;
    const tags = Object.fromEntries((recorded.TagList ?? []).map((t) => [t.Key, t.Value]));
    const deleted: RecordedIntegration = {
      type: 'integration',
      id: recorded.IntegrationName,
      arn,
      region: target.region ?? null,
      account: target.account ?? null,
      status: 'deleted',
      tags,
      sourceArn: recorded.SourceArn,
      targetArn: recorded.TargetArn,
      recorded,
    };
    return deleted;
  }

  async recordedSettings(arn: string): Promise<IntegrationSettings | null> {
    const record = await this.#ledger.get(settingsKey(arn));
    return record === null ? null : (record.params.settings as IntegrationSettings);
  }

  async recordSettings(arn: string, settings: IntegrationSettings, policy: string): Promise<IntegrationSettings> {
    const now = this.#now();
    const at = now.toISOString();
    const record: LedgerRecord = {
      idempotencyKey: settingsKey(arn),
      policy,
      action: SETTINGS_RECORD,
      target: { type: 'integration', id: settings.IntegrationName, arn },
      mode: 'act',
      params: { settings },
      reason: `settings of ${arn}, read before deleting it to create it again`,
      decisionAt: at,
      status: 'succeeded',
      retryable: false,
      attempts: 1,
      claimToken: `settings:${arn}:${at}`,
      leaseUntil: at,
      outcomeReason: 'recorded',
      beforeState: null,
      afterState: null,
      expectedState: null,
      createdId: null,
      error: null,
      budgetSlot: null,
      claimedAt: at,
      updatedAt: at,
      completedAt: at,
    };
    const claim = await this.#ledger.claim(record, now);
    // Already recorded by an earlier attempt: that record holds what the integration had before any delete.
    if (claim.kind === 'claimed') return settings;
    return (claim.record?.params.settings as IntegrationSettings | undefined) ?? settings;
  }

  async remove(arn: string): Promise<string | null> {
    try {
      const out = await this.#client.send(new DeleteIntegrationCommand({ IntegrationArn: arn }));
      return out.Status ?? 'deleting';
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  async create(settings: IntegrationSettings): Promise<IntegrationView> {
    const out = await this.#client.send(new CreateIntegrationCommand({ ...settings }));
    const view = viewOf(out);
    if (view === null)
      throw new ConfigurationError(`the create of ${settings.IntegrationName} answered without an ARN`);
    return view;
  }

  /** Performs a declared integration action (its handler lives with the zero-ETL capability). */
  async perform(action: string, params: Record<string, unknown>): Promise<ActionResult> {
    const spec = actionRegistry.action(action);
    if (spec === null || spec.resourceType !== 'integration') {
      throw new ConfigurationError(`no capability declares ${action} for an integration`);
    }
    return spec.perform(params, { integration: this });
  }

  /** An integration is never a zero-ETL target. */
  async isZeroEtlTarget(): Promise<boolean> {
    return false;
  }
}
