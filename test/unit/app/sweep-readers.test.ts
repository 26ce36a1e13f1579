import { RedshiftClient } from '@aws-sdk/client-redshift';
import { RedshiftServerlessClient } from '@aws-sdk/client-redshift-serverless';
// Type only: the SDK's own middleware types (a dependency of every @aws-sdk client).
import type { InitializeMiddleware, MetadataBearer } from '@smithy/types';
import { beforeEach, describe, expect, it } from 'vitest';
import { type InProcessDeps, inProcessDeps } from '../../../shared/app/memory-deps.ts';
import { runSweep } from '../../../shared/app/reconcile.use-case.ts';
import { loadPolicySources } from '../../../shared/policy/policy-loader.ts';
import { RedshiftSimulator, SIMULATOR_MIDDLEWARE_NAME } from '../../../shared/simulator/index.ts';

// The sweep isolates the readers the provisioned fleet does not need: with DescribeIntegrations
// failing it still pauses the clusters it can tell are no zero-ETL targets, skips those it cannot,
// alerts once per outage (not every 5 minutes) and once when the read works again.

const POLICY = `
version: 1
defaults: { timezone: Europe/Berlin, optInTag: "autopilot:managed=true" }
policies:
  - name: dev-office-hours
    resource: cluster
    match: { tags: { env: dev } }
    window: { running: ["Mon-Fri 07:00-19:00"] }
`;

const MIN = 60_000;
/** Tuesday 2026-01-06 20:30 in Berlin: outside the window, every dev cluster should be paused. */
const EVENING = Date.UTC(2026, 0, 6, 19, 30);

/** What AWS answers an SDK call it refuses: the error name, its HTTP status, and a client fault. */
function awsError(name: string, message: string, status: number): Error {
  return Object.assign(new Error(message), { name, $fault: 'client', $metadata: { httpStatusCode: status } });
}

interface Outages {
  integrations: boolean;
  serverless: boolean;
}

/**
 * In front of the simulator: DescribeIntegrations and the Serverless list calls fail while their
 * outage is on; DescribeInboundIntegrations (asked per cluster) answers for `etl-target`, answers
 * empty for the others, and is refused for `etl-unknown`.
 */
function gate(redshift: RedshiftClient, serverless: RedshiftServerlessClient, sim: RedshiftSimulator, off: Outages) {
  const denied = (op: string) =>
    awsError(
      'AccessDeniedException',
      `User: arn:aws:sts::123456789012:assumed-role/reconcile is not authorized to perform: ${op}`,
      400,
    );
  const redshiftGate: InitializeMiddleware<object, MetadataBearer> = (next, ctx) => async (args) => {
    if (ctx.commandName === 'DescribeIntegrationsCommand' && off.integrations)
      throw denied('redshift:DescribeIntegrations');
    if (ctx.commandName !== 'DescribeInboundIntegrationsCommand') return next(args);
    const target = (args.input as { TargetArn?: string }).TargetArn;
    if (target === sim.getCluster('etl-unknown')?.ClusterNamespaceArn)
      throw denied('redshift:DescribeInboundIntegrations');
    const isTarget = target === sim.getCluster('etl-target')?.ClusterNamespaceArn;
    const inbound = isTarget
      ? [
          {
            IntegrationArn: 'arn:aws:redshift:us-east-1:123456789012:integration:1',
            TargetArn: target,
            Status: 'active',
          },
        ]
      : [];
    return { output: { InboundIntegrations: inbound, $metadata: {} }, response: {} };
  };
  const serverlessGate: InitializeMiddleware<object, MetadataBearer> = (next, ctx) => async (args) => {
    if (off.serverless && ctx.commandName?.startsWith('List')) {
      throw awsError('UnknownOperationException', 'The operation is not supported in this Region', 400);
    }
    return next(args);
  };
  const where = { relation: 'before', toMiddleware: SIMULATOR_MIDDLEWARE_NAME } as const;
  redshift.middlewareStack.addRelativeTo(redshiftGate, { ...where, name: 'gate' });
  serverless.middlewareStack.addRelativeTo(serverlessGate, { ...where, name: 'gate' });
}

let sim: RedshiftSimulator;
let app: InProcessDeps;
let off: Outages;

beforeEach(() => {
  sim = new RedshiftSimulator({ start: EVENING, seed: 11 });
  const redshift = new RedshiftClient({ region: sim.region });
  const serverless = new RedshiftServerlessClient({ region: sim.region });
  sim.attach(redshift);
  sim.attach(serverless);
  off = { integrations: true, serverless: false };
  gate(redshift, serverless, sim, off);
  for (const id of ['etl-plain', 'etl-target', 'etl-unknown']) {
    sim.addCluster({
      ClusterIdentifier: id,
      NodeType: 'ra3.xlplus',
      NumberOfNodes: 2,
      Tags: [
        { Key: 'autopilot:managed', Value: 'true' },
        { Key: 'env', Value: 'dev' },
      ],
    });
  }
  sim.addIntegration({
    IntegrationName: 'orders-to-etl',
    SourceArn: 'arn:aws:rds:us-east-1:123456789012:cluster:orders',
    targetClusterIdentifier: 'etl-target',
  });
  const { policySet, problems } = loadPolicySources([{ file: 'sweep.yml', text: POLICY }]);
  expect(problems.filter((p) => p.severity === 'error')).toEqual([]);
  app = inProcessDeps({ redshift, redshiftServerless: serverless, policies: policySet, clock: sim.clock });
});

// The executor does not run here: a decision sent again by a later sweep is one (FIFO dedup by key).
const paused = () => [...new Set(app.queue.accepted.map((d) => `${d.action} ${d.target.id}`))];

describe('the sweep without DescribeIntegrations', () => {
  it('pauses what it can tell is no zero-ETL target, skips the rest, alerts once per outage and once on recovery', async () => {
    // Act: three sweeps 5 minutes apart, DescribeIntegrations refused throughout.
    const first = await runSweep(app.deps);
    sim.clock.advanceBy(5 * MIN);
    const second = await runSweep(app.deps);
    sim.clock.advanceBy(5 * MIN);
    await runSweep(app.deps);

    // Assess: etl-plain paused; etl-target (a target, asked one by one) and etl-unknown (cannot tell) skipped.
    expect(paused()).toEqual(['PauseCluster etl-plain']);
    expect(first).toMatchObject({ decisions: 1, enqueued: 1, skips: 2 });
    expect(first.readers).toEqual({ failing: ['zero-ETL integrations'], alerted: 1, recovered: 0 });
    expect(second.readers).toEqual({ failing: ['zero-ETL integrations'], alerted: 0, recovered: 0 });
    // One alert for the outage, not one per sweep: it says what, why, the impact and what to do.
    expect(app.notifier.alerts).toHaveLength(1);
    const [alert] = app.notifier.alerts;
    expect(alert?.attributes).toMatchObject({ severity: 'ERROR', resource: 'sweep/zero-ETL integrations' });
    expect(alert?.subject).toBe('[autopilot] sweep: zero-ETL integrations not read; deciding without them');
    expect(alert?.body).toContain('redshift:DescribeIntegrations: AccessDeniedException: User:');
    expect(alert?.body).toContain('no cluster is paused unless its policy sets pauseZeroEtlTargets: true');
    expect(alert?.body).toContain("grant redshift:DescribeIntegrations to the reconcile function's role");

    // Act: the read works again.
    off.integrations = false;
    sim.clock.advanceBy(5 * MIN);
    const recovered = await runSweep(app.deps);

    // Assess: one recovery alert; etl-unknown is now known to be no target and is paused, etl-target is not.
    expect(recovered.readers).toEqual({ failing: [], alerted: 0, recovered: 1 });
    expect(paused()).toEqual(['PauseCluster etl-plain', 'PauseCluster etl-unknown']);
    expect(app.notifier.alerts.map((a) => [a.attributes.severity, a.subject])).toEqual([
      ['ERROR', '[autopilot] sweep: zero-ETL integrations not read; deciding without them'],
      ['INFO', '[autopilot] sweep: zero-ETL integrations read again'],
    ]);

    // Act: a second outage later is a new outage, alerted again (once).
    off.integrations = true;
    sim.clock.advanceBy(5 * MIN);
    await runSweep(app.deps);
    sim.clock.advanceBy(5 * MIN);
    await runSweep(app.deps);

    // Assess
    expect(app.notifier.alerts.map((a) => a.attributes.severity)).toEqual(['ERROR', 'INFO', 'ERROR']);
  });

  it('decides the provisioned fleet in a Region without Redshift Serverless, and alerts once', async () => {
    // Prepare: integrations answer; every Serverless list call is refused.
    off.integrations = false;
    off.serverless = true;

    // Act
    const first = await runSweep(app.deps);
    sim.clock.advanceBy(5 * MIN);
    await runSweep(app.deps);

    // Assess: both non-targets paused; one WARNING-free ERROR alert naming Serverless; trackers wait.
    expect(paused()).toEqual(['PauseCluster etl-plain', 'PauseCluster etl-unknown']);
    expect(first.readers.failing).toEqual(['Redshift Serverless']);
    expect(app.notifier.alerts).toHaveLength(1);
    expect(app.notifier.alerts[0]?.body).toContain(
      'UnknownOperationException: The operation is not supported in this Region',
    );
    expect(app.notifier.alerts[0]?.body).toContain('policies of workgroups decide nothing');
  });
});
