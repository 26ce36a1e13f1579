/**
 * AWS errors as the real SDK v3 clients throw them: instances of the exception classes exported by
 * @aws-sdk/client-redshift / @aws-sdk/client-redshift-serverless, with the fields the SDK's
 * deserializer sets (`$fault`, `$metadata.httpStatusCode`, and for the awsQuery protocol of Redshift
 * `Code`, `Type`, `Error: { Type, Code, Message }`), so `instanceof`, `err.name` and the error
 * classifier in shared/aws behave exactly as against AWS.
 *
 * Codes and HTTP statuses are the `awsQueryError` traits of the Redshift model (checked against the
 * SDK's own schemas by test/unit/simulator/aws-errors.test.ts). Messages: see MESSAGES below.
 */
import {
  ClusterNotFoundFault,
  ClusterSnapshotAlreadyExistsFault,
  ClusterSnapshotNotFoundFault,
  ClusterSnapshotQuotaExceededFault,
  ClusterSubnetGroupNotFoundFault,
  IntegrationNotFoundFault,
  InvalidClusterSnapshotStateFault,
  InvalidClusterStateFault,
  InvalidRetentionPeriodFault,
  InvalidTagFault,
  InvalidUsageLimitFault,
  NumberOfNodesPerClusterLimitExceededFault,
  RedshiftServiceException,
  ResizeNotFoundFault,
  ResourceNotFoundFault,
  TagLimitExceededFault,
  UnsupportedOperationFault,
  UsageLimitAlreadyExistsFault,
  UsageLimitNotFoundFault,
} from '@aws-sdk/client-redshift';
import {
  ConflictException,
  InternalServerException,
  ResourceNotFoundException,
  ThrottlingException as ServerlessThrottlingException,
  ValidationException,
} from '@aws-sdk/client-redshift-serverless';
import type { ResponseMetadata } from '@smithy/types';

/**
 * Messages. Where a real AWS message was found it is used verbatim:
 * - `operationRunningDelete`: recorded response (test/fixtures/api/test_redshift_delete/redshift.DeleteCluster_1.json).
 * - `pauseNotActive` / `resumeNotPaused`: the texts quoted in astronomer-providers' tests of their
 *   Redshift operators ("An error occurred (InvalidClusterState) when calling the PauseCluster
 *   operation: You can only pause an ACTIVE Cluster"; "... ResumeCluster operation: You can only
 *   resume a PAUSED Cluster").
 * - `clusterNotFound`: "Cluster dwhcluster not found." as printed by boto3 in a user's log.
 * - `workgroupBusy`: the ConflictException text the AWS CloudFormation resource provider for
 *   redshift-serverless retries on ("There is an operation running on the existing workgroup").
 * - `multipleWorkgroupChanges`: ValidationException text quoted in terraform-provider-aws issues.
 * - `rateExceeded`: the usual AWS throttling text.
 * - `invalidIdentifier`: the InvalidParameterValue text AWS returns for an identifier that breaks the
 *   naming rules (quoted from Redshift and RDS responses in public issues); the rules are the API
 *   reference's for SnapshotIdentifier plus the guide's (lower case, not `Default`, L28111–28163).
 * Otherwise the API reference's description of the fault is used (e.g. "The specified cluster is
 * not in the available state."), or moto's wording for snapshots; none of those is invented prose.
 */
export const MESSAGES = {
  operationRunningDelete: 'There is an operation running on the Cluster. Please try to delete it at a later time.',
  pauseNotActive: 'You can only pause an ACTIVE Cluster',
  resumeNotPaused: 'You can only resume a PAUSED Cluster',
  clusterNotAvailable: 'The specified cluster is not in the available state.',
  unsupported: "The requested operation isn't supported.",
  clusterNotFound: (id: string) => `Cluster ${id} not found.`,
  snapshotNotFound: (id: string) => `Snapshot ${id} not found.`,
  snapshotExists: (id: string) =>
    `Cannot create the snapshot because a snapshot with the identifier ${id} already exists`,
  snapshotNotDeletable: (id: string) => `Cannot delete the snapshot ${id} because only manual snapshots may be deleted`,
  snapshotNotAvailable:
    'The specified cluster snapshot is not in the available state, or other accounts are authorized to access the snapshot.',
  usageLimitNotFound: "The usage limit identifier can't be found.",
  usageLimitExists: 'The usage limit already exists.',
  usageLimitInvalid: 'The usage limit is not valid.',
  resourceNotFound: 'The resource could not be found.',
  tagLimit: 'You have exceeded the number of tags allowed.',
  invalidTag: 'The tag is invalid.',
  integrationNotFound: "The integration can't be found.",
  rateExceeded: 'Rate exceeded',
  invalidIdentifier: (parameter: string) =>
    `The parameter ${parameter} is not a valid identifier. Identifiers must begin with a letter; must contain only ASCII letters, digits, and hyphens; and must not end with a hyphen or contain two consecutive hyphens.`,
  invalidRetention:
    'The retention period specified is either in the past or is not a valid value. The value must be either -1 or an integer between 1 and 3,653.',
  nodesPerCluster: 'The operation would exceed the number of nodes allowed for a cluster.',
  resizeNotFound: 'A resize operation for the specified cluster is not found.',
  internalFailure: 'We encountered an internal error. Please try again.',
  workgroupBusy: 'There is an operation running on the existing workgroup',
  multipleWorkgroupChanges: (name: string) =>
    `Can't update multiple configurations at the same time for workgroup ${name}.`,
  workgroupNotFound: (name: string) => `Workgroup ${name} not found`,
  namespaceNotFound: (name: string) => `Namespace ${name} not found`,
  serverlessSnapshotExists: (name: string) => `Snapshot ${name} already exists`,
  serverlessSnapshotNotFound: (name: string) => `Snapshot ${name} not found`,
} as const;

type Metadata = ResponseMetadata & { httpStatusCode: number };

function metadata(status: number, requestId: string): Metadata {
  return { httpStatusCode: status, requestId, attempts: 1, totalRetryDelay: 0 };
}

/** The awsQuery error code and HTTP status of each modeled Redshift fault the simulator throws. */
export const REDSHIFT_FAULTS = {
  ClusterNotFoundFault: { code: 'ClusterNotFound', status: 404, ctor: ClusterNotFoundFault },
  ClusterSnapshotAlreadyExistsFault: {
    code: 'ClusterSnapshotAlreadyExists',
    status: 400,
    ctor: ClusterSnapshotAlreadyExistsFault,
  },
  ClusterSnapshotNotFoundFault: { code: 'ClusterSnapshotNotFound', status: 404, ctor: ClusterSnapshotNotFoundFault },
  ClusterSubnetGroupNotFoundFault: {
    code: 'ClusterSubnetGroupNotFoundFault',
    status: 400,
    ctor: ClusterSubnetGroupNotFoundFault,
  },
  ClusterSnapshotQuotaExceededFault: {
    code: 'ClusterSnapshotQuotaExceeded',
    status: 400,
    ctor: ClusterSnapshotQuotaExceededFault,
  },
  IntegrationNotFoundFault: { code: 'IntegrationNotFoundFault', status: 404, ctor: IntegrationNotFoundFault },
  InvalidClusterSnapshotStateFault: {
    code: 'InvalidClusterSnapshotState',
    status: 400,
    ctor: InvalidClusterSnapshotStateFault,
  },
  InvalidClusterStateFault: { code: 'InvalidClusterState', status: 400, ctor: InvalidClusterStateFault },
  InvalidRetentionPeriodFault: { code: 'InvalidRetentionPeriodFault', status: 400, ctor: InvalidRetentionPeriodFault },
  InvalidTagFault: { code: 'InvalidTagFault', status: 400, ctor: InvalidTagFault },
  InvalidUsageLimitFault: { code: 'InvalidUsageLimit', status: 400, ctor: InvalidUsageLimitFault },
  NumberOfNodesPerClusterLimitExceededFault: {
    code: 'NumberOfNodesPerClusterLimitExceeded',
    status: 400,
    ctor: NumberOfNodesPerClusterLimitExceededFault,
  },
  ResizeNotFoundFault: { code: 'ResizeNotFound', status: 404, ctor: ResizeNotFoundFault },
  ResourceNotFoundFault: { code: 'ResourceNotFoundFault', status: 404, ctor: ResourceNotFoundFault },
  TagLimitExceededFault: { code: 'TagLimitExceededFault', status: 400, ctor: TagLimitExceededFault },
  UnsupportedOperationFault: { code: 'UnsupportedOperation', status: 400, ctor: UnsupportedOperationFault },
  UsageLimitAlreadyExistsFault: { code: 'UsageLimitAlreadyExists', status: 400, ctor: UsageLimitAlreadyExistsFault },
  UsageLimitNotFoundFault: { code: 'UsageLimitNotFound', status: 404, ctor: UsageLimitNotFoundFault },
} as const;

export type RedshiftFaultName = keyof typeof REDSHIFT_FAULTS;

/** A modeled Redshift fault, shaped like the SDK's awsQuery deserializer leaves it. */
export function redshiftFault(name: RedshiftFaultName, message: string, requestId: string): RedshiftServiceException {
  const { code, status, ctor } = REDSHIFT_FAULTS[name];
  const error = new ctor({ message, $metadata: metadata(status, requestId) });
  return Object.assign(error, {
    Type: 'Sender',
    Code: code,
    Error: { Type: 'Sender', Code: code, Message: message },
    RequestId: requestId,
  });
}

/**
 * An unmodeled Redshift error (throttling, internal failure, InvalidParameterValue): the SDK throws
 * the service's base exception with the wire code as `name`.
 */
export function redshiftServiceError(
  code: string,
  message: string,
  status: number,
  requestId: string,
  retryable?: { throttling: boolean },
): RedshiftServiceException {
  const fault = status >= 500 ? 'server' : 'client';
  const error = new RedshiftServiceException({
    name: code,
    $fault: fault,
    message,
    $metadata: metadata(status, requestId),
  });
  Object.assign(error, {
    Type: fault === 'server' ? 'Receiver' : 'Sender',
    Code: code,
    Error: { Type: fault === 'server' ? 'Receiver' : 'Sender', Code: code, Message: message },
    RequestId: requestId,
  });
  if (retryable !== undefined) error.$retryable = retryable;
  return error;
}

export function redshiftThrottling(requestId: string): RedshiftServiceException {
  return redshiftServiceError('ThrottlingException', MESSAGES.rateExceeded, 400, requestId, { throttling: true });
}

export function redshiftInternalFailure(requestId: string): RedshiftServiceException {
  return redshiftServiceError('InternalFailure', MESSAGES.internalFailure, 500, requestId);
}

export function invalidParameterValue(message: string, requestId: string): RedshiftServiceException {
  return redshiftServiceError('InvalidParameterValue', message, 400, requestId);
}

/** Redshift Serverless (awsJson1_1): status codes are the `httpError` traits of the model. */
export const serverlessErrors = {
  conflict: (message: string, requestId: string) =>
    new ConflictException({ message, $metadata: metadata(409, requestId) }),
  notFound: (message: string, resourceName: string, requestId: string) =>
    Object.assign(new ResourceNotFoundException({ message, resourceName, $metadata: metadata(404, requestId) }), {
      resourceName,
    }),
  validation: (message: string, requestId: string) =>
    new ValidationException({ message, $metadata: metadata(400, requestId) }),
  throttling: (requestId: string) => {
    const error = new ServerlessThrottlingException({
      message: MESSAGES.rateExceeded,
      $metadata: metadata(429, requestId),
    });
    error.$retryable = { throttling: true };
    return error;
  },
  internal: (requestId: string) =>
    new InternalServerException({ message: MESSAGES.internalFailure, $metadata: metadata(500, requestId) }),
} as const;

/** Thrown for a command the simulator does not implement: names it, so the gap is obvious. */
export class SimulatorUnsupportedCommandError extends Error {
  override name = 'SimulatorUnsupportedCommandError';
  readonly commandName: string;
  constructor(clientName: string, commandName: string) {
    super(`The Redshift simulator does not implement ${clientName} ${commandName}`);
    this.commandName = commandName;
  }
}
