import { beforeAll, describe, expect, it } from 'vitest';
import { type CfnTemplate, cloneTemplate, iamStatements, packageService, refTarget } from '../helpers/template.ts';

// Issue 22 on the packaged template: who may send to and take from the decision queue, what protects
// the ledger, and the concurrency bounds of every function. Each check is a function of the template
// so that a test can show it fails when the protection is removed.

const DECIDING_ROLES = [
  'IngestRedshiftEventIamRoleLambdaExecution',
  'IngestEventBridgeIamRoleLambdaExecution',
  'ReconcileIamRoleLambdaExecution',
] as const;
const EXECUTOR_ROLE = 'ExecuteDecisionIamRoleLambdaExecution';
const CONSUME = ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility', 'sqs:PurgeQueue'];

type Statement = { Sid?: string; Effect: string; Principal?: unknown; Action: string | string[]; Condition?: unknown };

function queuePolicyStatements(template: CfnTemplate): Statement[] {
  const policy = Object.values(template.Resources).find(
    (r) =>
      r.Type === 'AWS::SQS::QueuePolicy' &&
      ((r.Properties?.Queues as unknown[]) ?? []).some((q) => refTarget(q) === 'DecisionQueue'),
  );
  return ((policy?.Properties?.PolicyDocument as { Statement?: Statement[] })?.Statement ?? []) as Statement[];
}

/** The role logical ids (and parameter refs) a Deny with ArnNotEquals aws:PrincipalArn exempts, per action. */
function exemptedFor(template: CfnTemplate, action: string): string[] | null {
  for (const s of queuePolicyStatements(template)) {
    const actions = Array.isArray(s.Action) ? s.Action : [s.Action];
    if (s.Effect !== 'Deny' || s.Principal !== '*' || !actions.includes(action)) continue;
    const arns = (s.Condition as { ArnNotEquals?: Record<string, unknown> } | undefined)?.ArnNotEquals?.[
      'aws:PrincipalArn'
    ];
    if (arns === undefined) continue;
    const branch = (arns as { 'Fn::If'?: unknown[] })['Fn::If'];
    // With a redrive role the first branch adds it; both branches must hold the deciding roles.
    const lists = branch === undefined ? [arns] : branch.slice(1);
    return [
      ...new Set(lists.flatMap((l) => (Array.isArray(l) ? l : [l]).map((v) => refTarget(v) ?? JSON.stringify(v)))),
    ];
  }
  return null;
}

/** What is wrong with the decision queue's policy, in words (empty: only the deciding roles send, only the executor consumes). */
function decisionQueueProblems(template: CfnTemplate): string[] {
  const problems: string[] = [];
  const senders = exemptedFor(template, 'sqs:SendMessage');
  if (senders === null) problems.push('no Deny of sqs:SendMessage to principals other than the deciding roles');
  else {
    const extra = senders.filter((s) => !(DECIDING_ROLES as readonly string[]).includes(s) && s !== 'RedriveRoleArn');
    const missing = DECIDING_ROLES.filter((r) => !senders.includes(r));
    if (extra.length > 0) problems.push(`may also send: ${extra.join(', ')}`);
    if (missing.length > 0) problems.push(`deciding roles denied: ${missing.join(', ')}`);
  }
  for (const action of CONSUME) {
    const consumers = exemptedFor(template, action);
    if (consumers === null || consumers.length !== 1 || consumers[0] !== EXECUTOR_ROLE) {
      problems.push(`${action} is not limited to the executor role (${JSON.stringify(consumers)})`);
    }
  }
  return problems;
}

/** Roles other than the executor's that may create an integration (a recreate's create is the executor's: issue 17). */
function creatorsOtherThanExecutor(template: CfnTemplate): string[] {
  const creates = (action: unknown) =>
    typeof action === 'string' &&
    ['redshift:CreateIntegration', 'redshift:CreateTags'].some((wanted) =>
      new RegExp(`^${action.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`, 'i').test(wanted),
    );
  return iamStatements(template)
    .filter(({ where, statement }) => statement.Effect === 'Allow' && !where.startsWith(`${EXECUTOR_ROLE} `))
    .filter(({ statement }) => (Array.isArray(statement.Action) ? statement.Action : [statement.Action]).some(creates))
    .map(({ where }) => where);
}

let template: CfnTemplate;

beforeAll(async () => {
  template = (await packageService()).template;
}, 240_000);

describe('the decision queue accepts only the deciding roles (issue 22)', () => {
  it('denies SendMessage to all but the three deciding roles (and the redrive role), consuming to all but the executor', () => {
    expect(decisionQueueProblems(template)).toEqual([]);
    const tls = queuePolicyStatements(template).find((s) => s.Sid === 'DenyInsecureTransport');
    expect(tls?.Condition).toEqual({ Bool: { 'aws:SecureTransport': 'false' } });
  });

  it('reports a missing policy, a sender added, and a consumer other than the executor', () => {
    const removed = cloneTemplate(template);
    for (const [id, r] of Object.entries(removed.Resources))
      if (r.Type === 'AWS::SQS::QueuePolicy') delete removed.Resources[id];
    expect(decisionQueueProblems(removed)).toContain(
      'no Deny of sqs:SendMessage to principals other than the deciding roles',
    );

    const widened = cloneTemplate(template);
    const send = queuePolicyStatements(widened).find((s) => s.Sid === 'OnlyDecidingFunctionsSend');
    const arns = (send?.Condition as { ArnNotEquals: Record<string, { 'Fn::If': unknown[][] }> }).ArnNotEquals[
      'aws:PrincipalArn'
    ];
    arns?.['Fn::If'][2]?.push({ 'Fn::GetAtt': [EXECUTOR_ROLE, 'Arn'] });
    const consume = queuePolicyStatements(widened).find((s) => s.Sid === 'OnlyExecutorConsumes');
    (consume?.Condition as { ArnNotEquals: Record<string, unknown> }).ArnNotEquals['aws:PrincipalArn'] = [
      { 'Fn::GetAtt': [EXECUTOR_ROLE, 'Arn'] },
      { 'Fn::GetAtt': ['ReconcileIamRoleLambdaExecution', 'Arn'] },
    ];
    const problems = decisionQueueProblems(widened);
    expect(problems).toContain(`may also send: ${EXECUTOR_ROLE}`);
    expect(problems.filter((p) => p.includes('is not limited to the executor role'))).toHaveLength(4);
  });

  it("grants redshift:CreateIntegration and CreateTags to no deciding role: a recreate's create is sent to the executor", () => {
    expect(creatorsOtherThanExecutor(template)).toEqual([]);
    const widened = cloneTemplate(template);
    const policies = widened.Resources[DECIDING_ROLES[2]]?.Properties?.Policies as {
      PolicyDocument: { Statement: Statement[] };
    }[];
    policies[0]?.PolicyDocument.Statement.push({ Effect: 'Allow', Action: ['redshift:Create*'] });
    expect(creatorsOtherThanExecutor(widened)).toEqual([expect.stringMatching(/^ReconcileIamRoleLambdaExecution /)]);
  });

  it('names the redrive role an operator passes (--param redriveRoleArn), as a stack parameter', async () => {
    const role = 'arn:aws:iam::123456789012:role/ops-redrive';
    const withRole = (await packageService({ redriveRoleArn: role })).template;
    expect((withRole.Parameters as Record<string, { Default?: string }>).RedriveRoleArn?.Default).toBe(role);
    expect((template.Parameters as Record<string, { Default?: string }>).RedriveRoleArn?.Default).toBe('');
    expect(exemptedFor(withRole, 'sqs:SendMessage')).toContain('RedriveRoleArn');
    expect(decisionQueueProblems(withRole)).toEqual([]);
  }, 240_000);

  it('lets the executor dead-letter to the decision DLQ, and nothing else of SQS but its own queue', () => {
    const role = template.Resources[EXECUTOR_ROLE];
    const statements = JSON.stringify(role?.Properties?.Policies ?? []);
    expect(statements).toContain('"DeadLetterRefused"');
    const fn = template.Resources.ExecuteDecisionLambdaFunction;
    const env = (fn?.Properties?.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(refTarget(env.DECISION_DLQ_URL)).toBe('DecisionDlq');
  });
});

describe('the record and the functions are bounded (issue 22)', () => {
  it('protects the ledger table from deletion, beyond the stack’s Retain', () => {
    const ledger = template.Resources.LedgerTable;
    expect(ledger?.DeletionPolicy).toBe('Retain');
    expect(ledger?.Properties?.DeletionProtectionEnabled).toBe(true);
  });

  it('bounds every function: ingest 10 each and one sweep at a time (reserved), the executor by its event source', () => {
    const reserved = (id: string) => template.Resources[id]?.Properties?.ReservedConcurrentExecutions;
    expect(reserved('IngestRedshiftEventLambdaFunction')).toBe(10);
    expect(reserved('IngestEventBridgeLambdaFunction')).toBe(10);
    expect(reserved('ReconcileLambdaFunction')).toBe(1);
    const mapping = Object.values(template.Resources).find((r) => r.Type === 'AWS::Lambda::EventSourceMapping');
    expect(mapping?.Properties?.ScalingConfig).toEqual({ MaximumConcurrency: 5 });
  });

  it('reserves nothing when an operator in an account at the concurrency limit passes `unreserved`', async () => {
    const unreserved = (await packageService({ ingestConcurrency: 'unreserved' })).template;
    expect(
      unreserved.Resources.IngestRedshiftEventLambdaFunction?.Properties?.ReservedConcurrentExecutions,
    ).toBeUndefined();
    expect(unreserved.Resources.ReconcileLambdaFunction?.Properties?.ReservedConcurrentExecutions).toBe(1);
  }, 240_000);
});
