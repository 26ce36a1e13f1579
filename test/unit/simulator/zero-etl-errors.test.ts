import * as redshiftSdk from '@aws-sdk/client-redshift';
import { describe, expect, it } from 'vitest';
import { ZERO_ETL_FAULTS, zeroEtlFault } from '../../../shared/simulator/zero-etl-errors.ts';

/** The SDK's schema `<Name>$` carries the awsQuery wire code and HTTP status its deserializer maps from. */
function queryTraits(name: string): { code: string; status: number } {
  const schema = (redshiftSdk as unknown as Record<string, unknown>)[`${name}$`] as unknown[];
  const traits = schema[3] as { awsQueryError: [string, number] };
  return { code: traits.awsQueryError[0], status: traits.awsQueryError[1] };
}

describe('simulated parameter-group and integration faults', () => {
  it.each(Object.keys(ZERO_ETL_FAULTS))('%s carries the wire code and HTTP status of the SDK model', (name) => {
    const entry = ZERO_ETL_FAULTS[name as keyof typeof ZERO_ETL_FAULTS];

    expect({ code: entry.code, status: entry.status }).toEqual(queryTraits(name));
  });

  it('builds the SDK exception class, shaped like the awsQuery deserializer leaves it', () => {
    const error = zeroEtlFault('IntegrationAlreadyExistsFault', 'exists', 'req-1');

    expect(error).toBeInstanceOf(redshiftSdk.IntegrationAlreadyExistsFault);
    expect(error).toMatchObject({
      name: 'IntegrationAlreadyExistsFault',
      $fault: 'client',
      $metadata: { httpStatusCode: 400, requestId: 'req-1' },
      Code: 'IntegrationAlreadyExistsFault',
      Error: { Code: 'IntegrationAlreadyExistsFault', Type: 'Sender', Message: 'exists' },
    });
  });
});
