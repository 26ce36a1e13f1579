/**
 * Cluster parameter groups: DescribeClusterParameters, ModifyClusterParameterGroup, and what a
 * RebootCluster does with them. A cluster runs with the values its group had when it last rebooted
 * (static parameters: the API reference of ModifyCluster, "modifying a parameter group requires a
 * reboot for parameters to take effect"); until then its `ClusterParameterGroups[].ParameterApplyStatus`
 * says `pending-reboot`. Default groups (`default.redshift-*`) can't be edited (the zero-ETL setup
 * page: "You can't edit the default parameter group").
 *
 * Groups exist when seeded (`seedParameterGroup`), when they are a default, or when a cluster of the
 * fleet names one (describe-clusters output names groups the account has): that one starts with the
 * engine defaults.
 */
import type {
  ClusterParameterGroupStatus,
  DescribeClusterParametersMessage,
  ModifyClusterParameterGroupMessage,
  Parameter,
  RebootClusterMessage,
} from '@aws-sdk/client-redshift';
import { invalidParameterValue } from './aws-errors.ts';
import type { ClusterRecord, ClusterRegistry } from './cluster-registry.ts';
import { paginate } from './pagination.ts';
import type { Handler, ProvisionedContext } from './provisioned-context.ts';
import type { SimulatorEvents } from './simulator-events.ts';
import { ZERO_ETL_MESSAGES as MESSAGES, zeroEtlFault } from './zero-etl-errors.ts';

/** The parameter zero-ETL needs on the target (REDSHIFT-INTEGRATION-EVENT-1001). */
export const CASE_SENSITIVE_PARAMETER = 'enable_case_sensitive_identifier';

/**
 * Engine defaults: the recorded DescribeClusterParameters (test/fixtures/api/test_redshift_parameter)
 * plus enable_case_sensitive_identifier as a real DescribeClusterParameters prints it (boolean, static,
 * `true,false`; default false).
 */
const ENGINE_DEFAULTS: readonly Parameter[] = [
  p('datestyle', 'ISO, MDY', 'string', 'Sets the display format for date and time values.'),
  p(
    'enable_case_sensitive_identifier',
    'false',
    'boolean',
    'Preserve case sensitivity for database identifiers such as table or column names in parser',
    'true,false',
  ),
  p('enable_user_activity_logging', 'false', 'boolean', 'parameter for audit logging purpose', 'true,false'),
  p('extra_float_digits', '0', 'integer', 'Sets the number of digits displayed for floating-point values', '-15-2'),
  p('max_cursor_result_set_size', 'default', 'integer', 'Sets the max cursor result set size'),
  p(
    'query_group',
    'default',
    'string',
    'This parameter applies a user-defined label to a group of queries that are run during the same session..',
  ),
  p('require_ssl', 'false', 'boolean', 'require ssl for all databaseconnections', 'true,false'),
  p('search_path', '$user, public', 'string', 'Sets the schema search order for names that are not schema-qualified.'),
  p(
    'statement_timeout',
    '0',
    'integer',
    'Aborts any statement that takes over the specified number of milliseconds.',
    '0,100-2147483647',
  ),
  p('wlm_json_configuration', '[{"query_concurrency":5}]', 'string', 'wlm json configuration'),
];

function p(name: string, value: string, dataType: string, description: string, allowed?: string): Parameter {
  return {
    ParameterName: name,
    ParameterValue: value,
    Description: description,
    Source: 'engine-default',
    DataType: dataType,
    ...(allowed === undefined ? {} : { AllowedValues: allowed }),
    ApplyType: 'static',
    IsModifiable: true,
  };
}

/**
 * ModifyClusterParameterGroup's answer, and the wording of REDSHIFT-EVENT-1000 ("The parameter group
 * … was updated …"): static changes wait for the reboot.
 */
export const PARAMETER_GROUP_UPDATED =
  'Your parameter group has been updated. If you changed only dynamic parameters, associated clusters are being modified now. If you changed static parameters, all updates, including dynamic parameters, will be applied when you reboot the associated clusters.';

const isDefaultGroup = (name: string) => name.startsWith('default.');

interface GroupRecord {
  name: string;
  parameters: Map<string, Parameter>;
}

export class ParameterGroupsModel {
  private readonly groups = new Map<string, GroupRecord>();
  /** Per cluster: the values it runs with (taken on first sight and at each reboot). */
  private readonly applied = new Map<string, Map<string, string>>();
  readonly handlers: Record<string, Handler>;

  constructor(
    private readonly ctx: ProvisionedContext,
    private readonly clusters: ClusterRegistry,
    reboot: (input: RebootClusterMessage) => object,
    private readonly events?: SimulatorEvents,
  ) {
    this.handlers = {
      DescribeClusterParameters: (i: DescribeClusterParametersMessage) => this.describeClusterParameters(i),
      ModifyClusterParameterGroup: (i: ModifyClusterParameterGroupMessage) => this.modifyClusterParameterGroup(i),
      RebootCluster: (i: RebootClusterMessage) => {
        this.appliedValues(this.clusters.mustGet(i.ClusterIdentifier));
        const out = reboot(i);
        this.applyAfterReboot(this.clusters.mustGet(i.ClusterIdentifier));
        return out;
      },
    };
  }

  /**
   * A custom parameter group with the engine defaults overridden by `values` (Source `user`), and the
   * clusters that run with it (as after a ModifyCluster to the group and a reboot: `in-sync`).
   */
  seedParameterGroup(
    name: string,
    values: Readonly<Record<string, string>> = {},
    clusterIdentifiers: readonly string[] = [],
  ): void {
    const group = this.newGroup(name);
    for (const [key, value] of Object.entries(values)) this.set(group, key, value);
    this.groups.set(name, group);
    for (const id of clusterIdentifiers) {
      const rec = this.clusters.mustGet(id);
      this.clusters.update(rec, {
        ClusterParameterGroups: [{ ParameterGroupName: name, ParameterApplyStatus: 'in-sync' }],
      });
      this.applied.set(id, this.currentValues(group));
    }
  }

  /** The value a cluster runs with (its group's value at its last reboot), or undefined for an unknown parameter. */
  effectiveValue(clusterIdentifier: string, parameter: string): string | undefined {
    const rec = this.clusters.get(clusterIdentifier);
    return rec === undefined ? undefined : this.appliedValues(rec).get(parameter);
  }

  /** The name of the cluster's (first) parameter group. */
  groupOf(rec: ClusterRecord): string {
    return rec.view.ClusterParameterGroups?.[0]?.ParameterGroupName ?? 'default.redshift-2.0';
  }

  private newGroup(name: string): GroupRecord {
    return { name, parameters: new Map(ENGINE_DEFAULTS.map((d) => [d.ParameterName ?? '', { ...d }])) };
  }

  private set(group: GroupRecord, key: string, value: string): void {
    const current = group.parameters.get(key);
    if (current === undefined) throw new Error(`parameter group ${group.name}: no parameter ${key}`);
    group.parameters.set(key, { ...current, ParameterValue: value, Source: 'user' });
  }

  /** The group, when the account has it: seeded, a default, or named by a cluster of the fleet. */
  private group(name: string | undefined): GroupRecord {
    const key = name ?? '';
    let group = this.groups.get(key);
    const named = this.clusters.records().some((r) => this.groupOf(r) === key);
    if (group === undefined && (isDefaultGroup(key) || named)) {
      group = this.newGroup(key);
      this.groups.set(key, group);
    }
    if (group === undefined) {
      throw zeroEtlFault('ClusterParameterGroupNotFoundFault', MESSAGES.parameterGroupNotFound, this.ctx.requestId());
    }
    return group;
  }

  private appliedValues(rec: ClusterRecord): Map<string, string> {
    const id = rec.view.ClusterIdentifier ?? '';
    let values = this.applied.get(id);
    if (values === undefined) {
      values = this.currentValues(this.group(this.groupOf(rec)));
      this.applied.set(id, values);
    }
    return values;
  }

  private currentValues(group: GroupRecord): Map<string, string> {
    return new Map([...group.parameters.values()].map((v) => [v.ParameterName ?? '', v.ParameterValue ?? '']));
  }

  describeClusterParameters(input: DescribeClusterParametersMessage) {
    const group = this.group(input.ParameterGroupName);
    const size = this.ctx.pageSize(input.MaxRecords);
    const start = this.ctx.offset(input.Marker);
    const list = [...group.parameters.values()].filter((v) => input.Source === undefined || v.Source === input.Source);
    const page = paginate(list, start, size);
    return { Parameters: page.items, ...(page.next === undefined ? {} : { Marker: page.next }) };
  }

  modifyClusterParameterGroup(input: ModifyClusterParameterGroupMessage) {
    const group = this.group(input.ParameterGroupName);
    if (isDefaultGroup(group.name)) {
      throw invalidParameterValue(MESSAGES.defaultParameterGroup, this.ctx.requestId());
    }
    const changes = input.Parameters ?? [];
    for (const change of changes) {
      const current = group.parameters.get(change.ParameterName ?? '');
      if (current === undefined || change.ParameterValue === undefined) {
        throw invalidParameterValue(MESSAGES.unknownParameter(change.ParameterName ?? ''), this.ctx.requestId());
      }
      const allowed = current.AllowedValues?.split(',');
      if (current.DataType === 'boolean' && !(allowed ?? []).includes(change.ParameterValue)) {
        throw invalidParameterValue(
          MESSAGES.parameterValue(change.ParameterName ?? '', change.ParameterValue, current.AllowedValues ?? ''),
          this.ctx.requestId(),
        );
      }
    }
    // Clusters of the group keep running with what they had until they reboot.
    for (const rec of this.members(group.name)) this.appliedValues(rec);
    for (const change of changes) this.set(group, change.ParameterName ?? '', change.ParameterValue ?? '');
    for (const rec of this.members(group.name)) this.markApplyStatus(rec, group);
    // REDSHIFT-EVENT-1000 (guide L27657): "The parameter group … was updated at …", to the subscription.
    this.events?.redshift('REDSHIFT-EVENT-1000', 'parameter-groups', group.name, {
      parameter_group_name: group.name,
      time: this.ctx.clock.now(),
    });
    return { ParameterGroupName: group.name, ParameterGroupStatus: PARAMETER_GROUP_UPDATED };
  }

  private members(name: string): ClusterRecord[] {
    return this.clusters.records().filter((r) => this.groupOf(r) === name);
  }

  private markApplyStatus(rec: ClusterRecord, group: GroupRecord): void {
    const applied = this.appliedValues(rec);
    const pending = [...this.currentValues(group)].some(([k, v]) => applied.get(k) !== v);
    const status: ClusterParameterGroupStatus = {
      ParameterGroupName: group.name,
      ParameterApplyStatus: pending ? 'pending-reboot' : 'in-sync',
    };
    const others = (rec.view.ClusterParameterGroups ?? []).slice(1);
    this.clusters.update(rec, { ClusterParameterGroups: [status, ...others] });
  }

  /**
   * The reboot's end is the clusters model's timer; this looks every 5 s of virtual time for the
   * cluster to be available again and then applies its group's values (the cluster timer list, so a
   * delete cancels it).
   */
  private applyAfterReboot(rec: ClusterRecord): void {
    const check = () => {
      if (rec.view.ClusterStatus === 'rebooting') {
        this.clusters.later(rec, 5_000, 'parameters applied?', check);
        return;
      }
      const group = this.group(this.groupOf(rec));
      this.applied.set(rec.view.ClusterIdentifier ?? '', this.currentValues(group));
      this.markApplyStatus(rec, group);
    };
    this.clusters.later(rec, 5_000, 'parameters applied?', check);
  }
}
