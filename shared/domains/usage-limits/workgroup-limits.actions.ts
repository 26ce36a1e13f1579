import type {
  UsageLimitBreachAction,
  UsageLimitPeriod,
  UsageLimitUsageType,
} from '@aws-sdk/client-redshift-serverless';
import type { RedshiftServerlessAdapter } from '../../aws/redshift-serverless.adapter.ts';
import { ResourceStateConflictError } from '../../errors.ts';
import type { ActionResult, ActionSpec, PermissionSpec } from '../../execute/action-spec.ts';
import { BASE_GUARDRAILS } from '../../execute/guardrail-names.ts';
import type { UsageLimitResource } from '../../policy/decision.ts';
import { serverlessOf, WORKGROUP_ARN } from '../windows/window.actions.ts';
import { changeLimitEffect, dropLimitEffect } from './usage-limit-effects.ts';
import { MAX_LIMITS_PER_WORKGROUP } from './usage-limits.schema.ts';

/**
 * The Redshift Serverless usage-limit calls (API reference: CreateUsageLimit takes the workgroup's ARN,
 * a usageType, amount, period and breachAction; UpdateUsageLimit changes amount and breachAction;
 * DeleteUsageLimit takes the id). CreateUsageLimit and DeleteUsageLimit exist in Amazon Redshift too with
 * other parameters, so these are service-qualified actions (`redshift-serverless:CreateUsageLimit`).
 *
 * Serverless usage limits carry no tags (the API has none for them), so they are autopilot's when the
 * ledger says autopilot created them (its create record's createdId): decide() proposes updates and
 * deletes only for those, and each handler re-reads the limit and refuses one that is not on the
 * decision's workgroup. Each is complete when it returns.
 *
 * IAM: the create is conditioned on the opt-in tag of the workgroup it names; an existing limit has no
 * tag to condition on, so update and delete are granted on usage limits, scoped by the handler.
 */
const USAGE_LIMIT_ARN = 'arn:{partition}:redshift-serverless:{region}:{account}:usagelimit/*';

export const SERVERLESS_CREATE = 'redshift-serverless:CreateUsageLimit';
export const SERVERLESS_DELETE = 'redshift-serverless:DeleteUsageLimit';
export const SERVERLESS_UPDATE = 'UpdateUsageLimit';

const CREATE_ON_OPTED_IN: PermissionSpec = {
  sid: 'CreateUsageLimitsOnOptedInWorkgroups',
  actions: ['redshift-serverless:CreateUsageLimit'],
  resource: WORKGROUP_ARN,
  condition: { kind: 'optInTag' },
  note: 'the limit is created for the workgroup the request names (resourceArn), which carries the opt-in tag',
};

const changeOwn = (action: string): PermissionSpec => ({
  sid: 'ChangeServerlessUsageLimits',
  actions: [`redshift-serverless:${action}`],
  resource: USAGE_LIMIT_ARN,
  condition: {
    kind: 'none',
    why: 'Serverless usage limits carry no tags, so no aws:ResourceTag can scope them; decide() changes only limits the ledger says autopilot created, and the handler re-reads the limit and refuses one not on the decision’s workgroup',
  },
});

const READ: PermissionSpec = {
  sid: 'ReadServerlessUsageLimits',
  actions: ['redshift-serverless:ListUsageLimits', 'redshift-serverless:GetWorkgroup'],
  resource: '*',
  condition: { kind: 'none', why: 'read before every change (the workgroup’s ARN, the limit on a fresh read)' },
};

const base = {
  service: 'redshift-serverless' as const,
  resourceType: 'workgroup' as const,
  idParam: 'workgroupName',
  allowedStatuses: ['AVAILABLE'],
  finalState: null,
  failedStates: [],
  observes: 'resource' as const,
  stateKey: null,
  guardrails: [...BASE_GUARDRAILS, 'maxResources'],
};

const refusal = (operation: string, message: string): ResourceStateConflictError =>
  new ResourceStateConflictError(`${operation}: ${message}`, {
    cause: Object.assign(new Error(message), { name: 'UsageLimitNotAutopilots' }),
  });

/** The workgroup's ARN and its limits, on a fresh read. */
async function readWorkgroup(
  serverless: RedshiftServerlessAdapter,
  name: string,
): Promise<{ arn: string; limits: UsageLimitResource[] }> {
  const out = await serverless.client.send(new serverless.commands.GetWorkgroupCommand({ workgroupName: name }));
  const arn = out.workgroup?.workgroupArn ?? '';
  return { arn, limits: await serverless.readUsageLimits({ resourceArn: arn, workgroupName: name }) };
}

/** AWS's rule on a fresh read: at most four limits per workgroup (guide L1964). Null: room. */
export function workgroupRoom(existing: readonly UsageLimitResource[]): string | null {
  return existing.length >= MAX_LIMITS_PER_WORKGROUP
    ? `the workgroup already has ${existing.length} usage limits (${existing.map((l) => l.id).join(', ')}); AWS allows ${MAX_LIMITS_PER_WORKGROUP}`
    : null;
}

export const createWorkgroupLimit: ActionSpec = {
  ...base,
  name: 'CreateUsageLimit',
  qualified: true,
  summary: 'create a declared usage limit on a Serverless workgroup (the ledger records it as autopilot’s)',
  params: {
    workgroupName: { kind: 'target' },
    usageType: { kind: 'policy' },
    amount: { kind: 'policy' },
    period: { kind: 'policy' },
    breachAction: { kind: 'policy' },
    LimitKey: { kind: 'policy' },
    existingLimitIds: {
      kind: 'checked',
      why: 'the ids decide() saw on the workgroup (comma-separated); the handler only uses them to recognise the limit an earlier attempt of this decision made',
    },
  },
  permissions: [CREATE_ON_OPTED_IN, READ],
  effect: { changesState: false, cost: 'none', mark: '⊕' },
  async perform(params, services): Promise<ActionResult> {
    return createWorkgroupLimitOnce(serverlessOf(services, SERVERLESS_CREATE), params);
  },
};

/**
 * The limit an earlier attempt of this create made (its answer lost, or its outcome not written): on the
 * fresh read, a limit with the declared usage type, period, amount and breach action that was not on the
 * workgroup when decide() proposed the create (`existingLimitIds`). Serverless limits carry no tags and
 * CreateUsageLimit takes no client token, so this is the only mark of it; without the ids (an older
 * decision) nothing is recognised and the create goes ahead.
 */
export function madeByEarlierAttempt(
  limits: readonly UsageLimitResource[],
  params: Readonly<Record<string, unknown>>,
): UsageLimitResource | undefined {
  if (typeof params.existingLimitIds !== 'string') return undefined;
  const before = new Set(params.existingLimitIds.split(',').filter((id) => id !== ''));
  return limits.find(
    (l) =>
      !before.has(l.id) &&
      l.feature === params.usageType &&
      l.period === params.period &&
      l.amount === Number(params.amount) &&
      l.breachAction === params.breachAction,
  );
}

/** A repeat of a create whose answer was lost meets the limit it made: answered with it, never a second one. */
async function createWorkgroupLimitOnce(
  serverless: RedshiftServerlessAdapter,
  params: Readonly<Record<string, unknown>>,
): Promise<ActionResult> {
  const name = String(params.workgroupName);
  const { arn, limits } = await readWorkgroup(serverless, name);
  const made = madeByEarlierAttempt(limits, params);
  if (made !== undefined) return { afterState: null, createdId: made.id };
  const full = workgroupRoom(limits);
  if (full !== null) throw refusal(SERVERLESS_CREATE, full);
  const out = await serverless.client.send(
    new serverless.commands.CreateUsageLimitCommand({
      resourceArn: arn,
      usageType: params.usageType as UsageLimitUsageType,
      amount: Number(params.amount),
      period: params.period as UsageLimitPeriod,
      breachAction: params.breachAction as UsageLimitBreachAction,
    }),
  );
  const id = out.usageLimit?.usageLimitId;
  return { afterState: null, ...(id === undefined ? {} : { createdId: id }) };
}

/** The limit on a fresh read, if it is on the decision's workgroup; otherwise why not (null limit: gone). */
async function ownedLimit(
  serverless: RedshiftServerlessAdapter,
  params: Readonly<Record<string, unknown>>,
  operation: string,
): Promise<UsageLimitResource | null> {
  const name = String(params.workgroupName);
  const id = String(params.usageLimitId);
  const { limits } = await readWorkgroup(serverless, name);
  const limit = limits.find((l) => l.id === id);
  if (limit !== undefined) return limit;
  const anywhere = await serverless.readUsageLimit(id);
  if (anywhere === null) return null;
  throw refusal(operation, `usage limit ${id} belongs to workgroup ${anywhere.clusterId}, not ${name}`);
}

export const updateWorkgroupLimit: ActionSpec = {
  ...base,
  name: SERVERLESS_UPDATE,
  summary:
    'put a Serverless usage limit autopilot made back to its declared amount and breach action, or switch it to deactivate for a grade',
  params: {
    workgroupName: { kind: 'target' },
    usageLimitId: {
      kind: 'checked',
      why: 'decide() names only limits the ledger says autopilot created; the handler re-reads it on this workgroup',
    },
    LimitKey: { kind: 'policy' },
    amount: { kind: 'policy' },
    breachAction: { kind: 'policy' },
  },
  permissions: [changeOwn('UpdateUsageLimit'), READ],
  effect: changeLimitEffect({
    resource: 'workgroup',
    id: 'usageLimitId',
    amount: 'amount',
    breachAction: 'breachAction',
  }),
  async perform(params, services) {
    const serverless = serverlessOf(services, SERVERLESS_UPDATE);
    const limit = await ownedLimit(serverless, params, SERVERLESS_UPDATE);
    if (limit === null) throw refusal(SERVERLESS_UPDATE, `usage limit ${String(params.usageLimitId)} no longer exists`);
    await serverless.client.send(
      new serverless.commands.UpdateUsageLimitCommand({
        usageLimitId: limit.id,
        amount: Number(params.amount),
        breachAction: params.breachAction as UsageLimitBreachAction,
      }),
    );
    return { afterState: null };
  },
};

export const deleteWorkgroupLimit: ActionSpec = {
  ...base,
  name: 'DeleteUsageLimit',
  qualified: true,
  summary:
    'delete a Serverless usage limit autopilot made that its policy no longer declares (or whose period changed)',
  params: {
    workgroupName: { kind: 'target' },
    usageLimitId: {
      kind: 'checked',
      why: 'decide() names only limits the ledger says autopilot created; the handler re-reads it on this workgroup',
    },
  },
  permissions: [changeOwn('DeleteUsageLimit'), READ],
  effect: dropLimitEffect({ resource: 'workgroup', id: 'usageLimitId' }),
  async perform(params, services) {
    const serverless = serverlessOf(services, SERVERLESS_DELETE);
    const limit = await ownedLimit(serverless, params, SERVERLESS_DELETE);
    if (limit === null) return { afterState: 'deleted' };
    await serverless.client.send(new serverless.commands.DeleteUsageLimitCommand({ usageLimitId: limit.id }));
    return { afterState: 'deleted' };
  },
};

export const WORKGROUP_LIMIT_ACTIONS: readonly ActionSpec[] = [
  createWorkgroupLimit,
  updateWorkgroupLimit,
  deleteWorkgroupLimit,
];
