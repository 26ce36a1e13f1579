import { DeleteMessageBatchCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { Notifier } from '../../shared/aws/notifier.adapter.ts';
import { processDecisionBatch, type QueueRecord } from '../../shared/execute/batch-processor.ts';
import { CoalescingLedger } from '../../shared/execute/coalescing-ledger.ts';
import { type DigestMessage, planDigests, reportDigest } from '../../shared/execute/digest.ts';
import { silentLogger } from '../../shared/execute/ports.ts';
import type { Decision } from '../../shared/policy/decision.ts';
import { motoEndpoint } from '../helpers/moto.ts';
import { type ActingEnv, createActingEnv, createTaggedCluster, receiveAlerts } from './acting.env.ts';

/**
 * Issue 19, "Done when": one message for 300 pauses by one policy in one run, failures separately —
 * read back through SNS → SQS in moto. The decisions go through the real DecisionQueue to the FIFO queue,
 * are drained 10 at a time as Lambda's poller hands them over, and run through the concurrent batch
 * processor with the coalescing DynamoDB ledger.
 */
const DUE = 300;

function pause(clusterId: string): Decision {
  return {
    at: '2026-12-07T18:00:00.000Z',
    policy: 'office-hours',
    action: 'PauseCluster',
    target: { type: 'cluster', id: clusterId, region: 'us-east-1' },
    params: { ClusterIdentifier: clusterId },
    reason: 'outside window Mon-Fri 07:00-19:00 Europe/Berlin; next resume 2026-12-08T06:00Z',
    idempotencyKey: `office-hours/PauseCluster/cluster:${clusterId}/2026-12-07T18:00Z`,
    mode: 'act',
    guard: { optInTag: { key: 'autopilot:managed', value: 'true' }, allowZeroEtlTarget: false, maxResources: null },
  };
}

/** Lambda's poller stood in: batches of 10 with their group and receive count; the failures stay for later. */
async function drainThroughExecutor(env: ActingEnv): Promise<number> {
  const inner = env.ledger();
  const ledger = new CoalescingLedger(inner);
  const notifier = new Notifier(env.clients, env.topicArn);
  const executor = env.executor({ ledger, notifier });
  const digest = (message: DigestMessage, finalAttempt: boolean) =>
    reportDigest(
      message,
      {
        ledger: inner,
        notifier,
        region: 'us-east-1',
        logger: silentLogger,
        metrics: { count() {} },
        now: () => new Date(),
      },
      finalAttempt,
    );
  let handled = 0;
  for (let round = 0; round < 80; round += 1) {
    const out = await env.clients.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: env.decisionQueueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 0,
        MessageSystemAttributeNames: ['All'],
      }),
    );
    const messages = out.Messages ?? [];
    if (messages.length === 0) break;
    const records: QueueRecord[] = messages.map((m) => ({
      messageId: m.MessageId ?? '',
      body: m.Body ?? '',
      attributes: {
        ...(m.Attributes?.MessageGroupId === undefined ? {} : { MessageGroupId: m.Attributes.MessageGroupId }),
        ApproximateReceiveCount: m.Attributes?.ApproximateReceiveCount ?? '1',
      },
    }));
    const response = await processDecisionBatch(records, executor, { session: ledger, digest, maxReceiveCount: 5 });
    const failed = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
    const done = messages.filter((m) => !failed.has(m.MessageId ?? ''));
    handled += done.length;
    if (done.length > 0) {
      await env.clients.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: env.decisionQueueUrl,
          Entries: done.map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle })),
        }),
      );
    }
  }
  return handled;
}

describe.skipIf(motoEndpoint === null)('run digest through SNS → SQS in moto (issue 19)', () => {
  it('300 pauses by one policy in one run: one digest message listing all 300; the two skips alerted apart', async () => {
    const env = await createActingEnv({ maxAttempts: 3, suffix: 'digest' });
    const ids = Array.from({ length: DUE }, (_, i) => `dg-${String(i).padStart(3, '0')}`);
    for (let i = 0; i < ids.length; i += 20) {
      await Promise.all(ids.slice(i, i + 20).map((id) => createTaggedCluster(env, id)));
    }
    // Two decisions the executor will skip: a cluster without the opt-in tag, one that does not exist.
    await createTaggedCluster(env, 'dg-untagged', { team: 'x' } as unknown as { 'autopilot:managed': string });
    const decisions = [...ids, 'dg-untagged', 'dg-gone'].map(pause);
    const planned = planDigests(decisions, '2026-12-07T18:05:00.000Z');
    expect(planned.digests).toHaveLength(1);
    await env.queue().send(planned.decisions, planned.digests);

    const handled = await drainThroughExecutor(env);
    expect(handled).toBe(DUE + 2 + 1);

    const alerts = await receiveAlerts(env);
    const info = alerts.filter((a) => a.attributes.severity === 'INFO');
    const warnings = alerts.filter((a) => a.attributes.severity === 'WARNING');
    expect(info).toHaveLength(1);
    const [digest] = info;
    expect(digest?.subject).toMatch(
      /^\[autopilot\] office-hours: PauseCluster (done|started) on 300 clusters, 2 alerted apart$/,
    );
    expect(digest?.attributes).toMatchObject({
      policy: 'office-hours',
      action: 'PauseCluster',
      resource: '300 clusters',
    });
    for (const id of ids) expect(digest?.message).toContain(`cluster/${id}  PauseCluster`);
    expect(digest?.message).toContain('Why:     outside window Mon-Fri 07:00-19:00 Europe/Berlin');
    expect(warnings.map((a) => a.attributes.resource).sort()).toEqual(['cluster/dg-gone', 'cluster/dg-untagged']);
    expect(alerts).toHaveLength(3);
  }, 480_000);
});
