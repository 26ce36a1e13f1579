/**
 * The drill scenario's fleet, as the AWS CLI prints it (describe-clusters, describe-cluster-subnet-groups,
 * secretsmanager list-secrets), and the policy as written, with the year-end-freeze calendar
 * covering January's slot. Critical clusters: two eligible Multi-AZ (one drill at a time), one
 * single-AZ, one DC2, one eligible whose maintenance window is the slot itself; one eligible that is
 * not critical.
 */
export const REGION = 'eu-central-1';
export const ACCOUNT = '123456789012';
export const SECRET = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:drill`;
const OPT_IN = { Key: 'autopilot:managed', Value: 'true' };
const CRITICAL = [{ Key: 'tier', Value: 'critical' }, OPT_IN];

const subnetGroup = {
  ClusterSubnetGroupName: 'three-az',
  Description: 'three AZs',
  VpcId: 'vpc-0a1',
  SubnetGroupStatus: 'Complete',
  Subnets: ['a', 'b', 'c'].map((z, i) => ({
    SubnetIdentifier: `subnet-0${i}`,
    SubnetAvailabilityZone: { Name: `${REGION}${z}` },
    SubnetStatus: 'Active',
  })),
};

const base = {
  NodeType: 'ra3.4xlarge',
  NumberOfNodes: 2,
  ClusterStatus: 'available',
  Encrypted: true,
  Endpoint: { Address: 'x.eu-central-1.redshift.amazonaws.com', Port: 5439 },
  // Sunday night: never near a Tuesday 10:00 Berlin slot.
  PreferredMaintenanceWindow: 'sun:02:00-sun:02:30',
  DBName: 'dev',
  AutomatedSnapshotRetentionPeriod: 1,
  ClusterSubnetGroupName: 'three-az',
  Tags: CRITICAL,
};

const multiAz = (id: string, extra: Record<string, unknown> = {}) => ({
  ...base,
  ClusterIdentifier: id,
  MultiAZ: 'Enabled',
  AvailabilityZone: `${REGION}a`,
  MultiAZSecondary: { AvailabilityZone: `${REGION}b`, ClusterNodes: [] },
  ClusterNamespaceArn: `arn:aws:redshift:${REGION}:${ACCOUNT}:namespace:${id}`,
  ...extra,
});

export const FLEET = [
  {
    name: 'clusters.json',
    json: {
      Clusters: [
        multiAz('orders'),
        multiAz('payments'),
        // 10:00 Berlin is 08:00 UTC in summer, 09:00 in winter: the window covers both.
        multiAz('ledger', { PreferredMaintenanceWindow: 'tue:07:30-tue:09:30' }),
        multiAz('reporting', { Tags: [{ Key: 'tier', Value: 'standard' }, OPT_IN] }),
        { ...base, ClusterIdentifier: 'single-az', MultiAZ: 'Disabled', AvailabilityZone: `${REGION}a` },
        {
          ...base,
          ClusterIdentifier: 'legacy-dc2',
          NodeType: 'dc2.large',
          Encrypted: false,
          MultiAZ: 'Disabled',
          AvailabilityZone: `${REGION}a`,
        },
      ],
    },
  },
];

/**
 * What `simulate --fleet` does not read yet (parseFleet knows no subnet-group or secret file): put into
 * the simulator before the run — the subnet group over three AZs and the canary's secret.
 */
export function seedDrillExtras(sim: {
  seedSubnetGroup(g: typeof subnetGroup): unknown;
  addSecret(s: { arn: string }): void;
}) {
  sim.seedSubnetGroup(subnetGroup);
  sim.addSecret({ arn: SECRET });
}

export const POLICIES = `version: 1
defaults: { timezone: Europe/Berlin, optInTag: "autopilot:managed=true" }
calendars:
  year-end-freeze:
    ranges: [{ from: "2025-12-19T00:00", to: "2026-01-16T00:00" }]
policies:
  - name: quarterly-failover-drill
    resource: cluster
    match: { tags: { tier: critical } }
    failoverDrill:
      schedule: "cron(0 10 ? 1/3 TUE#2 *)"   # second Tuesday of each quarter, 10:00 local
      timezone: Europe/Berlin
      maxRecoveryMinutes: 20
      notDuring: [year-end-freeze]          # calendars; the cluster's maintenance window is avoided too
      canary: { database: dev, secretArn: "${SECRET}" }
`;
