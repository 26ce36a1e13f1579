/**
 * The faults of the parameter-group and integration calls, built like aws-errors.ts builds the others
 * (the SDK's exception class, `Code`/`Type`/`Error` as the awsQuery deserializer leaves them). Codes
 * and HTTP statuses are the `awsQueryError` traits of the SDK's schemas (checked by
 * test/unit/simulator/zero-etl-errors.test.ts).
 *
 * Messages: the API reference's description of each fault; for the default parameter group, an
 * unknown parameter or a bad value, RDS's wording of the same refusals (Redshift's is not recorded
 * anywhere the project could find).
 */
import {
  ClusterParameterGroupNotFoundFault,
  IntegrationAlreadyExistsFault,
  IntegrationConflictStateFault,
  IntegrationNotFoundFault,
  IntegrationTargetNotFoundFault,
  InvalidClusterParameterGroupStateFault,
  type RedshiftServiceException,
} from '@aws-sdk/client-redshift';

export const ZERO_ETL_FAULTS = {
  ClusterParameterGroupNotFoundFault: {
    code: 'ClusterParameterGroupNotFound',
    status: 404,
    ctor: ClusterParameterGroupNotFoundFault,
  },
  InvalidClusterParameterGroupStateFault: {
    code: 'InvalidClusterParameterGroupState',
    status: 400,
    ctor: InvalidClusterParameterGroupStateFault,
  },
  IntegrationAlreadyExistsFault: {
    code: 'IntegrationAlreadyExistsFault',
    status: 400,
    ctor: IntegrationAlreadyExistsFault,
  },
  IntegrationConflictStateFault: {
    code: 'IntegrationConflictStateFault',
    status: 400,
    ctor: IntegrationConflictStateFault,
  },
  IntegrationNotFoundFault: { code: 'IntegrationNotFoundFault', status: 404, ctor: IntegrationNotFoundFault },
  IntegrationTargetNotFoundFault: {
    code: 'IntegrationTargetNotFoundFault',
    status: 404,
    ctor: IntegrationTargetNotFoundFault,
  },
} as const;

export type ZeroEtlFaultName = keyof typeof ZERO_ETL_FAULTS;

export const ZERO_ETL_MESSAGES = {
  parameterGroupNotFound: 'The parameter group name does not refer to an existing parameter group.',
  defaultParameterGroup: 'Cannot modify a default parameter group.',
  unknownParameter: (name: string) => `Could not find parameter with name: ${name}`,
  parameterValue: (name: string, value: string, allowed: string) =>
    `Invalid parameter value: ${value} for: ${name} allowed values are: ${allowed}`,
  integrationExists: 'The integration you are trying to create already exists.',
  integrationConflictState: 'The integration is in an invalid state and can\u2019t perform the requested operation.',
  integrationNotFound: "The integration can't be found.",
  targetNotFound: "The target can't be found.",
} as const;

export function zeroEtlFault(name: ZeroEtlFaultName, message: string, requestId: string): RedshiftServiceException {
  const { code, status, ctor } = ZERO_ETL_FAULTS[name];
  const error = new ctor({
    message,
    $metadata: { httpStatusCode: status, requestId, attempts: 1, totalRetryDelay: 0 },
  });
  return Object.assign(error, {
    Type: 'Sender',
    Code: code,
    Error: { Type: 'Sender', Code: code, Message: message },
    RequestId: requestId,
  });
}
