import { DescribeClustersCommand } from '@aws-sdk/client-redshift';
import { beforeAll, describe, expect, it } from 'vitest';
import { processDecisionBatch, type QueueRecord } from '../../shared/execute/batch-processor.ts';
import type { Decision } from '../../shared/policy/decision.ts';
import { motoEndpoint } from '../helpers/moto.ts';
import { type ActingEnv, createActingEnv, createTaggedCluster, receiveAlerts } from './acting.env.ts';

/**
 * Faults injected with SDK middleware in the `deserialize` step, i.e. inside the SDK's retry loop:
 * a throttled attempt never reaches moto and the SDK's standard retry (jittered backoff) sees a
 * real `ThrottlingException`. The clients are built by createClients with maxAttempts 3.
 */
function pause(clusterId: string): Decision {
  return {
    at: '2026-12-07T18:00:00.000Z',
    policy: 'office-hours',
    action: 'PauseCluster',
    target: { type: 'cluster', id: clusterId, region: 'us-east-1' },
    params: { ClusterIdentifier: clusterId },
    reason: 'outside window',
    idempotencyKey: `office-hours/PauseCluster/cluster:${clusterId}/2026-12-07T18:00Z`,
    mode: 'act',
    guard: { optInTag: { key: 'autopilot:managed', value: 'true' }, allowZeroEtlTarget: false, maxResources: null },
  };
}

function asRecord(decision: Decision, receiveCount = 1): QueueRecord {
  return {
    messageId: `msg-${decision.target.id}`,
    body: JSON.stringify(decision),
    attributes: {
      MessageGroupId: `cluster:${decision.target.id}`,
      ApproximateReceiveCount: String(receiveCount),
    },
  };
}

/** Deterministic 30%: a seeded LCG so a failing run can be replayed. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

interface Faults {
  rate: number;
  throttled: number;
  reachedAws: string[];
}

function injectThrottling(env: ActingEnv, random: () => number): Faults {
  const faults: Faults = { rate: 0, throttled: 0, reachedAws: [] };
  env.clients.redshift.middlewareStack.add(
    (next, context) => async (args) => {
      const command = String(context.commandName ?? '?').replace(/Command$/, '');
      if (random() < faults.rate) {
        faults.throttled += 1;
        throw Object.assign(new Error('Rate exceeded'), {
          name: 'ThrottlingException',
          $fault: 'client',
          $metadata: { httpStatusCode: 400 },
        });
      }
      faults.reachedAws.push(command);
      return next(args);
    },
    { step: 'deserialize', name: 'injectThrottling', priority: 'low' },
  );
  return faults;
}

/** SQS redelivers what the batch response reports failed; repeat until nothing is left. */
async function workOff(env: ActingEnv, records: QueueRecord[], maxRounds = 10) {
  const executor = env.executor();
  let pending = records;
  let rounds = 0;
  const responses = [];
  while (pending.length > 0 && rounds < maxRounds) {
    rounds += 1;
    const response = await processDecisionBatch(pending, executor, { maxReceiveCount: 5 });
    responses.push(response);
    const failed = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
    pending = pending
      .filter((r) => failed.has(r.messageId))
      .map((r) => ({
        ...r,
        attributes: {
          ...r.attributes,
          ApproximateReceiveCount: String(Number(r.attributes.ApproximateReceiveCount ?? '1') + 1),
        },
      }));
  }
  return { rounds, pending, responses };
}

async function status(env: ActingEnv, id: string, faults: Faults) {
  const rate = faults.rate;
  faults.rate = 0;
  const out = await env.clients.redshift.send(new DescribeClustersCommand({ ClusterIdentifier: id }));
  faults.rate = rate;
  return out.Clusters?.[0]?.ClusterStatus;
}

describe.skipIf(motoEndpoint === null)('faults: throttling, circuit breaker', () => {
  let env: ActingEnv;
  let faults: Faults;

  beforeAll(async () => {
    env = await createActingEnv({ maxAttempts: 3, suffix: 'faults' });
    faults = injectThrottling(env, seeded(20261207));
    for (let i = 0; i < 8; i += 1) await createTaggedCluster(env, `t30-${i}`);
    for (let i = 0; i < 5; i += 1) await createTaggedCluster(env, `brk-${i}`);
  });

  it('throttling on 30% of calls: every decision still completes, each cluster paused exactly once', async () => {
    faults.rate = 0.3;
    faults.throttled = 0;
    faults.reachedAws.length = 0;
    const decisions = Array.from({ length: 8 }, (_, i) => pause(`t30-${i}`));

    const { pending } = await workOff(
      env,
      decisions.map((d) => asRecord(d)),
    );
    faults.rate = 0;

    expect(faults.throttled).toBeGreaterThan(0);
    expect(pending).toEqual([]);
    expect(faults.reachedAws.filter((c) => c === 'PauseCluster')).toHaveLength(8);
    for (const d of decisions) {
      expect((await env.ledger().get(d.idempotencyKey))?.status, d.target.id).toBe('succeeded');
      expect(await status(env, d.target.id, faults), d.target.id).toBe('paused');
    }
    const alerts = await receiveAlerts(env);
    expect(alerts.map((a) => a.attributes.outcome).sort()).toEqual(Array(8).fill('succeeded'));
  });

  it('throttling on all calls: the breaker opens, work is deferred, one alert says so, nothing is lost', async () => {
    await receiveAlerts(env);
    faults.rate = 1;
    faults.reachedAws.length = 0;
    const decisions = Array.from({ length: 5 }, (_, i) => pause(`brk-${i}`));
    const records = decisions.map((d) => asRecord(d));

    const executor = env.executor();
    // One group after another (concurrency 1): with every group at once (the default) all five start
    // before the third failure opens the breaker, and the breaker only holds back what starts later.
    const response = await processDecisionBatch(records, executor, { maxReceiveCount: 5, concurrency: 1 });

    expect(response.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(records.map((r) => r.messageId));
    expect(response.results.map((r) => r.result.kind)).toEqual(['retry', 'retry', 'retry', 'deferred', 'deferred']);
    expect(faults.reachedAws).toEqual([]);
    const alerts = await receiveAlerts(env);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]?.attributes).toMatchObject({ outcome: 'breaker-open', severity: 'ERROR' });
    expect(alerts[0]?.subject).toBe('[autopilot] circuit breaker open: 3/3 actions failed');
    // Nothing lost: attempted ones are retryable in the ledger, deferred ones were never claimed.
    for (const d of decisions.slice(0, 3)) {
      expect(await env.ledger().get(d.idempotencyKey)).toMatchObject({ status: 'failed', retryable: true });
    }
    for (const d of decisions.slice(3)) expect(await env.ledger().get(d.idempotencyKey)).toBeNull();

    // The throttling ends; SQS redelivers the deferred work.
    faults.rate = 0;
    const { pending } = await workOff(
      env,
      records.map((r) => ({ ...r, attributes: { ...r.attributes, ApproximateReceiveCount: '2' } })),
    );
    expect(pending).toEqual([]);
    expect(faults.reachedAws.filter((c) => c === 'PauseCluster')).toHaveLength(5);
    for (const d of decisions) expect((await env.ledger().get(d.idempotencyKey))?.status).toBe('succeeded');
    expect((await receiveAlerts(env)).map((a) => a.attributes.outcome)).toEqual(Array(5).fill('succeeded'));
  });
});
