import type { CompiledPolicy } from '../../policy/capability.ts';
import type { OptInTag } from '../../policy/targeting.ts';
import { isCompiledDrill } from './drill.capability.ts';

/**
 * The drill watcher's own IAM (serverless.yml watchDrills, generated at package time like the executor's):
 * what its run needs and nothing more. It reads the ledger's in-flight index and writes only action
 * records (the drill's progress and its report claim), re-reads clusters, reports (SNS, the default
 * bus), and runs the canary: Redshift Data API statements on the drill policies' clusters only, and the
 * drill policies' canary secrets only. Service Authorization Reference, Amazon Redshift Data API:
 * ExecuteStatement takes the `cluster` resource (arn:…:redshift:<region>:<account>:cluster:<name>), which
 * has aws:ResourceTag/<key>; DescribeStatement and GetStatementResult take no resource type and have the
 * condition key redshift-data:statement-owner-iam-userid, so they are granted on "*" for the statements
 * this role's own session submitted.
 */
export type IamStatement = Record<string, unknown> & { Sid: string; Effect: 'Allow' | 'Deny' };

const PSEUDO = { partition: 'AWS::Partition', region: 'AWS::Region', account: 'AWS::AccountId' } as const;
/** `arn:{partition}:…` as CloudFormation's Fn::Sub with the stack's pseudo parameters. */
const sub = (arn: string) => ({
  'Fn::Sub': arn.replace(/\{(partition|region|account)\}/g, (_m, k: keyof typeof PSEUDO) => `\${${PSEUDO[k]}}`),
});
/**
 * IAM's policy variable for the caller's unique id (a role session's `AROA…:session`), resolved by IAM.
 * Joined by CloudFormation: written whole, osls would read it as its own `aws` variable source and stop.
 */
const CALLER_USERID = { 'Fn::Join': ['', ['$', '{aws:userid}']] };
const LEDGER_ARN = { 'Fn::GetAtt': ['LedgerTable', 'Arn'] };

export const WATCHER_BASE_STATEMENTS: readonly IamStatement[] = [
  {
    Sid: 'OnFailureDestination',
    Effect: 'Allow',
    // A failed minute is kept with the reconcile tick's (infra/drill-watcher.yml).
    Action: ['sqs:SendMessage'],
    Resource: { 'Fn::GetAtt': ['ReconcileDlq', 'Arn'] },
  },
  {
    Sid: 'ReadDrilledClusters',
    Effect: 'Allow',
    // One DescribeClusters per drill in flight (status, AZs). Its listing form has no resource type.
    Action: ['redshift:DescribeClusters'],
    Resource: '*',
  },
  {
    Sid: 'LedgerRead',
    Effect: 'Allow',
    Action: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'],
    // The table and its sparse in-flight index (shared/aws/ledger.adapter.ts).
    Resource: [LEDGER_ARN, { 'Fn::Join': ['', [LEDGER_ARN, '/index/inflight']] }],
  },
  {
    Sid: 'LedgerDrillRecords',
    Effect: 'Allow',
    // The drill's progress, its failover record's close and the report's claim: action records only (the in-flight index follows them).
    Action: ['dynamodb:PutItem'],
    Resource: LEDGER_ARN,
    Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['action#*'] } },
  },
  { Sid: 'ReportDrill', Effect: 'Allow', Action: ['sns:Publish'], Resource: { Ref: 'AlertTopic' } },
  {
    Sid: 'ReportDrillEvent',
    Effect: 'Allow',
    Action: ['events:PutEvents'],
    Resource: sub('arn:{partition}:events:{region}:{account}:event-bus/default'),
  },
];

type Policies = readonly Pick<CompiledPolicy, 'optInTag' | 'capability'>[];

/** The canary secrets of the packaged drill policies, sorted, without duplicates. */
export function canarySecrets(policies: Policies): string[] {
  const arns = new Set<string>();
  for (const p of policies) {
    if (isCompiledDrill(p.capability) && p.capability.settings.canary !== null)
      arns.add(p.capability.settings.canary.secretArn);
  }
  return [...arns].sort();
}

/**
 * A secret's full ARN ends in `-` and six random characters; one written without them (as the issue's
 * example, `secret:drill`) is matched by `<arn>-??????` (Secrets Manager's advice for IAM policies). A
 * name may itself end in six characters after a dash, so both forms are granted, never a wider pattern.
 */
export function secretResources(arn: string): string[] {
  return [arn, `${arn}-??????`];
}

/** The watcher's statements: the base ones, and the canary's when a packaged drill policy has a canary. */
export function drillWatcherStatements(policies: Policies, defaultTag: OptInTag): IamStatement[] {
  const drills = policies.filter((p) => isCompiledDrill(p.capability));
  const secrets = canarySecrets(drills);
  if (secrets.length === 0) return [...WATCHER_BASE_STATEMENTS];
  const canaried = drills.filter((p) => isCompiledDrill(p.capability) && p.capability.settings.canary !== null);
  const tags = new Map<string, Set<string>>();
  for (const { optInTag } of canaried.length > 0 ? canaried : [{ optInTag: defaultTag }]) {
    tags.set(optInTag.key, (tags.get(optInTag.key) ?? new Set()).add(optInTag.value));
  }
  const execute: IamStatement[] = [...tags.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, values], i) => {
      const sorted = [...values].sort();
      return {
        Sid: i === 0 ? 'CanaryOnOptedInClusters' : `CanaryOnOptedInClusters${i + 1}`,
        Effect: 'Allow',
        Action: ['redshift-data:ExecuteStatement'],
        Resource: sub('arn:{partition}:redshift:{region}:{account}:cluster:*'),
        Condition: { StringEquals: { [`aws:ResourceTag/${key}`]: sorted.length === 1 ? sorted[0] : sorted } },
      };
    });
  return [
    ...WATCHER_BASE_STATEMENTS,
    ...execute,
    {
      Sid: 'CanaryOwnStatements',
      Effect: 'Allow',
      Action: ['redshift-data:DescribeStatement', 'redshift-data:GetStatementResult'],
      // No resource type exists for a statement: "*", limited to the statements this session submitted.
      Resource: '*',
      Condition: { StringEquals: { 'redshift-data:statement-owner-iam-userid': CALLER_USERID } },
    },
    {
      Sid: 'CanarySecrets',
      Effect: 'Allow',
      // The Data API signs in with the policy's secret on the caller's behalf: only the drill policies' secrets.
      Action: ['secretsmanager:GetSecretValue'],
      Resource: secrets.flatMap(secretResources),
    },
  ];
}
