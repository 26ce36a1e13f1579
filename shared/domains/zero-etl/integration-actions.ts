import { ResourceStateConflictError } from '../../errors.ts';
import type { ActionSpec } from '../../execute/action-spec.ts';
import { BASE_GUARDRAILS } from '../../execute/guardrail-names.ts';
import { redshiftOf } from '../windows/window.actions.ts';
import { TARGET_PARAMETER } from './integration-events.ts';
import { recreateIntegration } from './recreate.action.ts';
import { createIntegrationAgain } from './recreate-create.action.ts';

/**
 * REDSHIFT-INTEGRATION-EVENT-1001: the target cluster's `enable_case_sensitive_identifier` must be true.
 * The decision names the target cluster and the parameter; the handler reads the cluster's parameter
 * group at call time (the fleet does not carry it) and refuses a `default.*` group, which AWS refuses to
 * modify, as a state conflict the executor reports. The change waits for a reboot (`pending-reboot`):
 * Redshift's scheduled actions cannot reboot and autopilot does not reboot by itself, so the alert states it.
 */
export const PARAMETER_GROUP_ARN = 'arn:{partition}:redshift:{region}:{account}:parametergroup:*';

export function defaultGroupRefusal(group: string | undefined): string | null {
  if (group === undefined) return 'the cluster reports no parameter group';
  return group.startsWith('default.')
    ? `parameter group ${group} is a default group, which AWS does not let anyone modify: create a custom parameter group with ${TARGET_PARAMETER.name}=${TARGET_PARAMETER.value} and attach it (modify-cluster --cluster-parameter-group-name)`
    : null;
}

export const modifyClusterParameterGroup: ActionSpec = {
  name: 'ModifyClusterParameterGroup',
  params: {
    ClusterIdentifier: { kind: 'target' },
    ParameterName: { kind: 'policy' },
    ParameterValue: { kind: 'policy' },
  },
  service: 'redshift',
  summary: `set ${TARGET_PARAMETER.name}=${TARGET_PARAMETER.value} in a zero-ETL target cluster's own parameter group (takes effect at its next reboot)`,
  resourceType: 'cluster',
  idParam: 'ClusterIdentifier',
  // The parameter group changes, not the cluster: a paused target's group can be changed too.
  allowedStatuses: [],
  anyState: true,
  finalState: null,
  failedStates: [],
  observes: 'resource',
  stateKey: null,
  guardrails: [...BASE_GUARDRAILS, 'maxResources'],
  permissions: [
    {
      sid: 'ModifyOnlyOptedInParameterGroups',
      actions: ['redshift:ModifyClusterParameterGroup'],
      resource: PARAMETER_GROUP_ARN,
      condition: { kind: 'optInTag' },
      note: 'Service Authorization Reference (Redshift): ModifyClusterParameterGroup takes parametergroup with aws:ResourceTag/<key>. A group may be shared by several clusters, so it must carry the opt-in tag itself.',
    },
  ],
  effect: { changesState: false, cost: 'none', mark: '⚙' },
  async perform(params, services) {
    const redshift = redshiftOf(services, 'ModifyClusterParameterGroup');
    const cluster = await redshift.describeCluster(String(params.ClusterIdentifier));
    const group = cluster?.ClusterParameterGroups?.[0]?.ParameterGroupName;
    const refusal = cluster === null ? 'the cluster no longer exists' : defaultGroupRefusal(group);
    if (refusal !== null) throw new ResourceStateConflictError(refusal);
    await redshift.client.send(
      new redshift.commands.ModifyClusterParameterGroupCommand({
        ParameterGroupName: group,
        Parameters: [{ ParameterName: String(params.ParameterName), ParameterValue: String(params.ParameterValue) }],
      }),
    );
    return { afterState: cluster?.ClusterStatus ?? null };
  },
};

export const ZERO_ETL_ACTIONS: readonly ActionSpec[] = [
  modifyClusterParameterGroup,
  recreateIntegration,
  createIntegrationAgain,
];
