import { describe, expect, it } from 'vitest';
import { processDecisionBatch, type QueueRecord } from '../../../shared/execute/batch-processor.ts';
import { Executor } from '../../../shared/execute/executor.ts';
import { MemoryLedger } from '../../../shared/execute/memory-ledger.ts';
import type { Decision } from '../../../shared/policy/decision.ts';
import {
  clusterResource,
  FakeError,
  FakeRedshift,
  fixedClock,
  pauseDecision,
  RecordingNotifier,
  resumeDecision,
  sequentialTokens,
} from './fakes.ts';

function message(id: string, decision: Decision | string, receiveCount = 1): QueueRecord {
  const body = typeof decision === 'string' ? decision : JSON.stringify(decision);
  const group = typeof decision === 'string' ? 'cluster:x' : `${decision.target.type}:${decision.target.id}`;
  return { messageId: id, body, attributes: { MessageGroupId: group, ApproximateReceiveCount: String(receiveCount) } };
}

function setup() {
  const fake = new FakeRedshift().add(clusterResource()).add(clusterResource({ ClusterIdentifier: 'c2' }));
  const notifier = new RecordingNotifier();
  const executor = new Executor({
    resources: { cluster: fake },
    ledger: new MemoryLedger(),
    notifier,
    region: 'us-east-1',
    clock: fixedClock(),
    newToken: sequentialTokens(),
  });
  return { fake, notifier, executor };
}

describe('processDecisionBatch (SQS FIFO partial batch response)', () => {
  it('acknowledges everything that finished', async () => {
    const { fake, executor } = setup();
    const response = await processDecisionBatch(
      [message('m1', pauseDecision()), message('m2', pauseDecision({}, 'c2'))],
      executor,
    );
    expect(response.batchItemFailures).toEqual([]);
    expect(fake.stateChangingCalls()).toBe(2);
  });

  it('after a failure in a group, fails the rest of that group unattempted; other groups carry on', async () => {
    const { fake, executor } = setup();
    fake.failures.push({ op: 'PauseCluster', error: new FakeError('ThrottlingException', 'Rate exceeded') });
    const records = [
      message('a1', pauseDecision()),
      message('b1', pauseDecision({}, 'c2')),
      message('a2', resumeDecision()),
    ];

    const response = await processDecisionBatch(records, executor);

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'a1' }, { itemIdentifier: 'a2' }]);
    expect(response.results.find((r) => r.messageId === 'a2')?.result.kind).toBe('blocked-by-group');
    // a2 (resume) was never attempted: order within the group is kept for the redelivery.
    expect(fake.calls.filter((c) => c.op === 'ResumeCluster')).toHaveLength(0);
    expect(fake.calls.filter((c) => c.op === 'PauseCluster' && c.id === 'c2')).toHaveLength(1);
  });

  it('reports a malformed message as failed so it reaches the DLQ intact', async () => {
    const { executor } = setup();
    const response = await processDecisionBatch([message('bad', '{"policy": 1}')], executor);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'bad' }]);
    expect(response.results[0]?.result.kind).toBe('invalid');
  });

  it('defers everything after the breaker opens, with one breaker alert', async () => {
    const { fake, notifier, executor } = setup();
    for (const id of ['c3', 'c4', 'c5', 'c6']) fake.add(clusterResource({ ClusterIdentifier: id }));
    for (let i = 0; i < 20; i += 1)
      fake.failures.push({ op: '*', error: new FakeError('Throttling', 'Rate exceeded') });
    const ids = ['redshift-cluster-1', 'c2', 'c3', 'c4', 'c5', 'c6'];

    // One group after another (concurrency 1): the breaker opens on the third failure, the rest wait.
    const response = await processDecisionBatch(
      ids.map((id, i) => message(`m${i}`, pauseDecision({}, id))),
      executor,
      { concurrency: 1 },
    );

    expect(response.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(['m0', 'm1', 'm2', 'm3', 'm4', 'm5']);
    expect(response.results.map((r) => r.result.kind)).toEqual([
      'retry',
      'retry',
      'retry',
      'deferred',
      'deferred',
      'deferred',
    ]);
    expect(notifier.alerts.filter((a) => a.attributes.outcome === 'breaker-open')).toHaveLength(1);
  });

  it('an infrastructure error (ledger down) is a retry, never an ack', async () => {
    const ledger = new MemoryLedger();
    ledger.claim = () => Promise.reject(new FakeError('ProvisionedThroughputExceededException', 'slow down'));
    const fake = new FakeRedshift().add(clusterResource());
    const executor = new Executor({
      resources: { cluster: fake },
      ledger,
      notifier: new RecordingNotifier(),
      region: 'us-east-1',
    });

    const response = await processDecisionBatch([message('m1', pauseDecision())], executor);

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm1' }]);
    expect(fake.calls).toEqual([]);
  });

  it('marks the delivery at maxReceiveCount as final so a transient failure is alerted', async () => {
    const { fake, notifier, executor } = setup();
    fake.failures.push({ op: 'PauseCluster', error: new FakeError('ThrottlingException', 'Rate exceeded') });
    const response = await processDecisionBatch([message('m1', pauseDecision(), 5)], executor, { maxReceiveCount: 5 });
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm1' }]);
    expect(notifier.alerts.map((a) => a.attributes.outcome)).toEqual(['failed']);
  });
});
