import type { ClusterResource } from '../../../../shared/policy/decision.ts';
import { loadPolicySources } from '../../../../shared/policy/policy-loader.ts';

/** The issue's example as written, with the calendar it names. */
export const ISSUE_EXAMPLE = `version: 1
calendars:
  year-end-freeze:
    ranges: [{ from: "2026-12-15", to: "2027-01-05" }]
policies:
  - name: quarterly-failover-drill
    resource: cluster
    match: { tags: { tier: critical } }
    failoverDrill:
      schedule: "cron(0 10 ? 1/3 TUE#2 *)"   # second Tuesday of each quarter, 10:00 local
      timezone: Europe/Berlin
      maxRecoveryMinutes: 20
      notDuring: [year-end-freeze]          # calendars; the cluster's maintenance window is avoided too
      canary: { database: dev, secretArn: "arn:aws:secretsmanager:eu-central-1:123456789012:secret:drill" }
`;

export function loadText(text: string) {
  return loadPolicySources([{ file: 'drill.yml', text }]);
}

export function issuePolicies() {
  const { policySet, problems } = loadText(ISSUE_EXAMPLE);
  if (problems.length > 0) throw new Error(problems.map((p) => p.message).join('\n'));
  return policySet;
}

/** An eligible Multi-AZ RA3 cluster, as parseFleet maps a describe-clusters item. */
export function multiAz(id: string, extra: Partial<ClusterResource> = {}): ClusterResource {
  return {
    type: 'cluster',
    id,
    arn: `arn:aws:redshift:eu-central-1:123456789012:cluster:${id}`,
    region: 'eu-central-1',
    account: '123456789012',
    status: 'available',
    availabilityStatus: 'Available',
    tags: { tier: 'critical', 'autopilot:managed': 'true' },
    nodeType: 'ra3.4xlarge',
    numberOfNodes: 2,
    multiAz: true,
    automatedSnapshotRetentionPeriod: 1,
    namespaceArn: null,
    encrypted: true,
    availabilityZone: 'eu-central-1a',
    secondaryAvailabilityZone: 'eu-central-1b',
    port: 5439,
    subnetGroupName: 'three-az',
    maintenanceWindow: 'sat:02:00-sat:02:30',
    ...extra,
  };
}

// Second Tuesday of April 2026 is the 14th; 10:00 Europe/Berlin (CEST) = 08:00Z.
export const APRIL_SLOT = '2026-04-14T08:00:00.000Z';
