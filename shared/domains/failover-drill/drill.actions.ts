import type { FailoverPrimaryComputeCommandInput } from '@aws-sdk/client-redshift';
import { ResourceStateConflictError } from '../../errors.ts';
import type { ActionServices, ActionSpec } from '../../execute/action-spec.ts';
import { CLUSTER_BROKEN } from '../../execute/cluster-states.ts';
import { BASE_GUARDRAILS } from '../../execute/guardrail-names.ts';
import type { Guardrail } from '../../execute/guardrails.ts';
import type { FleetResource } from '../../policy/decision.ts';
import { CLUSTER_ARN, redshiftOf } from '../windows/window.actions.ts';
import { availableRefusal, multiAzRefusal } from './drill.rules.ts';

/**
 * FailoverPrimaryCompute, declared once (DESIGN §8): the drill's one AWS call. The executor's
 * `failoverDrillReady` guardrail runs the drill's resource pre-checks again on the re-read cluster
 * (Multi-AZ and eligible, available, still in the AZ the decision saw); the handler reads the cluster's
 * subnet group (DescribeClusterSubnetGroups) and refuses a failover that would have no third AZ for the
 * new secondary, then calls. What happens next — status `modifying` throughout, events 3666/3672/3667/
 * 3669/3668, `available` again, the canary — is the drill tracker's (drill-tracker.ts), which closes
 * this record: `observes: 'created'` keeps the sweep's generic state advance away from it.
 */
export const DRILL_GUARDRAIL = 'failoverDrillReady';
const ACTION = 'FailoverPrimaryCompute';

/** The guardrail's rule on the re-read cluster: what decide()'s pre-checks also refuse. */
export function drillRefusal(resource: FleetResource, params: Readonly<Record<string, unknown>>): string | null {
  const refused = multiAzRefusal(resource) ?? availableRefusal(resource);
  if (refused !== null) return refused;
  if (resource.type !== 'cluster') return null;
  const seen = params.AvailabilityZone;
  if (typeof seen === 'string' && resource.availabilityZone !== undefined && resource.availabilityZone !== seen) {
    return `primary compute is in ${resource.availabilityZone}, not ${seen} as decided: it failed over since (by AWS or by hand); this drill would measure nothing it decided`;
  }
  return null;
}

export const failoverDrillReady: Guardrail = {
  name: DRILL_GUARDRAIL,
  rule: 'the re-read cluster can take a failover drill: Multi-AZ enabled and eligible (RA3, encrypted, ≥ 2 nodes per AZ, port 5431–5455 or 8191–8215, no Elastic IP, secondary compute present), available, primary still in the AZ the decision saw (guide L4531–4563, L4815–4826)',
  appliesTo: (_decision, spec) => spec.guardrails.includes(DRILL_GUARDRAIL),
  check: ({ decision, resource }) => drillRefusal(resource, decision.params),
};

/** The AZs of the cluster's subnet group, from DescribeClusterSubnetGroups. */
async function subnetGroupZones(
  services: ActionServices,
  clusterId: string,
): Promise<{ name: string; zones: string[] } | null> {
  const redshift = redshiftOf(services, ACTION);
  const cluster = (
    await redshift.client.send(new redshift.commands.DescribeClustersCommand({ ClusterIdentifier: clusterId }))
  ).Clusters?.[0];
  const name = cluster?.ClusterSubnetGroupName;
  if (name === undefined) return null;
  const out = await redshift.client.send(
    new redshift.commands.DescribeClusterSubnetGroupsCommand({ ClusterSubnetGroupName: name }),
  );
  const zones = new Set<string>();
  for (const subnet of out.ClusterSubnetGroups?.[0]?.Subnets ?? []) {
    const zone = subnet.SubnetAvailabilityZone?.Name;
    if (zone !== undefined) zones.add(zone);
  }
  return { name, zones: [...zones].sort() };
}

export const failoverPrimaryCompute: ActionSpec = {
  name: ACTION,
  params: {
    ClusterIdentifier: { kind: 'target' },
    AvailabilityZone: {
      kind: 'checked',
      why: 'the primary AZ decide() read, kept for the drill report; guardrail failoverDrillReady compares it with the re-read cluster; never sent to AWS',
    },
    SecondaryAvailabilityZone: {
      kind: 'checked',
      why: 'the secondary AZ decide() read, kept for the drill report only; never sent to AWS',
    },
  },
  service: 'redshift',
  summary:
    'fail a Multi-AZ cluster’s primary compute over to its secondary on the drill’s schedule, then measure the recovery (failoverDrill)',
  resourceType: 'cluster',
  idParam: 'ClusterIdentifier',
  allowedStatuses: ['available'],
  finalState: 'available',
  failedStates: CLUSTER_BROKEN,
  // The drill, not the cluster's state alone, says when it is over (the canary may still run): its tracker closes the record.
  observes: 'created',
  stateKey: null,
  alreadyDone: (resource) => (resource.type === 'cluster' && resource.status === 'modifying' ? { done: false } : null),
  guardrails: [...BASE_GUARDRAILS, DRILL_GUARDRAIL, 'maxResources'],
  permissions: [
    {
      sid: 'FailoverOnlyOptedInClusters',
      actions: ['redshift:FailoverPrimaryCompute'],
      resource: CLUSTER_ARN,
      condition: { kind: 'optInTag' },
      note: 'Service Authorization Reference, Amazon Redshift: FailoverPrimaryCompute takes the cluster* resource, which has aws:ResourceTag/<key>; granted only on clusters carrying a packaged policy’s opt-in tag (the guide names only the CLI form, facts.md §6 GAP).',
    },
    {
      sid: 'ReadSubnetGroupsForFailover',
      actions: ['redshift:DescribeClusterSubnetGroups'],
      resource: 'arn:{partition}:redshift:{region}:{account}:subnetgroup:*',
      condition: {
        kind: 'none',
        why: 'a read: the drill checks the subnet group still spans 3 AZs before failing over (guide L4557, L4629); subnet groups carry no opt-in tag',
      },
    },
  ],
  tracking: {
    closedBy: [
      'the drill tracker: available again after modifying, or REDSHIFT-EVENT-3669, and (with a canary) the first successful SYS_* query through the Data API',
    ],
    failedBy: ['REDSHIFT-EVENT-3668', `over the policy's maxRecoveryMinutes`],
  },
  effect: { changesState: false, cost: 'none', mark: '⇄' },
  async perform(params, services) {
    const id = String(params.ClusterIdentifier);
    const group = await subnetGroupZones(services, id);
    if (group !== null && group.zones.length < 3) {
      throw new ResourceStateConflictError(
        `${ACTION}: subnet group ${group.name} of ${id} covers ${group.zones.length} AZ (${group.zones.join(', ')}): the new secondary needs a third AZ (guide L4557, L4629); not failed over`,
      );
    }
    // Built explicitly: only the cluster reaches AWS (AvailabilityZone is the drill's note, not an input).
    const input: FailoverPrimaryComputeCommandInput = { ClusterIdentifier: id };
    const redshift = redshiftOf(services, ACTION);
    const out = await redshift.client.send(new redshift.commands.FailoverPrimaryComputeCommand(input));
    // An answer that still says `available` is the cluster before the failover began: the tracker reads what follows.
    const status = out.Cluster?.ClusterStatus ?? null;
    return { afterState: status === 'available' ? null : status };
  },
};

export const DRILL_ACTIONS: readonly ActionSpec[] = [failoverPrimaryCompute];
