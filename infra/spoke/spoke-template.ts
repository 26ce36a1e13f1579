import { readFileSync } from 'node:fs';
import path from 'node:path';
import { EXECUTOR_BASE_STATEMENTS, executorActionStatements, type Statement } from '../../shared/iam/executor-iam.ts';
import type { CompiledPolicy } from '../../shared/policy/capability.ts';
import type { CapabilityRegistry } from '../../shared/policy/registry.ts';
import type { OptInTag } from '../../shared/policy/targeting.ts';

/**
 * The spoke stack (issue 18): what one member account holds so the hub can serve it, deployable by
 * CloudFormation StackSets to every (account, Region) of an organization. Per Region: the Redshift event
 * subscriptions and their SNS topic (the hub's ingest function subscribes across accounts), and the
 * EventBridge rules forwarding zero-ETL, Serverless, alarm and CloudTrail events to the hub's bus. Once per
 * account (the Region named by `RolesRegion`; IAM is global): the read role the sweep assumes and the
 * execution role the executor assumes — each trusting only the hub's own roles, with the external id —
 * the execution role carrying exactly the tag-conditioned statements the registry generates for the hub
 * (shared/iam/executor-iam.ts), for every Region.
 */
export interface SpokeOptions {
  registry: CapabilityRegistry;
  policies: readonly Pick<CompiledPolicy, 'optInTag' | 'capability'>[];
  defaultTag: OptInTag;
  /** The project root (infra/event-patterns.json is read from it). */
  root: string;
}

const DOLLAR = '$';
/** `Fn::Sub` with `{AWS::Region}`-style placeholders (written without a dollar, which lint reads as a template slip). */
const cfnSub = (text: string) => ({ 'Fn::Sub': text.replace(/\{([\w:]+)\}/g, (_m, k: string) => `${DOLLAR}{${k}}`) });
const REGION_SUB = `${DOLLAR}{AWS::Region}`;

/** A statement's `Fn::Sub` ARNs for any Region: the spoke's roles are global and act in every Region of the account. */
function anyRegion(statement: Statement): Statement {
  return JSON.parse(JSON.stringify(statement).replaceAll(REGION_SUB, '*')) as Statement;
}

/** The hub's EventBridge patterns (infra/event-patterns.json), each for this spoke's own account. */
function forwardedPatterns(root: string): Record<string, unknown> {
  const raw = JSON.parse(readFileSync(path.join(root, 'infra/event-patterns.json'), 'utf8')) as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [name, pattern] of Object.entries(raw)) {
    if (name === 'servedAccounts' || pattern === null || typeof pattern !== 'object') continue;
    out[name] = { ...(pattern as Record<string, unknown>), account: [{ Ref: 'AWS::AccountId' }] };
  }
  return out;
}

const trust = (principals: unknown) => ({
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'HubOnlyWithExternalId',
      Effect: 'Allow',
      Principal: { AWS: principals },
      Action: 'sts:AssumeRole',
      Condition: { StringEquals: { 'sts:ExternalId': { Ref: 'ExternalId' } } },
    },
  ],
});

/** The sweep's reads, as the hub's reconcile role has them (serverless.yml ReadFleetListing/Scoped, snapshots, usage). */
const READ_STATEMENTS: Statement[] = [
  {
    Sid: 'ReadFleetListing',
    Effect: 'Allow',
    Action: [
      'redshift:DescribeClusters',
      'redshift:DescribeInboundIntegrations',
      'redshift:DescribeUsageLimits',
      'redshift:DescribeClusterSnapshots',
      'redshift-serverless:ListWorkgroups',
      'redshift-serverless:ListTagsForResource',
      'cloudwatch:GetMetricData',
    ],
    Resource: '*',
  },
  {
    Sid: 'ReadFleetScoped',
    Effect: 'Allow',
    Action: [
      'redshift:DescribeIntegrations',
      'redshift-serverless:GetWorkgroup',
      'redshift-serverless:ListSnapshots',
      'redshift-serverless:GetSnapshot',
    ],
    Resource: [
      cfnSub('arn:{AWS::Partition}:redshift:*:{AWS::AccountId}:integration:*'),
      cfnSub('arn:{AWS::Partition}:redshift-serverless:*:{AWS::AccountId}:workgroup/*'),
      cfnSub('arn:{AWS::Partition}:redshift-serverless:*:{AWS::AccountId}:snapshot/*'),
    ],
  },
];

/** The executor's re-reads (its base statements that concern the resources, not the hub's ledger or topic). */
function reReadStatements(): Statement[] {
  return EXECUTOR_BASE_STATEMENTS.filter((s) => String(s.Sid).startsWith('ReRead')).map(anyRegion);
}

function parameters() {
  return {
    HubAccountId: { Type: 'String', AllowedPattern: '^\\d{12}$', Description: 'The hub (the autopilot stack) account' },
    HubReadRoleArns: {
      Type: 'CommaDelimitedList',
      Description: "The hub's deciding roles (reconcile, ingest): the only principals that may assume the read role",
    },
    HubExecutorRoleArn: {
      Type: 'String',
      AllowedPattern: '^arn:aws[a-z-]*:iam::\\d{12}:role/.+$',
      Description: "The hub's executor role: the only principal that may assume the execution role",
    },
    HubEventBusArn: { Type: 'String', Description: "The hub's event bus that receives the forwarded events" },
    ExternalId: { Type: 'String', NoEcho: true, MinLength: 2, MaxLength: 1224, AllowedPattern: '^[\\w+=,.@:/-]+$' },
    RolesRegion: {
      Type: 'String',
      Description: 'The one Region of each account whose stack instance creates the IAM roles',
    },
    ReadRoleName: { Type: 'String', Default: 'autopilot-spoke-read' },
    ExecutionRoleName: { Type: 'String', Default: 'autopilot-spoke-execute' },
  };
}

function eventResources(root: string): Record<string, unknown> {
  const out: Record<string, unknown> = {
    SpokeEventTopic: { Type: 'AWS::SNS::Topic', Properties: { TopicName: 'autopilot-spoke-events' } },
    SpokeEventTopicPolicy: {
      Type: 'AWS::SNS::TopicPolicy',
      Properties: {
        Topics: [{ Ref: 'SpokeEventTopic' }],
        PolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'RedshiftEventNotifications',
              Effect: 'Allow',
              Principal: { Service: 'redshift.amazonaws.com' },
              Action: 'sns:Publish',
              Resource: { Ref: 'SpokeEventTopic' },
              Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
            },
            {
              Sid: 'HubIngestSubscribes',
              Effect: 'Allow',
              Principal: { AWS: cfnSub('arn:{AWS::Partition}:iam::{HubAccountId}:root') },
              Action: 'sns:Subscribe',
              Resource: { Ref: 'SpokeEventTopic' },
              Condition: { StringEquals: { 'sns:Protocol': 'lambda' } },
            },
          ],
        },
      },
    },
    ForwardRole: {
      Type: 'AWS::IAM::Role',
      Properties: {
        AssumeRolePolicyDocument: {
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: 'sts:AssumeRole' }],
        },
        Policies: [
          {
            PolicyName: 'ForwardToHub',
            PolicyDocument: {
              Version: '2012-10-17',
              Statement: [{ Effect: 'Allow', Action: 'events:PutEvents', Resource: { Ref: 'HubEventBusArn' } }],
            },
          },
        ],
      },
    },
  };
  for (const source of ['cluster', 'cluster-snapshot'] as const) {
    const name = source === 'cluster' ? 'SpokeSubscriptionCluster' : 'SpokeSubscriptionSnapshot';
    out[name] = {
      Type: 'AWS::Redshift::EventSubscription',
      DependsOn: 'SpokeEventTopicPolicy',
      Properties: {
        SubscriptionName: `autopilot-spoke-${source}`,
        SnsTopicArn: { Ref: 'SpokeEventTopic' },
        SourceType: source,
        Enabled: true,
      },
    };
  }
  for (const [name, pattern] of Object.entries(forwardedPatterns(root))) {
    out[`Forward${name[0]?.toUpperCase()}${name.slice(1)}`] = {
      Type: 'AWS::Events::Rule',
      Properties: {
        Description: `autopilot spoke: ${name} events to the hub's bus`,
        EventPattern: pattern,
        State: 'ENABLED',
        Targets: [{ Id: 'hub', Arn: { Ref: 'HubEventBusArn' }, RoleArn: { 'Fn::GetAtt': ['ForwardRole', 'Arn'] } }],
      },
    };
  }
  return out;
}

function roleResources(options: SpokeOptions): Record<string, unknown> {
  const actions = executorActionStatements(options, options.defaultTag).map(anyRegion);
  return {
    SpokeReadRole: {
      Type: 'AWS::IAM::Role',
      Condition: 'CreateRoles',
      Properties: {
        RoleName: { Ref: 'ReadRoleName' },
        MaxSessionDuration: 3600,
        AssumeRolePolicyDocument: trust({ Ref: 'HubReadRoleArns' }),
        Policies: [{ PolicyName: 'SweepReads', PolicyDocument: { Version: '2012-10-17', Statement: READ_STATEMENTS } }],
      },
    },
    SpokeExecutionRole: {
      Type: 'AWS::IAM::Role',
      Condition: 'CreateRoles',
      Properties: {
        RoleName: { Ref: 'ExecutionRoleName' },
        MaxSessionDuration: 3600,
        AssumeRolePolicyDocument: trust([{ Ref: 'HubExecutorRoleArn' }]),
        Policies: [
          {
            PolicyName: 'ExecutorActions',
            PolicyDocument: { Version: '2012-10-17', Statement: [...reReadStatements(), ...actions] },
          },
        ],
      },
    },
  };
}

export function spokeTemplate(options: SpokeOptions): Record<string, unknown> {
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Description:
      'redshift-autopilot spoke: event forwarding to the hub, and the read and execution roles the hub assumes (generated by npm run spoke:template; do not edit)',
    Parameters: parameters(),
    Conditions: { CreateRoles: { 'Fn::Equals': [{ Ref: 'AWS::Region' }, { Ref: 'RolesRegion' }] } },
    Resources: { ...eventResources(options.root), ...roleResources(options) },
    Outputs: {
      EventTopicArn: { Description: "Subscribe the hub's ingest function to it", Value: { Ref: 'SpokeEventTopic' } },
      ReadRoleArn: { Condition: 'CreateRoles', Value: { 'Fn::GetAtt': ['SpokeReadRole', 'Arn'] } },
      ExecutionRoleArn: { Condition: 'CreateRoles', Value: { 'Fn::GetAtt': ['SpokeExecutionRole', 'Arn'] } },
    },
  };
}
