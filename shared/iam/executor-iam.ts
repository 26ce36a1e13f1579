import type { ActionSpec, PermissionSpec } from '../execute/action-spec.ts';
import type { CompiledPolicy } from '../policy/capability.ts';
import type { CapabilityRegistry } from '../policy/registry.ts';
import type { OptInTag } from '../policy/targeting.ts';

/**
 * The executor's IAM, generated at package time (serverless.yml reads infra/iam/executor-statements.cjs)
 * from the capability registry and the packaged policies: a permission for every action a packaged
 * policy's capability may request, and nothing for capabilities no policy uses. Writes on opted-in
 * resources are conditioned on the opt-in tags those policies actually use, and the explicit Deny
 * protects exactly those tag keys — so `defaults.optInTag: "ops:autopilot=enabled"` gets conditions on
 * `aws:ResourceTag/ops:autopilot`, not on a tag the account does not use.
 */
export type Statement = Record<string, unknown> & { Sid: string; Effect: 'Allow' | 'Deny' };

export interface ExecutorIamInput {
  registry: CapabilityRegistry;
  policies: readonly Pick<CompiledPolicy, 'optInTag' | 'capability'>[];
}

/** Opt-in tags of the packaged policies, sorted, without duplicates. */
export function optInTagsOf(policies: ExecutorIamInput['policies']): OptInTag[] {
  const seen = new Map<string, OptInTag>();
  for (const { optInTag } of policies) seen.set(`${optInTag.key}=${optInTag.value}`, optInTag);
  return [...seen.values()].sort((a, b) => `${a.key}=${a.value}`.localeCompare(`${b.key}=${b.value}`));
}

/** The actions the packaged policies may request: those of every capability a policy uses. */
export function actionsUsed({ registry, policies }: ExecutorIamInput): ActionSpec[] {
  const keys = new Set(policies.map((p) => p.capability.key));
  const used = registry.capabilities.filter((c) => c.keys.some((k) => keys.has(k)));
  const specs = new Set(used.flatMap((c) => c.actions ?? []));
  return registry
    .actions()
    .map((a) => a.spec)
    .filter((spec) => specs.has(spec));
}

/** CloudFormation pseudo parameters for the ARN placeholders of the declarations (`{partition}` …). */
const PSEUDO = { partition: 'AWS::Partition', region: 'AWS::Region', account: 'AWS::AccountId' } as const;

const sub = (arn: string) =>
  arn === '*'
    ? '*'
    : { 'Fn::Sub': arn.replace(/\{(partition|region|account)\}/g, (_m, k: keyof typeof PSEUDO) => `\${${PSEUDO[k]}}`) };

function resourceOf(permission: PermissionSpec): unknown {
  return typeof permission.resource === 'string' ? sub(permission.resource) : permission.resource.map(sub);
}

function conditionOf(permission: PermissionSpec): Record<string, unknown> | null {
  const c = permission.condition;
  switch (c.kind) {
    case 'requestTag':
      return {
        StringEquals: Object.fromEntries(Object.entries(c.tags).map(([k, v]) => [`aws:RequestTag/${k}`, v])),
        'ForAllValues:StringEquals': { 'aws:TagKeys': [...c.tagKeys] },
      };
    case 'resourceTag':
      return { StringEquals: Object.fromEntries(Object.entries(c.tags).map(([k, v]) => [`aws:ResourceTag/${k}`, v])) };
    case 'none':
    case 'optInTag':
      return null;
  }
}

interface Group {
  permission: PermissionSpec;
  actions: string[];
}

/** Permissions with one Sid merge into one statement; they must agree on resource and condition. */
function groupBySid(specs: readonly ActionSpec[]): Group[] {
  const groups = new Map<string, Group>();
  for (const spec of specs) {
    for (const permission of spec.permissions) {
      const group = groups.get(permission.sid);
      if (group === undefined) {
        groups.set(permission.sid, { permission, actions: [...permission.actions] });
        continue;
      }
      const same =
        JSON.stringify(group.permission.resource) === JSON.stringify(permission.resource) &&
        JSON.stringify(group.permission.condition) === JSON.stringify(permission.condition);
      if (!same)
        throw new Error(`IAM statement ${permission.sid}: ${spec.name} declares another resource or condition`);
      for (const action of permission.actions) if (!group.actions.includes(action)) group.actions.push(action);
    }
  }
  return [...groups.values()];
}

/** One statement per opt-in tag key (tags with the same key and several values share it). */
function optInStatements(group: Group, tags: readonly OptInTag[]): Statement[] {
  const byKey = new Map<string, string[]>();
  for (const { key, value } of tags) byKey.set(key, [...(byKey.get(key) ?? []), value]);
  return [...byKey.entries()].map(([key, values], i) => ({
    Sid: i === 0 ? group.permission.sid : `${group.permission.sid}${i + 1}`,
    Effect: 'Allow',
    Action: group.actions,
    Resource: resourceOf(group.permission),
    Condition: { StringEquals: { [`aws:ResourceTag/${key}`]: values.length === 1 ? values[0] : values } },
  }));
}

/** The action statements plus the Deny that keeps the automation from opting anything in or out. */
export function executorActionStatements(input: ExecutorIamInput, defaultTag: OptInTag): Statement[] {
  const tags = optInTagsOf(input.policies);
  const optIn = tags.length > 0 ? tags : [defaultTag];
  const statements: Statement[] = [];
  for (const group of groupBySid(actionsUsed(input))) {
    if (group.permission.condition.kind === 'optInTag') {
      statements.push(...optInStatements(group, optIn));
      continue;
    }
    const condition = conditionOf(group.permission);
    statements.push({
      Sid: group.permission.sid,
      Effect: 'Allow',
      Action: group.actions,
      Resource: resourceOf(group.permission),
      ...(condition === null ? {} : { Condition: condition }),
    });
  }
  statements.push({
    Sid: 'NeverTouchTheOptInTag',
    // An explicit Deny wins over every Allow, also over one added later. CreateTags/DeleteTags and
    // TagResource/UntagResource support aws:TagKeys.
    Effect: 'Deny',
    Action: [
      'redshift:CreateTags',
      'redshift:DeleteTags',
      'redshift-serverless:TagResource',
      'redshift-serverless:UntagResource',
    ],
    Resource: '*',
    Condition: { 'ForAnyValue:StringEquals': { 'aws:TagKeys': [...new Set(optIn.map((t) => t.key))].sort() } },
  });
  return statements;
}

const LEDGER_ARN = { 'Fn::GetAtt': ['LedgerTable', 'Arn'] };

/**
 * What the executor needs whatever the policies: one re-read per decision (DescribeInboundIntegrations —
 * is this cluster a zero-ETL target? — has no resource type in the Service Authorization Reference, so
 * "*"), the ledger, and reporting. SQS consumption is added by serverless-iam-roles-per-function.
 */
export const EXECUTOR_BASE_STATEMENTS: readonly Statement[] = [
  {
    Sid: 'ReRead',
    Effect: 'Allow',
    Action: ['redshift:DescribeClusters', 'redshift:DescribeInboundIntegrations'],
    Resource: '*',
  },
  {
    Sid: 'ReReadWorkgroups',
    Effect: 'Allow',
    Action: ['redshift-serverless:GetWorkgroup', 'redshift-serverless:ListTagsForResource'],
    Resource: sub('arn:{partition}:redshift-serverless:{region}:{account}:workgroup/*'),
  },
  {
    Sid: 'Ledger',
    Effect: 'Allow',
    Action: ['dynamodb:PutItem', 'dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'],
    Resource: LEDGER_ARN,
  },
  { Sid: 'Report', Effect: 'Allow', Action: ['sns:Publish'], Resource: { Ref: 'AlertTopic' } },
  {
    // A message the executor will never act on (malformed, refused: issue 22) goes to the DLQ at once, with its reason.
    Sid: 'DeadLetterRefused',
    Effect: 'Allow',
    Action: ['sqs:SendMessage'],
    Resource: { 'Fn::GetAtt': ['DecisionDlq', 'Arn'] },
  },
  {
    // A run digest that came before its decisions' outcomes is shown again in 30 s, not after the
    // queue's 360 s visibility timeout (shared/execute/digest.ts).
    Sid: 'DigestComesBackSooner',
    Effect: 'Allow',
    Action: ['sqs:ChangeMessageVisibility'],
    Resource: { 'Fn::GetAtt': ['DecisionQueue', 'Arn'] },
  },
  {
    Sid: 'ReportEvents',
    Effect: 'Allow',
    Action: ['events:PutEvents'],
    Resource: sub('arn:{partition}:events:{region}:{account}:event-bus/default'),
  },
];

/** The executor role's whole statement list. */
export function executorStatements(input: ExecutorIamInput, defaultTag: OptInTag): Statement[] {
  return [...EXECUTOR_BASE_STATEMENTS, ...executorActionStatements(input, defaultTag)];
}
