/**
 * Cluster subnet groups: DescribeClusterSubnetGroups, as the recorded response
 * (test/fixtures/api/test_redshift_subnet_filter/redshift.DescribeClusterSubnetGroups_1.json) shows
 * them, plus the newer `SupportedClusterIpAddressTypes`. A Multi-AZ cluster needs a subnet group over
 * three AZs (guide L4557, L4629), and a failover creates the new secondary in the third one.
 *
 * Groups come from `aws redshift describe-cluster-subnet-groups` output (seeded), or are made for a
 * cluster whose group is not seeded: a group named as the cluster says, over AZs a, b and c of the
 * Region plus the cluster's own AZs (what the default subnet group of a default VPC covers in most
 * Regions). Subnet ids of a made group derive from the seed and the group's name, not from a shared
 * stream, so adding groups does not shift other draws.
 */
import type { Cluster, ClusterSubnetGroup, DescribeClusterSubnetGroupsMessage, Subnet } from '@aws-sdk/client-redshift';
import { deepFreeze } from './cluster-model.ts';
import { paginate } from './pagination.ts';
import { Prng } from './prng.ts';
import type { Handler, ProvisionedContext } from './provisioned-context.ts';
import { sameTags } from './tag-rules.ts';

export const DEFAULT_SUBNET_GROUP = 'default';

export class SubnetGroupsModel {
  readonly handlers: Record<string, Handler>;
  private readonly groups = new Map<string, ClusterSubnetGroup>();
  /** Groups made for a cluster (not seeded). */
  private readonly madeNames = new Set<string>();

  constructor(private readonly ctx: ProvisionedContext) {
    this.handlers = {
      DescribeClusterSubnetGroups: (i: DescribeClusterSubnetGroupsMessage) => this.describe(i),
    };
  }

  /** A group exactly as `describe-cluster-subnet-groups` printed it (a later seed of the same name replaces it). */
  seed(group: ClusterSubnetGroup): ClusterSubnetGroup {
    const name = group.ClusterSubnetGroupName;
    if (name === undefined || name === '') throw new Error('seedSubnetGroup: ClusterSubnetGroupName is required');
    const copy: ClusterSubnetGroup = structuredClone(group);
    copy.SubnetGroupStatus ??= 'Complete';
    copy.Tags ??= [];
    this.groups.set(name, deepFreeze(copy));
    this.madeNames.delete(name);
    return this.groups.get(name) as ClusterSubnetGroup;
  }

  get(name: string | undefined): ClusterSubnetGroup | undefined {
    return this.groups.get(name ?? DEFAULT_SUBNET_GROUP);
  }

  /** The distinct AZs of a group's active subnets, in the group's order. */
  zonesOf(name: string | undefined): string[] | undefined {
    const group = this.get(name);
    if (group === undefined) return undefined;
    const zones = (group.Subnets ?? [])
      .filter((s) => (s.SubnetStatus ?? 'Active') === 'Active')
      .map((s) => s.SubnetAvailabilityZone?.Name)
      .filter((z): z is string => z !== undefined && z !== '');
    return [...new Set(zones)];
  }

  /**
   * The cluster's group, made when it is not seeded (see the file comment). Returns its AZs. Called
   * before a cluster is added, so a Multi-AZ cluster's requirements can be checked against them.
   */
  ensureFor(view: Cluster): string[] {
    const name = view.ClusterSubnetGroupName ?? DEFAULT_SUBNET_GROUP;
    const known = this.zonesOf(name);
    if (known !== undefined) return known;
    const own = [view.AvailabilityZone, view.MultiAZSecondary?.AvailabilityZone].filter(
      (z): z is string => z !== undefined && z !== '',
    );
    const zones = [...new Set([...['a', 'b', 'c'].map((s) => `${this.ctx.region}${s}`), ...own])];
    this.seed(this.made(name, zones, view.VpcId));
    this.madeNames.add(name);
    return zones;
  }

  /** The AZs of a seeded group (undefined for an unknown or a made one): a new cluster's AZs come from them. */
  seededZonesOf(name: string | undefined): string[] | undefined {
    return this.madeNames.has(name ?? DEFAULT_SUBNET_GROUP) ? undefined : this.zonesOf(name);
  }

  /** A subnet group over `zones` with ids drawn from the seed and the name. */
  made(name: string, zones: readonly string[], vpcId?: string): ClusterSubnetGroup {
    const rng = new Prng(`${this.ctx.seed}/subnet-group/${name}`);
    const subnets: Subnet[] = zones.map((zone) => ({
      SubnetIdentifier: `subnet-${rng.hex(17)}`,
      SubnetAvailabilityZone: { Name: zone },
      SubnetStatus: 'Active',
    }));
    return {
      ClusterSubnetGroupName: name,
      Description: name,
      VpcId: vpcId ?? `vpc-${rng.hex(17)}`,
      SubnetGroupStatus: 'Complete',
      Subnets: subnets,
      Tags: [],
      SupportedClusterIpAddressTypes: ['ipv4'],
    };
  }

  describe(input: DescribeClusterSubnetGroupsMessage) {
    const size = this.ctx.pageSize(input.MaxRecords);
    const start = this.ctx.offset(input.Marker);
    let groups = [...this.groups.values()];
    if (input.ClusterSubnetGroupName !== undefined) {
      const group = this.groups.get(input.ClusterSubnetGroupName);
      // The API reference's description of the fault (no recorded message exists).
      if (group === undefined)
        this.ctx.fault(
          'ClusterSubnetGroupNotFoundFault',
          'The cluster subnet group name does not refer to an existing cluster subnet group.',
        );
      groups = [group];
    } else if ((input.TagKeys?.length ?? 0) > 0 || (input.TagValues?.length ?? 0) > 0) {
      groups = groups.filter((g) => sameTags(g.Tags, input.TagKeys, input.TagValues));
    }
    const page = paginate(groups, start, size);
    return { ClusterSubnetGroups: page.items, ...(page.next === undefined ? {} : { Marker: page.next }) };
  }
}
