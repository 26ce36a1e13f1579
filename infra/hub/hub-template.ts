import type { HubTargets, TargetLocation } from '../../shared/aws/targets.ts';

/**
 * The hub's side of hub and spoke (issue 18), generated from the targets file the hub packages
 * (serverless.yml `--param targets=targets.json`; infra/hub/hub-targets.cjs): the resources a hub adds to
 * this stack, nothing when no targets file is given (a single-account deployment is unchanged).
 *
 * - `HubAssumeSpokeReadRoles`: the deciding functions' roles (ingest ×2, reconcile) may `sts:AssumeRole`
 *   exactly the read roles the targets file names (per target `readRoleArn`, else the `readRoleName`
 *   convention in each account) — not `arn:aws:iam::*:role/*`.
 * - `HubAssumeSpokeExecutionRoles`: the executor's role, exactly the spokes' execution roles.
 * - `HubSpokesPutEvents`: the hub's default bus accepts `events:PutEvents` from the target accounts (their
 *   forwarding rules' role); the hub's own rules match those accounts too (`servedAccounts`).
 * - `HubSpokeTopicPermission…`: the ingest function may be invoked by each spoke's topic
 *   (`autopilot-spoke-events` in each (account, Region)); with `subscribeSpokes` also the subscription
 *   (second deploy, after the spokes exist: a subscription to a topic not yet created fails).
 *
 * Size: one ARN is about 55 characters, so 20 accounts add ~1.1 KB to each role's inline policies; a
 * role's inline policies may hold 10,240 characters in all, which is reached near 150 accounts.
 */
export const SPOKE_TOPIC_NAME = 'autopilot-spoke-events';

/** The deciding functions' roles (serverless-iam-roles-per-function logical ids) and the executor's. */
export const HUB_READ_ROLES = [
  'IngestRedshiftEventIamRoleLambdaExecution',
  'IngestEventBridgeIamRoleLambdaExecution',
  'ReconcileIamRoleLambdaExecution',
] as const;
export const HUB_EXECUTION_ROLE = 'ExecuteDecisionIamRoleLambdaExecution';

type Resource = { Type: string; Properties: Record<string, unknown>; DependsOn?: string | string[] };

const spokes = (hub: HubTargets) => hub.locations.filter((l) => l.read !== null || l.execute !== null);
const unique = (values: (string | undefined)[]) => [...new Set(values.filter((v): v is string => v !== undefined))];
const logicalSuffix = (l: TargetLocation) => `${l.account}${l.region.replace(/-/g, '')}`;

function assumePolicy(name: string, roles: unknown[], sid: string, arns: string[]): Resource {
  return {
    Type: 'AWS::IAM::Policy',
    Properties: {
      PolicyName: name,
      Roles: roles,
      PolicyDocument: {
        Version: '2012-10-17',
        Statement: [{ Sid: sid, Effect: 'Allow', Action: 'sts:AssumeRole', Resource: arns }],
      },
    },
  };
}

/** The accounts the hub's EventBridge rules match: its own and every target's. */
export function servedAccounts(hub: HubTargets | null): unknown[] {
  const own = { Ref: 'AWS::AccountId' };
  if (hub === null) return [own];
  return [own, ...unique(spokes(hub).map((l) => l.account))];
}

export interface HubOptions {
  /** The stage's name prefix (`redshift-autopilot-dev`): policy names and the bus statement id. */
  prefix: string;
  /** Also subscribe the ingest function to every spoke topic (the spokes must exist). */
  subscribe: boolean;
}

export function hubResources(hub: HubTargets | null, options: HubOptions): { Resources: Record<string, Resource> } {
  if (hub === null) return { Resources: {} };
  const reads = unique(spokes(hub).map((l) => l.read?.roleArn));
  const executes = unique(spokes(hub).map((l) => l.execute?.roleArn));
  const accounts = unique(spokes(hub).map((l) => l.account));
  const out: Record<string, Resource> = {};
  if (reads.length > 0)
    out.HubAssumeSpokeReadRoles = assumePolicy(
      `${options.prefix}-assume-spoke-read`,
      HUB_READ_ROLES.map((r) => ({ Ref: r })),
      'AssumeSpokeReadRoles',
      reads,
    );
  if (executes.length > 0)
    out.HubAssumeSpokeExecutionRoles = assumePolicy(
      `${options.prefix}-assume-spoke-execute`,
      [{ Ref: HUB_EXECUTION_ROLE }],
      'AssumeSpokeExecutionRoles',
      executes,
    );
  if (accounts.length > 0)
    out.HubSpokesPutEvents = {
      Type: 'AWS::Events::EventBusPolicy',
      Properties: {
        EventBusName: 'default',
        StatementId: `${options.prefix}-spokes`.slice(0, 64),
        Statement: {
          Sid: `${options.prefix}-spokes`.slice(0, 64),
          Effect: 'Allow',
          Principal: { AWS: accounts.map((a) => ({ 'Fn::Sub': `arn:\${AWS::Partition}:iam::${a}:root` })) },
          Action: 'events:PutEvents',
          Resource: { 'Fn::Sub': `arn:\${AWS::Partition}:events:\${AWS::Region}:\${AWS::AccountId}:event-bus/default` },
        },
      },
    };
  for (const l of spokes(hub)) {
    const topic = { 'Fn::Sub': `arn:\${AWS::Partition}:sns:${l.region}:${l.account}:${SPOKE_TOPIC_NAME}` };
    out[`HubSpokeTopicPermission${logicalSuffix(l)}`] = {
      Type: 'AWS::Lambda::Permission',
      Properties: {
        FunctionName: { 'Fn::GetAtt': ['IngestRedshiftEventLambdaFunction', 'Arn'] },
        Action: 'lambda:InvokeFunction',
        Principal: 'sns.amazonaws.com',
        SourceArn: topic,
      },
    };
    if (options.subscribe)
      out[`HubSpokeTopicSubscription${logicalSuffix(l)}`] = {
        Type: 'AWS::SNS::Subscription',
        DependsOn: `HubSpokeTopicPermission${logicalSuffix(l)}`,
        Properties: {
          TopicArn: topic,
          Region: l.region,
          Protocol: 'lambda',
          // No RedrivePolicy: an SNS dead-letter queue must be in the subscription's Region, and the
          // hub's DLQ is in the hub's; a delivery SNS gives up on is caught by the next sweep.
          Endpoint: { 'Fn::GetAtt': ['IngestRedshiftEventLambdaFunction', 'Arn'] },
        },
      };
  }
  return { Resources: out };
}
