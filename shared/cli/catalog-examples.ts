/**
 * What `autopilot catalog` shows of an event id: its catalog entry (the project's copy under
 * shared/events/catalog), the envelope AWS delivers it in, and an example payload built with the same
 * envelope builders the simulator uses (their shapes are the real payloads of test/fixtures/events),
 * plus a small fleet (AWS CLI output) holding the resource the example is about.
 */
import type { CatalogEvent } from '../events/catalog.ts';
import { catalogEvents, lookupEvent, wordingsFor } from '../events/catalog.ts';
import type { FleetDocument } from '../policy/fleet.ts';
import {
  eventBridgeTime,
  eventBridgeWording,
  integrationEvent,
  messageTime,
  redshiftSnsRecord,
  renderTemplate,
} from '../simulator/event-envelopes.ts';
import { INTEGRATION_CONDITIONS } from '../simulator/integration-faults.ts';
import { Prng } from '../simulator/prng.ts';

export interface CatalogEntry extends CatalogEvent {
  /** False for the ids only the guide's EventBridge pages list. */
  inCatalog: boolean;
  /** The EventBridge page's wording, when it differs from the table's. */
  eventBridgeMessage: string | null;
}

/** Every id the project knows: the catalog's 178 in guide order, then the EventBridge pages' own. */
export function catalogEntries(): CatalogEntry[] {
  const entries: CatalogEntry[] = catalogEvents().map((e) => ({ ...e, inCatalog: true, eventBridgeMessage: null }));
  const byId = new Map(entries.map((e) => [e.id, e]));
  for (const sourceType of ['integration', 'serverless'] as const) {
    for (const w of wordingsFor(sourceType)) {
      if (w.inCatalog) {
        const entry = byId.get(w.id);
        if (entry !== undefined && w.message !== entry.message && lookupEvent(w.id)?.message !== w.message)
          entry.eventBridgeMessage = w.message;
        continue;
      }
      if (byId.has(w.id)) continue;
      const { inCatalog: _inCatalog, ...event } = w;
      const entry = { ...event, inCatalog: false, eventBridgeMessage: null };
      entries.push(entry);
      byId.set(w.id, entry);
    }
  }
  return entries;
}

export interface Envelope {
  /** One line, e.g. `EventBridge aws.redshift "Redshift Integration Operation"`. */
  summary: string;
  /** Where the project receives it. */
  ingress: string;
}

const SNS_SOURCE: Readonly<Record<string, string>> = {
  cluster: 'cluster',
  snapshot: 'snapshot',
  'parameter-group': 'parameter-groups',
  'security-group': 'security-groups',
};

export function envelopeOf(entry: CatalogEntry): Envelope {
  if (entry.sourceType === 'integration') {
    return {
      summary: `EventBridge, source aws.redshift, detail-type "Redshift Integration ${entry.category}" (zero-ETL); resources[0] is the integration ARN`,
      ingress: 'EventBridge rule → ingest-event-bridge',
    };
  }
  if (entry.sourceType === 'serverless') {
    return {
      summary: `EventBridge, source aws.redshift-serverless, detail-type "Redshift Serverless ${entry.category}" (no AWS sample payload is known: the detail fields follow the zero-ETL events')`,
      ingress: 'EventBridge rule → ingest-event-bridge',
    };
  }
  return {
    summary: `Redshift event notification through SNS (event subscription, source type ${SNS_SOURCE[entry.sourceType]}); Sns.Message is JSON with "About this Event" ending in the id`,
    ingress: 'event subscription → SNS topic → ingest-redshift-event',
  };
}

export const EXAMPLE = {
  region: 'us-east-1',
  account: '123456789012',
  cluster: 'example-cluster',
  target: 'example-target',
  parameterGroup: 'example-zero-etl-params',
  integration: 'example-integration',
  integrationId: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
  sourceArn: 'arn:aws:rds:us-east-1:123456789012:cluster:example-aurora',
  namespaceId: '5f2b8c1e-9a7d-4e3b-b6c4-1d0e2f3a4b5c',
  workgroup: 'example-workgroup',
  workgroupId: '40878908-1111-4222-8333-444455556666',
  namespace: 'example-namespace',
  serverlessNamespaceId: '9a1b2c3d-1111-4222-8333-444455556666',
  snapshot: 'example-snapshot',
} as const;

const ARN = {
  namespace: `arn:aws:redshift:${EXAMPLE.region}:${EXAMPLE.account}:namespace:${EXAMPLE.namespaceId}`,
  integration: `arn:aws:redshift:${EXAMPLE.region}:${EXAMPLE.account}:integration:${EXAMPLE.integrationId}`,
  workgroup: `arn:aws:redshift-serverless:${EXAMPLE.region}:${EXAMPLE.account}:workgroup/${EXAMPLE.workgroupId}`,
  serverlessNamespace: `arn:aws:redshift-serverless:${EXAMPLE.region}:${EXAMPLE.account}:namespace/${EXAMPLE.serverlessNamespaceId}`,
};

const TIME_PLACEHOLDERS = new Set(['time', 'utc_time', 'time_in_utc']);

/** A value for every placeholder: names of the example resources, times, and plausible words otherwise. */
function placeholderValues(entry: CatalogEvent, at: Date): Record<string, string | Date> {
  const named: Record<string, string> = {
    cluster_name: EXAMPLE.cluster,
    cluster_id: EXAMPLE.cluster,
    snapshot_name: EXAMPLE.snapshot,
    integration_name: EXAMPLE.integration,
    workgroup_name: EXAMPLE.workgroup,
    namespace_name: EXAMPLE.namespace,
    parameter_group_name: EXAMPLE.parameterGroup,
    name: entry.sourceType === 'snapshot' ? EXAMPLE.snapshot : EXAMPLE.parameterGroup,
    group_name: entry.sourceType === 'parameter-group' ? EXAMPLE.parameterGroup : 'example-security-group',
    availability_zone: `${EXAMPLE.region}a`,
    first_availability_zone: `${EXAMPLE.region}a`,
    second_availability_zone: `${EXAMPLE.region}b`,
    alternative_availability_zones: `${EXAMPLE.region}b, ${EXAMPLE.region}c`,
    source_aws_region: EXAMPLE.region,
    destination_aws_region: 'us-west-2',
    account_id: EXAMPLE.account,
    was_was_not: 'was',
    hours: '8',
    value: 'true',
    parameter_name: 'enable_case_sensitive_identifier',
    ip_address: '10.0.1.25',
    start_time: messageTime(at),
    end_time: messageTime(new Date(at.getTime() + 3_600_000)),
    redshift_database_name: 'example_zeroetl',
    schema_name: 'public',
    table_name: 'order_lines',
    ddl_change: 'ALTER TABLE public.order_lines ADD COLUMN note varchar(64)',
  };
  const values: Record<string, string | Date> = {};
  for (const name of entry.placeholders) {
    values[name] = TIME_PLACEHOLDERS.has(name) ? at : (named[name] ?? `example-${name.replace(/_/g, '-')}`);
  }
  return values;
}

/** The resource the example event is about, as its notification names it. */
function snsResource(entry: CatalogEvent, values: Record<string, string | Date>): string {
  const pick = (...keys: string[]) => keys.map((k) => values[k]).find((v): v is string => typeof v === 'string');
  if (entry.sourceType === 'snapshot') return pick('snapshot_name', 'name') ?? EXAMPLE.snapshot;
  if (entry.sourceType === 'parameter-group')
    return pick('parameter_group_name', 'group_name', 'name') ?? EXAMPLE.parameterGroup;
  if (entry.sourceType === 'security-group')
    return pick('security_group_name', 'group_name') ?? 'example-security-group';
  return EXAMPLE.cluster;
}

/** The statusCode the simulator sends with the target pause/resume events (clusters-model.ts). */
const TARGET_STATUS_CODES: Readonly<Record<string, string>> = {
  'REDSHIFT-INTEGRATION-EVENT-0018': 'TARGET_CLUSTER_PAUSING',
  'REDSHIFT-INTEGRATION-EVENT-0019': 'TARGET_CLUSTER_PAUSED',
  'REDSHIFT-INTEGRATION-EVENT-0020': 'TARGET_CLUSTER_RESUMING',
};

/** The example payload of an id, in the envelope AWS delivers it in, at `at`. */
export function examplePayload(entry: CatalogEntry, at: Date): unknown {
  const ids = new Prng(`catalog/${entry.id}`);
  if (entry.sourceType === 'integration') {
    const condition = INTEGRATION_CONDITIONS[entry.id];
    const wording = eventBridgeWording(entry.id);
    const values = placeholderValues(wording, at);
    return integrationEvent({
      eventId: entry.id,
      integrationArn: ARN.integration,
      sourceArn: EXAMPLE.sourceArn,
      destinationArn: ARN.namespace,
      integrationName: EXAMPLE.integration,
      integrationStatus: condition?.detailStatus ?? (entry.severity === 'INFO' ? 'ACTIVE' : 'NEEDS_ATTENTION'),
      statusCode:
        condition?.statusCode ??
        TARGET_STATUS_CODES[entry.id] ??
        (entry.severity === 'INFO' ? 'ACTIVE' : 'NEEDS_ATTENTION'),
      at,
      region: EXAMPLE.region,
      account: EXAMPLE.account,
      ids,
      values: Object.fromEntries(Object.entries(values).filter((e): e is [string, string] => typeof e[1] === 'string')),
    });
  }
  const values = placeholderValues(entry, at);
  const message = renderTemplate(entry.message, values);
  if (entry.sourceType === 'serverless') {
    const onWorkgroup = entry.placeholders.includes('workgroup_name');
    return {
      version: '0',
      id: ids.uuid(),
      'detail-type': `Redshift Serverless ${entry.category}`,
      source: 'aws.redshift-serverless',
      account: EXAMPLE.account,
      time: eventBridgeTime(at),
      region: EXAMPLE.region,
      resources: [onWorkgroup ? ARN.workgroup : ARN.serverlessNamespace],
      detail: { severity: entry.severity[0] + entry.severity.slice(1).toLowerCase(), eventDescription: message },
    };
  }
  return redshiftSnsRecord({
    eventId: entry.id,
    eventSource: SNS_SOURCE[entry.sourceType] ?? entry.sourceType,
    resource: snsResource(entry, values),
    at,
    message,
    region: EXAMPLE.region,
    account: EXAMPLE.account,
    topicArn: `arn:aws:sns:${EXAMPLE.region}:${EXAMPLE.account}:redshift-events`,
    publishedAt: new Date(at.getTime() + 30_000),
    ids,
  });
}

/**
 * The state the example's resources are in when the event arrives, as the simulator has them: a
 * zero-ETL target being paused (0018), paused (0019), being resumed (0020); a pausing (3618) or paused
 * (3619) cluster; an integration failed or needing attention after its fault (integration-faults.ts).
 */
const CLUSTER_STATES: Readonly<Record<string, string>> = {
  'REDSHIFT-INTEGRATION-EVENT-0018': 'pausing',
  'REDSHIFT-INTEGRATION-EVENT-0019': 'paused',
  'REDSHIFT-INTEGRATION-EVENT-0020': 'resuming',
  'REDSHIFT-EVENT-3618': 'pausing',
  'REDSHIFT-EVENT-3619': 'paused',
};

function clusterItem(id: string, status: string, tags: Tag[], parameterGroup: string) {
  return {
    ClusterIdentifier: id,
    NodeType: 'ra3.xlplus',
    ClusterStatus: status,
    NumberOfNodes: 2,
    AutomatedSnapshotRetentionPeriod: 1,
    AvailabilityZone: `${EXAMPLE.region}a`,
    ClusterParameterGroups: [{ ParameterGroupName: parameterGroup, ParameterApplyStatus: 'in-sync' }],
    PreferredMaintenanceWindow: 'sun:02:00-sun:02:30',
    Encrypted: true,
    MultiAZ: 'Disabled',
    ClusterNamespaceArn:
      id === EXAMPLE.target
        ? ARN.namespace
        : `arn:aws:redshift:${EXAMPLE.region}:${EXAMPLE.account}:namespace:0b1c2d3e-1111-4222-8333-444455556666`,
    Tags: tags,
  };
}

type Tag = { Key: string; Value: string };

/** AWS CLI output holding the example's resources, each carrying `tags` (the asking policy's opt-in tag). */
export function exampleFleet(entry: CatalogEntry, tags: Readonly<Record<string, string>>): FleetDocument[] {
  const upper = Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
  const lower = Object.entries(tags).map(([key, value]) => ({ key, value }));
  const state = CLUSTER_STATES[entry.id] ?? 'available';
  if (entry.sourceType === 'integration') {
    const condition = INTEGRATION_CONDITIONS[entry.id];
    const integration = {
      IntegrationArn: ARN.integration,
      IntegrationName: EXAMPLE.integration,
      SourceArn: EXAMPLE.sourceArn,
      TargetArn: ARN.namespace,
      Status: condition?.status ?? 'active',
      Errors: condition === undefined ? [] : [{ ErrorCode: condition.statusCode, ErrorMessage: entry.id }],
      Tags: upper,
    };
    return [
      {
        name: 'example describe-clusters',
        json: { Clusters: [clusterItem(EXAMPLE.target, state, upper, EXAMPLE.parameterGroup)] },
      },
      { name: 'example describe-integrations', json: { Integrations: [integration] } },
    ];
  }
  if (entry.sourceType === 'serverless') {
    const workgroup = {
      workgroupName: EXAMPLE.workgroup,
      workgroupArn: ARN.workgroup,
      namespaceName: EXAMPLE.namespace,
      baseCapacity: 32,
      status: 'AVAILABLE',
      tags: lower,
    };
    const namespace = {
      namespaceName: EXAMPLE.namespace,
      namespaceArn: ARN.serverlessNamespace,
      status: 'AVAILABLE',
      tags: lower,
    };
    return [
      { name: 'example list-workgroups', json: { workgroups: [workgroup] } },
      { name: 'example list-namespaces', json: { namespaces: [namespace] } },
    ];
  }
  const docs: FleetDocument[] = [
    {
      name: 'example describe-clusters',
      json: { Clusters: [clusterItem(EXAMPLE.cluster, state, upper, 'default.redshift-2.0')] },
    },
  ];
  if (entry.sourceType === 'snapshot') {
    const snapshot = {
      SnapshotIdentifier: EXAMPLE.snapshot,
      ClusterIdentifier: EXAMPLE.cluster,
      Status: 'available',
      SnapshotType: 'manual',
      Tags: upper,
    };
    docs.push({ name: 'example describe-cluster-snapshots', json: { Snapshots: [snapshot] } });
  }
  return docs;
}
