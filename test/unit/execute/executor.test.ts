import { describe, expect, it } from 'vitest';
import { Executor, type ExecutorDeps } from '../../../shared/execute/executor.ts';
import { MemoryLedger } from '../../../shared/execute/memory-ledger.ts';
import type { LedgerRecord } from '../../../shared/execute/ports.ts';
import {
  clusterResource,
  FakeError,
  FakeRedshift,
  fixedClock,
  pauseDecision,
  RecordingMetrics,
  RecordingNotifier,
  sequentialTokens,
} from './fakes.ts';

function setup(overrides: Partial<ExecutorDeps> = {}) {
  const fake = new FakeRedshift().add(clusterResource());
  const ledger = new MemoryLedger();
  const notifier = new RecordingNotifier();
  const metrics = new RecordingMetrics();
  const clock = fixedClock();
  const deps: ExecutorDeps = {
    resources: { cluster: fake },
    ledger,
    notifier,
    metrics,
    clock,
    region: 'us-east-1',
    newToken: sequentialTokens(),
    ...overrides,
  };
  return { fake, ledger, notifier, metrics, clock, executor: new Executor(deps), deps };
}

describe('Executor: acting', () => {
  it('re-reads, pauses, records the long-running operation and reports it once', async () => {
    const { fake, ledger, notifier, metrics, executor } = setup();
    const decision = pauseDecision();

    const result = await executor.execute(decision, executor.newRun());

    expect(result.kind).toBe('done');
    expect(fake.calls.map(({ op, id }) => ({ op, id }))).toEqual([
      { op: 'DescribeClusters', id: 'redshift-cluster-1' },
      { op: 'PauseCluster', id: 'redshift-cluster-1' },
    ]);
    const record = await ledger.get(decision.idempotencyKey);
    expect(record).toMatchObject({
      status: 'in-progress',
      beforeState: 'available',
      afterState: 'pausing',
      expectedState: 'paused',
      attempts: 1,
      completedAt: null,
    });
    expect(notifier.alerts).toHaveLength(1);
    expect(notifier.alerts[0]?.attributes).toEqual({
      severity: 'INFO',
      policy: 'office-hours',
      resource: 'cluster/redshift-cluster-1',
      action: 'PauseCluster',
      outcome: 'in-progress',
    });
    expect(notifier.alerts[0]?.body).toContain('available -> pausing (until paused)');
    expect(notifier.events.map((e) => e.outcome)).toEqual(['in-progress']);
    expect(metrics.total('actions', 'PauseCluster')).toBe(1);
  });

  it('records success at once when the call lands in the final state (moto is instant)', async () => {
    const { fake, ledger, executor } = setup();
    fake.instant = true;
    await executor.execute(pauseDecision(), executor.newRun());
    expect((await ledger.get(pauseDecision().idempotencyKey))?.status).toBe('succeeded');
  });
});

describe('Executor: never twice', () => {
  it('a decision delivered twice calls AWS once and alerts once', async () => {
    const { fake, notifier, metrics, executor } = setup();
    const run = executor.newRun();

    const first = await executor.execute(pauseDecision(), run);
    const second = await executor.execute(pauseDecision(), run);

    expect(first.kind).toBe('done');
    expect(second.kind).toBe('duplicate');
    expect(fake.stateChangingCalls()).toBe(1);
    expect(fake.calls.filter((c) => c.op === 'DescribeClusters')).toHaveLength(1);
    expect(notifier.alerts).toHaveLength(1);
    expect(metrics.total('duplicates')).toBe(1);
  });

  it('two executors racing on the same decision call AWS once', async () => {
    const shared = setup();
    const other = new Executor({ ...shared.deps, newToken: sequentialTokens('other') });

    const results = await Promise.all([
      shared.executor.execute(pauseDecision(), shared.executor.newRun()),
      other.execute(pauseDecision(), other.newRun()),
    ]);

    // The loser's message is not deleted (busy: it comes back and then finds the record done).
    expect(results.map((r) => r.kind).sort()).toEqual(['busy', 'done']);
    expect(shared.fake.stateChangingCalls()).toBe(1);
    expect(shared.notifier.alerts).toHaveLength(1);
  });

  it('a pending claim with a live lease is busy (the message comes back); after the lease expires it is reclaimed', async () => {
    const { fake, ledger, clock, executor } = setup();
    const decision = pauseDecision();
    const crashed: LedgerRecord = {
      idempotencyKey: decision.idempotencyKey,
      policy: decision.policy,
      action: decision.action,
      target: decision.target,
      mode: 'act',
      params: decision.params,
      reason: decision.reason,
      decisionAt: decision.at,
      status: 'pending',
      retryable: false,
      attempts: 1,
      claimToken: 'crashed',
      leaseUntil: '2026-12-07T18:10:00.000Z',
      outcomeReason: null,
      beforeState: null,
      afterState: null,
      expectedState: null,
      createdId: null,
      error: null,
      budgetSlot: null,
      claimedAt: '2026-12-07T17:55:00.000Z',
      updatedAt: '2026-12-07T17:55:00.000Z',
      completedAt: null,
    };
    ledger.records.set(decision.idempotencyKey, crashed);

    expect((await executor.execute(decision, executor.newRun())).kind).toBe('busy');
    clock.set('2026-12-07T18:10:01.000Z');
    expect((await executor.execute(decision, executor.newRun())).kind).toBe('done');
    expect(fake.stateChangingCalls()).toBe(1);
    expect((await ledger.get(decision.idempotencyKey))?.attempts).toBe(2);
  });
});

describe('Executor: late and reordered decisions', () => {
  it('a skip because the cluster is mid-change may be retried by a later tick, and is not re-alerted', async () => {
    const { fake, ledger, notifier, executor } = setup();
    fake.clusters.set('redshift-cluster-1', { ...clusterResource(), status: 'resuming' });

    const first = await executor.execute(pauseDecision(), executor.newRun());
    expect(first).toMatchObject({ kind: 'done', outcome: 'skipped' });
    expect(await ledger.get(pauseDecision().idempotencyKey)).toMatchObject({ status: 'skipped', retryable: true });

    await executor.execute(pauseDecision(), executor.newRun()); // next tick, still resuming
    expect(notifier.alerts).toHaveLength(1);

    fake.settle();
    const later = await executor.execute(pauseDecision(), executor.newRun());
    expect(later).toMatchObject({ kind: 'done', outcome: 'in-progress' });
    expect(fake.stateChangingCalls()).toBe(1);
    expect(notifier.alerts).toHaveLength(2);
  });

  it('an older decision delivered after a newer one for the same cluster does not undo it', async () => {
    const { fake, executor } = setup();
    fake.instant = true;
    const pause = pauseDecision(); // due 18:00
    const olderResume = {
      ...pauseDecision(),
      action: 'ResumeCluster',
      at: '2026-12-07T06:00:00.000Z',
      idempotencyKey: 'office-hours/ResumeCluster/cluster:redshift-cluster-1/2026-12-07T06:00Z',
    };

    await executor.execute(pause, executor.newRun());
    const late = await executor.execute(olderResume, executor.newRun());

    expect(late).toMatchObject({ kind: 'done', outcome: 'skipped' });
    if (late.kind === 'done') expect(late.record.outcomeReason).toContain('guardrail notSuperseded');
    expect(fake.clusters.get('redshift-cluster-1')?.status).toBe('paused');
  });
});

describe('Executor: dry-run and freeze', () => {
  it('dry-run records and reports "would have" and calls nothing, not even Describe', async () => {
    const { fake, ledger, notifier, executor } = setup();
    const decision = pauseDecision({ mode: 'dry-run' });

    const result = await executor.execute(decision, executor.newRun());
    await executor.execute(decision, executor.newRun());

    expect(result.kind).toBe('done');
    expect(fake.calls).toEqual([]);
    expect((await ledger.get(decision.idempotencyKey))?.status).toBe('dry-run');
    expect(notifier.alerts).toHaveLength(1);
    expect(notifier.alerts[0]?.attributes.outcome).toBe('dry-run');
    expect(notifier.alerts[0]?.subject).toContain('DRY RUN, would have run');
    expect(notifier.alerts[0]?.body).toContain('would have called PauseCluster');
  });

  it('a frozen decision is reported as frozen and calls nothing', async () => {
    const { fake, notifier, executor } = setup();
    await executor.execute(pauseDecision({ mode: 'frozen' }), executor.newRun());
    expect(fake.calls).toEqual([]);
    expect(notifier.alerts[0]?.attributes.outcome).toBe('frozen');
  });
});

describe('Executor: error classification', () => {
  it('a state conflict from AWS is a skip with a reason, not a failure', async () => {
    const { fake, ledger, notifier, metrics, executor } = setup();
    fake.failures.push({
      op: 'PauseCluster',
      error: new FakeError('InvalidClusterStateFault', 'There is an operation running on the Cluster.'),
    });
    const run = executor.newRun();

    const result = await executor.execute(pauseDecision(), run);

    expect(result).toMatchObject({ kind: 'done', outcome: 'skipped' });
    const record = await ledger.get(pauseDecision().idempotencyKey);
    expect(record?.status).toBe('skipped');
    expect(record?.outcomeReason).toContain('InvalidClusterStateFault');
    expect(notifier.alerts[0]?.attributes.severity).toBe('WARNING');
    expect(metrics.total('failures')).toBe(0);
    expect(run.breaker.stats.failed).toBe(0);
  });

  it('a cluster that no longer exists is skipped', async () => {
    const { executor, notifier } = setup();
    const result = await executor.execute(pauseDecision({}, 'gone-cluster'), executor.newRun());
    expect(result).toMatchObject({ kind: 'done', outcome: 'skipped' });
    expect(notifier.alerts[0]?.body).toContain('resource not found');
  });

  it('throttling that outlived the SDK retries is retried by SQS and then succeeds once', async () => {
    const { fake, ledger, notifier, executor } = setup();
    fake.failures.push({ op: 'PauseCluster', error: new FakeError('ThrottlingException', 'Rate exceeded') });

    const first = await executor.execute(pauseDecision(), executor.newRun());
    expect(first.kind).toBe('retry');
    expect(await ledger.get(pauseDecision().idempotencyKey)).toMatchObject({ status: 'failed', retryable: true });
    expect(notifier.alerts).toHaveLength(0);

    const redelivered = await executor.execute(pauseDecision(), executor.newRun());
    expect(redelivered.kind).toBe('done');
    expect(fake.calls.filter((c) => c.op === 'PauseCluster')).toHaveLength(1);
    expect((await ledger.get(pauseDecision().idempotencyKey))?.attempts).toBe(2);
    expect(notifier.alerts).toHaveLength(1);
  });

  it('a 5xx on the last delivery is alerted before the message goes to the DLQ', async () => {
    const { fake, notifier, executor } = setup();
    fake.failures.push({ op: 'DescribeClusters', error: new FakeError('InternalFailure', 'oops', 500) });
    const result = await executor.execute(pauseDecision(), executor.newRun(), { finalAttempt: true });
    expect(result.kind).toBe('retry');
    expect(notifier.alerts).toHaveLength(1);
    expect(notifier.alerts[0]?.attributes).toMatchObject({ severity: 'ERROR', outcome: 'failed' });
    expect(notifier.alerts[0]?.body).toContain('DLQ');
  });

  it('access denied is a configuration problem: alerted as ERROR, not retried', async () => {
    const { fake, ledger, notifier, executor } = setup();
    fake.failures.push({
      op: 'PauseCluster',
      error: new FakeError('AccessDenied', 'User is not authorized to perform: redshift:PauseCluster', 403),
    });

    const result = await executor.execute(pauseDecision(), executor.newRun());

    expect(result).toMatchObject({ kind: 'done', outcome: 'failed' });
    expect(await ledger.get(pauseDecision().idempotencyKey)).toMatchObject({ status: 'failed', retryable: false });
    expect(notifier.alerts[0]?.attributes.severity).toBe('ERROR');
    expect(notifier.alerts[0]?.body).toContain('configuration problem');
    expect(notifier.alerts[0]?.body).toContain('redshift:PauseCluster');
  });

  it('an action nobody implements is a configuration failure, with no AWS call', async () => {
    const { fake, notifier, executor } = setup();
    await executor.execute(pauseDecision({ action: 'DeleteCluster' }), executor.newRun());
    expect(fake.calls).toEqual([]);
    expect(notifier.alerts[0]?.attributes.outcome).toBe('failed');
  });
});

describe('Executor: circuit breaker', () => {
  it('opens when most actions of a run fail, defers the rest and alerts exactly once', async () => {
    const { fake, notifier, metrics, executor } = setup();
    for (const id of ['c2', 'c3', 'c4', 'c5']) fake.add(clusterResource({ ClusterIdentifier: id }));
    for (let i = 0; i < 10; i += 1) {
      fake.failures.push({ op: '*', error: new FakeError('ThrottlingException', 'Rate exceeded') });
    }
    const run = executor.newRun();
    const ids = ['redshift-cluster-1', 'c2', 'c3', 'c4', 'c5'];

    const results = [];
    for (const id of ids) results.push(await executor.execute(pauseDecision({}, id), run));

    expect(results.map((r) => r.kind)).toEqual(['retry', 'retry', 'retry', 'deferred', 'deferred']);
    expect(run.breaker.isOpen).toBe(true);
    const breakerAlerts = notifier.alerts.filter((a) => a.attributes.outcome === 'breaker-open');
    expect(breakerAlerts).toHaveLength(1);
    expect(breakerAlerts[0]?.subject).toBe('[autopilot] circuit breaker open: 3/3 actions failed');
    expect(breakerAlerts[0]?.body).toContain('nothing is dropped');
    expect(metrics.total('deferred', 'breaker-open')).toBe(2);
    expect(fake.stateChangingCalls()).toBe(0);
  });

  it('stays closed when failures are a minority of the run', async () => {
    const { fake, executor } = setup();
    for (const id of ['c2', 'c3', 'c4', 'c5', 'c6', 'c7']) fake.add(clusterResource({ ClusterIdentifier: id }));
    const run = executor.newRun();
    fake.failures.push({ op: 'DescribeClusters', error: new FakeError('ThrottlingException', 'Rate exceeded') });
    for (const id of ['redshift-cluster-1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7']) {
      await executor.execute(pauseDecision({}, id), run);
    }
    expect(run.breaker.isOpen).toBe(false);
    expect(fake.stateChangingCalls()).toBe(6);
  });
});
