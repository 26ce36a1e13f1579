import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { type CfnTemplate, functionRoles, iamStatements, packageService } from '../helpers/template.ts';

/**
 * Issue 16 on the packaged template (the example policies, whose failover-drill.yml has a canary): the
 * drill watcher runs every minute under its own role, and only that role may run the canary — Data API
 * statements on clusters carrying the opt-in tag, its own statements' status, and GetSecretValue on the
 * drill policy's secret alone. cfn-lint finds no error.
 */
const WATCHER = 'WatchDrillsLambdaFunction';
const SECRET = 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:drill';

type Statement = { Sid?: string; Effect: string; Action: string | string[]; Resource: unknown; Condition?: unknown };

let template: CfnTemplate;
let templatePath: string;
beforeAll(async () => {
  const service = await packageService();
  template = service.template;
  templatePath = service.templatePath;
}, 180_000);

const actionsOf = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);

/** Every statement of a role granting one of `prefix`'s actions, by role. */
function grantsOf(t: CfnTemplate, prefix: string): Map<string, Statement[]> {
  const out = new Map<string, Statement[]>();
  for (const { where, statement } of iamStatements(t)) {
    const s = statement as Statement;
    if (!actionsOf(s).some((a) => a.startsWith(prefix))) continue;
    const role = where.split(' ')[0] ?? where;
    out.set(role, [...(out.get(role) ?? []), s]);
  }
  return out;
}

/** What is wrong with the secret grants, in words (empty: only the watcher, only the drill's secret). */
function secretProblems(t: CfnTemplate, watcherRole: string, secrets: readonly string[]): string[] {
  const problems: string[] = [];
  for (const [role, statements] of grantsOf(t, 'secretsmanager:')) {
    if (role !== watcherRole) problems.push(`${role} may read secrets`);
    for (const s of statements) {
      const resources = (Array.isArray(s.Resource) ? s.Resource : [s.Resource]) as unknown[];
      for (const r of resources) {
        if (typeof r !== 'string' || !secrets.some((arn) => r === arn || r === `${arn}-??????`))
          problems.push(`${role} may read secret ${JSON.stringify(r)}`);
      }
    }
  }
  return problems;
}

describe('the drill watcher', () => {
  it('runs every minute under its own role', () => {
    const role = functionRoles(template).get(WATCHER);
    expect(role).toBe('WatchDrillsIamRoleLambdaExecution');
    // EventBridge Scheduler (infra/drill-watcher.yml), like the reconcile tick: one schedule, every minute, at the watcher.
    const schedules = Object.values(template.Resources).filter(
      (r) =>
        r.Type === 'AWS::Scheduler::Schedule' &&
        JSON.stringify(r.Properties?.Target ?? {}).includes(WATCHER) &&
        r.Properties?.ScheduleExpression === 'rate(1 minute)',
    );
    expect(schedules).toHaveLength(1);
  });

  it('is the only role that may run the canary: ExecuteStatement on opted-in clusters, its own statements', () => {
    const grants = grantsOf(template, 'redshift-data:');
    expect([...grants.keys()]).toEqual(['WatchDrillsIamRoleLambdaExecution']);
    const statements = grants.get('WatchDrillsIamRoleLambdaExecution') ?? [];
    const execute = statements.find((s) => actionsOf(s).includes('redshift-data:ExecuteStatement'));
    expect(execute?.Resource).toEqual({
      // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation's Fn::Sub placeholders
      'Fn::Sub': 'arn:${AWS::Partition}:redshift:${AWS::Region}:${AWS::AccountId}:cluster:*',
    });
    expect(execute?.Condition).toEqual({ StringEquals: { 'aws:ResourceTag/autopilot:managed': 'true' } });
    const own = statements.find((s) => actionsOf(s).includes('redshift-data:DescribeStatement'));
    expect(own?.Condition).toEqual({
      // "${aws:userid}" once CloudFormation joins it (osls would take the whole string for its own variable).
      StringEquals: { 'redshift-data:statement-owner-iam-userid': { 'Fn::Join': ['', ['$', '{aws:userid}']] } },
    });
  });

  it('may read the drill policy’s canary secret and no other', () => {
    expect(secretProblems(template, 'WatchDrillsIamRoleLambdaExecution', [SECRET])).toEqual([]);
    const grants = grantsOf(template, 'secretsmanager:').get('WatchDrillsIamRoleLambdaExecution') ?? [];
    expect(grants.flatMap(actionsOf)).toEqual(['secretsmanager:GetSecretValue']);
  });

  it('reports a secret grant widened to every secret, or given to another role (the check can fail)', () => {
    const wide = structuredClone(template);
    const roles = Object.values(wide.Resources).filter((r) => r.Type === 'AWS::IAM::Role');
    const policy = (roles[0]?.Properties?.Policies as { PolicyDocument: { Statement: Statement[] } }[])[0];
    policy?.PolicyDocument.Statement.push({
      Effect: 'Allow',
      Action: ['secretsmanager:GetSecretValue'],
      Resource: 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:*',
    });
    expect(secretProblems(wide, 'WatchDrillsIamRoleLambdaExecution', [SECRET]).length).toBeGreaterThan(0);
  });
});

const cfnLintInstalled = spawnSync('cfn-lint', ['--version'], { stdio: 'ignore' }).status === 0;
if (!cfnLintInstalled) console.warn('\n!!! cfn-lint not on PATH: SKIPPING the drill cfn-lint check !!!\n');

describe.skipIf(!cfnLintInstalled)('cfn-lint with the drill watcher', () => {
  it('reports no error', async () => {
    const { stdout } = await promisify(execFile)('cfn-lint', ['--format', 'json', templatePath]).catch(
      (error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }),
    );
    const findings = JSON.parse(stdout || '[]') as { Level: string; Rule: { Id: string }; Message: string }[];
    expect(findings.filter((f) => f.Level === 'Error').map((f) => `${f.Rule.Id}: ${f.Message}`)).toEqual([]);
  });
});
