import { describe, expect, it } from 'vitest';
import { Executor, type ExecutorDeps, leaseFor } from '../../../shared/execute/executor.ts';
import { pendingRecord } from '../../../shared/execute/ledger-record.ts';
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

/**
 * Issue "Exactly once under faults", at the executor: a write that commits and loses its answer, an
 * outcome write that fails after acting, an action whose answer is lost. Each must end with the action
 * done once, the ledger saying so, and one report. The moto fault suite (test/integration/faults/)
 * checks the same end to end over HTTP.
 */
function setup(overrides: Partial<ExecutorDeps> = {}) {
  const fake = new FakeRedshift().add(clusterResource());
  const ledger = new MemoryLedger();
  const notifier = new RecordingNotifier();
  const clock = fixedClock();
  const deps: ExecutorDeps = {
    resources: { cluster: fake },
    ledger,
    notifier,
    metrics: new RecordingMetrics(),
    clock,
    region: 'us-east-1',
    newToken: sequentialTokens(),
    sleep: async () => {},
    ...overrides,
  };
  return { fake, ledger, notifier, clock, executor: new Executor(deps) };
}

describe('Executor under faults', () => {
  it('a claim whose answer was lost (the SDK retried the committed PutItem) is still ours: it acts', async () => {
    const { fake, ledger, notifier, executor } = setup();
    const claim = ledger.claim.bind(ledger);
    // The first PutItem commits; its answer is lost and the SDK's retry meets our own record.
    ledger.claim = async (record, now) => {
      await claim(record, now);
      return claim(record, now);
    };
    const result = await executor.execute(pauseDecision(), executor.newRun());
    expect(result).toMatchObject({ kind: 'done', outcome: 'in-progress' });
    expect(fake.stateChangingCalls()).toBe(1);
    expect(notifier.alerts).toHaveLength(1);
  });

  it('acted but the outcome write failed: the message comes back and the next delivery records it, without acting again', async () => {
    const { fake, ledger, notifier, clock, executor } = setup();
    const save = ledger.save.bind(ledger);
    // Every round of the outcome write fails in this delivery (4 rounds, each after the SDK's retries).
    let failSaves = 4;
    ledger.save = async (record: LedgerRecord) => {
      if (failSaves-- > 0) throw new FakeError('ProvisionedThroughputExceededException', 'throttled');
      return save(record);
    };
    const first = await executor.execute(pauseDecision(), executor.newRun());
    expect(first.kind).toBe('retry');
    expect(notifier.alerts).toHaveLength(0);
    expect((await ledger.get(pauseDecision().idempotencyKey))?.status).toBe('pending');
    // SQS brings it back after the visibility timeout (360 s), past the claim's lease.
    clock.set(new Date(clock.now().getTime() + 360_000).toISOString());
    const second = await executor.execute(pauseDecision(), executor.newRun());
    expect(second).toMatchObject({ kind: 'done', outcome: 'in-progress' });
    expect(fake.stateChangingCalls()).toBe(1);
    const record = await ledger.get(pauseDecision().idempotencyKey);
    expect(record).toMatchObject({ status: 'in-progress', attempts: 2, afterState: 'pausing' });
    expect(record?.outcomeReason).toContain('an earlier attempt (pending) reached AWS');
    expect(notifier.alerts).toHaveLength(1);
  });

  it('an outcome write that fails once is tried again in the same delivery: recorded and reported once', async () => {
    const { fake, ledger, notifier, executor } = setup();
    const save = ledger.save.bind(ledger);
    let failSaves = 1;
    ledger.save = async (record: LedgerRecord) => {
      if (failSaves-- > 0) throw new FakeError('ThrottlingException', 'Rate exceeded');
      return save(record);
    };
    const result = await executor.execute(pauseDecision(), executor.newRun());
    expect(result).toMatchObject({ kind: 'done', outcome: 'in-progress' });
    expect(fake.stateChangingCalls()).toBe(1);
    expect(notifier.alerts).toHaveLength(1);
  });

  it('a PauseCluster whose answer was lost: the repeat is refused as a state conflict, the pause is recorded as accepted', async () => {
    const { fake, ledger, notifier, executor } = setup();
    const perform = fake.perform.bind(fake);
    fake.perform = async (action, params) => {
      await perform(action, params); // AWS took it
      return perform(action, params); // the SDK's repeat: InvalidClusterStateFault (pausing)
    };
    const result = await executor.execute(pauseDecision(), executor.newRun());
    expect(result).toMatchObject({ kind: 'done', outcome: 'in-progress' });
    const record = await ledger.get(pauseDecision().idempotencyKey);
    expect(record?.status).toBe('in-progress');
    expect(record?.outcomeReason).toContain('InvalidClusterStateFault');
    expect(notifier.alerts.map((a) => a.attributes.outcome)).toEqual(['in-progress']);
  });

  it('a key pending under another attempt’s live lease is busy, never deleted; the lease is the timeout + 30 s', async () => {
    const { ledger, clock, executor } = setup();
    // Another attempt claimed and died before writing anything.
    const died = pendingRecord(pauseDecision(), clock.now(), { newToken: () => 'died', leaseMs: leaseFor(60) });
    await ledger.claim(died, clock.now());
    expect((await executor.execute(pauseDecision(), executor.newRun())).kind).toBe('busy');
    expect(leaseFor(60)).toBe(90_000);
    clock.set(new Date(clock.now().getTime() + leaseFor(60) + 1).toISOString());
    expect((await executor.execute(pauseDecision(), executor.newRun())).kind).toBe('done');
  });
});
