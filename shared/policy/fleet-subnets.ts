import type { FleetResource } from './decision.ts';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * `aws redshift describe-cluster-subnet-groups` → the AZs of each group (failover drills check a Multi-AZ cluster's
 * group spans 3); `aws secretsmanager list-secrets` is recognised for the simulator (the drill canary's secret) and
 * carries nothing the engine reads.
 */
export function readSubnetZones(doc: Json, zones: Map<string, string[]>): boolean {
  if (!('ClusterSubnetGroups' in doc) && !('SecretList' in doc)) return false;
  for (const group of Array.isArray(doc.ClusterSubnetGroups) ? doc.ClusterSubnetGroups : []) {
    if (!isObject(group) || typeof group.ClusterSubnetGroupName !== 'string') continue;
    const subnets = Array.isArray(group.Subnets) ? group.Subnets : [];
    const names = subnets.map((s) =>
      isObject(s) && isObject(s.SubnetAvailabilityZone) ? s.SubnetAvailabilityZone.Name : null,
    );
    zones.set(
      group.ClusterSubnetGroupName,
      [...new Set(names.filter((n): n is string => typeof n === 'string'))].sort(),
    );
  }
  return true;
}

export function withSubnetZones(resources: FleetResource[], zones: ReadonlyMap<string, string[]>): void {
  for (const [i, r] of resources.entries()) {
    const found = r.type === 'cluster' && r.subnetGroupName !== undefined ? zones.get(r.subnetGroupName) : undefined;
    if (found !== undefined) resources[i] = { ...r, subnetGroupZones: found } as FleetResource;
  }
}
