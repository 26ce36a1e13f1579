import { AutomationError, ConfigurationError, ResourceStateConflictError, TransientAwsError } from '../errors.ts';

/**
 * Turns whatever an SDK call threw into the error family (shared/errors.ts), by what should happen
 * next. The SDK has already retried throttling/5xx/network errors with jittered backoff
 * (`retryMode: 'standard'`); what reaches us here has exhausted those attempts.
 */

/** The resource is in a state that forbids the call: skip and report, never retry blindly. */
export const STATE_CONFLICT_ERRORS = [
  'InvalidClusterStateFault',
  'InvalidClusterState',
  'InvalidClusterSnapshotStateFault',
  'InvalidClusterSnapshotState',
  'InvalidClusterParameterGroupStateFault',
  'InvalidClusterSecurityGroupStateFault',
  'InvalidClusterSubnetGroupStateFault',
  'InvalidClusterSubnetStateFault',
  'ClusterNotFoundFault',
  'ClusterSnapshotAlreadyExistsFault',
  'ClusterSnapshotNotFoundFault',
  'UnsupportedOperationFault',
  'InvalidUsageLimitFault',
  'UsageLimitAlreadyExistsFault',
  'ResizeNotFoundFault',
  // redshift-serverless
  'ConflictException',
  'ResourceNotFoundException',
] as const;

export const THROTTLING_ERRORS = [
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestThrottled',
  'RequestThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'ProvisionedThroughputExceededException',
  'DependentServiceRequestThrottlingFault',
  'LimitExceededException',
  'SlowDown',
] as const;

const TRANSIENT_ERRORS = [
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'InternalFailure',
  'InternalServerError',
  'InternalServerException',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'DependentServiceUnavailableFault',
] as const;

const NETWORK_CODES = ['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN'];

/**
 * Credentials that expired: the clients (shared/aws/client-factory.ts) have already refreshed them and
 * tried once more; a retry later (SQS redelivery) runs with fresh ones. Not a configuration problem.
 */
export const EXPIRED_CREDENTIALS_ERRORS = ['ExpiredToken', 'ExpiredTokenException'] as const;

/** A human must fix IAM, credentials or configuration; retrying will not help. */
export const ACCESS_ERRORS = [
  'AccessDenied',
  'AccessDeniedException',
  'AccessDeniedFault',
  'UnauthorizedOperation',
  'UnauthorizedException',
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'InvalidSignatureException',
  'SignatureDoesNotMatch',
  'MissingAuthenticationToken',
  'DependentServiceAccessDeniedFault',
  'AccessToClusterDeniedFault',
  'AccessToSnapshotDeniedFault',
] as const;

interface SdkErrorLike {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  $fault?: unknown;
  $metadata?: { httpStatusCode?: unknown };
}

function errorName(error: unknown): string {
  const e = error as SdkErrorLike;
  return typeof e?.name === 'string' ? e.name : 'Error';
}

function includes(list: readonly string[], value: string): boolean {
  return list.includes(value);
}

export function classifyAwsError(error: unknown, operation: string): AutomationError {
  if (error instanceof AutomationError) return error;
  const e = (error ?? {}) as SdkErrorLike;
  const name = errorName(error);
  const message = typeof e.message === 'string' ? e.message : String(error);
  const status = typeof e.$metadata?.httpStatusCode === 'number' ? e.$metadata.httpStatusCode : null;
  const code = typeof e.code === 'string' ? e.code : '';
  const what = `${operation}: ${name}: ${message}`;

  if (includes(STATE_CONFLICT_ERRORS, name)) return new ResourceStateConflictError(what, { cause: error });
  // Before the 403 rule: AWS answers expired credentials with 400 or 403.
  if (includes(EXPIRED_CREDENTIALS_ERRORS, name)) {
    return new TransientAwsError(`${what} (credentials expired; refreshed, retry later)`, { cause: error });
  }
  if (includes(ACCESS_ERRORS, name) || status === 403) return new ConfigurationError(what, { cause: error });
  if (
    includes(THROTTLING_ERRORS, name) ||
    includes(TRANSIENT_ERRORS, name) ||
    NETWORK_CODES.includes(code) ||
    e.$fault === 'server' ||
    status === 429 ||
    (status !== null && status >= 500)
  ) {
    return new TransientAwsError(what, { cause: error });
  }
  return new AutomationError(what, { cause: error });
}

/** The AWS error name behind a classified error, for reasons and metrics. */
export function rootErrorName(error: unknown): string {
  let current: unknown = error;
  for (let depth = 0; depth < 5; depth += 1) {
    const cause = (current as { cause?: unknown })?.cause;
    if (cause === undefined) break;
    current = cause;
  }
  return errorName(current);
}
