import { DescribeClusterSnapshotsCommand, RedshiftClient, type Snapshot } from '@aws-sdk/client-redshift';
import { RedshiftServerlessClient } from '@aws-sdk/client-redshift-serverless';
import type { SNSEvent, SQSEvent } from 'aws-lambda';
import { beforeEach, describe, expect, it } from 'vitest';
import { createExecuteDecisionHandler } from '../../../functions/execute-decision/execute-decision.handler.ts';
import { createIngestRedshiftEventHandler } from '../../../functions/ingest-redshift-event/ingest-redshift-event.handler.ts';
import { createReconcileHandler } from '../../../functions/reconcile/reconcile.handler.ts';
import { type InProcessDeps, inProcessDeps } from '../../../shared/app/memory-deps.ts';
import { DEADLINE_ACTION } from '../../../shared/domains/snapshots/snapshot-verification.ts';
import type { QueueRecord } from '../../../shared/execute/batch-processor.ts';
import { loadPolicySources } from '../../../shared/policy/policy-loader.ts';
import { RedshiftSimulator, type SimEvent } from '../../../shared/simulator/index.ts';
import { lambdaContext } from '../../helpers/lambda-context.ts';

// Issue 6 through the deployed handler factories, in process (DESIGN §1): a reconcile tick at the
// schedule slot enqueues CreateClusterSnapshot, the executor creates it in the simulated control plane,
// the REDSHIFT-EVENT-3004 notification closes the ledger record through ingest, and retention over
// several simulated days deletes autopilot's own old snapshots — never a person's, an automated one or
// another policy's.

const POLICY = `
version: 1
defaults: { timezone: Europe/Berlin, optInTag: "autopilot:managed=true" }
policies:
  - name: nightly
    resource: cluster
    match: { tags: { backup: gold } }
    snapshots:
      schedule: "cron(0 2 * * ? *)"
      retain: { daily: 2 }
`;

const MIN = 60_000;
const DAY = 24 * 60 * MIN;
/** 02:00 in Berlin on Monday 2026-01-05 (CET, UTC+1): the first slot. */
const SLOT = Date.UTC(2026, 0, 5, 1, 0);
const OPT_IN = { Key: 'autopilot:managed', Value: 'true' };

const context = lambdaContext();

const sqsEvent = (records: readonly QueueRecord[]): SQSEvent => ({ Records: records as SQSEvent['Records'] });
const tick = (at: number) => ({
  source: 'autopilot.scheduler',
  schedule: 'reconcile',
  scheduledTime: new Date(at).toISOString(),
});

/** Snapshots nobody lets autopilot delete: a person's, an automated one, another policy's. */
const FOREIGN: Snapshot[] = [
  { SnapshotIdentifier: 'prod-etl-before-upgrade', SnapshotType: 'manual', Tags: [{ Key: 'owner', Value: 'ana' }] },
  { SnapshotIdentifier: 'rs:prod-etl-2026-01-01-03-00', SnapshotType: 'automated', Tags: [] },
  {
    SnapshotIdentifier: 'prod-etl-legacy-202512010100',
    SnapshotType: 'manual',
    Tags: [
      { Key: 'managed-by', Value: 'redshift-autopilot' },
      { Key: 'autopilot:policy', Value: 'legacy' },
      { Key: 'autopilot:slot', Value: '2025-12-01T01:00:00.000Z' },
    ],
  },
].map((s) => ({
  ...s,
  ClusterIdentifier: 'prod-etl',
  Status: 'available',
  // Redshift expires automated snapshots after the cluster's retention (35 days here, below).
  SnapshotCreateTime: new Date(SLOT - (s.SnapshotType === 'automated' ? 2 : 30) * DAY),
  NodeType: 'ra3.xlplus',
  NumberOfNodes: 2,
}));

let sim: RedshiftSimulator;
let redshift: RedshiftClient;
let app: InProcessDeps;
let delivered: SimEvent[];

beforeEach(() => {
  sim = new RedshiftSimulator({ start: SLOT - 10 * MIN, seed: 5 });
  redshift = new RedshiftClient({ region: sim.region });
  const serverless = new RedshiftServerlessClient({ region: sim.region });
  sim.attach(redshift);
  sim.attach(serverless);
  delivered = [];
  sim.subscribe((_payload, _at, event) => delivered.push(event), { delayMs: [1000, 1000] });
  sim.addCluster({
    ClusterIdentifier: 'prod-etl',
    NodeType: 'ra3.xlplus',
    NumberOfNodes: 2,
    AutomatedSnapshotRetentionPeriod: 35,
    Tags: [OPT_IN, { Key: 'backup', Value: 'gold' }],
  });
  // Opted in but not gold, and gold but not opted in: neither is snapshotted.
  sim.addCluster({ ClusterIdentifier: 'prod-bi', NodeType: 'ra3.xlplus', NumberOfNodes: 2, Tags: [OPT_IN] });
  sim.addCluster({
    ClusterIdentifier: 'ops-gold',
    NodeType: 'ra3.xlplus',
    NumberOfNodes: 2,
    Tags: [{ Key: 'backup', Value: 'gold' }],
  });
  for (const snapshot of FOREIGN) sim.seedSnapshot(snapshot);
  const { policySet, problems } = loadPolicySources([{ file: 'snapshots-flow.yml', text: POLICY }]);
  expect(problems.filter((p) => p.severity === 'error')).toEqual([]);
  app = inProcessDeps({ redshift, redshiftServerless: serverless, policies: policySet, clock: sim.clock });
});

async function snapshotIds(): Promise<string[]> {
  const out = await redshift.send(new DescribeClusterSnapshotsCommand({ ClusterIdentifier: 'prod-etl' }));
  return (out.Snapshots ?? []).map((s) => s.SnapshotIdentifier ?? '').sort();
}

/** Hands every notification the simulator has sent so far to the ingest function, as SNS would. */
async function deliverNotifications(ingest: ReturnType<typeof createIngestRedshiftEventHandler>): Promise<string[]> {
  const ids: string[] = [];
  for (const event of delivered.splice(0)) {
    if (event.kind !== 'redshift-notification') continue;
    ids.push(event.eventId);
    await ingest(event.payload as SNSEvent, context);
  }
  return ids;
}

describe('scheduled snapshots through the deployed handlers', () => {
  it('creates the slot snapshot once, closes its record on REDSHIFT-EVENT-3004, and alerts no deadline', async () => {
    const reconcile = createReconcileHandler(app.deps);
    const execute = createExecuteDecisionHandler(app.deps);
    const ingest = createIngestRedshiftEventHandler(app.deps);

    // Act 1: the sweep tick at the 02:00 Berlin slot.
    sim.clock.advanceTo(SLOT + MIN);
    const swept = await reconcile(tick(SLOT + MIN), context);

    // Assess 1: one CreateClusterSnapshot for the opted-in gold cluster, with the slot's id and tags.
    expect(swept).toMatchObject({ decisions: 1, enqueued: 1 });
    const [decision] = app.queue.accepted;
    expect(decision).toMatchObject({ action: 'CreateClusterSnapshot', target: { type: 'cluster', id: 'prod-etl' } });
    expect(decision?.params).toMatchObject({
      ClusterIdentifier: 'prod-etl',
      SnapshotIdentifier: 'autopilot-prod-etl-nightly-202601050100',
      Tags: expect.arrayContaining([
        { Key: 'managed-by', Value: 'redshift-autopilot' },
        { Key: 'autopilot:slot', Value: '2026-01-05T01:00:00.000Z' },
      ]),
    });
    expect(sim.callCounts().CreateClusterSnapshot).toBeUndefined();

    // Act 2: the executor consumes the message; a second tick in the same slot decides it again.
    const response = await execute(sqsEvent(app.queue.receive()), context);
    sim.clock.advanceBy(MIN);
    await reconcile(tick(SLOT + 2 * MIN), context);
    await execute(sqsEvent(app.queue.receive()), context);

    // Assess 2: one snapshot, creating; its ledger record in progress.
    expect(response).toEqual({ batchItemFailures: [] });
    expect(sim.callCounts().CreateClusterSnapshot).toBe(1);
    const key = decision?.idempotencyKey ?? '';
    expect(app.ledger.records.get(key)).toMatchObject({ status: 'in-progress' });

    // Act 3: the snapshot completes; SNS delivers the notifications to ingest (no sweep in between).
    sim.clock.advanceBy(30 * MIN);
    const ids = await deliverNotifications(ingest);

    // Assess 3: 2009 then 3004; the record is closed by the event, not by polling.
    expect(ids).toEqual(['REDSHIFT-EVENT-2009', 'REDSHIFT-EVENT-3004']);
    expect(app.ledger.records.get(key)).toMatchObject({
      status: 'succeeded',
      afterState: 'available',
      outcomeReason: expect.stringContaining('REDSHIFT-EVENT-3004'),
    });
    expect(app.notifier.events.map((e) => e.outcome)).toEqual(['in-progress', 'succeeded']);

    // Act 4: the sweep past the slot's deadline (2 h).
    sim.clock.advanceTo(SLOT + 3 * 60 * MIN);
    const later = await reconcile(tick(SLOT + 3 * 60 * MIN), context);

    // Assess 4: nothing to poll, nothing missed, nothing new to do.
    expect(later).toMatchObject({ enqueued: 0, trackers: { snapshots: { polled: 0, deadlineAlerts: 0 } } });
    expect(app.notifier.alerts.filter((a) => a.attributes.action === DEADLINE_ACTION)).toEqual([]);
  });

  it('keeps the last two nightly snapshots over five days and deletes only its own', async () => {
    const reconcile = createReconcileHandler(app.deps);
    const execute = createExecuteDecisionHandler(app.deps);
    const ingest = createIngestRedshiftEventHandler(app.deps);
    const nightly = (day: number) => `autopilot-prod-etl-nightly-2026010${5 + day}0100`;
    const kept: string[][] = [];

    for (let day = 0; day < 5; day++) {
      const slot = SLOT + day * DAY;
      // The slot tick creates; an hour later (completed, events delivered) a tick applies retention.
      for (const at of [slot + MIN, slot + 60 * MIN]) {
        sim.clock.advanceTo(at);
        await deliverNotifications(ingest);
        await reconcile(tick(at), context);
        for (let batch = app.queue.receive(); batch.length > 0; batch = app.queue.receive()) {
          expect(await execute(sqsEvent(batch), context)).toEqual({ batchItemFailures: [] });
        }
      }
      kept.push((await snapshotIds()).filter((id) => id.includes('-nightly-')));
    }

    // Every day: today's and yesterday's nightly snapshot, nothing older.
    expect(kept).toEqual([
      [nightly(0)],
      [nightly(0), nightly(1)],
      [nightly(1), nightly(2)],
      [nightly(2), nightly(3)],
      [nightly(3), nightly(4)],
    ]);
    // A person's, the automated and another policy's snapshots are all still there.
    const left = await snapshotIds();
    for (const foreign of FOREIGN) expect(left).toContain(foreign.SnapshotIdentifier);
    expect(sim.callCounts()).toMatchObject({ CreateClusterSnapshot: 5, DeleteClusterSnapshot: 3 });
    const deleted = app.queue.accepted.filter((d) => d.action === 'DeleteClusterSnapshot');
    expect(deleted.map((d) => d.params.SnapshotIdentifier)).toEqual([nightly(0), nightly(1), nightly(2)]);
    // Nothing about prod-bi (not gold) or ops-gold (not opted in).
    expect(new Set(app.queue.accepted.map((d) => d.target.id))).toEqual(new Set(['prod-etl']));
    expect(app.notifier.alerts.filter((a) => a.attributes.outcome === 'failed')).toEqual([]);
  });
});
