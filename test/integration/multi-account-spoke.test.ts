import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { spokeTemplate } from '../../infra/spoke/spoke-template.ts';
import { executorActionStatements } from '../../shared/iam/executor-iam.ts';
import { loadPolicySources } from '../../shared/policy/policy-loader.ts';
import { registry } from '../../shared/policy/registry.ts';

// The spoke stack (issue 18): only the hub's roles may assume its roles, with the external id; its
// writes are the hub executor's own tag-conditioned statements; cfn-lint finds no error.

const POLICY = `
version: 1
defaults: { timezone: Europe/Berlin, optInTag: "autopilot:managed=true" }
policies:
  - name: dev-office-hours
    resource: cluster
    match: { tags: { env: dev } }
    window: { running: ["Mon-Fri 07:00-19:00"] }
  - name: nightly
    resource: cluster
    match: { tags: { env: prod } }
    snapshots: { schedule: "cron(0 2 * * ? *)", retain: { last: 7 } }
`;

const { policySet, problems } = loadPolicySources([{ file: 'spoke.yml', text: POLICY }]);
const defaultTag = { key: 'autopilot:managed', value: 'true' };
const input = { registry, policies: policySet.policies, defaultTag, root: resolve(import.meta.dirname, '../..') };
const template = spokeTemplate(input) as {
  Resources: Record<string, { Type: string; Condition?: string; Properties: Record<string, never> }>;
};
type Doc = {
  Statement: {
    Sid?: string;
    Effect: string;
    Principal?: unknown;
    Action: string | string[];
    Condition?: Record<string, Record<string, unknown>>;
  }[];
};

const roles = Object.entries(template.Resources).filter(
  ([name, r]) => r.Type === 'AWS::IAM::Role' && name !== 'ForwardRole',
);
const policiesOf = (role: { Properties: Record<string, never> }): Doc[] =>
  (role.Properties.Policies as unknown as { PolicyDocument: Doc }[]).map((p) => p.PolicyDocument);
const actionsOf = (s: { Action: string | string[] }) => (Array.isArray(s.Action) ? s.Action : [s.Action]);
const READS = /^[a-z-]+:(Describe|List|Get)/;

describe('the spoke template', () => {
  it('is generated from a policy set that validates', () => {
    expect(problems.filter((p) => p.severity === 'error')).toEqual([]);
    expect(roles.map(([name]) => name)).toEqual(['SpokeReadRole', 'SpokeExecutionRole']);
  });

  it("only the hub's roles may assume the spoke roles, and only with the external id", () => {
    const expected = {
      SpokeReadRole: { Ref: 'HubReadRoleArns' },
      SpokeExecutionRole: [{ Ref: 'HubExecutorRoleArn' }],
    } as Record<string, unknown>;
    for (const [name, role] of roles) {
      const trust = role.Properties.AssumeRolePolicyDocument as unknown as Doc;
      expect(trust.Statement, name).toEqual([
        {
          Sid: 'HubOnlyWithExternalId',
          Effect: 'Allow',
          Principal: { AWS: expected[name] },
          Action: 'sts:AssumeRole',
          Condition: { StringEquals: { 'sts:ExternalId': { Ref: 'ExternalId' } } },
        },
      ]);
      // IAM is global: the roles are created in one Region of each account (StackSets deploy every Region).
      expect(role.Condition).toBe('CreateRoles');
    }
  });

  it('the read role only reads', () => {
    const [, read] = roles[0] ?? [];
    const actions = policiesOf(read as never).flatMap((d) => d.Statement.flatMap(actionsOf));
    expect(actions.filter((a) => !READS.test(a))).toEqual([]);
    expect(actions).toContain('redshift:DescribeClusters');
  });

  it("the execution role's writes are the hub executor's tag-conditioned statements, in every Region of the account", () => {
    const [, exec] = roles[1] ?? [];
    const statements = policiesOf(exec as never).flatMap((d) => d.Statement);
    const writes = statements.filter((s) => actionsOf(s).some((a) => !READS.test(a)));
    const hub = JSON.parse(
      JSON.stringify(executorActionStatements(input, defaultTag)).replaceAll(`${'$'}{AWS::Region}`, '*'),
    );
    expect(writes).toEqual(hub.filter((s: Doc['Statement'][number]) => actionsOf(s).some((a) => !READS.test(a))));
    const pause = writes.find((s) => actionsOf(s).includes('redshift:PauseCluster'));
    expect(pause?.Condition).toEqual({ StringEquals: { 'aws:ResourceTag/autopilot:managed': 'true' } });
    expect(writes.some((s) => s.Effect === 'Deny')).toBe(true);
  });

  it('forwards every hub event pattern from this account to the hub bus, and lets only the hub subscribe to its topic', () => {
    const rules = Object.values(template.Resources).filter((r) => r.Type === 'AWS::Events::Rule');
    expect(rules).toHaveLength(4);
    for (const rule of rules) {
      expect((rule.Properties.EventPattern as unknown as { account: unknown }).account).toEqual([
        { Ref: 'AWS::AccountId' },
      ]);
      expect(rule.Properties.Targets).toEqual([
        { Id: 'hub', Arn: { Ref: 'HubEventBusArn' }, RoleArn: { 'Fn::GetAtt': ['ForwardRole', 'Arn'] } },
      ]);
    }
    const policy = template.Resources.SpokeEventTopicPolicy?.Properties.PolicyDocument as unknown as Doc;
    expect(policy.Statement.map((s) => [s.Sid, s.Principal, s.Action])).toEqual([
      ['RedshiftEventNotifications', { Service: 'redshift.amazonaws.com' }, 'sns:Publish'],
      [
        'HubIngestSubscribes',
        { AWS: { 'Fn::Sub': `arn:${'$'}{AWS::Partition}:iam::${'$'}{HubAccountId}:root` } },
        'sns:Subscribe',
      ],
    ]);
  });
});

const cfnLintInstalled = spawnSync('cfn-lint', ['--version'], { stdio: 'ignore' }).status === 0;
if (!cfnLintInstalled)
  console.warn('\n!!! cfn-lint not on PATH: SKIPPING the spoke cfn-lint check (pip install cfn-lint) !!!\n');

describe.skipIf(!cfnLintInstalled)('cfn-lint on the spoke template', () => {
  it('finds nothing', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'spoke-')), 'spoke.template.json');
    writeFileSync(file, JSON.stringify(template, null, 2));
    const { stdout } = await promisify(execFile)('cfn-lint', ['--format', 'json', file]).catch(
      (error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }),
    );
    const findings = JSON.parse(stdout || '[]') as { Level: string; Rule: { Id: string }; Message: string }[];
    expect(findings.map((f) => `${f.Level} ${f.Rule.Id}: ${f.Message}`)).toEqual([]);
  });
});
