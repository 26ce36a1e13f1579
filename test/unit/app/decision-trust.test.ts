import { RedshiftClient } from '@aws-sdk/client-redshift';
import { RedshiftServerlessClient } from '@aws-sdk/client-redshift-serverless';
import type { SQSEvent } from 'aws-lambda';
import { beforeEach, describe, expect, it } from 'vitest';
import { createExecuteDecisionHandler } from '../../../functions/execute-decision/execute-decision.handler.ts';
import { createReconcileHandler } from '../../../functions/reconcile/reconcile.handler.ts';
import type { AppDeps } from '../../../shared/app/deps.ts';
import { type InProcessDeps, inProcessDeps } from '../../../shared/app/memory-deps.ts';
import type { DeadLetterPort, QueueRecord } from '../../../shared/execute/batch-processor.ts';
import type { Decision } from '../../../shared/policy/decision.ts';
import { loadPolicySources } from '../../../shared/policy/policy-loader.ts';
import { RedshiftSimulator } from '../../../shared/simulator/index.ts';
import { answerInboundIntegrations } from '../../helpers/inbound-integrations.ts';
import { lambdaContext } from '../../helpers/lambda-context.ts';

// Issue 22: the executor acts only on what a deployed policy decided. Every message below reaches the
// real executor handler (in process, the simulated control plane behind real SDK clients); a refused one
// makes no AWS call at all — not even the re-read — raises one alert per cause, and goes to the DLQ.

const POLICY = `
version: 1
defaults: { timezone: UTC, optInTag: "autopilot:managed=true" }
policies:
  - name: dev-office-hours
    resource: cluster
    match: { tags: { env: dev } }
    window: { running: ["Mon-Fri 07:00-19:00"] }
  - name: wg-capacity
    resource: workgroup
    match: { tags: { env: dev } }
    window: { running: ["Mon-Fri 07:00-19:00"], runningBaseCapacity: 128, pausedBaseCapacity: 8 }
  - name: rehearsal
    resource: cluster
    match: { tags: { env: qa } }
    dryRun: true
    window: { running: ["Mon-Fri 07:00-19:00"] }
`;

/** Tuesday 2026-01-06 19:30Z: outside the window, so the sweep decides to pause dev-etl. */
const EVENING = Date.UTC(2026, 0, 6, 19, 30);

const context = lambdaContext();

let sim: RedshiftSimulator;
let app: InProcessDeps;
let deadLetters: { body: string; reason: string }[];
let execute: ReturnType<typeof createExecuteDecisionHandler>;
let messages = 0;

function record(body: string): QueueRecord {
  messages += 1;
  return { messageId: `m${messages}`, body, attributes: { MessageGroupId: 'g', ApproximateReceiveCount: '1' } };
}

async function deliver(...bodies: string[]) {
  const event = { Records: bodies.map(record) } as unknown as SQSEvent;
  return execute(event, context);
}

const writes = () =>
  Object.entries(sim.callCounts())
    .filter(([op]) => !/^(Describe|List|Get)/.test(op))
    .reduce((n, [, count]) => n + (count ?? 0), 0);
const reads = () =>
  Object.entries(sim.callCounts())
    .filter(([op]) => /^(Describe|List|Get)/.test(op))
    .reduce((n, [, count]) => n + (count ?? 0), 0);

/** The pause the sweep really decided: the valid message every forged one below is made from. */
async function sweptPause(): Promise<Decision> {
  await createReconcileHandler(app.deps)(
    { source: 'autopilot.scheduler', schedule: 'reconcile', scheduledTime: new Date(EVENING).toISOString() },
    context,
  );
  const pause = app.queue.accepted.find((d) => d.action === 'PauseCluster');
  if (pause === undefined) throw new Error('the sweep decided no pause');
  return pause;
}

beforeEach(() => {
  sim = new RedshiftSimulator({ start: EVENING, seed: 7 });
  const redshift = new RedshiftClient({ region: sim.region });
  const serverless = new RedshiftServerlessClient({ region: sim.region });
  sim.attach(redshift);
  sim.attach(serverless);
  answerInboundIntegrations(redshift);
  sim.addCluster({
    ClusterIdentifier: 'dev-etl',
    NodeType: 'ra3.xlplus',
    NumberOfNodes: 2,
    Tags: [
      { Key: 'autopilot:managed', Value: 'true' },
      { Key: 'env', Value: 'dev' },
    ],
  });
  const { policySet, problems } = loadPolicySources([{ file: 'deployed.yml', text: POLICY }]);
  expect(problems.filter((p) => p.severity === 'error')).toEqual([]);
  app = inProcessDeps({ redshift, redshiftServerless: serverless, policies: policySet, clock: sim.clock });
  deadLetters = [];
  const port: DeadLetterPort = {
    put: async (r, reason) => {
      deadLetters.push({ body: r.body, reason });
    },
  };
  const deps: AppDeps = Object.create(app.deps, { deadLetters: { value: port } });
  execute = createExecuteDecisionHandler(deps);
});

describe('the executor acts only on what a deployed policy decided', () => {
  it('a valid decision still acts', async () => {
    const pause = await sweptPause();
    const out = await deliver(JSON.stringify(pause));
    expect(out).toEqual({ batchItemFailures: [] });
    expect(sim.callCounts().PauseCluster).toBe(1);
    expect(deadLetters).toEqual([]);
    expect(app.notifier.alerts.map((a) => a.attributes.outcome)).not.toContain('refused');
  });

  const forgeries: [string, (d: Decision) => Decision, RegExp][] = [
    [
      'a policy that does not exist',
      (d) => ({ ...d, policy: 'nope' }),
      /unknown-policy.*no deployed policy is named "nope"/,
    ],
    [
      'a guard that claims another opt-in tag',
      (d) => ({ ...d, guard: { ...d.guard, optInTag: { key: 'team', value: 'analytics' } } }),
      /guard-mismatch.*opt-in tag team=analytics is not policy dev-office-hours's autopilot:managed=true/,
    ],
    [
      'a guard that allows a zero-ETL target the policy does not',
      (d) => ({ ...d, guard: { ...d.guard, allowZeroEtlTarget: true } }),
      /guard-mismatch.*does not allow acting on a zero-ETL target/,
    ],
    [
      'a decision older than the bound',
      (d) => ({ ...d, decidedAt: new Date(EVENING - 2 * 3_600_000).toISOString() }),
      /stale.*decided 120 min ago; the bound is 45 min/,
    ],
    [
      'UpdateWorkgroup with publiclyAccessible',
      (d) => ({
        ...d,
        policy: 'wg-capacity',
        action: 'UpdateWorkgroup',
        target: { type: 'workgroup', id: 'wg-dev' },
        params: { workgroupName: 'wg-dev', publiclyAccessible: true },
      }),
      /param-not-declared.*UpdateWorkgroup takes no parameter publiclyAccessible; expected only workgroupName, baseCapacity, maxCapacity/,
    ],
    [
      'UpdateWorkgroup to a capacity the window never sets',
      (d) => ({
        ...d,
        policy: 'wg-capacity',
        action: 'UpdateWorkgroup',
        target: { type: 'workgroup', id: 'wg-dev' },
        params: { workgroupName: 'wg-dev', baseCapacity: 512 },
      }),
      /param-not-in-policy.*baseCapacity 512 is not what the policy sets; expected 128 or 8/,
    ],
    [
      'ResizeCluster to a size no policy sets',
      (d) => ({ ...d, action: 'ResizeCluster', params: { ClusterIdentifier: 'dev-etl', NumberOfNodes: 64 } }),
      /action-not-in-policy.*never requests ResizeCluster/,
    ],
    [
      'a pause naming another cluster in its parameters',
      (d) => ({ ...d, params: { ClusterIdentifier: 'prod-dw' } }),
      /param-not-in-policy.*ClusterIdentifier "prod-dw" is not the target dev-etl/,
    ],
  ];

  it.each(forgeries)('refuses %s before any AWS call, alerts once and dead-letters it', async (_name, forge, why) => {
    const pause = await sweptPause();
    const readsBefore = reads();
    const out = await deliver(JSON.stringify(forge(pause)));

    expect(out).toEqual({ batchItemFailures: [] });
    expect(writes()).toBe(0);
    expect(reads()).toBe(readsBefore);
    expect(app.ledger.records.size).toBe(0);
    const refused = app.notifier.alerts.filter((a) => a.attributes.outcome === 'refused');
    expect(refused).toHaveLength(1);
    expect(refused[0]?.body).toMatch(why);
    expect(refused[0]?.body).toMatch(/Nothing was called/);
    expect(refused[0]?.body).toMatch(/Next: /);
    expect(deadLetters).toHaveLength(1);
    expect(deadLetters[0]?.reason).toMatch(why);
  });

  it('alerts once per cause: a flood of forged messages pages once, and each is still dead-lettered', async () => {
    const pause = await sweptPause();
    const forged = Array.from({ length: 5 }, (_, i) => JSON.stringify({ ...pause, policy: `nope-${i}` }));
    await deliver(...forged);
    await deliver(JSON.stringify({ ...pause, decidedAt: new Date(EVENING - 3 * 3_600_000).toISOString() }));

    const causes = app.notifier.alerts.filter((a) => a.attributes.outcome === 'refused').map((a) => a.subject);
    expect(causes).toHaveLength(2);
    expect(causes[0]).toMatch(/decision refused \(unknown-policy\)/);
    expect(causes[1]).toMatch(/decision refused \(stale\)/);
    expect(deadLetters).toHaveLength(6);
    expect(writes()).toBe(0);
  });

  it('refuses a pause of an opted-in cluster the named policy does not select, on the re-read (policySelects)', async () => {
    sim.addCluster({
      ClusterIdentifier: 'prod-dw',
      NodeType: 'ra3.xlplus',
      NumberOfNodes: 2,
      Tags: [
        { Key: 'autopilot:managed', Value: 'true' },
        { Key: 'env', Value: 'prod' },
      ],
    });
    const pause = await sweptPause();
    const forged = {
      ...pause,
      target: { type: 'cluster' as const, id: 'prod-dw' },
      params: { ClusterIdentifier: 'prod-dw' },
    };
    await deliver(JSON.stringify(forged));
    expect(sim.callCounts().PauseCluster).toBeUndefined();
    const skipped = app.notifier.alerts.filter((a) => a.attributes.outcome === 'skipped');
    expect(skipped.map((a) => a.attributes.resource)).toEqual(['cluster/prod-dw']);
    expect(skipped[0]?.body).toMatch(
      /guardrail policySelects: policy dev-office-hours does not select cluster prod-dw/,
    );
  });

  it('takes the mode from the policy: a message that says act for a dry-run policy is only reported', async () => {
    const pause = await sweptPause();
    await deliver(JSON.stringify({ ...pause, policy: 'rehearsal' }));
    expect(sim.callCounts().PauseCluster).toBeUndefined();
    const outcome = app.notifier.alerts.map((a) => a.attributes.outcome);
    expect(outcome).toEqual(['dry-run']);
    expect(app.notifier.alerts[0]?.body).toMatch(/policy rehearsal is a dry run/);
  });

  it('dead-letters a malformed message at once with the reason, instead of holding its group for five receives', async () => {
    const pause = await sweptPause();
    const out = await deliver('{"policy": 7}', JSON.stringify(pause));
    expect(out).toEqual({ batchItemFailures: [] });
    expect(deadLetters).toHaveLength(1);
    expect(deadLetters[0]?.reason).toMatch(/^malformed decision message: .*policy/);
    // The valid message of the same group still acts.
    expect(sim.callCounts().PauseCluster).toBe(1);
  });
});
