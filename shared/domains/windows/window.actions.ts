import type { PauseClusterCommandInput, ResumeClusterCommandInput } from '@aws-sdk/client-redshift';
import type { UpdateWorkgroupCommandInput } from '@aws-sdk/client-redshift-serverless';
import { ConfigurationError } from '../../errors.ts';
import type { ActionServices, ActionSpec, PermissionSpec } from '../../execute/action-spec.ts';
import { CLUSTER_BROKEN } from '../../execute/cluster-states.ts';
import { BASE_GUARDRAILS } from '../../execute/guardrail-names.ts';
import type { ObservedResource } from '../../execute/ports.ts';
import type { FleetResource } from '../../policy/decision.ts';

/** ARN patterns the IAM generator fills in (`{partition}`, `{region}`, `{account}`). */
export const CLUSTER_ARN = 'arn:{partition}:redshift:{region}:{account}:cluster:*';
export const WORKGROUP_ARN = 'arn:{partition}:redshift-serverless:{region}:{account}:workgroup/*';

/**
 * Service Authorization Reference (Amazon Redshift): PauseCluster, ResumeCluster, ResizeCluster,
 * EnableSnapshotCopy and ModifySnapshotCopyRetentionPeriod take the cluster* resource with
 * aws:ResourceTag/<key>: the grant holds only on clusters carrying a packaged policy's opt-in tag.
 */
export const CHANGE_OPTED_IN_CLUSTERS = (action: string): PermissionSpec => ({
  sid: 'ChangeOnlyOptedInClusters',
  actions: [`redshift:${action}`],
  resource: CLUSTER_ARN,
  condition: { kind: 'optInTag' },
});

export function redshiftOf(services: ActionServices, action: string) {
  if (services.redshift === undefined) throw new ConfigurationError(`no Redshift adapter to perform ${action}`);
  return services.redshift;
}

export function serverlessOf(services: ActionServices, action: string) {
  if (services.serverless === undefined)
    throw new ConfigurationError(`no Redshift Serverless adapter to perform ${action}`);
  return services.serverless;
}

/**
 * Pause only an available cluster (guide L3628–3659); the pause completes with REDSHIFT-EVENT-3619.
 * Deadlines: a pause takes minutes (3618 → 3619): 30 min means stuck or undone. A resume of a large
 * cluster is the slower one in practice but has no event, hence the tighter 20-min watch below.
 */
export const pauseCluster: ActionSpec = {
  name: 'PauseCluster',
  params: { ClusterIdentifier: { kind: 'target' } },
  service: 'redshift',
  summary: 'pause a provisioned cluster (compute billing stops, storage stays)',
  resourceType: 'cluster',
  idParam: 'ClusterIdentifier',
  allowedStatuses: ['available'],
  finalState: 'paused',
  failedStates: CLUSTER_BROKEN,
  observes: 'resource',
  stateKey: 'running',
  // A retry after a lost answer: AWS took the pause if the cluster is pausing or paused.
  alreadyDone: (r) => (r.status === 'paused' ? { done: true } : r.status === 'pausing' ? { done: false } : null),
  guardrails: [
    ...BASE_GUARDRAILS,
    'notMultiAz',
    'automatedSnapshotsOn',
    'notZeroEtlTarget',
    'notSuperseded',
    'maxResources',
  ],
  permissions: [CHANGE_OPTED_IN_CLUSTERS('PauseCluster')],
  tracking: {
    deadlineMs: 30 * 60_000,
    closedBy: ['REDSHIFT-EVENT-3619', 'sweep: status paused'],
    failedBy: ['REDSHIFT-EVENT-3618'],
  },
  effect: {
    running: false,
    apply: (r) => (r.type === 'cluster' ? { ...r, status: 'paused' } : r),
    changesState: true,
    cost: 'down',
    mark: '⏸',
  },
  async perform(params, services) {
    const redshift = redshiftOf(services, 'PauseCluster');
    const out = await redshift.client.send(
      new redshift.commands.PauseClusterCommand(params as unknown as PauseClusterCommandInput),
    );
    return { afterState: out.Cluster?.ClusterStatus ?? null };
  },
};

/** A paused cluster reports `Paused` availability (recorded test_redshift_resume/DescribeClusters_1). AWS sends no event for a finished resume: the sweep confirms it. */
export const resumeCluster: ActionSpec = {
  name: 'ResumeCluster',
  params: { ClusterIdentifier: { kind: 'target' } },
  service: 'redshift',
  summary: 'resume a paused provisioned cluster',
  resourceType: 'cluster',
  idParam: 'ClusterIdentifier',
  allowedStatuses: ['paused'],
  allowedAvailability: [null, 'Paused'],
  finalState: 'available',
  failedStates: CLUSTER_BROKEN,
  observes: 'resource',
  stateKey: 'running',
  alreadyDone: (r) => (r.status === 'available' ? { done: true } : r.status === 'resuming' ? { done: false } : null),
  guardrails: [...BASE_GUARDRAILS, 'notMultiAz', 'notSuperseded', 'maxResources'],
  permissions: [CHANGE_OPTED_IN_CLUSTERS('ResumeCluster')],
  tracking: { deadlineMs: 20 * 60_000, closedBy: ['sweep: status available'] },
  effect: {
    running: true,
    apply: (r) => (r.type === 'cluster' ? { ...r, status: 'available' } : r),
    changesState: true,
    cost: 'up',
    mark: '▶',
  },
  async perform(params, services) {
    const redshift = redshiftOf(services, 'ResumeCluster');
    const out = await redshift.client.send(
      new redshift.commands.ResumeClusterCommand(params as unknown as ResumeClusterCommandInput),
    );
    return { afterState: out.Cluster?.ClusterStatus ?? null };
  },
};

/**
 * The workgroup already has the capacity the call sets (each call sets one attribute): an earlier
 * attempt reached AWS. Done once AVAILABLE again, under way while MODIFYING.
 */
function capacityReached(
  resource: ObservedResource,
  params: Readonly<Record<string, unknown>>,
): { done: boolean } | null {
  if (resource.type !== 'workgroup') return null;
  const base = params.baseCapacity;
  const max = params.maxCapacity;
  const reached =
    (base === undefined || resource.baseCapacity === base) &&
    (max === undefined || resource.maxCapacity === max || (max === -1 && resource.maxCapacity === null));
  if (!reached || (base === undefined && max === undefined)) return null;
  return { done: resource.status === 'AVAILABLE' };
}

/** What plan assumes a workgroup's capacities are after UpdateWorkgroup. */
function applyCapacity(resource: FleetResource, params: Readonly<Record<string, unknown>>): FleetResource {
  if (resource.type !== 'workgroup') return resource;
  const base = params.baseCapacity;
  const max = params.maxCapacity;
  return {
    ...resource,
    baseCapacity: typeof base === 'number' ? base : resource.baseCapacity,
    maxCapacity: typeof max === 'number' ? max : resource.maxCapacity,
  };
}

/**
 * Serverless cannot pause: a window switches base and max capacity at its boundaries, one attribute
 * per call ("You can't update multiple parameters in one request", UpdateWorkgroup API reference).
 * stateKey `capacity` covers both: the window decides the second call of a boundary only once the
 * first is done, so the two are due at increasing times and newest-wins keeps them in order, while a
 * late call of an older boundary is refused (the newer boundary sets both again).
 */
export const updateWorkgroup: ActionSpec = {
  name: 'UpdateWorkgroup',
  // One attribute per call, each a capacity the policy's window sets (never publiclyAccessible, a port, …).
  params: {
    workgroupName: { kind: 'target' },
    baseCapacity: { kind: 'policy' },
    maxCapacity: { kind: 'policy' },
    // Not sent to AWS: the max capacity a usage grade's cap replaced, which the ledger keeps so the period's boundary restores it.
    replacesMaxCapacity: { kind: 'checked', why: 'not sent to AWS; recorded for the restore at the period boundary' },
  },
  service: 'redshift-serverless',
  summary: "set a Serverless workgroup's base or max capacity (RPU) for the window, one attribute per call",
  resourceType: 'workgroup',
  idParam: 'workgroupName',
  allowedStatuses: ['AVAILABLE'],
  finalState: 'AVAILABLE',
  failedStates: [],
  observes: 'resource',
  stateKey: 'capacity',
  alreadyDone: capacityReached,
  guardrails: [...BASE_GUARDRAILS, 'notSuperseded', 'maxResources'],
  permissions: [
    {
      sid: 'ChangeOnlyOptedInWorkgroups',
      actions: ['redshift-serverless:UpdateWorkgroup'],
      resource: WORKGROUP_ARN,
      condition: { kind: 'optInTag' },
      note: 'Service Authorization Reference (Redshift Serverless): UpdateWorkgroup takes workgroup* with aws:ResourceTag/<key>.',
    },
  ],
  tracking: { closedBy: ['sweep: status AVAILABLE'] },
  effect: { apply: applyCapacity, changesState: true, cost: 'none', mark: '⇅' },
  async perform(params, services) {
    const { replacesMaxCapacity: _recordedOnly, ...input } = params;
    const set = Object.keys(input).filter((k) => k !== 'workgroupName' && input[k] !== undefined);
    if (set.length !== 1) {
      throw new ConfigurationError(
        `UpdateWorkgroup changes one attribute per call (AWS refuses more); got ${set.join(', ') || 'none'}`,
      );
    }
    const serverless = serverlessOf(services, 'UpdateWorkgroup');
    const out = await serverless.client.send(
      new serverless.commands.UpdateWorkgroupCommand(input as unknown as UpdateWorkgroupCommandInput),
    );
    return { afterState: out.workgroup?.status ?? null };
  },
};

export const WINDOW_ACTIONS: readonly ActionSpec[] = [pauseCluster, resumeCluster, updateWorkgroup];
