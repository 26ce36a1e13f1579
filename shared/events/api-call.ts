import type { CloudTrailRecord } from './cloudtrail.schema.ts';
import { API_CALL_SERVICES } from './cloudtrail.schema.ts';
import type { NormalizedEvent, ResourceRef } from './normalized-event.ts';
import { fail, joinPath, parseArn, toUtcIso } from './parse-support.ts';

/** Request parameters that name the resource a call acts on, in the order they are tried. */
const RESOURCE_PARAMETERS: readonly [string, ResourceRef['type']][] = [
  ['clusterIdentifier', 'cluster'],
  ['workgroupName', 'workgroup'],
  ['namespaceName', 'namespace'],
  ['snapshotIdentifier', 'snapshot'],
  ['snapshotName', 'snapshot'],
  ['parameterGroupName', 'parameter-group'],
  ['clusterSecurityGroupName', 'security-group'],
  ['scheduledActionName', 'scheduled-action'],
  ['integrationArn', 'integration'],
  ['integrationIdentifier', 'integration'],
  ['usageLimitId', 'usage-limit'],
];

const ARN_RESOURCE_TYPES: Readonly<Record<string, ResourceRef['type']>> = {
  cluster: 'cluster',
  workgroup: 'workgroup',
  namespace: 'namespace',
  snapshot: 'snapshot',
  integration: 'integration',
};

function apiCallResource(operation: string, parameters: Record<string, unknown>, path: string): ResourceRef {
  // CreateClusterSnapshot names the cluster too, but acts on the snapshot; a restore acts on the new cluster.
  const snapshotFirst = operation.includes('Snapshot') && !operation.startsWith('Restore');
  const order = snapshotFirst
    ? [...RESOURCE_PARAMETERS.filter(([, t]) => t === 'snapshot'), ...RESOURCE_PARAMETERS]
    : RESOURCE_PARAMETERS;
  for (const [parameter, type] of order) {
    const value = parameters[parameter];
    if (typeof value !== 'string' || value === '') continue;
    if (type === 'integration' && value.startsWith('arn:')) {
      return { type, id: parseArn(value)?.resourceId ?? value, arn: value };
    }
    return { type, id: value };
  }
  // Serverless usage limits and tags name their resource by ARN.
  const resourceArn = parameters.resourceArn;
  if (typeof resourceArn === 'string') {
    const arn = parseArn(resourceArn);
    const type = ARN_RESOURCE_TYPES[arn?.resourceType ?? ''];
    if (arn !== null && type !== undefined) return { type, id: arn.resourceId, arn: resourceArn };
  }
  fail(
    joinPath(path, 'requestParameters'),
    `expected a resource identifier (${RESOURCE_PARAMETERS.map(([p]) => p).join(', ')} or resourceArn) for ${operation}`,
  );
}

/**
 * A CloudTrail record of a Redshift or Redshift Serverless API call: how the backend notices a person
 * pausing, resuming or resizing by hand. Parameters are passed on as CloudTrail recorded them
 * (secrets are already masked there).
 */
export function fromCloudTrailRecord(
  record: CloudTrailRecord,
  path: string,
  envelope: { account?: string | undefined; region?: string | undefined } = {},
): NormalizedEvent {
  const parameters = record.requestParameters ?? {};
  const operation = record.eventName;
  const resource = apiCallResource(operation, parameters, path);
  const principal = record.userIdentity?.arn ?? record.userIdentity?.invokedBy ?? null;
  const errorCode = record.errorCode ?? null;
  const outcome =
    errorCode === null ? '' : ` (failed: ${errorCode}${record.errorMessage ? `: ${record.errorMessage}` : ''})`;
  return {
    kind: 'api-call',
    eventId: null,
    known: false,
    category: null,
    // A refused call is worth a look (someone tried something by hand and could not); a successful one is news.
    severity: errorCode === null ? 'INFO' : 'WARNING',
    resource,
    time: toUtcIso(record.eventTime, joinPath(path, 'eventTime')),
    message: `${principal ?? 'unknown principal'} called ${operation} on ${resource.type} ${resource.id}${outcome}`,
    values: {},
    account: record.recipientAccountId ?? record.userIdentity?.accountId ?? envelope.account ?? null,
    region: record.awsRegion ?? envelope.region ?? null,
    apiCall: {
      operation,
      service: API_CALL_SERVICES[record.eventSource],
      principal,
      parameters: { ...parameters },
      errorCode,
    },
  };
}
