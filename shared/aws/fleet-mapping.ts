import type { Cluster, Integration, UsageLimit } from '@aws-sdk/client-redshift';
import type { Workgroup } from '@aws-sdk/client-redshift-serverless';
import type {
  ClusterResource,
  IntegrationResource,
  UsageLimitResource,
  WorkgroupResource,
} from '../policy/decision.ts';
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

/** DescribeUsageLimits items → the engine's view; an item without an id or cluster is not a limit to compare. */
export function mapUsageLimits(limits: readonly UsageLimit[]): UsageLimitResource[] {
  return limits.flatMap((l) => {
    if (l.UsageLimitId === undefined || l.ClusterIdentifier === undefined) return [];
    const tags: Record<string, string> = {};
    for (const t of l.Tags ?? []) if (t.Key !== undefined) tags[t.Key] = t.Value ?? '';
    return [
      {
        id: l.UsageLimitId,
        clusterId: l.ClusterIdentifier,
        feature: l.FeatureType ?? '',
        limitType: l.LimitType ?? '',
        amount: l.Amount ?? 0,
        period: l.Period ?? 'monthly',
        breachAction: l.BreachAction ?? 'log',
        tags,
      },
    ];
  });
}

/** Each cluster with its usage limits (an empty list when it has none): new objects, the mapped ones may be shared. */
export function withLimits(
  clusters: readonly ClusterResource[],
  limits: readonly UsageLimitResource[],
): ClusterResource[] {
  const byCluster = new Map<string, UsageLimitResource[]>();
  for (const l of limits) byCluster.set(l.clusterId, [...(byCluster.get(l.clusterId) ?? []), l]);
  return clusters.map((c) => ({ ...c, limits: byCluster.get(c.id) ?? [] }));
}
