import {
  CreateSnapshotCopyConfigurationCommand,
  DeleteSnapshotCommand,
  GetSnapshotCommand,
  ListSnapshotCopyConfigurationsCommand,
  ListSnapshotsCommand,
  ListTagsForResourceCommand,
  RedshiftServerlessClient,
  UpdateSnapshotCopyConfigurationCommand,
} from '@aws-sdk/client-redshift-serverless';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { deletionRefusal } from '../../../shared/aws/redshift.adapter.ts';
import { RedshiftServerlessAdapter } from '../../../shared/aws/redshift-serverless.adapter.ts';
import { firstRefusal, GUARDRAILS } from '../../../shared/execute/guardrails.ts';
import type { Decision, SnapshotResource, WorkgroupResource } from '../../../shared/policy/decision.ts';
import { actionOf, clusterResource, OPT_IN } from './fakes.ts';

const facts = { isZeroEtlTarget: async () => false, supersededBy: async () => null, budgetSlot: async () => 1 };

function decision(action: string, target: Decision['target'], params: Record<string, unknown>): Decision {
  return {
    at: '2026-12-08T01:00:00.000Z',
    policy: 'nightly',
    action,
    target,
    params,
    reason: 'test',
    idempotencyKey: `k-${action}`,
    mode: 'act',
    guard: { optInTag: { ...OPT_IN }, allowZeroEtlTarget: false, maxResources: null },
  };
}

const workgroup: WorkgroupResource = {
  type: 'workgroup',
  id: 'analytics',
  arn: null,
  region: 'eu-central-1',
  account: null,
  status: 'AVAILABLE',
  tags: { [OPT_IN.key]: OPT_IN.value },
  namespaceName: 'analytics-ns',
  baseCapacity: 32,
  maxCapacity: null,
};

describe('snapshot operations at execution time (guardrails on the re-read resource)', () => {
  it.each([
    ['available', null],
    ['paused', 'stateAllowsOperation'],
    ['available, prep-for-resize', 'stateAllowsOperation'],
    ['available, resize-cleanup', 'stateAllowsOperation'],
  ])('CreateClusterSnapshot on a %s cluster → %s', async (status, refusedBy) => {
    const d = decision(
      'CreateClusterSnapshot',
      { type: 'cluster', id: 'redshift-cluster-1' },
      {
        ClusterIdentifier: 'redshift-cluster-1',
        SnapshotIdentifier: 'redshift-cluster-1-nightly-202612080100',
      },
    );
    const resource = { ...clusterResource(), status };
    const refusal = await firstRefusal({ decision: d, operation: actionOf('CreateClusterSnapshot'), resource, facts });
    expect(refusal?.guardrail ?? null).toBe(refusedBy);
  });

  it('deletes a snapshot of a paused cluster (the cluster state does not matter), but only of that cluster', async () => {
    const paused = { ...clusterResource(), status: 'paused', availabilityStatus: 'Paused' };
    const ok = decision(
      'DeleteClusterSnapshot',
      { type: 'cluster', id: 'redshift-cluster-1' },
      {
        SnapshotIdentifier: 's1',
        SnapshotClusterIdentifier: 'redshift-cluster-1',
      },
    );
    expect(
      await firstRefusal({ decision: ok, operation: actionOf('DeleteClusterSnapshot'), resource: paused, facts }),
    ).toBeNull();
    const other = { ...ok, params: { SnapshotIdentifier: 's1', SnapshotClusterIdentifier: 'someone-else' } };
    expect(
      (await firstRefusal({ decision: other, operation: actionOf('DeleteClusterSnapshot'), resource: paused, facts }))
        ?.guardrail,
    ).toBe('targetMatches');
  });

  it('checks that a Serverless snapshot names the re-read workgroup namespace', async () => {
    const target = { type: 'workgroup' as const, id: 'analytics' };
    const good = decision('CreateSnapshot', target, { namespaceName: 'analytics-ns', snapshotName: 'x' });
    const bad = decision('CreateSnapshot', target, { namespaceName: 'billing-ns', snapshotName: 'x' });
    expect(
      await firstRefusal({ decision: good, operation: actionOf('CreateSnapshot'), resource: workgroup, facts }),
    ).toBeNull();
    expect(
      await firstRefusal({ decision: bad, operation: actionOf('CreateSnapshot'), resource: workgroup, facts }),
    ).toEqual({
      guardrail: 'targetMatches',
      reason: 'params.namespaceName is "billing-ns", workgroup analytics has namespace "analytics-ns"',
    });
    const optedOut = { ...workgroup, tags: {} };
    expect(
      (await firstRefusal({ decision: good, operation: actionOf('CreateSnapshot'), resource: optedOut, facts }))
        ?.guardrail,
    ).toBe('optInTag');
    expect(GUARDRAILS.length).toBeGreaterThan(0);
  });
});

function snap(id: string, createdAt: string, more: Partial<SnapshotResource> = {}): SnapshotResource {
  return {
    type: 'snapshot',
    id,
    arn: null,
    region: null,
    account: null,
    status: 'available',
    tags: { 'managed-by': 'redshift-autopilot', 'autopilot:policy': 'nightly' },
    service: 'redshift',
    sourceId: 'etl-prod',
    snapshotType: 'manual',
    createdAt,
    ...more,
  };
}

describe('deletionRefusal: what the adapters check on a fresh read before any delete call', () => {
  const older = snap('autopilot-a', '2026-12-01T01:00:00.000Z');
  const newer = snap('autopilot-b', '2026-12-02T01:00:00.000Z');
  it.each([
    ['an old autopilot snapshot', older, [older, newer], null],
    [
      'a snapshot without the tag',
      snap('p', '2026-11-01T00:00:00Z', { tags: {} }),
      [older, newer],
      'p has no tag managed-by=redshift-autopilot: autopilot deletes only what it created',
    ],
    [
      'an automated snapshot',
      snap('rs:x', '2026-11-01T00:00:00Z', { snapshotType: 'automated' }),
      [older, newer],
      'rs:x is automated, not manual',
    ],
    [
      'a tagged snapshot not named autopilot-… (made before the prefix, or tagged by someone)',
      snap('p', '2026-11-01T00:00:00Z'),
      [older, newer],
      'p is not named autopilot-…: autopilot deletes only snapshots it named (older ones are deleted by hand)',
    ],
    [
      'one still creating',
      snap('autopilot-c', '2026-12-03T00:00:00Z', { status: 'creating' }),
      [older, newer],
      'autopilot-c is creating, not available',
    ],
    [
      'the newest autopilot snapshot',
      newer,
      [older, newer],
      'autopilot-b is the newest available snapshot autopilot made',
    ],
    [
      'the only available one',
      older,
      [older, snap('f', '2026-12-05T00:00:00Z', { status: 'failed' })],
      'autopilot-a is the last available snapshot of etl-prod',
    ],
  ])('%s', (_what, target, siblings, refusal) => {
    expect(deletionRefusal(target, siblings)).toBe(refusal);
  });
});

describe('RedshiftServerlessAdapter snapshot calls (SDK mocked)', () => {
  const arnOf = (name: string) => `arn:aws:redshift-serverless:eu-central-1:123456789012:snapshot/${name}`;
  const snapshotOf = (name: string, created: string) => ({
    snapshotName: name,
    namespaceName: 'analytics-ns',
    status: 'AVAILABLE' as const,
    snapshotCreateTime: new Date(created),
    snapshotArn: arnOf(name),
  });

  it('deletes an old autopilot snapshot and refuses a person’s, before any DeleteSnapshot call', async () => {
    const client = new RedshiftServerlessClient({ region: 'eu-central-1' });
    const mock = mockClient(client);
    const all = [
      snapshotOf('autopilot-old', '2026-12-01T01:00:00Z'),
      snapshotOf('autopilot-new', '2026-12-02T01:00:00Z'),
      snapshotOf('mine', '2026-11-01T00:00:00Z'),
    ];
    mock.on(GetSnapshotCommand).callsFake((input: { snapshotName: string }) => ({
      snapshot: all.find((s) => s.snapshotName === input.snapshotName),
    }));
    mock.on(ListSnapshotsCommand).resolves({ snapshots: all });
    mock.on(ListTagsForResourceCommand).callsFake((input: { resourceArn: string }) => ({
      tags: input.resourceArn.endsWith('/mine')
        ? [{ key: 'owner', value: 'alice' }]
        : [{ key: 'managed-by', value: 'redshift-autopilot' }],
    }));
    mock.on(DeleteSnapshotCommand).resolves({ snapshot: { snapshotName: 'autopilot-old', status: 'DELETED' } });
    const adapter = new RedshiftServerlessAdapter(client);

    await expect(adapter.perform('DeleteSnapshot', { snapshotName: 'autopilot-old' })).resolves.toEqual({
      afterState: 'DELETED',
    });
    await expect(adapter.perform('DeleteSnapshot', { snapshotName: 'mine' })).rejects.toThrow(
      'DeleteSnapshot: mine has no tag managed-by=redshift-autopilot: autopilot deletes only what it created',
    );
    await expect(adapter.perform('DeleteSnapshot', { snapshotName: 'autopilot-new' })).rejects.toThrow(
      'autopilot-new is the newest available snapshot autopilot made',
    );
    expect(mock.commandCalls(DeleteSnapshotCommand).map((c) => c.args[0].input)).toEqual([
      { snapshotName: 'autopilot-old' },
    ]);
    mock.restore();
  });

  it('creates a copy configuration, or updates the retention of the one that exists', async () => {
    const mock = mockClient(RedshiftServerlessClient);
    const adapter = new RedshiftServerlessAdapter(mock as unknown as RedshiftServerlessClient);
    const params = { namespaceName: 'analytics-ns', destinationRegion: 'eu-west-1', snapshotRetentionPeriod: 60 };
    mock
      .on(ListSnapshotCopyConfigurationsCommand)
      .resolvesOnce({ snapshotCopyConfigurations: [] })
      .resolvesOnce({
        snapshotCopyConfigurations: [
          { snapshotCopyConfigurationId: 'cfg-1', destinationRegion: 'eu-west-1', snapshotRetentionPeriod: 7 },
        ],
      });
    await adapter.perform('CreateSnapshotCopyConfiguration', params);
    await adapter.perform('CreateSnapshotCopyConfiguration', params);
    expect(mock.commandCalls(CreateSnapshotCopyConfigurationCommand).map((c) => c.args[0].input)).toEqual([params]);
    expect(mock.commandCalls(UpdateSnapshotCopyConfigurationCommand).map((c) => c.args[0].input)).toEqual([
      { snapshotCopyConfigurationId: 'cfg-1', snapshotRetentionPeriod: 60 },
    ]);
    mock.restore();
  });
});
