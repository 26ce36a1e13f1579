import { PauseClusterCommand, RedshiftClient, RedshiftServiceException } from '@aws-sdk/client-redshift';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { createClients } from '../../../shared/aws/client-factory.ts';
import {
  AutomationError,
  ConfigurationError,
  ResourceStateConflictError,
  TransientAwsError,
} from '../../../shared/errors.ts';
import { classifyAwsError, rootErrorName } from '../../../shared/execute/classify-error.ts';
import { FakeError } from './fakes.ts';

describe('classifyAwsError', () => {
  it.each([
    ['InvalidClusterStateFault', 400, ResourceStateConflictError],
    ['InvalidClusterSnapshotStateFault', 400, ResourceStateConflictError],
    ['ClusterNotFoundFault', 404, ResourceStateConflictError],
    ['ConflictException', 409, ResourceStateConflictError],
    ['ThrottlingException', 400, TransientAwsError],
    ['Throttling', 400, TransientAwsError],
    ['DependentServiceRequestThrottlingFault', 400, TransientAwsError],
    ['InternalFailure', 500, TransientAwsError],
    ['SomethingNew', 503, TransientAwsError],
    ['AccessDenied', 403, ConfigurationError],
    ['AccessDeniedException', 400, ConfigurationError],
    ['UnauthorizedOperation', 400, ConfigurationError],
    ['InvalidClientTokenId', 403, ConfigurationError],
    ['InvalidParameterValue', 400, AutomationError],
  ] as const)('%s (HTTP %i) → %s', (name, status, expected) => {
    const classified = classifyAwsError(new FakeError(name, 'm', status), 'PauseCluster');
    expect(classified).toBeInstanceOf(expected);
    expect(classified.message).toBe(`PauseCluster: ${name}: m`);
    expect(rootErrorName(classified)).toBe(name);
  });

  it.each([
    ['ExpiredToken', 400],
    ['ExpiredToken', 403],
    ['ExpiredTokenException', 400],
  ] as const)(
    '%s (HTTP %i) is transient: the client refreshed the credentials, a retry runs with new ones',
    (name, status) => {
      const classified = classifyAwsError(
        new FakeError(name, 'The security token included in the request is expired', status),
        'PauseCluster',
      );
      expect(classified).toBeInstanceOf(TransientAwsError);
      expect(classified).not.toBeInstanceOf(ConfigurationError);
      expect(classified.message).toBe(
        `PauseCluster: ${name}: The security token included in the request is expired (credentials expired; refreshed, retry later)`,
      );
      expect(rootErrorName(classified)).toBe(name);
    },
  );

  it('treats network resets as transient', () => {
    const error = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    expect(classifyAwsError(error, 'DescribeClusters')).toBeInstanceOf(TransientAwsError);
  });

  it('keeps an error that is already classified', () => {
    const e = new ConfigurationError('x');
    expect(classifyAwsError(e, 'PauseCluster')).toBe(e);
  });

  it('never classifies an unknown client error as retryable', () => {
    const classified = classifyAwsError(new FakeError('ValidationException', 'bad', 400), 'UpdateWorkgroup');
    expect(classified).not.toBeInstanceOf(TransientAwsError);
    expect(classified).not.toBeInstanceOf(ResourceStateConflictError);
  });
});

/** A real SDK error as the Query/JSON deserializers build it for an expired session token. */
function expiredToken(name: 'ExpiredToken' | 'ExpiredTokenException') {
  return Object.assign(new RedshiftServiceException({ name, $fault: 'client', $metadata: { httpStatusCode: 400 } }), {
    message: 'The security token included in the request is expired',
  });
}

describe('clients refresh expired credentials and try once more (createClients)', () => {
  const redshift = mockClient(RedshiftClient);
  beforeEach(() => redshift.reset());

  function clientsWithSpiedCredentials() {
    const clients = createClients({
      region: 'eu-central-1',
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret', sessionToken: 'expired' },
    });
    const refresh = vi.spyOn(clients.redshift.config, 'credentials');
    return { clients, refresh };
  }

  it.each(['ExpiredToken', 'ExpiredTokenException'] as const)(
    'on %s: refreshes the credentials (forceRefresh), calls again, and returns its answer',
    async (name) => {
      redshift
        .on(PauseClusterCommand)
        .rejectsOnce(expiredToken(name))
        .resolves({ Cluster: { ClusterStatus: 'pausing' } });
      const { clients, refresh } = clientsWithSpiedCredentials();

      const out = await clients.redshift.send(new PauseClusterCommand({ ClusterIdentifier: 'dev-1' }));

      expect(out.Cluster?.ClusterStatus).toBe('pausing');
      expect(redshift.commandCalls(PauseClusterCommand)).toHaveLength(2);
      expect(refresh).toHaveBeenCalledWith({ forceRefresh: true });
    },
  );

  it('still expired after the refresh: the error goes up once, and the executor retries it later', async () => {
    redshift.on(PauseClusterCommand).rejects(expiredToken('ExpiredToken'));
    const { clients, refresh } = clientsWithSpiedCredentials();

    const error = await clients.redshift
      .send(new PauseClusterCommand({ ClusterIdentifier: 'dev-1' }))
      .catch((e: unknown) => e);

    expect(redshift.commandCalls(PauseClusterCommand)).toHaveLength(2);
    expect(refresh).toHaveBeenCalledTimes(1);
    expect(classifyAwsError(error, 'PauseCluster')).toBeInstanceOf(TransientAwsError);
  });

  it('a refresh that fails leaves the ExpiredToken to report (transient), with no second call', async () => {
    redshift.on(PauseClusterCommand).rejects(expiredToken('ExpiredToken'));
    const { clients, refresh } = clientsWithSpiedCredentials();
    refresh.mockRejectedValueOnce(new Error('Could not load credentials from any providers'));

    const error = await clients.redshift
      .send(new PauseClusterCommand({ ClusterIdentifier: 'dev-1' }))
      .catch((e: unknown) => e);

    expect((error as Error).name).toBe('ExpiredToken');
    expect(redshift.commandCalls(PauseClusterCommand)).toHaveLength(1);
  });

  it('any other error: no refresh, no second call', async () => {
    redshift.on(PauseClusterCommand).rejects(new FakeError('InvalidClusterStateFault', 'not available', 400));
    const { clients, refresh } = clientsWithSpiedCredentials();

    await expect(clients.redshift.send(new PauseClusterCommand({ ClusterIdentifier: 'dev-1' }))).rejects.toThrow(
      'not available',
    );
    expect(redshift.commandCalls(PauseClusterCommand)).toHaveLength(1);
    expect(refresh).not.toHaveBeenCalled();
  });
});
