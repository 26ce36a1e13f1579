import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CreateTopicCommand, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { createClients } from '../../shared/aws/client-factory.ts';
import { Notifier } from '../../shared/aws/notifier.adapter.ts';
import type { Alert, OutcomeKind, Severity } from '../../shared/execute/ports.ts';
import { motoClientConfig, motoEndpoint } from '../helpers/moto.ts';

/**
 * The README's on-call filter policy ("Receive alerts"), applied by SNS (moto) to alerts published by
 * the real Notifier: only what needs a person arrives. Read from the README itself, so the documented
 * policy is the tested one.
 */
const README = readFileSync(path.resolve(import.meta.dirname, '../../README.md'), 'utf8');

function readmeFilterPolicy(): string {
  const m = /<!-- filter-policy[^>]*-->\n```json\n([\s\S]*?)```/.exec(README);
  if (m?.[1] === undefined) throw new Error('README has no filter-policy block');
  return JSON.stringify(JSON.parse(m[1]));
}

function alert(severity: Severity, outcome: OutcomeKind, resource: string): Alert {
  return {
    subject: `[autopilot] PauseCluster ${resource}: ${outcome}`,
    body: `${resource} ${outcome}`,
    attributes: { severity, policy: 'dev-office-hours', resource, action: 'PauseCluster', outcome },
  };
}

describe.skipIf(motoEndpoint === null)('README filter policy on the alert topic', () => {
  it('delivers errors, warnings and failed actions; drops routine INFO', async () => {
    const config = motoClientConfig();
    const clients = createClients({ ...config, maxAttempts: 1 });
    const topic = await clients.sns.send(new CreateTopicCommand({ Name: 'alerts-filter-it' }));
    const queue = await clients.sqs.send(new CreateQueueCommand({ QueueName: 'oncall-filter-it' }));
    const queueArn = (
      await clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: queue.QueueUrl, AttributeNames: ['QueueArn'] }))
    ).Attributes?.QueueArn;
    await clients.sns.send(
      new SubscribeCommand({
        TopicArn: topic.TopicArn,
        Protocol: 'sqs',
        Endpoint: queueArn,
        Attributes: { FilterPolicy: readmeFilterPolicy(), RawMessageDelivery: 'false' },
      }),
    );
    const notifier = new Notifier(clients, topic.TopicArn ?? '');
    const sent = [
      alert('INFO', 'succeeded', 'routine-pause'),
      alert('INFO', 'in-progress', 'routine-start'),
      alert('WARNING', 'skipped', 'multi-az-skip'),
      alert('ERROR', 'failed', 'access-denied'),
      alert('INFO', 'failed', 'failed-info'),
      alert('ERROR', 'breaker-open', 'breaker'),
    ];
    for (const a of sent) await notifier.alert(a);

    const received: string[] = [];
    for (let i = 0; i < 5; i++) {
      const out = await clients.sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queue.QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
      );
      for (const m of out.Messages ?? []) {
        const attrs = (JSON.parse(m.Body ?? '{}') as { MessageAttributes?: Record<string, { Value: string }> })
          .MessageAttributes;
        received.push(attrs?.resource?.Value ?? '?');
      }
      if ((out.Messages ?? []).length === 0) break;
    }
    expect(received.sort()).toEqual(['access-denied', 'breaker', 'failed-info', 'multi-az-skip']);
  });
});
