import {
  ConflictException,
  CreateSnapshotCommand,
  GetWorkgroupCommand,
  ListNamespacesCommand,
  ListSnapshotsCommand,
  ListWorkgroupsCommand,
  paginateListWorkgroups,
  ResourceNotFoundException,
  ThrottlingException,
  UpdateWorkgroupCommand,
  ValidationException,
} from '@aws-sdk/client-redshift-serverless';
import { describe, expect, it } from 'vitest';
import { MINUTE, rejection, simulated } from './harness.ts';

describe('Redshift Serverless workgroups', () => {
  it('UpdateWorkgroup: MODIFYING, a second change meanwhile is a ConflictException, AVAILABLE after minutes', async () => {
    const { sim, serverless } = simulated();
    sim.serverless.addWorkgroup({ workgroupName: 'analytics', namespaceName: 'analytics-ns', baseCapacity: 128 });

    const out = await serverless.send(new UpdateWorkgroupCommand({ workgroupName: 'analytics', baseCapacity: 32 }));
    const conflict = await rejection(
      serverless.send(new UpdateWorkgroupCommand({ workgroupName: 'analytics', baseCapacity: 64 })),
    );
    sim.clock.advanceBy(6 * MINUTE);
    const after = await serverless.send(new GetWorkgroupCommand({ workgroupName: 'analytics' }));

    expect(out.workgroup).toMatchObject({ baseCapacity: 32, status: 'MODIFYING' });
    expect(conflict).toBeInstanceOf(ConflictException);
    expect(conflict).toMatchObject({
      message: 'There is an operation running on the existing workgroup',
      $metadata: { httpStatusCode: 409 },
    });
    expect(after.workgroup).toMatchObject({ baseCapacity: 32, status: 'AVAILABLE' });
  });

  it.each([
    [4, "The base capacity can't be less than 8 RPUs."],
    [520, "The base capacity can't be more than 512 RPUs."],
    [36, 'The base capacity must be a multiple of 8.'],
  ])('rejects base capacity %i with a ValidationException', async (baseCapacity, message) => {
    const { sim, serverless } = simulated();
    sim.serverless.addWorkgroup({ workgroupName: 'wg', namespaceName: 'ns' });

    const error = await rejection(serverless.send(new UpdateWorkgroupCommand({ workgroupName: 'wg', baseCapacity })));

    expect(error).toBeInstanceOf(ValidationException);
    expect(error.message).toBe(message);
    expect(sim.serverless.getWorkgroupView('wg')).toMatchObject({ baseCapacity: 128, status: 'AVAILABLE' });
  });

  it('refuses two configuration changes in one call, and an unknown workgroup', async () => {
    const { sim, serverless } = simulated();
    sim.serverless.addWorkgroup({ workgroupName: 'wg', namespaceName: 'ns' });

    const both = await rejection(
      serverless.send(new UpdateWorkgroupCommand({ workgroupName: 'wg', baseCapacity: 64, maxCapacity: 256 })),
    );
    const missing = await rejection(serverless.send(new GetWorkgroupCommand({ workgroupName: 'nope' })));

    expect(both).toBeInstanceOf(ValidationException);
    expect(both.message).toBe("Can't update multiple configurations at the same time for workgroup wg.");
    expect(missing).toBeInstanceOf(ResourceNotFoundException);
  });

  it('pages ListWorkgroups with nextToken and lists namespaces', async () => {
    const { sim, serverless } = simulated();
    for (let i = 0; i < 5; i++) sim.serverless.addWorkgroup({ workgroupName: `wg${i}`, namespaceName: `ns${i}` });
    sim.resetCallCounts();

    const names: string[] = [];
    for await (const page of paginateListWorkgroups({ client: serverless, pageSize: 2 }, {})) {
      for (const w of page.workgroups ?? []) names.push(w.workgroupName ?? '');
    }
    const namespaces = await serverless.send(new ListNamespacesCommand({}));

    expect(names).toEqual(['wg0', 'wg1', 'wg2', 'wg3', 'wg4']);
    expect(sim.callCounts()).toEqual({ ListNamespaces: 1, ListWorkgroups: 3 });
    expect(namespaces.namespaces?.map((n) => n.namespaceName)).toEqual(['ns0', 'ns1', 'ns2', 'ns3', 'ns4']);
  });

  it('throttles with the serverless ThrottlingException class', async () => {
    const { sim, serverless } = simulated();
    sim.injectFaults({ operation: 'ListWorkgroups', rate: 1, error: 'throttling' });

    const error = await rejection(serverless.send(new ListWorkgroupsCommand({})));

    expect(error).toBeInstanceOf(ThrottlingException);
    expect(error).toMatchObject({ $retryable: { throttling: true } });
  });
});

describe('Redshift Serverless snapshots', () => {
  it('CreateSnapshot goes CREATING → AVAILABLE; a duplicate name conflicts', async () => {
    const { sim, serverless } = simulated();
    sim.serverless.addWorkgroup({ workgroupName: 'wg', namespaceName: 'ns' });

    const out = await serverless.send(
      new CreateSnapshotCommand({ namespaceName: 'ns', snapshotName: 'nightly-1', retentionPeriod: 7 }),
    );
    const dup = await rejection(
      serverless.send(new CreateSnapshotCommand({ namespaceName: 'ns', snapshotName: 'nightly-1' })),
    );
    sim.clock.advanceBy(15 * MINUTE);
    const listed = await serverless.send(new ListSnapshotsCommand({ namespaceName: 'ns' }));

    expect(out.snapshot).toMatchObject({ snapshotName: 'nightly-1', status: 'CREATING', snapshotRetentionPeriod: 7 });
    expect(dup).toBeInstanceOf(ConflictException);
    expect(listed.snapshots).toHaveLength(1);
    expect(listed.snapshots?.[0]).toMatchObject({
      status: 'AVAILABLE',
      snapshotRemainingDays: 7,
      estimatedSecondsToCompletion: 0,
    });
  });

  it('refuses a snapshot of a namespace without a workgroup, and of an unknown namespace', async () => {
    const { sim, serverless } = simulated();
    sim.serverless.addNamespace({ namespaceName: 'lonely' });

    const lonely = await rejection(
      serverless.send(new CreateSnapshotCommand({ namespaceName: 'lonely', snapshotName: 's' })),
    );
    const unknown = await rejection(
      serverless.send(new CreateSnapshotCommand({ namespaceName: 'ghost', snapshotName: 's' })),
    );

    expect(lonely).toBeInstanceOf(ValidationException);
    expect(unknown).toBeInstanceOf(ResourceNotFoundException);
  });
});
