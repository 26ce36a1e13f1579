import { DescribeClustersCommand, PauseClusterCommand, RedshiftClient } from '@aws-sdk/client-redshift';
import { RedshiftServerlessClient } from '@aws-sdk/client-redshift-serverless';
import type { SNSEvent, SQSEvent } from 'aws-lambda';
import { beforeEach, describe, expect, it } from 'vitest';
import { createExecuteDecisionHandler } from '../../../functions/execute-decision/execute-decision.handler.ts';
import { createIngestEventBridgeHandler } from '../../../functions/ingest-event-bridge/ingest-event-bridge.handler.ts';
import { createIngestRedshiftEventHandler } from '../../../functions/ingest-redshift-event/ingest-redshift-event.handler.ts';
import { createReconcileHandler } from '../../../functions/reconcile/reconcile.handler.ts';
import { type InProcessDeps, inProcessDeps } from '../../../shared/app/memory-deps.ts';
import type { QueueRecord } from '../../../shared/execute/batch-processor.ts';
import { loadPolicySources } from '../../../shared/policy/policy-loader.ts';
import { RedshiftSimulator, type SimEvent } from '../../../shared/simulator/index.ts';
import { answerInboundIntegrations } from '../../helpers/inbound-integrations.ts';
import { lambdaContext } from '../../helpers/lambda-context.ts';

// DESIGN.md §1 end to end, in process: the deployed handler factories with in-memory queue, ledger and
// alert topic, and the simulated Redshift control plane behind real SDK clients.

const POLICY = `
version: 1
defaults: { timezone: Europe/Berlin, optInTag: "autopilot:managed=true" }
policies:
  - name: dev-office-hours
    resource: cluster
    match: { tags: { env: dev } }
    window: { running: ["Mon-Fri 07:00-19:00"] }
  - name: zero-etl-target-resume
    resource: integration
    on: { events: [REDSHIFT-INTEGRATION-EVENT-0018, REDSHIFT-INTEGRATION-EVENT-0019] }
    do: [resume-target, alert]
`;

const MIN = 60_000;
/** Tuesday 2026-01-06 20:30 in Berlin (19:30Z): outside the Mon-Fri 07:00-19:00 window. */
const EVENING = Date.UTC(2026, 0, 6, 19, 30);

const context = lambdaContext();

function policies() {
  const { policySet, problems } = loadPolicySources([{ file: 'flow.yml', text: POLICY }]);
  expect(problems.filter((p) => p.severity === 'error')).toEqual([]);
  return policySet;
}

const sqsEvent = (records: readonly QueueRecord[]): SQSEvent => ({ Records: records as SQSEvent['Records'] });
const tick = (at: number) => ({
  source: 'autopilot.scheduler',
  schedule: 'reconcile',
  scheduledTime: new Date(at).toISOString(),
});

let sim: RedshiftSimulator;
let redshift: RedshiftClient;
let app: InProcessDeps;
let delivered: SimEvent[];

beforeEach(() => {
  sim = new RedshiftSimulator({ start: EVENING, seed: 7 });
  redshift = new RedshiftClient({ region: sim.region });
  const serverless = new RedshiftServerlessClient({ region: sim.region });
  sim.attach(redshift);
  sim.attach(serverless);
  answerInboundIntegrations(redshift);
  delivered = [];
  sim.subscribe((_payload, _at, event) => delivered.push(event), { delayMs: [1000, 1000] });
  sim.addCluster({
    ClusterIdentifier: 'dev-etl',
    NodeType: 'ra3.xlplus',
    NumberOfNodes: 2,
    Tags: [
      { Key: 'autopilot:managed', Value: 'true' },
      { Key: 'env', Value: 'dev' },
    ],
  });
  app = inProcessDeps({ redshift, redshiftServerless: serverless, policies: policies(), clock: sim.clock });
});

async function clusterStatus(id: string): Promise<string | undefined> {
  const out = await redshift.send(new DescribeClustersCommand({ ClusterIdentifier: id }));
  return out.Clusters?.[0]?.ClusterStatus;
}

describe('sweep → queue → executor → simulated cluster', () => {
  it('pauses a cluster outside its window once, alerts once, and ignores a duplicate delivery', async () => {
    const reconcile = createReconcileHandler(app.deps);
    const execute = createExecuteDecisionHandler(app.deps);

    // Act 1: a sweep tick outside the window.
    const swept = await reconcile(tick(EVENING), context);

    // Assess 1: one PauseCluster decision on the queue, nothing called yet.
    expect(swept).toMatchObject({ received: 1, resources: 1, decisions: 1, enqueued: 1 });
    expect(app.queue.accepted.map((d) => [d.action, d.target.id, d.mode])).toEqual([
      ['PauseCluster', 'dev-etl', 'act'],
    ]);
    expect(sim.callCounts().PauseCluster).toBeUndefined();

    // Act 2: the executor consumes the batch.
    const [message] = app.queue.receive();
    if (message === undefined) throw new Error('no message on the queue');
    const response = await execute(sqsEvent([message]), context);

    // Assess 2: acted once, cluster pausing, ledger in progress, one alert with filterable attributes.
    expect(response).toEqual({ batchItemFailures: [] });
    expect(sim.callCounts().PauseCluster).toBe(1);
    expect(await clusterStatus('dev-etl')).toBe('pausing');
    const key = app.queue.accepted[0]?.idempotencyKey ?? '';
    expect(app.ledger.records.get(key)).toMatchObject({ status: 'in-progress', expectedState: 'paused' });
    expect(app.notifier.alerts).toHaveLength(1);
    expect(app.notifier.alerts[0]?.attributes).toEqual({
      severity: 'INFO',
      policy: 'dev-office-hours',
      resource: 'cluster/dev-etl',
      action: 'PauseCluster',
      outcome: 'in-progress',
    });
    expect(app.notifier.alerts[0]?.subject.length).toBeLessThanOrEqual(100);

    // Act 3: time passes; SQS delivers the same message again (at-least-once).
    sim.clock.advanceBy(20 * MIN);
    const again = await execute(sqsEvent([{ ...message, messageId: 'redelivered' }]), context);

    // Assess 3: paused; the duplicate is acknowledged and does nothing.
    expect(await clusterStatus('dev-etl')).toBe('paused');
    expect(again).toEqual({ batchItemFailures: [] });
    expect(sim.callCounts().PauseCluster).toBe(1);
    expect(app.notifier.alerts).toHaveLength(1);

    // Act 4: the next tick sees the paused cluster.
    const next = await reconcile(tick(EVENING + 25 * MIN), context);

    // Assess 4: the pause record is closed from the fleet read; nothing new is enqueued.
    expect(next).toMatchObject({ enqueued: 0, advanced: 1 });
    expect(app.ledger.records.get(key)).toMatchObject({ status: 'succeeded', afterState: 'paused' });
    expect(app.notifier.events.map((e) => e.outcome)).toEqual(['in-progress', 'succeeded']);
    expect(app.queue.depth).toBe(0);
  });

  it('sends the same decision of two overlapping ticks once (FIFO dedup by idempotency key)', async () => {
    const reconcile = createReconcileHandler(app.deps);

    await reconcile(tick(EVENING), context);
    await reconcile(tick(EVENING + MIN), context);

    expect(app.queue.accepted).toHaveLength(1);
    expect(app.queue.depth).toBe(1);
  });
});

describe('events → decide → queue → executor', () => {
  it('closes the pause record from the 3619 notification (one Describe, no sweep)', async () => {
    const reconcile = createReconcileHandler(app.deps);
    const execute = createExecuteDecisionHandler(app.deps);
    const ingest = createIngestRedshiftEventHandler(app.deps);
    await reconcile(tick(EVENING), context);
    await execute(sqsEvent(app.queue.receive()), context);
    sim.clock.advanceBy(20 * MIN);
    const paused = delivered.find((e) => e.eventId === 'REDSHIFT-EVENT-3619');
    if (paused === undefined) throw new Error('the simulator sent no 3619');
    sim.resetCallCounts();

    const result = await ingest(paused.payload as SNSEvent, context);

    expect(result).toEqual({ received: 1, decisions: 0, enqueued: 0 });
    expect(sim.callCounts()).toEqual({ DescribeClusters: 1 });
    const [record] = app.ledger.records.values();
    expect(record).toMatchObject({ action: 'PauseCluster', status: 'succeeded', afterState: 'paused' });
  });

  async function pausedByHand() {
    sim.addIntegration({
      IntegrationName: 'orders-to-dev',
      SourceArn: 'arn:aws:rds:us-east-1:123456789012:cluster:orders',
      targetClusterIdentifier: 'dev-etl',
      Tags: [{ Key: 'autopilot:managed', Value: 'true' }],
    });
    // The window policy never pauses a zero-ETL target: the sweep decides nothing for it.
    expect(await createReconcileHandler(app.deps)(tick(EVENING), context)).toMatchObject({ decisions: 0 });
    // Somebody pauses it by hand; the integration reports its target paused.
    await redshift.send(new PauseClusterCommand({ ClusterIdentifier: 'dev-etl' }));
    sim.clock.advanceBy(20 * MIN);
    const targetPaused = delivered.find((e) => e.eventId === 'REDSHIFT-INTEGRATION-EVENT-0019');
    if (targetPaused === undefined) throw new Error('the simulator sent no 0019');
    return targetPaused.payload as never;
  }

  it('decides resume-target and the policy alert on a zero-ETL 0019, sent once for a duplicated event', async () => {
    const payload = await pausedByHand();
    const ingest = createIngestEventBridgeHandler(app.deps);

    const first = await ingest(payload, context);
    const second = await ingest(payload, context);

    expect(first).toEqual({ received: 1, decisions: 2, enqueued: 2 });
    expect(second).toMatchObject({ decisions: 2 });
    expect(app.queue.accepted.map((d) => [d.action, d.target.type, d.target.id])).toEqual([
      ['ResumeCluster', 'cluster', 'dev-etl'],
      ['Publish', 'integration', 'orders-to-dev'],
    ]);
    expect(app.queue.depth).toBe(2);
  });

  it('publishes the policy alert of a reaction through the ledger, once', async () => {
    const ingest = createIngestEventBridgeHandler(app.deps);
    const execute = createExecuteDecisionHandler(app.deps);
    await ingest(await pausedByHand(), context);
    const records = app.queue.receive();

    const response = await execute(sqsEvent(records), context);
    await execute(sqsEvent(records.map((r) => ({ ...r, messageId: `${r.messageId}-again` }))), context);

    expect(response).toEqual({ batchItemFailures: [] });
    const published = app.notifier.alerts.filter((a) => a.attributes.action === 'Publish');
    expect(published).toHaveLength(1);
    expect(published[0]).toMatchObject({
      subject: expect.stringContaining('REDSHIFT-INTEGRATION-EVENT-0019'),
      body: expect.stringContaining('Policy: zero-etl-target-resume'),
      attributes: { resource: 'integration/orders-to-dev', policy: 'zero-etl-target-resume', outcome: 'succeeded' },
    });
  });

  // A paused cluster reports ClusterAvailabilityStatus "Paused": stateAllowsOperation must accept it for
  // ResumeCluster (operations.ts allowedAvailability), or no resume ever passes.
  it('resumes the paused zero-ETL target once', async () => {
    const ingest = createIngestEventBridgeHandler(app.deps);
    const execute = createExecuteDecisionHandler(app.deps);
    await ingest(await pausedByHand(), context);

    const records = app.queue.receive();
    await execute(sqsEvent(records), context);
    await execute(sqsEvent(records.map((r) => ({ ...r, messageId: `${r.messageId}-again` }))), context);

    expect(sim.callCounts().ResumeCluster).toBe(1);
    expect(await clusterStatus('dev-etl')).toBe('resuming');
    // Two message groups run concurrently (issue 19): their alerts come in either order.
    expect(app.notifier.alerts.map((a) => [a.attributes.action, a.attributes.outcome]).sort()).toEqual([
      ['Publish', 'succeeded'],
      ['ResumeCluster', 'in-progress'],
    ]);
  });
});
