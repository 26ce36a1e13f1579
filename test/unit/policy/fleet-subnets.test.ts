/**
 * Failover drills' fleet files in AWS CLI shape: `describe-cluster-subnet-groups` gives each cluster the
 * AZs of its subnet group (the drill's 3-AZ check), `secretsmanager list-secrets` is recognised (the
 * simulator seeds the canary's secret from it) and adds no resource.
 */
import { describe, expect, it } from 'vitest';
import type { ClusterResource } from '../../../shared/policy/decision.ts';
import { parseFleet } from '../../../shared/policy/fleet.ts';

const READ_AT = '2026-04-14T07:00:00.000Z';
const group = (name: string, zones: string[]) => ({
  ClusterSubnetGroupName: name,
  VpcId: 'vpc-0a1',
  Subnets: zones.map((z, i) => ({
    SubnetIdentifier: `subnet-${name}-${i}`,
    SubnetAvailabilityZone: { Name: `eu-central-1${z}` },
    SubnetStatus: 'Active',
  })),
});
const cluster = (id: string, subnetGroup?: string, multiAz = true) => ({
  ClusterIdentifier: id,
  MultiAZ: multiAz ? 'Enabled' : 'Disabled',
  NodeType: 'ra3.4xlarge',
  NumberOfNodes: 2,
  ClusterStatus: 'available',
  Tags: [],
  ...(subnetGroup === undefined ? {} : { ClusterSubnetGroupName: subnetGroup }),
});

describe('fleet files for failover drills', () => {
  it('gives each Multi-AZ cluster the AZs of its subnet group, whichever file comes first', () => {
    const documents = [
      {
        name: 'clusters.json',
        json: {
          Clusters: [cluster('orders', 'three-az'), cluster('billing', 'two-az'), cluster('legacy', 'two-az', false)],
        },
      },
      {
        name: 'groups.json',
        json: { ClusterSubnetGroups: [group('three-az', ['c', 'a', 'b', 'a']), group('two-az', ['a', 'b'])] },
      },
      { name: 'secrets.json', json: { SecretList: [{ ARN: 'arn:aws:secretsmanager:eu-central-1:1:secret:drill' }] } },
    ];
    const fleet = parseFleet(documents, READ_AT);
    const byId = new Map(fleet.resources.map((r) => [r.id, r as ClusterResource]));
    expect(fleet.resources).toHaveLength(3);
    expect(byId.get('orders')?.subnetGroupZones).toEqual(['eu-central-1a', 'eu-central-1b', 'eu-central-1c']);
    expect(byId.get('billing')?.subnetGroupZones).toEqual(['eu-central-1a', 'eu-central-1b']);
    // Single-AZ clusters carry no Multi-AZ details at all (the drill never needs them).
    expect(byId.get('legacy')?.subnetGroupZones).toBeUndefined();
  });

  it('leaves a cluster whose group no file describes without zones (unknown, not "none")', () => {
    const fleet = parseFleet(
      [{ name: 'clusters.json', json: { Clusters: [cluster('orders', 'elsewhere'), cluster('bare')] } }],
      READ_AT,
    );
    for (const r of fleet.resources) expect((r as ClusterResource).subnetGroupZones).toBeUndefined();
  });

  it('still refuses a file it does not recognise, naming the subnet-group and secret outputs it would take', () => {
    expect(() => parseFleet([{ name: 'x.json', json: { Groups: [] } }], READ_AT)).toThrow(
      /x\.json: not a recognised fleet file; .*describe-cluster-subnet-groups.*list-secrets/,
    );
  });
});
