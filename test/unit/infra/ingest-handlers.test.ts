import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RedshiftClient } from '@aws-sdk/client-redshift';
import { RedshiftServerlessClient } from '@aws-sdk/client-redshift-serverless';
import type { Context, SNSEvent } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  createIngestEventBridgeHandler,
  handler as deployedIngestEventBridge,
} from '../../../functions/ingest-event-bridge/ingest-event-bridge.handler.ts';
import { createIngestRedshiftEventHandler } from '../../../functions/ingest-redshift-event/ingest-redshift-event.handler.ts';
import { createReconcileHandler } from '../../../functions/reconcile/reconcile.handler.ts';
import type { AppDeps } from '../../../shared/app/deps.ts';
import { inProcessDeps } from '../../../shared/app/memory-deps.ts';
import { ConfigurationError, EventParseError } from '../../../shared/errors.ts';
import { createObservability } from '../../../shared/lambda/observability.ts';
import { RedshiftSimulator } from '../../../shared/simulator/index.ts';

// The deployed handler factories, invoked as Lambda would (middy chain, Powertools Logger and Metrics),
// with real payloads, against an empty simulated account and in-memory queue/ledger; what they print to
// stdout — JSON log lines and EMF metric blobs — is what CloudWatch gets.

function appDeps(service: string): AppDeps {
  const sim = new RedshiftSimulator({ seed: 1 });
  const redshift = new RedshiftClient({ region: sim.region });
  const redshiftServerless = new RedshiftServerlessClient({ region: sim.region });
  sim.attach(redshift);
  sim.attach(redshiftServerless);
  const { deps } = inProcessDeps({
    redshift,
    redshiftServerless,
    policies: { policies: [], files: [] },
    clock: sim.clock,
    // The account of the real SNS captures (topic, AWSAccountId) and of the simulator: both served here.
    config: { accounts: ['147946154733', sim.account] },
  });
  return { ...deps, observability: createObservability({ service }) };
}
const ingestRedshiftEvent = createIngestRedshiftEventHandler(appDeps('ingest-redshift-event'));
const ingestEventBridge = createIngestEventBridgeHandler(appDeps('ingest-event-bridge'));
const reconcile = createReconcileHandler(appDeps('reconcile'));

const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures', 'events');
/** A real payload, typed as whatever the handler under test takes (it is the real thing). */
const fixture = (name: string): never => JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as never;

function lambdaContext(functionName: string): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: '2026/11/25/[$LATEST]abcdef',
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

type Line = Record<string, unknown>;
let stdout: Line[] = [];

beforeEach(() => {
  stdout = [];
  // Powertools writes through a Console bound to process.stdout/stderr (errors go to stderr): capture
  // the JSON lines in the order they are written.
  const capture = (chunk: string | Uint8Array) => {
    for (const line of String(chunk).split('\n')) {
      if (line.trim().startsWith('{')) stdout.push(JSON.parse(line) as Line);
    }
    return true;
  };
  vi.spyOn(process.stdout, 'write').mockImplementation(capture);
  vi.spyOn(process.stderr, 'write').mockImplementation(capture);
});
afterEach(() => {
  vi.restoreAllMocks();
});

const logs = (message: string) => stdout.filter((line) => line.message === message);
const metrics = (name: string) => stdout.filter((line) => line._aws !== undefined && name in line);

describe('ingestRedshiftEvent (SNS)', () => {
  const context = lambdaContext('redshift-autopilot-dev-ingestRedshiftEvent');

  it('logs and counts a real Redshift event notification', async () => {
    // Act
    const result = await ingestRedshiftEvent(
      fixture('sns-lambda-event-redshift-event-notification-REDSHIFT-EVENT-2004.json'),
      context,
    );

    // Assess
    expect(result).toEqual({ received: 1, decisions: 0, enqueued: 0 });
    expect(logs('event received')).toEqual([
      expect.objectContaining({
        level: 'INFO',
        service: 'ingest-redshift-event',
        function_request_id: context.awsRequestId,
        kind: 'redshift-event',
        eventId: 'REDSHIFT-EVENT-2004',
        severity: 'INFO',
        resource: expect.objectContaining({ type: 'cluster', id: 'sapi-14-firehouse' }),
      }),
    ]);
    const [metric] = metrics('EventsReceived');
    expect(metric).toMatchObject({
      service: 'ingest-redshift-event',
      kind: 'redshift-event',
      eventId: 'REDSHIFT-EVENT-2004',
      EventsReceived: 1,
      _aws: {
        CloudWatchMetrics: [
          {
            Namespace: 'RedshiftAutopilot',
            Dimensions: [['service', 'kind', 'eventId']],
            Metrics: [{ Name: 'EventsReceived', Unit: 'Count' }],
          },
        ],
      },
    });
  });

  it('counts a legacy CloudWatch alarm message under eventId "unknown"', async () => {
    await ingestRedshiftEvent(
      fixture('sns-lambda-event-cloudwatch-alarm-AWS-Redshift-PercentageDiskSpaceUsed.json'),
      context,
    );

    expect(logs('event received')).toEqual([
      expect.objectContaining({ kind: 'alarm', eventId: 'unknown', known: false, severity: 'WARNING' }),
    ]);
    expect(metrics('EventsReceived')).toEqual([expect.objectContaining({ kind: 'alarm', eventId: 'unknown' })]);
  });

  it('takes the subscription test notification without failing (so it is never dead-lettered)', async () => {
    const result = await ingestRedshiftEvent(
      fixture('sns-lambda-event-redshift-subscription-test-topic.json'),
      context,
    );

    expect(result).toEqual({ received: 0, decisions: 0, enqueued: 0 });
    expect(metrics('PayloadsAccepted')).toEqual([expect.objectContaining({ PayloadsAccepted: 1 })]);
    expect(logs('input ignored')).toEqual([expect.objectContaining({ path: 'Records[0].Sns.Message' })]);
    expect(metrics('EventsReceived')).toEqual([]);
  });
});

describe('ingestRedshiftEvent (SNS): a payload it cannot read', () => {
  const context = lambdaContext('redshift-autopilot-dev-ingestRedshiftEvent');

  it('rethrows EventParseError on a truncated message, after logging why and counting it', async () => {
    // Prepare: the real notification with its JSON message cut short.
    const event: SNSEvent = fixture('sns-lambda-event-redshift-event-notification-REDSHIFT-EVENT-2004.json');
    const record = event.Records[0];
    if (record) record.Sns.Message = record.Sns.Message.slice(0, 60);

    // Act / Assess: the invocation fails, so Lambda retries and the on-failure destination keeps it.
    await expect(ingestRedshiftEvent(event, context)).rejects.toBeInstanceOf(EventParseError);
    const [rejected] = logs('payload rejected');
    expect(rejected).toMatchObject({ level: 'ERROR', path: 'Records[0].Sns.Message' });
    expect(String(rejected?.reason)).toMatch(/JSON/);
    expect(metrics('PayloadsRejected')).toEqual([expect.objectContaining({ PayloadsRejected: 1 })]);
    expect(logs('event received')).toEqual([]);
    expect(metrics('PayloadsAccepted')).toEqual([]);
  });
});

describe('ingestEventBridge', () => {
  const context = lambdaContext('redshift-autopilot-dev-ingestEventBridge');

  it('logs and counts the captured zero-ETL integration event', async () => {
    const result = await ingestEventBridge(
      fixture('eventbridge-aws.redshift-integration-monitoring.CAPTURED-PARTIAL.json'),
      context,
    );

    expect(result).toEqual({ received: 1, decisions: 0, enqueued: 0 });
    expect(logs('event received')).toEqual([
      expect.objectContaining({ service: 'ingest-event-bridge', kind: 'integration-event', severity: 'INFO' }),
    ]);
    expect(metrics('EventsReceived')).toEqual([expect.objectContaining({ kind: 'integration-event' })]);
  });

  it('rejects an event from a source no rule subscribes to', async () => {
    const event = fixture('eventbridge-aws.redshift-data-statement-status-change.json');

    await expect(ingestEventBridge(event, context)).rejects.toThrow(EventParseError);
    expect(logs('payload rejected')).toEqual([expect.objectContaining({ reason: expect.stringMatching(/source/) })]);
  });
});

describe('reconcile (EventBridge Scheduler)', () => {
  const context = lambdaContext('redshift-autopilot-dev-reconcile');
  const tick = { source: 'autopilot.scheduler', schedule: 'reconcile', scheduledTime: '2026-11-25T09:05:00Z' };

  it('normalizes the tick the schedule sends and reports it', async () => {
    const result = await reconcile(tick, context);

    expect(result).toMatchObject({ received: 1, resources: 0, decisions: 0, enqueued: 0 });
    expect(logs('event received')).toEqual([
      expect.objectContaining({
        service: 'reconcile',
        kind: 'schedule',
        resource: { type: 'schedule', id: 'reconcile' },
        time: '2026-11-25T09:05:00.000Z',
      }),
    ]);
  });

  it('rejects an input whose placeholder was never substituted', async () => {
    await expect(reconcile({ ...tick, scheduledTime: '<aws.scheduler.scheduled-time>' }, context)).rejects.toThrow(
      EventParseError,
    );
  });
});

describe('deployed entry point (export const handler)', () => {
  it('imports without AWS and fails a real invocation loudly when the stack environment is missing', async () => {
    const context = lambdaContext('redshift-autopilot-dev-ingestEventBridge');

    await expect(
      deployedIngestEventBridge(
        fixture('eventbridge-aws.redshift-integration-monitoring.CAPTURED-PARTIAL.json'),
        context,
      ),
    ).rejects.toThrow(ConfigurationError);
    expect(logs('event received')).toHaveLength(1);
  });
});
