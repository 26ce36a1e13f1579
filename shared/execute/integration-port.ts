import type { IntegrationResource } from '../policy/decision.ts';
import type { ResourcePort } from './ports.ts';

/**
 * The executor's port for zero-ETL integrations (resource type `integration`), next to the cluster and
 * workgroup ports: re-read one integration by ARN, and the calls a recreate makes. An integration's
 * settings are what CreateIntegration takes again; they are read before the delete and kept in the
 * ledger (a settings record keyed by the old ARN), because after the delete nothing can read them back.
 */
export interface IntegrationSettings {
  IntegrationName: string;
  SourceArn: string;
  TargetArn: string;
  KMSKeyId?: string;
  AdditionalEncryptionContext?: Record<string, string>;
  Description?: string;
  TagList?: { Key: string; Value: string }[];
}

/**
 * The re-read of an integration a recreate deleted (its ARN gone, no integration of its name yet): the
 * ledger's record of it, `deleted`, with the settings recorded before the delete. The create step's
 * guardrail compares the decision to exactly these.
 */
export interface RecordedIntegration extends IntegrationResource {
  status: 'deleted';
  recorded: IntegrationSettings;
}

export function isRecordedIntegration(resource: { type: string }): resource is RecordedIntegration {
  return resource.type === 'integration' && 'recorded' in resource;
}

/** An integration as one DescribeIntegrations call shows it, with the settings a recreate takes again. */
export interface IntegrationView {
  resource: IntegrationResource;
  settings: IntegrationSettings;
}

export interface IntegrationPort extends ResourcePort {
  /** DescribeIntegrations by ARN; null when AWS no longer knows it (IntegrationNotFoundFault). */
  describe(arn: string): Promise<IntegrationView | null>;
  /** The integration of this name, if any (a recreate's new one): DescribeIntegrations, filtered here. */
  byName(name: string): Promise<IntegrationView | null>;
  /** The settings recorded before the delete of `arn`, or null. */
  recordedSettings(arn: string): Promise<IntegrationSettings | null>;
  /** Records them (idempotent: the first record of an ARN stays). */
  recordSettings(arn: string, settings: IntegrationSettings, policy: string): Promise<IntegrationSettings>;
  /** DeleteIntegration; the status it answers (`deleting`), or null when it was already gone. */
  remove(arn: string): Promise<string | null>;
  /**
   * CreateIntegration with exactly these settings; the new integration. Only the executor calls it (the
   * create step of a recreate, shared/domains/zero-etl/recreate-create.action.ts): only its role may.
   */
  create(settings: IntegrationSettings): Promise<IntegrationView>;
}
