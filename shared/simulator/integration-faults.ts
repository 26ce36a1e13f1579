/**
 * What goes wrong with a zero-ETL integration, by event id (the families of the guide's table,
 * L27917–27957): the integration's status afterwards, the `integrationStatus`/`statusCode` its
 * EventBridge event carries, and where the condition lives — on the source or the target, a recreated
 * integration fails again until someone fixes it there; `null`, a delete and recreate fixes it.
 *
 * `integrationStatus` follows the captured events (SOURCES.md: `SYNCING` for 0003, `NEEDS_ATTENTION`
 * for a Warning); the `statusCode` values of the other events are not in any captured payload and
 * name the condition.
 */
import type { ZeroETLIntegrationStatus } from '@aws-sdk/client-redshift';

export type IntegrationFamily =
  | 'tables-skipped'
  | 'needs-recreate'
  | 'auth-revoked'
  | 'limits'
  | 'source-misconfigured'
  | 'target-case-sensitivity'
  | 'filter-syntax';

export interface IntegrationCondition {
  family: IntegrationFamily;
  /** The integration's Status (DescribeIntegrations) after the event. */
  status: ZeroETLIntegrationStatus;
  /** `detail.integrationStatus` of the EventBridge event. */
  detailStatus: string;
  statusCode: string;
  persists: 'source' | 'target' | null;
}

const failed = (
  family: IntegrationFamily,
  statusCode: string,
  persists: IntegrationCondition['persists'],
): IntegrationCondition => ({ family, status: 'failed', detailStatus: 'FAILED', statusCode, persists });

const warning = (family: IntegrationFamily, statusCode: string): IntegrationCondition => ({
  family,
  status: 'needs_attention',
  detailStatus: 'NEEDS_ATTENTION',
  statusCode,
  persists: null,
});

export const INTEGRATION_CONDITIONS: Readonly<Record<string, IntegrationCondition>> = {
  'REDSHIFT-INTEGRATION-EVENT-0004': warning('tables-skipped', 'TABLE_MISSING_PRIMARY_KEY'),
  'REDSHIFT-INTEGRATION-EVENT-0005': warning('tables-skipped', 'TABLE_UNSUPPORTED_DATA_TYPE'),
  'REDSHIFT-INTEGRATION-EVENT-0006': failed('needs-recreate', 'INTEGRATION_CREATION_FAILED', null),
  'REDSHIFT-INTEGRATION-EVENT-0007': failed('needs-recreate', 'INTERNAL_ERROR', null),
  'REDSHIFT-INTEGRATION-EVENT-0008': failed('auth-revoked', 'SOURCE_AUTHORIZATION_REVOKED', 'source'),
  'REDSHIFT-INTEGRATION-EVENT-0009': failed('limits', 'TABLE_AND_SCHEMA_LIMIT_EXCEEDED', 'source'),
  'REDSHIFT-INTEGRATION-EVENT-0012': failed('needs-recreate', 'TARGET_RESTORED_FROM_RECOVERY_POINT', null),
  'REDSHIFT-INTEGRATION-EVENT-0014': failed('needs-recreate', 'MODIFICATION_FAILED', null),
  'REDSHIFT-INTEGRATION-EVENT-1000': failed('source-misconfigured', 'SOURCE_PARAMETERS_MISCONFIGURED', 'source'),
  'REDSHIFT-INTEGRATION-EVENT-1001': failed('target-case-sensitivity', 'CASE_SENSITIVE_IDENTIFIER_DISABLED', 'target'),
  'REDSHIFT-INTEGRATION-EVENT-1002': failed('source-misconfigured', 'CDC_INSERT_DISABLED', 'source'),
  'REDSHIFT-INTEGRATION-EVENT-1003': failed('source-misconfigured', 'BINLOG_FORMAT_NOT_ROW', 'source'),
  'REDSHIFT-INTEGRATION-EVENT-1004': failed('source-misconfigured', 'BINLOG_TRANSACTION_COMPRESSION_ON', 'source'),
  'REDSHIFT-INTEGRATION-EVENT-1005': failed('source-misconfigured', 'BINLOG_ROW_VALUE_OPTIONS_PARTIAL_JSON', 'source'),
  'REDSHIFT-INTEGRATION-EVENT-1006': warning('filter-syntax', 'FILTER_PARSE_ERROR'),
};

/** A fault of one integration, injected into the simulator (RedshiftSimulator.injectIntegrationFault). */
export interface IntegrationFaultRule {
  /** The integration's name or ARN. */
  integration: string;
  /** One of the ids of INTEGRATION_CONDITIONS. */
  eventId: string;
  /** When it happens (default: now). */
  at?: Date | number;
  /** A warning storm: the event again `count - 1` times, `everyMs` apart (0004/0005 repeat while the table is skipped). */
  repeat?: { count: number; everyMs: number };
  /** Values of the wording's placeholders besides the integration's name and the time (0005: `redshift_database_name`, `schema_name`, `table_name`). */
  values?: Readonly<Record<string, string>>;
}

/** 0005 names the table to refresh; these stand in when the rule names none. */
export const DEFAULT_EVENT_VALUES: Readonly<Record<string, string>> = {
  redshift_database_name: 'orders_zeroetl',
  schema_name: 'public',
  table_name: 'order_lines',
};

export function conditionOf(eventId: string): IntegrationCondition {
  const condition = INTEGRATION_CONDITIONS[eventId];
  if (condition === undefined) {
    throw new Error(
      `injectIntegrationFault: ${eventId} is not a fault the simulator models; expected one of ${Object.keys(INTEGRATION_CONDITIONS).join(', ')}`,
    );
  }
  return condition;
}
