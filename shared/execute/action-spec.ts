import type { RedshiftAdapter } from '../aws/redshift.adapter.ts';
import type { RedshiftServerlessAdapter } from '../aws/redshift-serverless.adapter.ts';
import type { FleetResource } from '../policy/decision.ts';
import type { GuardrailName } from './guardrail-names.ts';
import type { IntegrationPort } from './integration-port.ts';
import type { OperationSpec } from './operations.ts';
import type { ActionResult, ObservedResource } from './ports.ts';

/**
 * What a capability declares for every AWS action it may request (DESIGN §8). The executor, the
 * adapters, the sweep's deadlines, plan, simulate, the report and the generated IAM all read these
 * declarations; none of them names an action.
 */
export interface ActionSpec extends OperationSpec {
  /** The AWS operation name, as decisions and the ledger carry it (`PauseCluster`). */
  name: string;
  /** The IAM service prefix the operation belongs to. */
  service: 'redshift' | 'redshift-serverless';
  /**
   * The operation's name exists in both services with different parameters (`CreateUsageLimit`):
   * decisions, the ledger and the registry then name the action `<service>:<name>` (actionKey).
   */
  qualified?: true;
  /** One line for `autopilot explain-actions`. */
  summary: string;
  /**
   * Guardrails that apply, by name from the one table (the built-ins of shared/execute/guardrails.ts and
   * those capabilities register); they run in table order. A meta test checks that every name exists.
   */
  guardrails: readonly (GuardrailName | string)[];
  /**
   * Every parameter a decision may carry for this action, and how the executor checks its value before
   * anything is called (issue 22): a key not listed here, or a value its rule refuses, refuses the decision.
   */
  params: Readonly<Record<string, ParamRule>>;
  /** Every IAM permission the call needs, with its condition; the executor role is generated from these. */
  permissions: readonly PermissionSpec[];
  /** Performs the call through the SDK adapters. Params arrive exactly as the decision carries them. */
  perform(params: Record<string, unknown>, services: ActionServices): Promise<ActionResult>;
  /**
   * The resource already shows what this call asks for (a pause: `pausing` or `paused`). Asked only when
   * an earlier attempt of the same decision may have reached AWS (its answer lost, its outcome write
   * failed), so that the retry records what happened — done, or accepted and under way — instead of
   * acting again or calling its own result a state conflict. Null: not reached.
   */
  alreadyDone?(resource: ObservedResource, params: Readonly<Record<string, unknown>>): { done: boolean } | null;
  /**
   * Whether the resource, observed in `finalState`, shows what the call asked for (a resize: the node count
   * and type asked). True: done. A string: the resource reached `finalState` without what was asked (a
   * rolled-back resize is `available` at its old size), so the record fails with that string as the reason.
   * Absent: reaching `finalState` is enough. The sweep asks it (shared/execute/advance.ts).
   */
  reached?(resource: FleetResource, params: Readonly<Record<string, unknown>>): true | string;
  /** How the ledger tracks an accepted call that has not reached `finalState` yet. */
  tracking?: ActionTracking;
  /** What the action does to a resource for plan, simulate and the report. */
  effect?: ActionEffect;
}

/** The name decisions, the ledger and the action registry use: `name`, or `<service>:<name>` when qualified. */
export function actionKey(spec: Pick<ActionSpec, 'name' | 'service' | 'qualified'>): string {
  return spec.qualified === true ? `${spec.service}:${spec.name}` : spec.name;
}

/**
 * How the executor checks one parameter of a decision against the deployed policy that is said to have
 * decided it:
 * - `target`: the decision's target id (the identifier parameter);
 * - `policy`: a value that policy would set — its compiled capability's `permitsParam` answers;
 * - `checked`: vouched for elsewhere before the call (`why` names where: a guardrail against the re-read
 *   resource, the adapter's own re-read), so any value of the right kind passes here.
 */
export type ParamRule = { kind: 'target' } | { kind: 'policy' } | { kind: 'checked'; why: string };

/** The SDK adapters an action's handler may use; only the one of the action's service is set. */
export interface ActionServices {
  redshift?: RedshiftAdapter;
  serverless?: RedshiftServerlessAdapter;
  /** Zero-ETL integrations (shared/execute/integration-port.ts), for `integration` actions. */
  integration?: IntegrationPort;
}

export interface ActionTracking {
  /** How long the change may take before the sweep alerts, once per record. */
  deadlineMs?: number;
  /** What completes it: events (by catalog id) and/or the sweep reading the resource's state. */
  closedBy: readonly string[];
  /** Events that say it failed. */
  failedBy?: readonly string[];
}

export interface ActionEffect {
  /** The cluster is running (true) or paused (false) once the action is done; absent: unchanged. */
  running?: boolean;
  /** The resource as plan assumes it once the action is done (plan walks the fleet forward without AWS). */
  apply?(resource: FleetResource, params: Readonly<Record<string, unknown>>): FleetResource;
  /** Changes what the resource is (state, size, capacity): the simulation counts it as a state change. */
  changesState: boolean;
  /** Which way the bill moves. */
  cost: 'down' | 'up' | 'none';
  /** How the timeline and the report draw it. */
  mark: string;
}

/**
 * One IAM permission. `resource` is an ARN pattern with `{partition}`, `{region}` and `{account}`
 * placeholders (or `*`). The condition says how the grant is scoped:
 * - `optInTag`: `aws:ResourceTag/<key>` equals the opt-in value of every packaged policy;
 * - `requestTag`: the request must carry these tags and only these tag keys (resources made by the call);
 * - `resourceTag`: the resource already carries these tags (things autopilot made);
 * - `none`: the Service Authorization Reference offers no resource type or tag key; `why` says so.
 */
export interface PermissionSpec {
  actions: readonly string[];
  resource: string | readonly string[];
  condition:
    | { kind: 'optInTag' }
    | { kind: 'requestTag'; tags: Readonly<Record<string, string>>; tagKeys: readonly string[] }
    | { kind: 'resourceTag'; tags: Readonly<Record<string, string>> }
    | { kind: 'none'; why: string };
  /** Statement id in the generated role. */
  sid: string;
  /** Why this permission: kept in the generated statement's neighbourhood (explain-actions prints it). */
  note?: string;
}

export type { ActionResult } from './ports.ts';
