import { execFile, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { loadPolicyFileSync } from '../../shared/app/policy-file.ts';
import { createClients } from '../../shared/aws/client-factory.ts';
import { LEDGER_TABLE } from '../../shared/aws/ledger.adapter.ts';
import { EXECUTOR_TIMEOUT_SECONDS } from '../../shared/execute/executor.ts';
import { registry } from '../../shared/policy/registry.ts';
import { motoClientConfig, motoEndpoint } from '../helpers/moto.ts';
import {
  asyncTriggers,
  type CfnTemplate,
  cloneTemplate,
  deadLetterQueues,
  EXAMPLE_POLICIES,
  findDeadLetterProblems,
  findDlqAlarmProblems,
  findRoleProblems,
  findUnconditionedWrites,
  findUnscopedResources,
  findWildcardActions,
  functionRoles,
  iamStatements,
  type PackagedService,
  packageFailure,
  packageService,
  REPO_ROOT,
  readZip,
  redshiftWriteGrants,
  refTarget,
  resourcesOfType,
  sqsEventSources,
  unbundledImports,
} from '../helpers/template.ts';

// The packaged template (npm run package, offline, no credentials) checked as CloudFormation would see it.

const PACKAGING_TIMEOUT_MS = 180_000;
/**
 * APIs that only authorise their listing form on Resource "*": the deciding functions' fleet reads
 * (serverless.yml says why) and the executor's, plus every permission a capability declares on "*"
 * (each with its reason in the declaration, printed by `autopilot explain-actions`).
 */
const declaredPermissions = registry.actions().flatMap((a) => a.spec.permissions);
const RESOURCE_STAR_ALLOWED = [
  'redshift:DescribeClusters',
  'redshift:DescribeInboundIntegrations',
  'redshift-serverless:ListWorkgroups',
  'redshift-serverless:ListTagsForResource',
  // Usage limits: the account-wide listing, and the usage metrics (GetMetricData has no resource type).
  'redshift:DescribeUsageLimits',
  'cloudwatch:GetMetricData',
  // The drill canary's statements have no resource type: "*", conditioned on the caller's own statements.
  'redshift-data:DescribeStatement',
  'redshift-data:GetStatementResult',
  ...declaredPermissions.filter((p) => p.resource === '*').flatMap((p) => p.actions),
];
/** Writes a declaration grants with no condition, by the reason it names (no resource type in the reference). */
const UNCONDITIONED_WRITES_ALLOWED = declaredPermissions
  .filter((p) => p.condition.kind === 'none' && p.resource === '*')
  .flatMap((p) => p.actions)
  .filter((a) => !/:(List|Get|Describe)/.test(a));
const UNCONDITIONED_WRITE_ALLOWED = 'UpdateSnapshotCopyConfiguration';
const MANAGED_BY = { key: 'managed-by', value: 'redshift-autopilot' } as const;
const OPT_IN = { key: 'autopilot:managed', value: 'true' } as const;
const EXECUTOR_ROLE = 'ExecuteDecisionIamRoleLambdaExecution';

const FUNCTIONS = {
  ingestRedshiftEvent: 'functions/ingest-redshift-event/ingest-redshift-event.handler.mjs',
  ingestEventBridge: 'functions/ingest-event-bridge/ingest-event-bridge.handler.mjs',
  reconcile: 'functions/reconcile/reconcile.handler.mjs',
  executeDecision: 'functions/execute-decision/execute-decision.handler.mjs',
  watchDrills: 'functions/watch-drills/watch-drills.handler.mjs',
} as const;
/**
 * The packaged policy folder (the tests package the examples), validated and compiled at package time
 * (scripts/packaged-policies.cjs) into one JSON file that ships in every zip and is read at init from POLICY_PATH.
 */
const BUNDLED_POLICIES = readdirSync(join(REPO_ROOT, 'examples/policies'))
  .filter((f) => f.endsWith('.yml'))
  .map((f) => `examples/policies/${f}`);
const PACKED_POLICIES = 'dist/policies/examples_policies.json';

let service: PackagedService;
let template: CfnTemplate;
let custom: { esbuild: Record<string, unknown>; executor: { timeoutSeconds: number } };

beforeAll(async () => {
  service = await packageService();
  template = service.template;
  const state = JSON.parse(readFileSync(join(service.dir, 'serverless-state.json'), 'utf8'));
  custom = state.service.custom;
}, PACKAGING_TIMEOUT_MS);

const cfnLintInstalled = spawnSync('cfn-lint', ['--version'], { stdio: 'ignore' }).status === 0;
if (!cfnLintInstalled)
  console.warn('\n!!! cfn-lint not on PATH: SKIPPING the cfn-lint check (pip install cfn-lint) !!!\n');

describe.skipIf(!cfnLintInstalled)('cfn-lint', () => {
  it('reports no error on the packaged template (warnings listed)', async () => {
    // Prepare / Act: cfn-lint exits non-zero on warnings too, so read its JSON report instead.
    const { stdout } = await promisify(execFile)('cfn-lint', ['--format', 'json', service.templatePath]).catch(
      (error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }),
    );
    const findings = JSON.parse(stdout || '[]') as {
      Level: string;
      Rule: { Id: string };
      Message: string;
      Location: { Path: unknown[] };
    }[];
    const lines = findings.map((f) => `${f.Level} ${f.Rule.Id} ${f.Location.Path.join('/')}: ${f.Message}`);
    if (lines.length > 0) console.info(`cfn-lint findings:\n  ${lines.join('\n  ')}`);

    // Assess
    expect(lines.filter((line) => line.startsWith('Error'))).toEqual([]);
  });
});

describe('one IAM role per function', () => {
  it('gives each function its own role and drops the shared default role', () => {
    const roles = functionRoles(template);
    expect([...roles.keys()].sort()).toEqual([
      'ExecuteDecisionLambdaFunction',
      'IngestEventBridgeLambdaFunction',
      'IngestRedshiftEventLambdaFunction',
      'ReconcileLambdaFunction',
      'WatchDrillsLambdaFunction',
    ]);
    expect(findRoleProblems(template)).toEqual([]);
    expect(template.Resources.IamRoleLambdaExecution).toBeUndefined();
  });

  it('reports a role shared by two functions, a missing role and the framework default role', () => {
    const roles = functionRoles(template);
    const ingestRole = roles.get('IngestEventBridgeLambdaFunction') ?? '';

    const shared = cloneTemplate(template);
    (shared.Resources.ReconcileLambdaFunction?.Properties as { Role: unknown }).Role = {
      'Fn::GetAtt': [ingestRole, 'Arn'],
    };
    expect(findRoleProblems(shared)).toContain(
      `${ingestRole} is shared by IngestEventBridgeLambdaFunction, ReconcileLambdaFunction`,
    );

    const removed = cloneTemplate(template);
    delete removed.Resources[ingestRole];
    expect(findRoleProblems(removed)).toContain(`IngestEventBridgeLambdaFunction: role ${ingestRole} does not exist`);

    const defaulted = cloneTemplate(template);
    (defaulted.Resources.ReconcileLambdaFunction?.Properties as { Role: unknown }).Role = {
      'Fn::GetAtt': ['IamRoleLambdaExecution', 'Arn'],
    };
    expect(findRoleProblems(defaulted)).toContain('ReconcileLambdaFunction: uses the shared IamRoleLambdaExecution');
  });
});

describe('dead letters', () => {
  it('finds every asynchronous trigger and each has a usable DLQ or on-failure destination', () => {
    const triggers = asyncTriggers(template);
    expect(triggers.map((t) => `${t.kind} ${t.id} -> ${t.dlq}`).sort()).toEqual(
      [
        'event-invoke-config IngestEventBridgeLambdaEvConf -> IngestEventBridgeDlq',
        'event-invoke-config IngestRedshiftEventLambdaEvConf -> IngestRedshiftEventDlq',
        'event-invoke-config ReconcileLambdaEvConf -> ReconcileDlq',
        'eventbridge-target IngestAlarmStateRule/ingest-event-bridge -> IngestEventBridgeDlq',
        'eventbridge-target IngestApiCallRule/ingest-event-bridge -> IngestEventBridgeDlq',
        'eventbridge-target IngestIntegrationEventsRule/ingest-event-bridge -> IngestEventBridgeDlq',
        'eventbridge-target IngestServerlessEventsRule/ingest-event-bridge -> IngestEventBridgeDlq',
        'schedule ReconcileSchedule -> ReconcileDlq',
        'sns-subscription IngestRedshiftEventSnsSubscriptionRedshiftautopilotdevingest -> IngestRedshiftEventDlq',
        'event-invoke-config WatchDrillsLambdaEvConf -> ReconcileDlq',
        'schedule WatchDrillsSchedule -> ReconcileDlq',
      ].sort(),
    );
    expect(findDeadLetterProblems(template)).toEqual([]);
  });

  it('reports each trigger whose DLQ is removed', () => {
    for (const trigger of asyncTriggers(template)) {
      // Prepare: the same template with only this trigger's dead-letter setting removed.
      const broken = cloneTemplate(template);
      const [resourceId = '', targetId] = trigger.id.split('/');
      const properties = broken.Resources[resourceId]?.Properties as Record<string, unknown>;
      if (trigger.kind === 'sns-subscription') delete properties.RedrivePolicy;
      if (trigger.kind === 'schedule') delete (properties.Target as Record<string, unknown>).DeadLetterConfig;
      if (trigger.kind === 'event-invoke-config') delete properties.DestinationConfig;
      if (trigger.kind === 'eventbridge-target') {
        const target = (properties.Targets as { Id: string; DeadLetterConfig?: unknown }[]).find(
          (t) => t.Id === targetId,
        );
        delete target?.DeadLetterConfig;
      }

      // Act / Assess
      const problems = findDeadLetterProblems(broken);
      expect(problems.some((p) => p.includes(trigger.id) || p.includes(`${trigger.invokes} is invoked`))).toBe(true);
    }
  });

  it('reports a DLQ queue that is gone or that the sending service may not write to', () => {
    const noQueue = cloneTemplate(template);
    delete noQueue.Resources.IngestEventBridgeDlq;
    expect(findDeadLetterProblems(noQueue)).toContain(
      'eventbridge-target IngestApiCallRule/ingest-event-bridge: dead-letter target IngestEventBridgeDlq is not an SQS queue of this stack',
    );

    const noPolicy = cloneTemplate(template);
    delete noPolicy.Resources.IngestEventBridgeDlqPolicy;
    expect(findDeadLetterProblems(noPolicy)).toHaveLength(4);

    const noSchedulerPermission = cloneTemplate(template);
    const schedulerPolicy = (
      noSchedulerPermission.Resources.ReconcileSchedulerRole?.Properties as {
        Policies: { PolicyDocument: { Statement: { Sid?: string }[] } }[];
      }
    ).Policies[0];
    if (schedulerPolicy) {
      schedulerPolicy.PolicyDocument.Statement = schedulerPolicy.PolicyDocument.Statement.filter(
        (s) => s.Sid !== 'ScheduleDeadLetters',
      );
    }
    expect(findDeadLetterProblems(noSchedulerPermission)).toEqual([
      'schedule ReconcileSchedule: scheduler role ReconcileSchedulerRole may not send to ReconcileDlq',
    ]);
  });
});

describe('least privilege', () => {
  it('has no wildcard actions and Resource "*" only where the API demands it', () => {
    expect(findWildcardActions(template)).toEqual([]);
    expect(findUnscopedResources(template, RESOURCE_STAR_ALLOWED)).toEqual([]);
  });

  it('reports a wildcard action and an unscoped write', () => {
    const broken = cloneTemplate(template);
    const role = broken.Resources.ReconcileIamRoleLambdaExecution?.Properties as {
      Policies: { PolicyDocument: { Statement: unknown[] } }[];
    };
    const statements = role.Policies[0]?.PolicyDocument.Statement ?? [];
    const next = statements.length;
    statements.push(
      { Effect: 'Allow', Action: ['redshift:*'], Resource: 'arn:aws:redshift:us-east-1:1:cluster:x' },
      { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: '*' },
    );
    expect(findWildcardActions(broken)).toEqual([
      `ReconcileIamRoleLambdaExecution statement ${next}: Action redshift:*`,
    ]);
    expect(findUnscopedResources(broken, RESOURCE_STAR_ALLOWED)).toEqual([
      `ReconcileIamRoleLambdaExecution statement ${next + 1}: "sqs:SendMessage" on "*"`,
    ]);
  });

  it('lets the scheduler role invoke only the reconcile function', () => {
    const statements = (
      template.Resources.ReconcileSchedulerRole?.Properties as {
        Policies: { PolicyDocument: { Statement: { Action: unknown; Resource: unknown }[] } }[];
      }
    ).Policies.flatMap((p) => p.PolicyDocument.Statement);
    expect(statements.map((s) => [s.Action, refTarget(s.Resource)])).toEqual([
      ['lambda:InvokeFunction', 'ReconcileLambdaFunction'],
      ['sqs:SendMessage', 'ReconcileDlq'],
    ]);
  });
});

describe('acting path: only the executor changes clusters', () => {
  const roles = () => functionRoles(template);

  it('grants Redshift write actions to the executor role only, tag-conditioned, never the opt-in tag', () => {
    const grants = redshiftWriteGrants(template);
    expect(roles().get('ExecuteDecisionLambdaFunction')).toBe(EXECUTOR_ROLE);
    expect([...grants.keys()]).toEqual([EXECUTOR_ROLE]);
    // Every action the capabilities of the packaged example policies declare.
    const used = new Set(
      loadPolicyFileSync(EXAMPLE_POLICIES, REPO_ROOT).policies.map((p) => registry.byKey(p.capability.key)?.name),
    );
    const declared = registry.actions().filter((a) => a.owners.some((o) => used.has(o)));
    expect(declared.length).toBeGreaterThan(5);
    expect(grants.get(EXECUTOR_ROLE)).toEqual(
      expect.arrayContaining(declared.map((a) => `${a.spec.service}:${a.spec.name}`)),
    );
    expect(UNCONDITIONED_WRITES_ALLOWED).toEqual([`redshift-serverless:${UNCONDITIONED_WRITE_ALLOWED}`]);
    expect(findUnconditionedWrites(template, OPT_IN.key, OPT_IN.value)).toEqual([
      expect.stringContaining(UNCONDITIONED_WRITE_ALLOWED),
    ]);
    const deny = iamStatements(template).find(
      ({ where, statement }) => where.startsWith(EXECUTOR_ROLE) && statement.Effect === 'Deny',
    )?.statement;
    expect(deny).toMatchObject({
      Action: expect.arrayContaining(['redshift:CreateTags', 'redshift:DeleteTags']),
      Resource: '*',
      Condition: { 'ForAnyValue:StringEquals': { 'aws:TagKeys': [OPT_IN.key] } },
    });
  });

  it('grants no action that no capability of the packaged policies may request (resize is not built)', () => {
    expect(redshiftWriteGrants(template).get(EXECUTOR_ROLE)).not.toContain('redshift:ResizeCluster');
  });

  it('reports a deciding role that gets a write action, and an executor write without the tag condition', () => {
    for (const fn of [
      'ReconcileLambdaFunction',
      'IngestEventBridgeLambdaFunction',
      'IngestRedshiftEventLambdaFunction',
    ]) {
      const broken = cloneTemplate(template);
      const role = roles().get(fn) ?? '';
      (
        broken.Resources[role]?.Properties as { Policies: { PolicyDocument: { Statement: unknown[] } }[] }
      ).Policies[0]?.PolicyDocument.Statement.push({
        Effect: 'Allow',
        Action: ['redshift:PauseCluster'],
        Resource: 'arn:aws:redshift:us-east-1:1:cluster:*',
      });
      expect([...redshiftWriteGrants(broken).keys()].sort()).toEqual([EXECUTOR_ROLE, role].sort());
    }
    const unconditioned = cloneTemplate(template);
    for (const { where, statement } of iamStatements(unconditioned)) {
      if (where.startsWith(EXECUTOR_ROLE) && JSON.stringify(statement.Action).includes('PauseCluster')) {
        delete statement.Condition;
      }
    }
    expect(findUnconditionedWrites(unconditioned, OPT_IN.key, OPT_IN.value)).toEqual([
      expect.stringMatching(/^ExecuteDecisionIamRoleLambdaExecution statement \d+: .*PauseCluster/),
      expect.stringContaining(UNCONDITIONED_WRITE_ALLOWED),
    ]);
  });

  it('feeds the executor from the FIFO decision queue with partial batch responses; the queue has a DLQ', () => {
    expect(sqsEventSources(template)).toEqual([
      expect.objectContaining({
        functionId: 'ExecuteDecisionLambdaFunction',
        queueId: 'DecisionQueue',
        batchSize: 10,
        responseTypes: ['ReportBatchItemFailures'],
      }),
    ]);
    const executor = template.Resources.ExecuteDecisionLambdaFunction?.Properties as Record<string, unknown>;
    expect(executor.Timeout).toBe(custom.executor.timeoutSeconds);
    const queue = template.Resources.DecisionQueue?.Properties as { RedrivePolicy: { deadLetterTargetArn: unknown } };
    expect(refTarget(queue.RedrivePolicy.deadLetterTargetArn)).toBe('DecisionDlq');
    // The executor alerts a transient failure on the delivery that reaches the queue's maxReceiveCount.
    const env = (executor.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(Number(env.DECISION_MAX_RECEIVE_COUNT)).toBe(
      (queue.RedrivePolicy as unknown as { maxReceiveCount: number }).maxReceiveCount,
    );
  });

  it('lets every deciding function enqueue decisions and read the ledger, and only them and the executor', () => {
    const sends = iamStatements(template).filter(
      ({ statement }) =>
        JSON.stringify(statement.Resource ?? '').includes('"DecisionQueue"') &&
        JSON.stringify(statement.Action).includes('sqs:SendMessage'),
    );
    expect(sends.map(({ where }) => where.split(' ')[0]).sort()).toEqual(
      ['IngestEventBridgeLambdaFunction', 'IngestRedshiftEventLambdaFunction', 'ReconcileLambdaFunction']
        .map((fn) => roles().get(fn))
        .sort(),
    );
  });
});

/** The executor role's statements of a template, by Sid. */
function executorStatementsOf(t: CfnTemplate): Map<string, Record<string, unknown>> {
  const out = new Map<string, Record<string, unknown>>();
  for (const { where, statement } of iamStatements(t)) {
    const { Sid } = statement as { Sid?: unknown };
    if (where.startsWith(EXECUTOR_ROLE) && typeof Sid === 'string')
      out.set(Sid, statement as unknown as Record<string, unknown>);
  }
  return out;
}

describe('executor IAM generated from the capability registry and the packaged policies', () => {
  it(
    'conditions every opted-in write on a custom opt-in tag and denies changing that tag',
    async () => {
      const custom = (await packageService({ policies: 'test/fixtures/policies/custom-opt-in' })).template;
      const statements = executorStatementsOf(custom);
      expect(statements.get('ChangeOnlyOptedInClusters')).toMatchObject({
        Action: ['redshift:PauseCluster', 'redshift:ResumeCluster'],
        Condition: { StringEquals: { 'aws:ResourceTag/ops:autopilot': 'enabled' } },
      });
      expect(statements.get('NeverTouchTheOptInTag')).toMatchObject({
        Effect: 'Deny',
        Condition: { 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['ops:autopilot'] } },
      });
      expect(JSON.stringify([...statements.values()])).not.toContain('autopilot:managed');
      // The policies use windows only: no snapshot permission is granted.
      expect(JSON.stringify([...statements.values()])).not.toContain('Snapshot');
      expect(findUnconditionedWrites(custom, 'ops:autopilot', 'enabled')).toEqual([]);
      const variables = (
        custom.Resources.ExecuteDecisionLambdaFunction?.Properties as {
          Environment: { Variables: Record<string, string> };
        }
      ).Environment.Variables;
      expect(variables.POLICY_PATH).toBe('dist/policies/test_fixtures_policies_custom-opt-in.json');
    },
    PACKAGING_TIMEOUT_MS,
  );

  it('with the default opt-in tag, conditions on autopilot:managed', () => {
    expect(executorStatementsOf(template).get('ChangeOnlyOptedInClusters')).toMatchObject({
      Condition: { StringEquals: { 'aws:ResourceTag/autopilot:managed': 'true' } },
    });
  });

  it(
    'adds the permission a registered capability declares (the toy capability, nothing else changed)',
    async () => {
      const toy = (
        await packageService({
          policies: 'test/fixtures/capabilities/toy-reboot',
          capabilities: 'test/fixtures/capabilities/toy-reboot/index.ts',
        })
      ).template;
      expect(executorStatementsOf(toy).get('ToyRebootOptedInClusters')).toMatchObject({
        Effect: 'Allow',
        Action: ['redshift:RebootCluster'],
        Condition: { StringEquals: { 'aws:ResourceTag/autopilot:managed': 'true' } },
      });
    },
    PACKAGING_TIMEOUT_MS,
  );

  it(
    'with the default settings bundles the operator’s policies/ folder, never the examples: empty, it stops and says what to do',
    async () => {
      const { code, output } = await packageFailure({});
      expect(code).not.toBe(0);
      expect(output).toContain('no policy files (*.yml) in policies: write your policies there');
      expect(output).toContain('--param policies=examples/policies');
    },
    PACKAGING_TIMEOUT_MS,
  );

  it(
    'stops packaging on a policy that does not validate, naming file:line:col',
    async () => {
      const { code, output } = await packageFailure({ policies: 'test/fixtures/policies/invalid' });
      expect(code).not.toBe(0);
      expect(output).toContain('test/fixtures/policies/invalid/policies.yml:8:25: "25:00" is not an end time');
    },
    PACKAGING_TIMEOUT_MS,
  );
});

describe('the stack watches itself', () => {
  const alarm = (id: string) => template.Resources[id]?.Properties as Record<string, unknown> | undefined;

  it('alarms on every dead-letter queue, notifying the alert topic; reports a DLQ whose alarm is removed', () => {
    expect(deadLetterQueues(template)).toEqual([
      'DecisionDlq',
      'IngestEventBridgeDlq',
      'IngestRedshiftEventDlq',
      'ReconcileDlq',
    ]);
    expect(findDlqAlarmProblems(template, 'AlertTopic')).toEqual([]);
    const broken = cloneTemplate(template);
    delete broken.Resources.DecisionDlqAlarm;
    expect(findDlqAlarmProblems(broken, 'AlertTopic')).toEqual([
      'DecisionDlq: no alarm on ApproximateNumberOfMessagesVisible',
    ]);
    const silent = cloneTemplate(template);
    (silent.Resources.ReconcileDlqAlarm?.Properties as { AlarmActions: unknown[] }).AlarmActions = [];
    expect(findDlqAlarmProblems(silent, 'AlertTopic')).toEqual(['ReconcileDlqAlarm: does not notify AlertTopic']);
  });

  it('alarms on executor errors and on an open circuit breaker (the EMF metric the executor emits)', () => {
    expect(alarm('ExecutorErrorsAlarm')).toMatchObject({
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: 'ExecuteDecisionLambdaFunction' } }],
      AlarmActions: [{ Ref: 'AlertTopic' }],
    });
    expect(alarm('BreakerOpenAlarm')).toMatchObject({
      Namespace: 'RedshiftAutopilot',
      MetricName: 'deferred',
      Dimensions: [
        { Name: 'service', Value: 'execute-decision' },
        { Name: 'reason', Value: 'breaker-open' },
      ],
      AlarmActions: [{ Ref: 'AlertTopic' }],
    });
    const executorEnv = (
      template.Resources.ExecuteDecisionLambdaFunction?.Properties as {
        Environment: { Variables: Record<string, unknown> };
      }
    ).Environment.Variables;
    expect(executorEnv.POWERTOOLS_SERVICE_NAME).toBe('execute-decision');
    expect(template.Resources.Dashboard?.Type).toBe('AWS::CloudWatch::Dashboard');
  });

  it('encrypts the alert topic with a key CloudWatch alarms may use, and lets them publish', () => {
    const topic = template.Resources.AlertTopic?.Properties as { KmsMasterKeyId: unknown };
    expect(refTarget(topic.KmsMasterKeyId)).toBe('AlertTopicKey');
    const key = template.Resources.AlertTopicKey?.Properties as {
      KeyPolicy: { Statement: { Principal: unknown; Action: unknown }[] };
    };
    expect(key.KeyPolicy.Statement).toContainEqual(
      expect.objectContaining({
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: ['kms:GenerateDataKey*', 'kms:Decrypt'],
      }),
    );
    const policy = template.Resources.AlertTopicPolicy?.Properties as {
      PolicyDocument: { Statement: { Principal: unknown; Action: unknown; Effect: string }[] };
    };
    expect(policy.PolicyDocument.Statement).toContainEqual(
      expect.objectContaining({
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: 'sns:Publish',
      }),
    );
  });

  it(
    'bounds the executor’s concurrency at the event source (5 by default), and traces by a parameter',
    async () => {
      const [mapping] = [...resourcesOfType(template, 'AWS::Lambda::EventSourceMapping')];
      expect(mapping?.[1].Properties).toMatchObject({ ScalingConfig: { MaximumConcurrency: 5 } });
      for (const [, fn] of resourcesOfType(template, 'AWS::Lambda::Function')) {
        expect(fn.Properties).toMatchObject({ TracingConfig: { Mode: 'PassThrough' } });
      }
      const traced = (await packageService({ tracing: 'Active' })).template;
      for (const [id, fn] of resourcesOfType(traced, 'AWS::Lambda::Function')) {
        expect(fn.Properties, id).toMatchObject({ TracingConfig: { Mode: 'Active' } });
      }
      const xray = iamStatements(traced).filter(({ statement }) => JSON.stringify(statement.Action).includes('xray:'));
      expect(new Set(xray.map(({ where }) => where.split(' ')[0])).size).toBe(5);
    },
    PACKAGING_TIMEOUT_MS,
  );

  it('keeps the ledger claim lease tied to the executor timeout (shared/execute/executor.ts)', () => {
    expect(custom.executor.timeoutSeconds).toBe(EXECUTOR_TIMEOUT_SECONDS);
  });
});

describe('snapshot permissions (issue 6), evaluated on the executor role', () => {
  // A small IAM evaluator over the packaged statements — enough for the operators this template uses:
  // an explicit Deny wins, otherwise some Allow must match action, resource and condition; a request
  // naming several resources (CreateClusterSnapshot: cluster and snapshot) needs each one allowed.
  type Outcome = 'allowed' | 'denied' | 'implicit deny';
  type Context = Record<string, string | string[]>;
  const ARN = {
    cluster: (id: string) => `arn:aws:redshift:us-east-1:123456789012:cluster:${id}`,
    snapshot: (cluster: string, id: string) => `arn:aws:redshift:us-east-1:123456789012:snapshot:${cluster}/${id}`,
    namespace: (id: string) => `arn:aws:redshift-serverless:us-east-1:123456789012:namespace/${id}`,
    serverlessSnapshot: (id: string) => `arn:aws:redshift-serverless:us-east-1:123456789012:snapshot/${id}`,
    workgroup: (id: string) => `arn:aws:redshift-serverless:us-east-1:123456789012:workgroup/${id}`,
  };
  const PSEUDO: Record<string, string> = {
    'AWS::Partition': 'aws',
    'AWS::Region': 'us-east-1',
    'AWS::AccountId': '123456789012',
  };
  const OURS = ['managed-by', 'autopilot:policy', 'autopilot:slot', 'autopilot:attempt'];
  const created = { [`aws:RequestTag/${MANAGED_BY.key}`]: MANAGED_BY.value, 'aws:TagKeys': OURS };
  const optedIn = { [`aws:ResourceTag/${OPT_IN.key}`]: OPT_IN.value };

  const list = (value: unknown): unknown[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);
  const glob = (pattern: string) =>
    new RegExp(
      `^${pattern
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*/g, '.*')
        .replace(/\?/g, '.')}$`,
    );
  const resourcePattern = (resource: unknown): string | null => {
    if (typeof resource === 'string') return resource;
    const sub = (resource as { 'Fn::Sub'?: unknown } | null)?.['Fn::Sub'];
    return typeof sub === 'string' ? sub.replace(/\$\{([^}]+)\}/g, (_, name: string) => PSEUDO[name] ?? name) : null;
  };

  function conditionHolds(condition: unknown, context: Context): boolean {
    return Object.entries((condition ?? {}) as Record<string, Record<string, unknown>>).every(([operator, keys]) =>
      Object.entries(keys).every(([key, expected]) => {
        const wanted = list(expected).map(String);
        const actual = context[key];
        const values = actual === undefined ? [] : list(actual).map(String);
        switch (operator) {
          case 'StringEquals':
            return values.length === 1 && wanted.includes(values[0] ?? '');
          case 'ForAnyValue:StringEquals':
            return values.some((v) => wanted.includes(v));
          case 'ForAllValues:StringEquals':
            return values.every((v) => wanted.includes(v));
          default:
            throw new Error(`evaluator: operator ${operator} not modelled`);
        }
      }),
    );
  }

  function evaluate(role: string, action: string, resource: string, context: Context, from = template): Outcome {
    const matching = iamStatements(from)
      .filter(({ where }) => where.startsWith(`${role} `))
      .map(({ statement }) => statement)
      .filter((st) => list(st.Action).some((a) => glob(String(a)).test(action)))
      .filter((st) => list(st.Resource).some((r) => glob(resourcePattern(r) ?? '\u0000').test(resource)))
      .filter((st) => conditionHolds(st.Condition, context));
    if (matching.some((st) => st.Effect === 'Deny')) return 'denied';
    return matching.some((st) => st.Effect === 'Allow') ? 'allowed' : 'implicit deny';
  }

  const executor = (action: string, resource: string, context: Context, from = template) =>
    evaluate(EXECUTOR_ROLE, action, resource, context, from);

  it('creates a snapshot of an opted-in cluster only with autopilot’s tags, set at create', () => {
    const snap = ARN.snapshot('prod-etl', 'autopilot-prod-etl-nightly-202601050100');
    // Only names with autopilot's prefix (issue 22).
    expect(executor('redshift:CreateTags', ARN.snapshot('prod-etl', 'prod-etl-by-hand'), created)).toBe(
      'implicit deny',
    );
    expect(executor('redshift:CreateClusterSnapshot', ARN.cluster('prod-etl'), { ...created, ...optedIn })).toBe(
      'allowed',
    );
    expect(executor('redshift:CreateClusterSnapshot', snap, created)).toBe('allowed');
    expect(executor('redshift:CreateTags', snap, created)).toBe('allowed');
    // Not opted in; no managed-by tag; a foreign tag key.
    expect(executor('redshift:CreateClusterSnapshot', ARN.cluster('ops'), created)).toBe('implicit deny');
    expect(executor('redshift:CreateClusterSnapshot', snap, {})).toBe('implicit deny');
    expect(executor('redshift:CreateTags', snap, { ...created, 'aws:TagKeys': [...OURS, 'owner'] })).toBe(
      'implicit deny',
    );
    // Serverless: the namespace and the new snapshot.
    // Serverless: the namespace must carry the opt-in tag itself (issue 22).
    expect(executor('redshift-serverless:CreateSnapshot', ARN.namespace('ns-1'), { ...created, ...optedIn })).toBe(
      'allowed',
    );
    expect(executor('redshift-serverless:CreateSnapshot', ARN.namespace('ns-1'), created)).toBe('implicit deny');
    expect(executor('redshift-serverless:CreateSnapshotCopyConfiguration', ARN.namespace('ns-1'), optedIn)).toBe(
      'allowed',
    );
    expect(executor('redshift-serverless:CreateSnapshotCopyConfiguration', ARN.namespace('ns-1'), {})).toBe(
      'implicit deny',
    );
    expect(executor('redshift-serverless:CreateSnapshot', ARN.serverlessSnapshot('s-1'), created)).toBe('allowed');
    expect(executor('redshift-serverless:TagResource', ARN.serverlessSnapshot('s-1'), created)).toBe('allowed');
    expect(executor('redshift-serverless:CreateSnapshot', ARN.serverlessSnapshot('s-1'), {})).toBe('implicit deny');
  });

  it('can never set the opt-in tag, not even on a snapshot it creates (the explicit Deny)', () => {
    const withOptIn = {
      ...created,
      [`aws:RequestTag/${OPT_IN.key}`]: OPT_IN.value,
      'aws:TagKeys': [...OURS, OPT_IN.key],
    };
    expect(executor('redshift:CreateTags', ARN.snapshot('prod-etl', 'autopilot-x-202601050100'), withOptIn)).toBe(
      'denied',
    );
    expect(executor('redshift:CreateTags', ARN.cluster('prod-etl'), withOptIn)).toBe('denied');
    expect(executor('redshift-serverless:TagResource', ARN.serverlessSnapshot('s-1'), withOptIn)).toBe('denied');
    expect(executor('redshift-serverless:TagResource', ARN.workgroup('wg-1'), withOptIn)).toBe('denied');
    // Defence in depth: without the Deny, tagging a snapshot with the opt-in key is still refused,
    // because the snapshot statements allow autopilot's tag keys only.
    const noDeny = cloneTemplate(template);
    const role = noDeny.Resources[EXECUTOR_ROLE]?.Properties as {
      Policies: { PolicyDocument: { Statement: { Effect?: string }[] } }[];
    };
    for (const policy of role.Policies) {
      policy.PolicyDocument.Statement = policy.PolicyDocument.Statement.filter((st) => st.Effect !== 'Deny');
    }
    expect(
      executor('redshift:CreateTags', ARN.snapshot('prod-etl', 'autopilot-x-202601050100'), withOptIn, noDeny),
    ).toBe('implicit deny');
    expect(executor('redshift:CreateTags', ARN.snapshot('prod-etl', 'autopilot-x-202601050100'), created, noDeny)).toBe(
      'allowed',
    );
  });

  it('deletes only snapshots tagged managed-by=redshift-autopilot, and fails when that condition is removed', () => {
    const snap = ARN.snapshot('prod-etl', 'autopilot-prod-etl-nightly-202601050100');
    const ours = { [`aws:ResourceTag/${MANAGED_BY.key}`]: MANAGED_BY.value };
    expect(executor('redshift:DeleteClusterSnapshot', snap, ours)).toBe('allowed');
    // Tagged managed-by by someone, but not named by autopilot: not deletable (issue 22).
    expect(executor('redshift:DeleteClusterSnapshot', ARN.snapshot('prod-etl', 'prod-etl-before-upgrade'), ours)).toBe(
      'implicit deny',
    );
    expect(executor('redshift:DeleteClusterSnapshot', snap, {})).toBe('implicit deny');
    expect(executor('redshift:DeleteClusterSnapshot', snap, { [`aws:ResourceTag/${MANAGED_BY.key}`]: 'me' })).toBe(
      'implicit deny',
    );
    expect(executor('redshift-serverless:DeleteSnapshot', ARN.serverlessSnapshot('s-1'), ours)).toBe('allowed');
    expect(executor('redshift-serverless:DeleteSnapshot', ARN.serverlessSnapshot('s-1'), {})).toBe('implicit deny');

    // The statements that grant the deletes carry the condition…
    const deletes = (from: CfnTemplate) =>
      iamStatements(from).filter(
        ({ where, statement }) =>
          where.startsWith(EXECUTOR_ROLE) &&
          statement.Effect === 'Allow' &&
          list(statement.Action).some((a) => /:(DeleteClusterSnapshot|DeleteSnapshot)$/.test(String(a))) &&
          list(statement.Resource).some((r) => /:snapshot[:/]/.test(resourcePattern(r) ?? '')),
      );
    const found = deletes(template);
    expect(found).toHaveLength(2);
    for (const { statement } of found) {
      expect(statement.Condition).toEqual({
        StringEquals: { [`aws:ResourceTag/${MANAGED_BY.key}`]: MANAGED_BY.value },
      });
    }
    // …and without it a person's snapshot could be deleted.
    const unconditioned = cloneTemplate(template);
    for (const { statement } of deletes(unconditioned)) delete statement.Condition;
    expect(executor('redshift:DeleteClusterSnapshot', snap, {}, unconditioned)).toBe('allowed');
  });

  it('lets only reconcile and the executor read snapshots', () => {
    const readers = iamStatements(template)
      .filter(({ statement }) => JSON.stringify(statement.Action).includes('redshift:DescribeClusterSnapshots'))
      .map(({ where }) => where.split(' ')[0])
      .sort();
    expect(readers).toEqual([EXECUTOR_ROLE, functionRoles(template).get('ReconcileLambdaFunction') ?? ''].sort());
    expect(
      evaluate(
        functionRoles(template).get('ReconcileLambdaFunction') ?? '',
        'redshift:DescribeClusterSnapshots',
        '*',
        {},
      ),
    ).toBe('allowed');
  });
});

describe('function packages', () => {
  it('holds one zip per function with only its bundled ESM handler and no external module', () => {
    expect(Object.keys(service.zips).sort()).toEqual(Object.keys(FUNCTIONS).sort());
    for (const [name, handlerPath] of Object.entries(FUNCTIONS)) {
      const entries = readZip(service.zips[name] ?? '');
      // The compiled policies, not the YAML: no YAML parser or policy schema is needed at run time.
      expect([...entries.keys()].sort()).toEqual([handlerPath, PACKED_POLICIES].sort());
      const packed = JSON.parse(entries.get(PACKED_POLICIES)?.toString('utf8') ?? '{}');
      expect(packed).toMatchObject({ format: 'redshift-autopilot/compiled-policies', source: 'examples/policies' });
      expect(packed.files).toEqual(BUNDLED_POLICIES);
      const bundle = entries.get(handlerPath)?.toString('utf8') ?? '';
      expect(bundle).toMatch(/export\s*\{[^}]*\bas handler\b/);
      // Only Node builtins may be imported at run time: the SDK and every dependency are inside.
      expect(unbundledImports(bundle)).toEqual([]);
    }
  });

  it('runs from the zip: each bundle loads as ESM, reads its bundled policy and calls AWS through the bundled SDK', async () => {
    // Prepare: each zip extracted as Lambda would (a fresh task root, no node_modules next to it), the
    // stack's environment pointing at moto (AWS_ENDPOINT_URL) when it runs, else at nothing.
    const root = mkdtempSync(join(tmpdir(), 'autopilot-bundle-'));
    const load = async (name: keyof typeof FUNCTIONS) => {
      for (const [entry, data] of readZip(service.zips[name] ?? '')) {
        mkdirSync(dirname(join(root, name, entry)), { recursive: true });
        writeFileSync(join(root, name, entry), data);
      }
      vi.stubEnv('POLICY_PATH', join(root, name, PACKED_POLICIES));
      const module = join(root, name, FUNCTIONS[name]);
      return (await import(pathToFileURL(module).href)) as { handler: (event: unknown, context: unknown) => unknown };
    };
    const context = { functionName: 'f', awsRequestId: 'r', getRemainingTimeInMillis: () => 30_000 };
    const fixture = (name: string) => JSON.parse(readFileSync(join(REPO_ROOT, 'test/fixtures/events', name), 'utf8'));
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      // Act / Assess: no stack environment → the first AWS use names what is missing.
      const tick = { source: 'autopilot.scheduler', schedule: 'reconcile', scheduledTime: '2026-11-25T09:05:00Z' };
      await expect((await load('reconcile')).handler(tick, context)).rejects.toThrow(/ALERT_TOPIC_ARN is not set/);
      await expect((await load('ingestEventBridge')).handler({ 'detail-type': 'x' }, context)).rejects.toThrow(
        /source/,
      );
      const executor = await load('executeDecision');
      const bad = {
        messageId: 'm1',
        body: '{"not":"a decision"}',
        attributes: { MessageGroupId: 'g', ApproximateReceiveCount: '1' },
      };
      await expect(executor.handler({ Records: [bad] }, context)).rejects.toThrow(/ALERT_TOPIC_ARN is not set/);

      if (motoEndpoint !== null) {
        // A real notification: one DescribeClusters and one ledger Query, through the bundled SDK, on moto.
        const clients = createClients({ ...motoClientConfig(), region: 'us-east-1' });
        await clients.dynamodb.send(
          new CreateTableCommand({
            TableName: 'bundle-ledger',
            BillingMode: 'PAY_PER_REQUEST',
            ...structuredClone(LEDGER_TABLE),
          }),
        );
        vi.stubEnv('AWS_ENDPOINT_URL', motoEndpoint);
        vi.stubEnv('AWS_ACCESS_KEY_ID', 'testing');
        vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'testing');
        vi.stubEnv('AWS_REGION', 'us-east-1');
        vi.stubEnv('ALERT_TOPIC_ARN', 'arn:aws:sns:us-east-1:123456789012:bundle-alerts');
        vi.stubEnv('DECISION_QUEUE_URL', `${motoEndpoint}/123456789012/bundle-decisions.fifo`);
        vi.stubEnv('LEDGER_TABLE_NAME', 'bundle-ledger');
        const ingest = await load('ingestRedshiftEvent');
        expect(
          await ingest.handler(
            fixture('sns-lambda-event-redshift-event-notification-REDSHIFT-EVENT-2004.json'),
            context,
          ),
        ).toEqual({ received: 1, decisions: 0, enqueued: 0 });
        // The executor reports an unreadable message as a failed item (SQS redelivers it, then the DLQ).
        expect(await executor.handler({ Records: [bad] }, context)).toEqual({
          batchItemFailures: [{ itemIdentifier: 'm1' }],
        });
      }
    } finally {
      vi.restoreAllMocks();
      vi.unstubAllEnvs();
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('bundles the AWS SDK into the handler with the esbuild options of serverless.yml', async () => {
    // Prepare: the exact options serverless-esbuild used (exclude is added to external, as the plugin does).
    const options = custom.esbuild as {
      format: 'esm';
      platform: 'node';
      target: string;
      mainFields: string[];
      external: string[];
      exclude: string[];
    };
    // Act
    const result = await build({
      stdin: {
        contents: "export { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';",
        resolveDir: REPO_ROOT,
        loader: 'ts',
      },
      bundle: true,
      write: false,
      metafile: true,
      format: options.format,
      platform: options.platform,
      target: options.target,
      mainFields: options.mainFields,
      external: [...options.external, ...options.exclude],
      logLevel: 'silent',
    });
    const output = result.outputFiles[0]?.text ?? '';
    // Assess
    expect(unbundledImports(output)).toEqual([]);
    expect(output).toContain('SendMessageCommand');
    expect(Object.keys(result.metafile.inputs).some((p) => p.includes('node_modules/@aws-sdk/client-sqs/'))).toBe(true);
    expect(Object.keys(result.metafile.inputs).some((p) => p.includes('/dist-es/'))).toBe(true);
  });
});

describe('resources', () => {
  it('subscribes the ingest topic to every Redshift source type, all categories and severities', () => {
    const subscriptions = resourcesOfType(template, 'AWS::Redshift::EventSubscription').map(
      ([, s]) => s.Properties ?? {},
    );
    expect(subscriptions.map((s) => s.SourceType).sort()).toEqual([
      'cluster',
      'cluster-parameter-group',
      'cluster-security-group',
      'cluster-snapshot',
    ]);
    for (const subscription of subscriptions) {
      expect(refTarget(subscription.SnsTopicArn)).toBe('IngestTopic');
      expect(subscription.Enabled).toBe(true);
      expect(subscription).not.toHaveProperty('EventCategories');
      expect(subscription).not.toHaveProperty('Severity');
    }
    const topicPolicy = JSON.stringify(template.Resources.IngestTopicPolicy?.Properties);
    expect(topicPolicy).toContain('"Service":"redshift.amazonaws.com"');
    expect(topicPolicy).toContain('"Service":"cloudwatch.amazonaws.com"');
  });

  it('ticks reconcile every 5 minutes with the scheduler input the normalizer reads', () => {
    const schedule = template.Resources.ReconcileSchedule?.Properties as {
      ScheduleExpression: string;
      FlexibleTimeWindow: { Mode: string };
      Target: { Arn: unknown; Input: string };
    };
    expect(schedule.ScheduleExpression).toBe('rate(5 minutes)');
    expect(schedule.FlexibleTimeWindow).toEqual({ Mode: 'OFF' });
    expect(refTarget(schedule.Target.Arn)).toBe('ReconcileLambdaFunction');
    expect(JSON.parse(schedule.Target.Input)).toEqual({
      source: 'autopilot.scheduler',
      schedule: 'reconcile',
      scheduledTime: '<aws.scheduler.scheduled-time>',
    });
  });

  it('creates the acting path: FIFO decision queue with FIFO DLQ, ledger table, encrypted alert topic', () => {
    const queue = template.Resources.DecisionQueue?.Properties as Record<string, unknown>;
    expect(queue).toMatchObject({ FifoQueue: true, ContentBasedDeduplication: false, SqsManagedSseEnabled: true });
    expect(queue.VisibilityTimeout).toBeGreaterThanOrEqual(6 * custom.executor.timeoutSeconds);
    expect(queue.RedrivePolicy).toEqual({
      deadLetterTargetArn: { 'Fn::GetAtt': ['DecisionDlq', 'Arn'] },
      maxReceiveCount: 5,
    });
    expect(template.Resources.DecisionDlq?.Properties).toMatchObject({ FifoQueue: true });

    const table = template.Resources.LedgerTable?.Properties as Record<string, unknown>;
    expect(table).toMatchObject({
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      SSESpecification: { SSEEnabled: true },
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
    });
    // The adapter's table (tests and the bench create it from LEDGER_TABLE): the sparse in-flight index too.
    expect(table.AttributeDefinitions).toEqual(LEDGER_TABLE.AttributeDefinitions);
    expect(table.GlobalSecondaryIndexes).toEqual(LEDGER_TABLE.GlobalSecondaryIndexes);
    // A customer-managed key: CloudWatch alarms cannot publish to a topic under alias/aws/sns.
    expect(template.Resources.AlertTopic?.Properties).toMatchObject({ KmsMasterKeyId: { Ref: 'AlertTopicKey' } });
    for (const output of [
      'DecisionQueueUrl',
      'DecisionQueueArn',
      'LedgerTableName',
      'AlertTopicArn',
      'IngestTopicArn',
    ]) {
      expect(template.Outputs?.[output]).toMatchObject({ Export: { Name: `redshift-autopilot-dev-${output}` } });
    }
  });
});
