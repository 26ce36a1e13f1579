import * as redshiftSdk from '@aws-sdk/client-redshift';
import { describe, expect, it } from 'vitest';
import { REDSHIFT_FAULTS, redshiftFault, redshiftThrottling } from '../../../shared/simulator/aws-errors.ts';

// The SDK exports each error's schema as `<Name>$`: [kind, namespace, name, traits, ...], where the
// traits carry the awsQuery wire code and HTTP status the real deserializer maps from.
function queryTraits(name: string): { code: string; status: number } {
  const schema = (redshiftSdk as unknown as Record<string, unknown>)[`${name}$`] as unknown[];
  const traits = schema[3] as { awsQueryError: [string, number] };
  return { code: traits.awsQueryError[0], status: traits.awsQueryError[1] };
}

describe('simulated Redshift faults', () => {
  it.each(Object.keys(REDSHIFT_FAULTS))('%s carries the wire code and HTTP status of the SDK model', (name) => {
    const entry = REDSHIFT_FAULTS[name as keyof typeof REDSHIFT_FAULTS];

    expect({ code: entry.code, status: entry.status }).toEqual(queryTraits(name));
  });

  it('builds the SDK exception class, shaped like the awsQuery deserializer leaves it', () => {
    const error = redshiftFault('InvalidClusterStateFault', 'nope', 'req-1');

    expect(error).toBeInstanceOf(redshiftSdk.InvalidClusterStateFault);
    expect(error).toBeInstanceOf(redshiftSdk.RedshiftServiceException);
    expect(error).toMatchObject({
      name: 'InvalidClusterStateFault',
      message: 'nope',
      $fault: 'client',
      $metadata: { httpStatusCode: 400, requestId: 'req-1' },
      Code: 'InvalidClusterState',
      Type: 'Sender',
      Error: { Code: 'InvalidClusterState', Type: 'Sender', Message: 'nope' },
    });
  });

  it('throttles as a retryable ServiceException named ThrottlingException with status 400', () => {
    const error = redshiftThrottling('req-2');

    expect(error).toBeInstanceOf(redshiftSdk.RedshiftServiceException);
    expect(error).toMatchObject({
      name: 'ThrottlingException',
      $retryable: { throttling: true },
      $metadata: { httpStatusCode: 400 },
    });
  });
});
