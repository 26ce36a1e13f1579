import { DescribeClustersCommand } from '@aws-sdk/client-redshift';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { beforeAll, describe, expect, it } from 'vitest';
import { DecisionDeadLetters } from '../../shared/aws/queue.adapter.ts';
import { processDecisionBatch } from '../../shared/execute/batch-processor.ts';
import type { Decision } from '../../shared/policy/decision.ts';
import { motoEndpoint } from '../helpers/moto.ts';
import { ledgerContract } from '../unit/execute/ledger-contract.ts';
import {
  type ActingEnv,
  createActingEnv,
  createTaggedCluster,
  receiveAlerts,
  receiveDecisionRecords,
} from './acting.env.ts';

function pause(clusterId: string, overrides: Partial<Decision> = {}): Decision {
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
    ...overrides,
  };
}

async function clusterStatus(env: ActingEnv, id: string) {
  const out = await env.clients.redshift.send(new DescribeClustersCommand({ ClusterIdentifier: id }));
  return out.Clusters?.[0]?.ClusterStatus;
}

describe.skipIf(motoEndpoint === null)('acting path against moto (real SDK over HTTP)', () => {
  let env: ActingEnv;

  beforeAll(async () => {
    env = await createActingEnv();
    await createTaggedCluster(env, 'twice-delivered');
    await createTaggedCluster(env, 'raced');
    await createTaggedCluster(env, 'dry-run-cluster');
  });

  it('a pause decision delivered twice: one PauseCluster call, one alert, ledger record present', async () => {
    const decision = pause('twice-delivered');
    // Two ticks enqueue the same decision: FIFO deduplication keeps one message…
    await env.queue().send([decision]);
    await env.queue().send([decision]);
    const records = await receiveDecisionRecords(env);
    expect(records).toHaveLength(1);
    expect(records[0]?.attributes.MessageGroupId).toBe('cluster:twice-delivered');
    // …and the same message delivered again (after the dedup window, or a Lambda retry) is a ledger duplicate.
    const executor = env.executor();
    env.redshiftCalls.length = 0;

    const first = await processDecisionBatch(records, executor);
    const again = await processDecisionBatch(records, executor);

    expect(first.batchItemFailures).toEqual([]);
    expect(again.batchItemFailures).toEqual([]);
    expect(again.results[0]?.result.kind).toBe('duplicate');
    expect(env.redshiftCalls.filter((c) => c === 'PauseCluster')).toHaveLength(1);
    expect(env.redshiftCalls).toEqual(['DescribeClusters', 'PauseCluster']);
    expect(await clusterStatus(env, 'twice-delivered')).toBe('paused');

    const alerts = await receiveAlerts(env);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]?.subject).toBe('[autopilot] PauseCluster twice-delivered: done (office-hours)');
    expect(alerts[0]?.attributes).toEqual({
      severity: 'INFO',
      policy: 'office-hours',
      resource: 'cluster/twice-delivered',
      action: 'PauseCluster',
      outcome: 'succeeded',
    });
    expect(alerts[0]?.message).toContain('State:   available -> paused');

    const record = await env.ledger().get(decision.idempotencyKey);
    expect(record).toMatchObject({ status: 'succeeded', beforeState: 'available', afterState: 'paused', attempts: 1 });
  });

  it('two executors deciding the same pause at the same time: one PauseCluster call, one alert', async () => {
    const decision = pause('raced');
    const a = env.executor();
    const b = env.executor();
    env.redshiftCalls.length = 0;

    const results = await Promise.all([a.execute(decision, a.newRun()), b.execute(decision, b.newRun())]);

    // The loser finds the winner's live claim: busy, its message comes back later (never deleted unhandled).
    expect(results.map((r) => r.kind).sort()).toEqual(['busy', 'done']);
    expect(env.redshiftCalls.filter((c) => c === 'PauseCluster')).toHaveLength(1);
    expect(await receiveAlerts(env)).toHaveLength(1);
    expect((await env.ledger().get(decision.idempotencyKey))?.status).toBe('succeeded');
  });

  it('a dry-run decision produces an alert and zero Redshift API calls', async () => {
    const decision = pause('dry-run-cluster', { mode: 'dry-run' });
    env.redshiftCalls.length = 0;

    const executor = env.executor();
    const result = await executor.execute(decision, executor.newRun());

    expect(result.kind).toBe('done');
    expect(env.redshiftCalls).toEqual([]);
    const alerts = await receiveAlerts(env);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]?.attributes.outcome).toBe('dry-run');
    expect(alerts[0]?.message).toContain('would have called PauseCluster');
    expect((await env.ledger().get(decision.idempotencyKey))?.status).toBe('dry-run');
    expect(await clusterStatus(env, 'dry-run-cluster')).toBe('available');
  });

  it('refuses a cluster that lost its opt-in tag, with a skip alert and no PauseCluster', async () => {
    await createTaggedCluster(env, 'not-opted-in', { team: 'bi' } as never);
    env.redshiftCalls.length = 0;
    const executor = env.executor();

    const result = await executor.execute(pause('not-opted-in'), executor.newRun());

    expect(result).toMatchObject({ kind: 'done', outcome: 'skipped' });
    expect(env.redshiftCalls).toEqual(['DescribeClusters']);
    const alerts = await receiveAlerts(env);
    expect(alerts.map((a) => a.attributes.outcome)).toEqual(['skipped']);
    expect(alerts[0]?.message).toContain('guardrail optInTag: opt-in tag autopilot:managed is missing');
  });
});

describe.skipIf(motoEndpoint === null)('DynamoLedger on moto (ledger contract)', () => {
  let env: ActingEnv;
  beforeAll(async () => {
    env = await createActingEnv({ suffix: 'contract' });
  });
  ledgerContract('dynamo', () => env.ledger());

  it('dead-letters a refused message to the FIFO DLQ with its reason, once per message id', async () => {
    const dead = new DecisionDeadLetters(env.clients.sqs, env.decisionDlqUrl);
    const body = JSON.stringify(pause('forged', { policy: 'nope' }));
    const record = { messageId: 'msg-forged-1', body, attributes: { MessageGroupId: 'cluster:forged' } };
    await dead.put(record, 'refused (unknown-policy): no deployed policy is named "nope"');
    // A retried send after a lost answer: FIFO deduplication by the original message id keeps one copy.
    await dead.put(record, 'refused (unknown-policy): no deployed policy is named "nope"');
    const out = await env.clients.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: env.decisionDlqUrl,
        MaxNumberOfMessages: 10,
        MessageAttributeNames: ['All'],
      }),
    );
    expect(out.Messages?.map((m) => m.Body)).toEqual([body]);
    expect(out.Messages?.[0]?.MessageAttributes?.reason?.StringValue).toBe(
      'refused (unknown-policy): no deployed policy is named "nope"',
    );
    expect(out.Messages?.[0]?.MessageAttributes?.source?.StringValue).toBe('executeDecision');
  });
});
