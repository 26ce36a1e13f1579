/**
 * What a Multi-AZ cluster must be (facts.md §6, guide L4531–4563, L4610): RA3, encrypted, at least
 * two nodes per AZ, a subnet group over three AZs, a port in 5431–5455 or 8191–8215, no Elastic IP.
 * AWS refuses to create or convert a cluster that breaks one of them, so the simulator refuses to
 * seed such a Multi-AZ cluster, and FailoverPrimaryCompute answers UnsupportedOperation for one.
 */
import type { Cluster } from '@aws-sdk/client-redshift';

/** Ports a Multi-AZ (or relocatable) cluster may listen on (guide L4531–4563; L3691–3816). */
export const MULTI_AZ_PORT_RANGES: readonly (readonly [number, number])[] = [
  [5431, 5455],
  [8191, 8215],
];

export function portAllowsMultiAz(port: number | undefined): boolean {
  const p = port ?? 5439;
  return MULTI_AZ_PORT_RANGES.some(([lo, hi]) => p >= lo && p <= hi);
}

/**
 * Why `view` can't be a Multi-AZ cluster, one reason per broken requirement (empty when it can).
 * `subnetZones` are the AZs of its subnet group, when known.
 */
export function multiAzProblems(view: Cluster, subnetZones?: readonly string[]): string[] {
  const problems: string[] = [];
  const nodeType = view.NodeType ?? '';
  if (!nodeType.startsWith('ra3')) problems.push(`Multi-AZ needs an RA3 node type (guide L4531), not ${nodeType}`);
  if ((view.NumberOfNodes ?? 1) < 2)
    problems.push(`Multi-AZ needs at least 2 nodes per AZ (guide L4531–4563), not ${view.NumberOfNodes ?? 1}`);
  if (view.Encrypted !== true) problems.push('Multi-AZ needs an encrypted cluster (guide L4531–4563)');
  if (!portAllowsMultiAz(view.Endpoint?.Port))
    problems.push(`Multi-AZ needs a port in 5431–5455 or 8191–8215 (guide L4531–4563), not ${view.Endpoint?.Port}`);
  if (view.ElasticIpStatus?.ElasticIp !== undefined)
    problems.push(
      `Multi-AZ can't have an Elastic IP (guide L4531–4563), ${view.ElasticIpStatus.ElasticIp} is attached`,
    );
  const subnets = subnetZones === undefined ? undefined : subnetZonesProblem(view.ClusterSubnetGroupName, subnetZones);
  if (subnets !== undefined) problems.push(subnets);
  return problems;
}

/** Why a subnet group over `zones` can't hold a Multi-AZ cluster, or undefined. */
export function subnetZonesProblem(groupName: string | undefined, zones: readonly string[]): string | undefined {
  const distinct = [...new Set(zones)];
  if (distinct.length >= 3) return undefined;
  return `Multi-AZ needs a subnet group over 3 AZs (guide L4557, L4629); ${groupName ?? 'default'} covers ${
    distinct.join(', ') || 'none'
  }`;
}
