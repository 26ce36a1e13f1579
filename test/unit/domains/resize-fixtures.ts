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
