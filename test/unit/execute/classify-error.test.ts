import { describe, expect, it } from 'vitest';
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
    ['ExpiredToken', 400, ConfigurationError],
    ['InvalidParameterValue', 400, AutomationError],
  ] as const)('%s (HTTP %i) → %s', (name, status, expected) => {
    const classified = classifyAwsError(new FakeError(name, 'm', status), 'PauseCluster');
    expect(classified).toBeInstanceOf(expected);
    expect(classified.message).toBe(`PauseCluster: ${name}: m`);
    expect(rootErrorName(classified)).toBe(name);
  });

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
