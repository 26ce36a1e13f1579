import type { Cluster, Integration } from '@aws-sdk/client-redshift';
import type { Workgroup } from '@aws-sdk/client-redshift-serverless';
import type { ClusterResource, IntegrationResource, WorkgroupResource } from '../policy/decision.ts';
import { parseFleet } from '../policy/fleet.ts';

/**
 * SDK responses → engine resources through the policy engine's own parser (shared/policy/fleet.ts),
 * which reads the PascalCase/camelCase shapes the AWS CLI prints — the SDK returns the same shapes.
 * There is one mapper in the project; this file only wraps pages into the documents it accepts.
 */
const READ_AT_UNUSED = '1970-01-01T00:00:00.000Z';

export function mapClusters(clusters: readonly Cluster[]): ClusterResource[] {
  const { resources } = parseFleet([{ name: 'DescribeClusters', json: { Clusters: clusters } }], READ_AT_UNUSED);
  return resources.filter((r): r is ClusterResource => r.type === 'cluster');
}

export function mapIntegrations(integrations: readonly Integration[]): IntegrationResource[] {
  const { resources } = parseFleet(
    [{ name: 'DescribeIntegrations', json: { Integrations: integrations } }],
    READ_AT_UNUSED,
  );
  return resources.filter((r): r is IntegrationResource => r.type === 'integration');
}

export function mapWorkgroups(
  workgroups: readonly { workgroup: Workgroup; tags: Record<string, string> }[],
): WorkgroupResource[] {
  const json = {
    workgroups: workgroups.map(({ workgroup, tags }) => ({
      ...workgroup,
      tags: Object.entries(tags).map(([key, value]) => ({ key, value })),
    })),
  };
  const { resources } = parseFleet([{ name: 'ListWorkgroups', json }], READ_AT_UNUSED);
  return resources.filter((r): r is WorkgroupResource => r.type === 'workgroup');
}
