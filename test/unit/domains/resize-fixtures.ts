import type { LedgerRecord } from '../../../shared/execute/ports.ts';
import type { ClusterResource } from '../../../shared/policy/decision.ts';

/** The finance cluster of issue 15's example (4 ra3.4xlarge nodes, opted in, team: finance), with overrides. */
export function financeCluster(over: Partial<ClusterResource> = {}): ClusterResource {
  return {
    type: 'cluster',
    id: 'fin-1',
    arn: null,
    region: 'eu-central-1',
    account: '123456789012',
    status: 'available',
    availabilityStatus: 'Available',
    tags: { 'autopilot:managed': 'true', team: 'finance' },
    nodeType: 'ra3.4xlarge',
    numberOfNodes: 4,
    multiAz: false,
    automatedSnapshotRetentionPeriod: 1,
    namespaceArn: null,
    ...over,
  };
}

const ACCEPTED_AT = '2026-02-28T15:00:05.000Z';

/** The ledger record of a ResizeCluster 4 → 8 of fin-1 that AWS accepted and that is under way. */
export function resizeInProgress(reason: string): LedgerRecord {
  return {
    idempotencyKey: 'key-resize',
    policy: 'finance-month-end',
    action: 'ResizeCluster',
    target: { type: 'cluster', id: 'fin-1' },
    mode: 'act',
    params: { ClusterIdentifier: 'fin-1', NumberOfNodes: 8 },
    reason,
    decisionAt: '2026-02-28T15:00:00.000Z',
    status: 'in-progress',
    retryable: false,
    attempts: 1,
    claimToken: 'tok',
    leaseUntil: ACCEPTED_AT,
    outcomeReason: 'accepted',
    beforeState: 'available',
    afterState: 'available, prep-for-resize',
    expectedState: 'available',
    createdId: null,
    error: null,
    budgetSlot: null,
    claimedAt: ACCEPTED_AT,
    updatedAt: ACCEPTED_AT,
    completedAt: null,
  };
}
