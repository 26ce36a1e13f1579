import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { Notifier, SNS_MAX_BYTES } from '../../../shared/aws/notifier.adapter.ts';
import { TransientAwsError } from '../../../shared/errors.ts';
import type { ActionEventDetail } from '../../../shared/execute/ports.ts';

const sns = mockClient(SNSClient);
const events = mockClient(EventBridgeClient);
afterEach(() => {
  sns.reset();
  events.reset();
});

function notifier() {
  return new Notifier(
    { sns: new SNSClient({ region: 'us-east-1' }), eventBridge: new EventBridgeClient({ region: 'us-east-1' }) },
    'arn:aws:sns:us-east-1:123456789012:alerts',
  );
}

const detail: ActionEventDetail = {
  outcome: 'in-progress',
  severity: 'INFO',
  policy: 'office-hours',
  action: 'PauseCluster',
  target: { type: 'cluster', id: 'c1', arn: 'arn:aws:redshift:us-east-1:123456789012:cluster:c1' },
  idempotencyKey: 'k',
  reason: 'outside window',
  outcomeReason: null,
  beforeState: 'available',
  afterState: 'pausing',
  error: null,
  at: '2026-12-07T18:00:00.000Z',
};

describe('Notifier.alert', () => {
  it('publishes subject, body and the five filterable attributes', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'm' });
    await notifier().alert({
      subject: 'PauseCluster c1: started',
      body: 'What: ...',
      attributes: {
        severity: 'INFO',
        policy: 'office-hours',
        resource: 'cluster/c1',
        action: 'PauseCluster',
        outcome: 'in-progress',
      },
    });
    const input = sns.commandCalls(PublishCommand)[0]?.args[0].input;
    expect(input?.Subject).toBe('PauseCluster c1: started');
    expect(input?.MessageAttributes).toEqual({
      severity: { DataType: 'String', StringValue: 'INFO' },
      policy: { DataType: 'String', StringValue: 'office-hours' },
      resource: { DataType: 'String', StringValue: 'cluster/c1' },
      action: { DataType: 'String', StringValue: 'PauseCluster' },
      outcome: { DataType: 'String', StringValue: 'in-progress' },
    });
  });

  it('keeps a huge body under the SNS limit', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'm' });
    await notifier().alert({
      subject: 's',
      body: 'x'.repeat(1_000_000),
      attributes: { severity: 'ERROR', policy: '', resource: 'r', action: 'a', outcome: 'failed' },
    });
    const input = sns.commandCalls(PublishCommand)[0]?.args[0].input;
    expect(Buffer.byteLength(input?.Message ?? '', 'utf8')).toBeLessThan(SNS_MAX_BYTES);
    expect(input?.MessageAttributes?.policy?.StringValue).toBe('-');
  });
});

describe('Notifier.event', () => {
  it('puts an `Autopilot Action` event from `autopilot` on the default bus', async () => {
    events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e' }] });
    await notifier().event(detail);
    const entry = events.commandCalls(PutEventsCommand)[0]?.args[0].input.Entries?.[0];
    expect(entry).toMatchObject({
      Source: 'autopilot',
      DetailType: 'Autopilot Action',
      EventBusName: 'default',
      Resources: ['arn:aws:redshift:us-east-1:123456789012:cluster:c1'],
    });
    expect(JSON.parse(entry?.Detail ?? '{}')).toEqual(detail);
  });

  it('turns a failed entry into a TransientAwsError', async () => {
    events.on(PutEventsCommand).resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure' }] });
    await expect(notifier().event(detail)).rejects.toBeInstanceOf(TransientAwsError);
  });
});
