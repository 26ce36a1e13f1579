import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RedshiftClient } from '@aws-sdk/client-redshift';
import { RedshiftServerlessClient } from '@aws-sdk/client-redshift-serverless';
import type { SNSEvent } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createIngestEventBridgeHandler } from '../../../functions/ingest-event-bridge/ingest-event-bridge.handler.ts';
import { createIngestRedshiftEventHandler } from '../../../functions/ingest-redshift-event/ingest-redshift-event.handler.ts';
import { type InProcessDeps, inProcessDeps } from '../../../shared/app/memory-deps.ts';
import { createObservability } from '../../../shared/lambda/observability.ts';
import { loadPolicySources } from '../../../shared/policy/policy-loader.ts';
import { RedshiftSimulator } from '../../../shared/simulator/index.ts';
import { lambdaContext } from '../../helpers/lambda-context.ts';

// Issue #22, "events are checked at the door": the deployed ingest handlers, on the real payloads of
// test/fixtures/events, against a simulated account. An event naming an account or Region this
// deployment does not serve reads nothing, decides nothing and is logged and counted (EventsDropped);
// the same event naming this account and Region acts (the idle alarm pauses the cluster).

const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures', 'events');
const fixture = <T>(name: string): T => JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as T;

/** The account of the real SNS captures (their topic and the alarm's AWSAccountId); the deployment's here. */
const OURS = '147946154733';
const OTHER = '111122223333';
const CLUSTER = 'sapi-03-seznam';
/** Tuesday 2026-01-06 10:00Z: inside the window, so an idle alarm is what pauses the cluster. */
const NOW = Date.UTC(2026, 0, 6, 10, 0);

const POLICY = `
version: 1
defaults: { timezone: UTC, optInTag: "autopilot:managed=true" }
policies:
  - name: office
    resource: cluster
    window: { running: ["Mon-Fri 07:00-19:00"], idle: { alarm: martin-test } }
`;

const context = lambdaContext({ account: OURS, remainingMs: 30_000 });

let sim: RedshiftSimulator;
let app: InProcessDeps;
let lines: Record<string, unknown>[];

beforeEach(() => {
  sim = new RedshiftSimulator({ start: NOW, seed: 3, account: OURS });
  const redshift = new RedshiftClient({ region: sim.region });
  const serverless = new RedshiftServerlessClient({ region: sim.region });
  sim.attach(redshift);
  sim.attach(serverless);
  sim.addCluster({
    ClusterIdentifier: CLUSTER,
    NodeType: 'ra3.xlplus',
    NumberOfNodes: 2,
    Tags: [{ Key: 'autopilot:managed', Value: 'true' }],
  });
  const { policySet, problems } = loadPolicySources([{ file: 'door.yml', text: POLICY }]);
  expect(problems.filter((p) => p.severity === 'error')).toEqual([]);
  app = inProcessDeps({
    redshift,
    redshiftServerless: serverless,
    policies: policySet,
    clock: sim.clock,
    region: 'us-east-1',
    config: { accounts: [OURS] },
    observability: createObservability({ service: 'ingest' }),
  });
  sim.resetCallCounts();
  lines = [];
  const capture = (chunk: string | Uint8Array) => {
    for (const line of String(chunk).split('\n')) {
      if (line.trim().startsWith('{')) lines.push(JSON.parse(line) as Record<string, unknown>);
    }
    return true;
  };
  vi.spyOn(process.stdout, 'write').mockImplementation(capture);
  vi.spyOn(process.stderr, 'write').mockImplementation(capture);
});
afterEach(() => {
  vi.restoreAllMocks();
});

const dropped = () => lines.filter((l) => l.message === 'event dropped');
const droppedMetrics = () => lines.filter((l) => l._aws !== undefined && 'EventsDropped' in l);
const enqueued = () => app.queue.accepted.map((d) => [d.action, d.target.id, d.policy]);

/** Asserts one event was dropped for `reason`, counted once, and read and decided nothing. */
function expectDropped(reason: string, claimed: Record<string, unknown>): void {
  expect(dropped()).toEqual([expect.objectContaining({ level: 'WARN', reason, ...claimed })]);
  expect(droppedMetrics()).toEqual([expect.objectContaining({ reason, EventsDropped: 1 })]);
  expect(sim.callCounts()).toEqual({});
  expect(enqueued()).toEqual([]);
}

/** The real alarm → SNS capture, its state change moved to now, with the account it states replaced. */
function snsAlarm(account: string): SNSEvent {
  const event = fixture<SNSEvent>('sns-lambda-event-cloudwatch-alarm-AWS-Redshift-PercentageDiskSpaceUsed.json');
  const record = event.Records[0];
  if (record === undefined) throw new Error('fixture has no record');
  const body = JSON.parse(record.Sns.Message) as Record<string, unknown> & { Trigger: { Dimensions: unknown[] } };
  body.AWSAccountId = account;
  body.StateChangeTime = new Date(NOW).toISOString();
  body.Trigger.Dimensions = [{ name: 'ClusterIdentifier', value: CLUSTER }];
  record.Sns.Message = JSON.stringify(body);
  return event;
}

/** The real EventBridge alarm state change, on the cluster's idle alarm, from `account` in `region`. */
function bridgeAlarm(account: string, region: string) {
  const event = fixture<Record<string, unknown>>('eventbridge-aws.cloudwatch-alarm-state-change-single-metric.json');
  const detail = event.detail as { alarmName: string; configuration: { metrics: { metricStat: unknown }[] } };
  detail.alarmName = 'martin-test';
  const [metric] = detail.configuration.metrics;
  if (metric !== undefined) {
    metric.metricStat = {
      metric: { namespace: 'AWS/Redshift', name: 'DatabaseConnections', dimensions: { ClusterIdentifier: CLUSTER } },
      period: 300,
      stat: 'Maximum',
    };
  }
  return {
    ...event,
    account,
    region,
    time: new Date(NOW).toISOString(),
    resources: [`arn:aws:cloudwatch:${region}:${account}:alarm:martin-test`],
    detail,
  } as never;
}

/** The real REDSHIFT-EVENT-2004 notification about the cluster, with `edit` applied to its message body. */
function notification(edit: (body: Record<string, unknown>) => void): SNSEvent {
  const event = fixture<SNSEvent>('sns-lambda-event-redshift-event-notification-REDSHIFT-EVENT-2004.json');
  const record = event.Records[0];
  if (record === undefined) throw new Error('fixture has no record');
  const body = JSON.parse(record.Sns.Message) as Record<string, unknown>;
  body.Resource = CLUSTER;
  edit(body);
  record.Sns.Message = JSON.stringify(body);
  return event;
}

describe('ingestRedshiftEvent: the idle alarm (legacy alarm → SNS)', () => {
  it('drops and counts an alarm that names another account, and pauses nothing', async () => {
    const result = await createIngestRedshiftEventHandler(app.deps)(snsAlarm(OTHER), context);

    expect(result).toEqual({ received: 1, decisions: 0, enqueued: 0 });
    expectDropped('foreign-account', { account: OTHER, where: 'account', served: [OURS] });
  });

  it('pauses the cluster on the same alarm from this account', async () => {
    const result = await createIngestRedshiftEventHandler(app.deps)(snsAlarm(OURS), context);

    expect(result).toEqual({ received: 1, decisions: 1, enqueued: 1 });
    expect(enqueued()).toEqual([['PauseCluster', CLUSTER, 'office']]);
    expect(dropped()).toEqual([]);
  });
});

describe('ingestRedshiftEvent: a Redshift event notification', () => {
  it('drops one whose Source ARN names another account', async () => {
    const payload = notification((body) => {
      body['Source ARN'] = `arn:aws:redshift:us-east-1:${OTHER}:cluster:${CLUSTER}`;
    });

    await createIngestRedshiftEventHandler(app.deps)(payload, context);

    expectDropped('foreign-account', { account: OTHER, where: 'account' });
  });

  it('drops one whose Identifier Link names another Region', async () => {
    const payload = notification((body) => {
      body['Identifier Link'] =
        `https://console.aws.amazon.com/redshift/home?region=eu-west-1#cluster-details:cluster=${CLUSTER}`;
    });

    await createIngestRedshiftEventHandler(app.deps)(payload, context);

    expectDropped('foreign-region', { region: 'eu-west-1', where: 'region', served: ['us-east-1'] });
  });

  it('reads its cluster (one Describe) when it is about this account and Region', async () => {
    const payload = notification((body) => {
      body['Source ARN'] = `arn:aws:redshift:us-east-1:${OURS}:cluster:${CLUSTER}`;
    });

    const result = await createIngestRedshiftEventHandler(app.deps)(payload, context);

    expect(result).toEqual({ received: 1, decisions: 0, enqueued: 0 });
    expect(sim.callCounts()).toEqual({ DescribeClusters: 1 });
    expect(dropped()).toEqual([]);
  });
});

describe('ingestEventBridge: the idle alarm (CloudWatch Alarm State Change)', () => {
  it('drops and counts the alarm from another account', async () => {
    const result = await createIngestEventBridgeHandler(app.deps)(bridgeAlarm(OTHER, 'us-east-1'), context);

    expect(result).toEqual({ received: 1, decisions: 0, enqueued: 0 });
    expectDropped('foreign-account', { account: OTHER });
  });

  it('drops and counts the alarm from another Region of this account', async () => {
    await createIngestEventBridgeHandler(app.deps)(bridgeAlarm(OURS, 'eu-west-1'), context);

    expectDropped('foreign-region', { region: 'eu-west-1' });
  });

  it('pauses the cluster on the same alarm from this account and Region', async () => {
    const result = await createIngestEventBridgeHandler(app.deps)(bridgeAlarm(OURS, 'us-east-1'), context);

    expect(result).toEqual({ received: 1, decisions: 1, enqueued: 1 });
    expect(enqueued()).toEqual([['PauseCluster', CLUSTER, 'office']]);
    expect(droppedMetrics()).toEqual([]);
  });
});
