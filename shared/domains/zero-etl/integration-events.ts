import type { NormalizedEvent } from '../../events/normalized-event.ts';
import type { IntegrationResource } from '../../policy/decision.ts';

/**
 * The 26 REDSHIFT-INTEGRATION-EVENT ids of the catalog (shared/events/catalog/redshift-events.json),
 * plus 0025 (only on the guide's EventBridge page), by family: what autopilot can do about each and,
 * where it cannot act, the runbook its alert carries. Families follow issue 17:
 * lifecycle (0000–0003, 0013), tables skipped (0004/0005), delete and recreate (0006, 0007, 0012, 0014,
 * 0025), authorization revoked at the source (0008), limits exceeded (0009), DDL and modification
 * progress (0015–0017), target paused/resuming (0018–0020), source misconfiguration (1000, 1002–1005),
 * target misconfiguration (1001), filter syntax (1006).
 */
export type IntegrationFamily =
  | 'lifecycle'
  | 'tables-skipped'
  | 'recreate'
  | 'source-authorization'
  | 'limits'
  | 'progress'
  | 'target-paused'
  | 'target-resuming'
  | 'source-parameter'
  | 'target-parameter'
  | 'filter';

const ID = (n: string) => `REDSHIFT-INTEGRATION-EVENT-${n}`;

export const INTEGRATION_FAMILIES: Readonly<Record<string, IntegrationFamily>> = {
  [ID('0000')]: 'lifecycle',
  [ID('0001')]: 'lifecycle',
  [ID('0002')]: 'lifecycle',
  [ID('0003')]: 'lifecycle',
  [ID('0013')]: 'lifecycle',
  [ID('0004')]: 'tables-skipped',
  [ID('0005')]: 'tables-skipped',
  [ID('0006')]: 'recreate',
  [ID('0007')]: 'recreate',
  [ID('0012')]: 'recreate',
  [ID('0014')]: 'recreate',
  [ID('0025')]: 'recreate',
  [ID('0008')]: 'source-authorization',
  [ID('0009')]: 'limits',
  [ID('0015')]: 'progress',
  [ID('0016')]: 'progress',
  [ID('0017')]: 'progress',
  [ID('0018')]: 'target-paused',
  [ID('0019')]: 'target-paused',
  [ID('0020')]: 'target-resuming',
  [ID('1000')]: 'source-parameter',
  [ID('1001')]: 'target-parameter',
  [ID('1002')]: 'source-parameter',
  [ID('1003')]: 'source-parameter',
  [ID('1004')]: 'source-parameter',
  [ID('1005')]: 'source-parameter',
  [ID('1006')]: 'filter',
};

export const TARGET_PARAMETER = { name: 'enable_case_sensitive_identifier', value: 'true' } as const;

/**
 * The source (Aurora) parameter each configuration event names, and its required value. 1000 names
 * none: its runbook lists every zero-ETL prerequisite of an Aurora MySQL and an Aurora PostgreSQL source.
 */
const SOURCE_PARAMETERS: Readonly<Record<string, { name: string; value: string; reboot: string }>> = {
  [ID('1002')]: { name: 'cdc_insert_enabled', value: 'true', reboot: 'the cluster' },
  [ID('1003')]: { name: 'binlog_format', value: 'ROW', reboot: 'the cluster' },
  [ID('1004')]: { name: 'binlog_transaction_compression', value: 'OFF', reboot: 'the writer instance' },
  [ID('1005')]: {
    name: 'binlog_row_value_options',
    value: '"" (empty, not PARTIAL_JSON)',
    reboot: 'the writer instance',
  },
};

const AURORA_PREREQUISITES = [
  'Aurora MySQL: aurora_enhanced_binlog=1, binlog_backup=0, binlog_format=ROW, binlog_replication_globaldb=0, binlog_row_image=full, binlog_row_metadata=full, binlog_transaction_compression=OFF, binlog_row_value_options="" (empty)',
  'Aurora PostgreSQL: rds.logical_replication=1, aurora.enhanced_logical_replication=1, aurora.logical_replication_backup=0, aurora.logical_replication_globaldb=0',
];

export function familyOf(eventId: string | null): IntegrationFamily | undefined {
  return eventId === null ? undefined : INTEGRATION_FAMILIES[eventId];
}

/** `arn:aws:rds:eu-central-1:123456789012:cluster:orders-aurora` → `orders-aurora` (the ARN itself when not one). */
function sourceId(arn: string): string {
  return arn.split(':').slice(6).join(':') || arn;
}

/** The tables an event names, when its text follows the wording with placeholders (0005 names one). */
export function tablesOf(event: NormalizedEvent): string | null {
  const { schema_name: schema, table_name: table, redshift_database_name: db } = event.values;
  if (table === undefined) return null;
  const name = schema === undefined ? table : `${schema}.${table}`;
  return db === undefined ? name : `${name} (Redshift database ${db})`;
}

/**
 * How to delete and recreate by hand. An Aurora/RDS-sourced integration belongs to the RDS API (`aws rds
 * delete-integration --integration-identifier`, `aws rds create-integration`, with its data filter); a
 * DynamoDB or S3 one to the Redshift API (`aws redshift delete-integration --integration-arn`).
 */
const recreateSteps = (i: IntegrationResource) => {
  const arn = i.arn ?? i.id;
  const same = `--source-arn ${i.sourceArn} --target-arn ${i.targetArn} --integration-name ${i.id}`;
  if (/^arn:aws[a-z-]*:rds:/.test(i.sourceArn)) {
    return [
      `delete it: aws rds delete-integration --integration-identifier ${arn}`,
      `wait for REDSHIFT-INTEGRATION-EVENT-0001 (deleted), then create it again with the same source, target, name, description, KMS key, tags and data filter: aws rds create-integration ${same} … (--data-filter, --kms-key-id, --tags as before).`,
    ];
  }
  return [
    `delete it: aws redshift delete-integration --integration-arn ${arn}`,
    `wait for REDSHIFT-INTEGRATION-EVENT-0001 (deleted), then create it again with the same source, target, name, description, KMS key and tags: aws redshift create-integration ${same} … (--kms-key-id, --tag-list, --additional-encryption-context as before).`,
  ];
};

/** What to do, in lines, for an event autopilot cannot fix itself (or a policy did not allow it to). */
export function runbookOf(event: NormalizedEvent, integration: IntegrationResource): string[] {
  const id = event.eventId ?? '';
  const family = familyOf(id);
  const src = sourceId(integration.sourceArn);
  const reboots = (what: string) =>
    `reboot ${what} of ${src} to apply it (aws rds reboot-db-cluster --db-cluster-identifier ${src}, or reboot-db-instance for the writer)`;
  switch (family) {
    case 'source-parameter': {
      const p = SOURCE_PARAMETERS[id];
      const group = `the DB cluster parameter group of ${src} (aws rds describe-db-clusters --db-cluster-identifier ${src} --query 'DBClusters[0].DBClusterParameterGroup')`;
      const set =
        p === undefined
          ? [
              `check ${group} against AWS's zero-ETL source prerequisites:`,
              ...AURORA_PREREQUISITES.map((l) => `  ${l}`),
              '  each wrong one: aws rds modify-db-cluster-parameter-group --db-cluster-parameter-group-name <that group> --parameters "ParameterName=<name>,ParameterValue=<value>,ApplyMethod=pending-reboot"',
            ]
          : [
              `set ${p.name} = ${p.value} in ${group}:`,
              `  aws rds modify-db-cluster-parameter-group --db-cluster-parameter-group-name <that group> --parameters "ParameterName=${p.name},ParameterValue=${p.name === 'binlog_row_value_options' ? '' : p.value},ApplyMethod=pending-reboot"`,
            ];
      return [
        `the source is ${integration.sourceArn} (Aurora, outside Redshift: autopilot does not change it).`,
        ...set,
        reboots(p?.reboot ?? 'the cluster'),
        ...recreateSteps(integration),
      ];
    }
    case 'target-parameter':
      return [
        `set ${TARGET_PARAMETER.name} = ${TARGET_PARAMETER.value} in the parameter group of the target cluster (the catalog's text says "source Aurora DB cluster"; the parameter is Redshift's): aws redshift modify-cluster-parameter-group --parameter-group-name <group> --parameters ParameterName=${TARGET_PARAMETER.name},ParameterValue=${TARGET_PARAMETER.value}`,
        'a default.* parameter group cannot be modified (AWS refuses): create a custom group with the value, then modify-cluster --cluster-parameter-group-name <it>.',
        'reboot the target cluster to apply it (aws redshift reboot-cluster), then delete and recreate the integration:',
        ...recreateSteps(integration),
      ];
    case 'recreate':
      return [...recreateSteps(integration), 'if it fails again the same way, open a case with AWS Support.'];
    case 'source-authorization':
      return [
        `permissions on the source ${integration.sourceArn} were revoked: check the integration's KMS key policy (customer-managed keys) and the Redshift namespace's authorized integration sources (aws redshift describe-resource-policy --resource-arn ${integration.targetArn}).`,
        ...recreateSteps(integration),
      ];
    case 'limits':
      return [
        'the source holds more tables and schemas than Redshift accepts: narrow the integration\'s data filter (aws rds modify-integration --data-filter "include: db.table, exclude: …") or split the source.',
        ...recreateSteps(integration),
      ];
    case 'tables-skipped': {
      const tables = tablesOf(event);
      const which =
        tables === null
          ? 'the event does not name the table; SVV_INTEGRATION_TABLE_STATE on the target lists the failed ones'
          : `table ${tables}`;
      return id === ID('0004')
        ? [`${which}: add a primary key to the table on ${src}; it resynchronizes by itself.`]
        : [
            `${which}: exclude it in the integration's data filter, or drop the unsupported columns on ${src} and run ALTER DATABASE <db> INTEGRATION REFRESH TABLE <schema>.<table> on the target.`,
          ];
    }
    case 'filter':
      return [
        `the data filter of ${integration.arn ?? integration.id} does not parse: fix its syntax (aws rds modify-integration --integration-identifier ${integration.arn ?? integration.id} --data-filter "include: mydb.*, exclude: mydb.tmp_*").`,
      ];
    case 'target-paused':
      return [
        'resume the target cluster (aws redshift resume-cluster --cluster-identifier <target>); replication continues once it is available.',
      ];
    case 'target-resuming':
      return ['nothing: replication continues once the target cluster is available.'];
    default:
      return ['nothing to do: information about the integration.'];
  }
}
