import {
  DescribeClusterParametersCommand,
  DescribeIntegrationsCommand,
  RedshiftClient,
} from '@aws-sdk/client-redshift';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AppDeps } from '../../../shared/app/deps.ts';
import { createSlot } from '../../../shared/domains/zero-etl/recreate-step.ts';
import type { IntegrationPort } from '../../../shared/execute/integration-port.ts';
import { idempotencyKey } from '../../../shared/policy/decide.ts';
import { loadPolicySources } from '../../../shared/policy/policy-loader.ts';
import type { HandlerSet } from '../../../shared/simulation/lambda-runtime.ts';
import { realHandlers } from '../../../shared/simulation/real-handlers.ts';
import { Simulation, type SimulationResult } from '../../../shared/simulation/simulation.ts';
import type { ActionRecord } from '../../../shared/simulation/timeline.ts';

/**
 * Issue 17 in `simulate`: the real handlers against the simulated account, with zero-ETL faults seeded
 * in the simulator (their events arrive in their EventBridge envelopes) and a disk alarm from a
 * workload. 1001 on a target is fixed through its own parameter group, the reboot it needs stated; a
 * 0007 on a DynamoDB source is recreated once (recreate allowed: the executor deletes; the tracker, in the
 * deciding functions that may not create, sends the create through the decision queue; the executor
 * creates), on an Aurora source alerted with its
 * runbook (the RDS API recreates those); a storm of 0004 folds into one alert and a summary; the disk
 * alarm takes a snapshot and alerts.
 */
const REGION = 'eu-central-1';
const ACCOUNT = '123456789012';
const FROM = Date.parse('2026-03-02T08:00:00Z');
const HOUR = 3_600_000;
const TO = FROM + 8 * HOUR;
const OPT_IN = [{ Key: 'autopilot:managed', Value: 'true' }];
const namespaceArn = (id: string) => `arn:aws:redshift:${REGION}:${ACCOUNT}:namespace:${id}`;
const TARGET_NS = namespaceArn('5f2b8c1e-9a7d-4e3b-b6c4-1d0e2f3a4b5c');
const CLICKS_NS = namespaceArn('6a3c9d2f-0b8e-4f4c-a7d5-2e1f3a4b5c6d');
const SOURCE = `arn:aws:rds:${REGION}:${ACCOUNT}:cluster:orders-aurora`;
const EVENTS_TABLE = `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/events`;
const EVENTS_ID = '3b5c7d9e-1f2a-4b6c-8d0e-2f4a6b8c0d1e';
const EVENTS_ARN = `arn:aws:redshift:${REGION}:${ACCOUNT}:integration:${EVENTS_ID}`;

function cluster(id: string, namespace: string, parameterGroup: string) {
  return {
    ClusterIdentifier: id,
    NodeType: 'ra3.xlplus',
    ClusterStatus: 'available',
    NumberOfNodes: 2,
    AutomatedSnapshotRetentionPeriod: 1,
    AvailabilityZone: `${REGION}a`,
    ClusterParameterGroups: [{ ParameterGroupName: parameterGroup, ParameterApplyStatus: 'in-sync' }],
    PreferredMaintenanceWindow: 'sun:02:00-sun:02:30',
    Encrypted: true,
    MultiAZ: 'Disabled',
    ClusterNamespaceArn: namespace,
    Tags: OPT_IN,
  };
}

const integration = (name: string, id: string, source: string, target: string) => ({
  IntegrationArn: `arn:aws:redshift:${REGION}:${ACCOUNT}:integration:${id}`,
  IntegrationName: name,
  SourceArn: source,
  TargetArn: target,
  Status: 'active',
  Errors: [],
  Tags: OPT_IN,
});

const FLEET = [
  {
    name: 'clusters.json',
    json: {
      Clusters: [
        cluster('zetl-target', TARGET_NS, 'zetl-params'),
        cluster('clicks-target', CLICKS_NS, 'clicks-params'),
        cluster('dw-disk', namespaceArn('7b4d0e3a-1c9f-4a5d-b8e6-3f2a4b5c6d7e'), 'default.redshift-2.0'),
      ],
    },
  },
  {
    name: 'integrations.json',
    json: {
      Integrations: [
        integration('orders', '7c9e6679-7425-40de-944b-e07fc1f90ae7', SOURCE, TARGET_NS),
        integration(
          'payments',
          '9e1a8891-9647-42f0-b66d-0a9fe3b0c2d9',
          `arn:aws:rds:${REGION}:${ACCOUNT}:cluster:payments-aurora`,
          CLICKS_NS,
        ),
        // A DynamoDB table: an integration Redshift's own CreateIntegration can create again.
        integration('events', EVENTS_ID, EVENTS_TABLE, CLICKS_NS),
        integration(
          'clicks',
          '8d0f7780-8536-41ef-a55c-f18fd2fa1bf8',
          `arn:aws:rds:${REGION}:${ACCOUNT}:cluster:clicks-aurora`,
          CLICKS_NS,
        ),
      ],
    },
  },
];

const POLICIES = `version: 1
defaults: { timezone: UTC, optInTag: "autopilot:managed=true" }
policies:
  - name: zetl
    resource: integration
    on: { categories: [Monitoring, Operation, Configuration] }
    do: [resume-target, fix-target-parameter, recreate, alert]
    allow: { modifyTargetParameterGroup: true, recreateIntegration: true }
  - name: disk-guard
    resource: cluster
    on: { metric: { namespace: AWS/Redshift, name: PercentageDiskSpaceUsed } }
    do: [snapshot, alert]
`;

/**
 * The deciding functions (ingest, reconcile) as their roles make them in AWS: no redshift:CreateIntegration,
 * so a create from their integration port is AccessDenied (and counted). Only the executor's port creates.
 */
let deciderCreates = 0;
function decidersCannotCreate(deps: AppDeps): HandlerSet {
  const executing = realHandlers(deps);
  const port = deps.resources.integration;
  if (port === undefined) throw new Error('no integration port in the simulated account');
  const denied: IntegrationPort = {
    describe: (arn) => port.describe(arn),
    byName: (name) => port.byName(name),
    recordedSettings: (arn) => port.recordedSettings(arn),
    recordSettings: (arn, settings, by) => port.recordSettings(arn, settings, by),
    remove: (arn) => port.remove(arn),
    read: (target) => port.read(target),
    perform: (action, params, target) => port.perform(action, params, target),
    isZeroEtlTarget: (cluster) => port.isZeroEtlTarget(cluster),
    create: async () => {
      deciderCreates++;
      throw Object.assign(new Error('not authorized to perform: redshift:CreateIntegration'), {
        name: 'AccessDeniedException',
      });
    },
  };
  const deciding = realHandlers({ ...deps, resources: { ...deps.resources, integration: denied } });
  return { ...deciding, executeDecision: executing.executeDecision };
}

let run: SimulationResult;
beforeAll(async () => {
  const { policySet, problems } = loadPolicySources([{ file: 'zero-etl.yml', text: POLICIES }]);
  expect(problems.filter((p) => p.severity === 'error')).toEqual([]);
  run = await new Simulation({
    policies: policySet,
    fleet: FLEET,
    from: FROM,
    to: TO,
    seed: 17,
    handlers: decidersCannotCreate,
    prepare: (sim) => {
      sim.injectIntegrationFault({
        integration: 'orders',
        eventId: 'REDSHIFT-INTEGRATION-EVENT-1001',
        at: FROM + HOUR,
      });
      sim.injectIntegrationFault({
        integration: 'clicks',
        eventId: 'REDSHIFT-INTEGRATION-EVENT-0007',
        at: FROM + 2 * HOUR,
      });
      sim.injectIntegrationFault({
        integration: 'events',
        eventId: 'REDSHIFT-INTEGRATION-EVENT-0007',
        at: FROM + 3 * HOUR,
      });
      // A table without a primary key: the warning every 36 s for an hour.
      sim.injectIntegrationFault({
        integration: 'payments',
        eventId: 'REDSHIFT-INTEGRATION-EVENT-0004',
        at: FROM + 30 * 60_000,
        repeat: { count: 100, everyMs: 36_000 },
      });
      sim.setWorkload('dw-disk', { PercentageDiskSpaceUsed: { kind: 'growth', start: 80, perDay: 48, max: 97 } });
      sim.addAlarm({
        alarmName: 'dw-disk-disk-high',
        clusterIdentifier: 'dw-disk',
        metricName: 'PercentageDiskSpaceUsed',
        statistic: 'Maximum',
        periodSeconds: 300,
        threshold: 85,
        comparisonOperator: 'GreaterThanThreshold',
      });
    },
  }).run();
}, 120_000);

const actions = (resource: string) =>
  run.records.filter((r): r is ActionRecord => r.type === 'action' && r.resource === resource);
const alertsAbout = (text: string) => run.alerts.filter((a) => `${a.subject} ${a.message}`.includes(text));

describe('zero-ETL reactions, simulated', () => {
  it('1001: the target parameter group gets enable_case_sensitive_identifier=true once; the alert states the reboot it needs', async () => {
    const fixes = actions('cluster/zetl-target').filter((a) => a.action === 'ModifyClusterParameterGroup');
    expect(fixes.map((a) => a.outcome)).toEqual(['succeeded']);
    expect(fixes[0]?.at.slice(0, 13)).toBe('2026-03-02T09');

    const redshift = new RedshiftClient({ region: REGION, credentials: { accessKeyId: 'AKID', secretAccessKey: 's' } });
    run.simulator.attach(redshift);
    const out = await redshift.send(new DescribeClusterParametersCommand({ ParameterGroupName: 'zetl-params' }));
    expect(out.Parameters?.find((p) => p.ParameterName === 'enable_case_sensitive_identifier')).toMatchObject({
      ParameterValue: 'true',
      Source: 'user',
    });
    // Nothing rebooted it: the value waits for the reboot the alert asks for.
    expect(run.simulator.getCluster('zetl-target')?.ClusterParameterGroups?.[0]?.ParameterApplyStatus).toBe(
      'pending-reboot',
    );
    expect(run.simulator.effectiveParameter('zetl-target', 'enable_case_sensitive_identifier')).toBe('false');
    // Two alerts, published in the same instant (their order is the executor's, not the story's): the
    // policy's own alert on the integration, and the executor's on the fix, an event-driven decision
    // alerted alone (no run digest), which names the cluster to reboot.
    const about = alertsAbout('REDSHIFT-INTEGRATION-EVENT-1001');
    expect(about.map((a) => [a.attributes.action, a.attributes.resource, a.attributes.severity]).sort()).toEqual([
      ['ModifyClusterParameterGroup', 'cluster/zetl-target', 'INFO'],
      ['Publish', 'integration/orders', 'ERROR'],
    ]);
    const fix = about.find((a) => a.attributes.action === 'ModifyClusterParameterGroup');
    expect(fix?.message).toMatch(/reboot/i);
    expect(fix?.message).toContain('aws redshift reboot-cluster --cluster-identifier zetl-target');
    expect(about.find((a) => a.attributes.action === 'Publish')?.message).toMatch(/reboot the target cluster/);
    expect(actions('cluster/zetl-target').some((a) => a.action === 'RebootCluster')).toBe(false);
  });

  it('0007 on an Aurora source: one alert with the delete-and-recreate runbook, not recreated (the RDS API creates it)', () => {
    const alerts = alertsAbout('REDSHIFT-INTEGRATION-EVENT-0007 on clicks');
    expect(alerts).toHaveLength(1);
    expect(alerts[0]?.message).toContain('delete-integration');
    expect(actions('integration/clicks')).toEqual([]);
  });

  it('0007 with recreate allowed: deleted, then created again once through the queue and the executor, same settings, active (0000), both records closed', async () => {
    const recreates = actions('integration/events');
    expect(recreates.map((a) => [a.action, a.outcome])).toEqual([
      ['DeleteIntegration', 'in-progress'],
      ['CreateIntegration', 'succeeded'],
      ['DeleteIntegration', 'succeeded'],
    ]);
    const [deleted, created, closed] = recreates;
    expect(closed?.key).toBe(deleted?.key);
    expect(closed?.outcomeReason).toBe('reached active');
    // The create's key derives from the delete's record: the same for every sweep and 0001 that sees it due.
    const target = { type: 'integration' as const, id: 'events', arn: EVENTS_ARN };
    expect(created?.key).toBe(
      idempotencyKey('zetl', target, 'CreateIntegration', createSlot({ idempotencyKey: deleted?.key ?? '' })),
    );
    // Tracker → queue → executor: the delete's end (0001) reached the EventBridge ingest function, whose
    // tracker sent the decision; the executor's batch made the call, the only CreateIntegration of the run.
    const gone = run.deliveries.find(
      (d) =>
        d.fn === 'ingestEventBridge' && d.eventId === 'REDSHIFT-INTEGRATION-EVENT-0001' && d.resource === EVENTS_ARN,
    );
    expect(gone).toBeDefined();
    const [from, to] = [gone?.at ?? '', created?.at ?? ''];
    const between = run.deliveries.filter((d) => d.at >= from && d.at <= to).map((d) => `${d.fn} ${d.eventId}`);
    expect(between).toEqual(['ingestEventBridge REDSHIFT-INTEGRATION-EVENT-0001', 'executeDecision batch']);
    expect(Date.parse(to) - Date.parse(from)).toBeLessThan(60_000);
    expect(run.apiCalls.CreateIntegration).toBe(1);
    expect(deciderCreates).toBe(0);
    const record = await run.ledger.get(created?.key ?? '');
    expect(record?.params).toMatchObject({ IntegrationName: 'events', DeletedIntegrationArn: EVENTS_ARN });

    const redshift = new RedshiftClient({ region: REGION, credentials: { accessKeyId: 'AKID', secretAccessKey: 's' } });
    run.simulator.attach(redshift);
    const now = await redshift.send(new DescribeIntegrationsCommand({}));
    const events = now.Integrations?.filter((i) => i.IntegrationName === 'events') ?? [];
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ Status: 'active', SourceArn: EVENTS_TABLE, TargetArn: CLICKS_NS, Tags: OPT_IN });
    expect(events[0]?.IntegrationArn).not.toBe(EVENTS_ARN);
    expect(record?.createdId).toBe(events[0]?.IntegrationArn);
    const alerts = alertsAbout('REDSHIFT-INTEGRATION-EVENT-0007 on events');
    expect(alerts).toHaveLength(1);
    expect(alerts[0]?.message).toContain('autopilot deletes it and creates it again');
  });
});

describe('alarm reactions and folded warnings, simulated', () => {
  it('the disk alarm takes a snapshot of its cluster and alerts, through the disk-guard policy', () => {
    const snapshots = actions('cluster/dw-disk').filter((a) => a.action === 'CreateClusterSnapshot');
    // One decision (one key), recorded when accepted and when its snapshot completed.
    expect(new Set(snapshots.map((a) => a.key)).size).toBe(1);
    expect(snapshots.map((a) => [a.policy, a.outcome])).toEqual([
      ['disk-guard', 'in-progress'],
      ['disk-guard', 'succeeded'],
    ]);
    expect(snapshots[0]?.reason).toMatch(/^alarm dw-disk-disk-high at 2026-03-02T10:40/);
    expect(snapshots[1]?.outcomeReason).toMatch(/^snapshot autopilot-dw-disk-disk-guard-\d+ completed/);
    // The policy's alert on the alarm (the snapshot's own reports aside), saying what autopilot does about it.
    const alerts = run.alerts.filter((a) => a.subject === '[autopilot] disk-guard: alarm dw-disk-disk-high on dw-disk');
    expect(alerts).toHaveLength(1);
    expect(alerts[0]?.message).toContain('changed from OK to ALARM');
    expect(alerts[0]?.message).toContain('autopilot: CreateClusterSnapshot');
  });

  it('100 identical 0004 warnings in an hour: one alert, then one summary counting the repeats', () => {
    const alerts = alertsAbout('REDSHIFT-INTEGRATION-EVENT-0004');
    const storm = run.simulator.emittedEvents().filter((e) => e.eventId === 'REDSHIFT-INTEGRATION-EVENT-0004');

    expect(storm).toHaveLength(100);
    expect(alerts.map((a) => a.subject)).toEqual([
      '[autopilot] zetl: REDSHIFT-INTEGRATION-EVENT-0004 on payments',
      expect.stringContaining('99 more REDSHIFT-INTEGRATION-EVENT-0004'),
    ]);
    expect(alerts[0]?.at.slice(0, 16)).toBe('2026-03-02T08:30');
    // The summary closes the 6 h fold window opened by the first alert.
    expect(alerts[1]?.at.slice(0, 16)).toBe('2026-03-02T14:30');
  });

  it('no failed action, no dead letter, no invocation error', () => {
    expect(run.records.filter((r) => r.type === 'action' && r.outcome === 'failed')).toEqual([]);
    expect(run.deadLetters).toEqual([]);
    expect(run.invocationErrors).toEqual([]);
  });
});
