import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseTargets } from '../../shared/aws/targets.ts';
import {
  type CfnTemplate,
  eventPatterns,
  iamStatements,
  type PackagedService,
  packageFailure,
  packageService,
  REPO_ROOT,
  readZip,
  refTarget,
  resourcesOfType,
} from '../helpers/template.ts';

// The hub's side of hub and spoke (issue 18), packaged with `--param targets=…`: the deciding roles may
// assume exactly the spoke read roles, the executor exactly the execution roles; the default bus takes
// PutEvents from the target accounts and the hub's rules match them; the targets file ships in every zip
// at AUTOPILOT_TARGETS_PATH; without targets, the single-account stack has none of it.

const TARGETS = 'infra/hub/targets.example.json';
const TARGET_ACCOUNTS = ['111111111111', '222222222222'];
const READ_ROLES = [
  'arn:aws:iam::111111111111:role/autopilot-spoke-read',
  'arn:aws:iam::222222222222:role/autopilot-spoke-read',
];
const EXECUTION_ROLES = [
  'arn:aws:iam::111111111111:role/autopilot-spoke-execute',
  'arn:aws:iam::222222222222:role/ops/autopilot-exec',
];
const DECIDING_ROLES = [
  'IngestEventBridgeIamRoleLambdaExecution',
  'IngestRedshiftEventIamRoleLambdaExecution',
  'ReconcileIamRoleLambdaExecution',
];

let hub: PackagedService;
let single: CfnTemplate;

beforeAll(async () => {
  [hub, single] = await Promise.all([
    packageService({ targets: TARGETS, subscribeSpokes: 'true' }),
    packageService().then((s) => s.template),
  ]);
}, 240_000);

/** Which roles may sts:AssumeRole which resources: role logical id → resources. */
function assumeGrants(template: CfnTemplate): Map<string, unknown[]> {
  const grants = new Map<string, unknown[]>();
  for (const [, policy] of resourcesOfType(template, 'AWS::IAM::Policy')) {
    const props = policy.Properties as { Roles: unknown[]; PolicyDocument: { Statement: Record<string, unknown>[] } };
    for (const s of props.PolicyDocument.Statement.filter((st) => [st.Action].flat().includes('sts:AssumeRole'))) {
      for (const role of props.Roles.map(refTarget))
        grants.set(String(role), [...(grants.get(String(role)) ?? []), ...[s.Resource].flat()]);
    }
  }
  return grants;
}

const envOf = (template: CfnTemplate, fn: string) =>
  (template.Resources[fn]?.Properties as { Environment: { Variables: Record<string, unknown> } }).Environment.Variables;

describe('a hub stack (--param targets)', () => {
  it('lets the deciding roles assume exactly the spoke read roles and the executor exactly the execution roles', () => {
    const grants = assumeGrants(hub.template);
    expect([...grants.keys()].sort()).toEqual([...DECIDING_ROLES, 'ExecuteDecisionIamRoleLambdaExecution'].sort());
    for (const role of DECIDING_ROLES) expect(grants.get(role)).toEqual(READ_ROLES);
    expect(grants.get('ExecuteDecisionIamRoleLambdaExecution')).toEqual(EXECUTION_ROLES);
    // No other statement of the stack grants sts:AssumeRole, and none on a wildcard role.
    const assumeStatements = iamStatements(hub.template).filter(({ statement }) =>
      [statement.Action].flat().includes('sts:AssumeRole'),
    );
    expect(assumeStatements.map((s) => s.where).sort()).toEqual([
      'HubAssumeSpokeExecutionRoles statement 0',
      'HubAssumeSpokeReadRoles statement 0',
    ]);
    expect(
      assumeStatements.flatMap(({ statement }) => [statement.Resource].flat()).filter((r) => String(r).includes('*')),
    ).toEqual([]);
  });

  it('accepts PutEvents from the target accounts on its default bus, and its rules match their events', () => {
    const [[, policy] = ['', undefined]] = resourcesOfType(hub.template, 'AWS::Events::EventBusPolicy');
    const statement = (policy?.Properties as { Statement: Record<string, unknown> }).Statement;
    expect(statement.Action).toBe('events:PutEvents');
    expect((statement.Principal as { AWS: { 'Fn::Sub': string }[] }).AWS.map((p) => p['Fn::Sub'])).toEqual(
      TARGET_ACCOUNTS.map((a) => `arn:\${AWS::Partition}:iam::${a}:root`),
    );
    for (const [rule, pattern] of Object.entries(eventPatterns(hub.template)))
      expect([rule, (pattern as { account: unknown }).account]).toEqual([
        rule,
        [{ Ref: 'AWS::AccountId' }, ...TARGET_ACCOUNTS],
      ]);
  });

  it('lets each spoke topic invoke the ingest function, and subscribes it with subscribeSpokes', () => {
    const topics = parseTargets(readFileSync(join(REPO_ROOT, TARGETS), 'utf8'), TARGETS).locations.map(
      (l) => `arn:\${AWS::Partition}:sns:${l.region}:${l.account}:autopilot-spoke-events`,
    );
    const permissions = resourcesOfType(hub.template, 'AWS::Lambda::Permission')
      .map(([, r]) => r.Properties as { Principal: string; SourceArn: { 'Fn::Sub'?: string }; FunctionName: unknown })
      .filter((p) => p.Principal === 'sns.amazonaws.com' && p.SourceArn['Fn::Sub']?.includes('autopilot-spoke-events'));
    expect(permissions.map((p) => p.SourceArn['Fn::Sub']).sort()).toEqual([...topics].sort());
    expect(new Set(permissions.map((p) => refTarget(p.FunctionName)))).toEqual(
      new Set(['IngestRedshiftEventLambdaFunction']),
    );
    const subscriptions = resourcesOfType(hub.template, 'AWS::SNS::Subscription').map(
      ([, r]) => r.Properties as { TopicArn: { 'Fn::Sub'?: string }; Region?: string },
    );
    expect(
      subscriptions
        .filter((s) => s.Region !== undefined)
        .map((s) => s.TopicArn['Fn::Sub'])
        .sort(),
    ).toEqual([...topics].sort());
  });

  it('ships the targets file in every zip at AUTOPILOT_TARGETS_PATH, and it parses', () => {
    for (const [name, zip] of Object.entries(hub.zips)) {
      const fn = `${name[0]?.toUpperCase()}${name.slice(1)}LambdaFunction`;
      expect([name, envOf(hub.template, fn).AUTOPILOT_TARGETS_PATH]).toEqual([name, TARGETS]);
      const text = readZip(zip).get(TARGETS)?.toString('utf8');
      expect(text, `${name}.zip holds ${TARGETS}`).toBeDefined();
      expect(parseTargets(text ?? '', TARGETS).locations).toHaveLength(3);
    }
  });
});

describe('a single-account stack (no targets)', () => {
  it('has no hub resources, no targets file and rules for its own account only', () => {
    expect(Object.keys(single.Resources).filter((id) => id.startsWith('Hub'))).toEqual([]);
    expect(envOf(single, 'ReconcileLambdaFunction').AUTOPILOT_TARGETS_PATH).toBe('');
    expect(assumeGrants(single).size).toBe(0);
    for (const pattern of Object.values(eventPatterns(single)))
      expect((pattern as { account: unknown }).account).toEqual([{ Ref: 'AWS::AccountId' }]);
  });
});

describe('a targets file with a mistake', () => {
  it('stops the packaging at file:line:col', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hub-targets-'));
    const file = join(dir, 'targets.json');
    writeFileSync(file, '{\n  "regions": ["eu-west-1"],\n  "targets": [{ "account": "1111" }]\n}\n');
    const { code, output } = await packageFailure({ policies: 'examples/policies', targets: file });
    expect(code).not.toBe(0);
    expect(output).toContain(`${file}:3:28: account "1111" is not valid; expected a 12-digit account id in quotes`);
  }, 120_000);
});

const cfnLintInstalled = spawnSync('cfn-lint', ['--version'], { stdio: 'ignore' }).status === 0;
if (!cfnLintInstalled) console.warn('\n!!! cfn-lint not on PATH: SKIPPING the hub cfn-lint check !!!\n');

describe.skipIf(!cfnLintInstalled)('cfn-lint on the hub template', () => {
  it('reports no error', async () => {
    const { stdout } = await promisify(execFile)('cfn-lint', ['--format', 'json', hub.templatePath]).catch(
      (error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }),
    );
    const findings = JSON.parse(stdout || '[]') as { Level: string; Rule: { Id: string }; Message: string }[];
    expect(findings.filter((f) => f.Level === 'Error').map((f) => `${f.Rule.Id}: ${f.Message}`)).toEqual([]);
  });
});
