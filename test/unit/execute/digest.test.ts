import { describe, expect, it } from 'vitest';
import { type BatchOptions, processDecisionBatch, type QueueRecord } from '../../../shared/execute/batch-processor.ts';
import { CoalescingLedger } from '../../../shared/execute/coalescing-ledger.ts';
import { type DigestMessage, digestQueueIds, planDigests, reportDigest } from '../../../shared/execute/digest.ts';
import { Executor } from '../../../shared/execute/executor.ts';
import { MemoryLedger } from '../../../shared/execute/memory-ledger.ts';
import { silentLogger } from '../../../shared/execute/ports.ts';
import type { Decision } from '../../../shared/policy/decision.ts';
import {
  clusterResource,
  FakeRedshift,
  fixedClock,
  pauseDecision,
  RecordingNotifier,
  sequentialTokens,
  withStatus,
} from './fakes.ts';

const RUN = '2026-12-07T18:05:00.000Z';

function toRecords(decisions: readonly Decision[], digests: readonly DigestMessage[], receive = 1): QueueRecord[] {
  const attrs = (group: string) => ({ MessageGroupId: group, ApproximateReceiveCount: String(receive) });
  return [
    ...decisions.map((d, i) => ({
      messageId: `d${i}`,
      body: JSON.stringify(d),
      attributes: attrs(`${d.target.type}:${d.target.id}`),
    })),
    ...digests.map((g, i) => ({
      messageId: `g${i}`,
      body: JSON.stringify(g),
      attributes: attrs(digestQueueIds(g).groupId),
    })),
  ];
}

function setup(ids: string[]) {
  const fake = new FakeRedshift();
  for (const id of ids) fake.add(clusterResource({ ClusterIdentifier: id }));
  const inner = new MemoryLedger();
  const ledger = new CoalescingLedger(inner);
  const notifier = new RecordingNotifier();
  const clock = fixedClock();
  const executor = new Executor({
    resources: { cluster: fake },
    ledger,
    notifier,
    region: 'us-east-1',
    clock,
    newToken: sequentialTokens(),
  });
  const digest = (message: DigestMessage, finalAttempt: boolean) =>
    reportDigest(
      message,
      {
        ledger: inner,
        notifier,
        region: 'us-east-1',
        logger: silentLogger,
        metrics: { count() {} },
        now: () => clock.now(),
      },
      finalAttempt,
    );
  const run = (records: QueueRecord[], digestRetry?: BatchOptions['digestRetry']) =>
    processDecisionBatch(records, executor, {
      session: ledger,
      digest,
      maxReceiveCount: 5,
      ...(digestRetry === undefined ? {} : { digestRetry }),
    });
  return { fake, inner, notifier, run };
}

const IDS = ['c1', 'c2', 'c3', 'c4', 'c5'];

describe('run digest: one alert per policy and run (issue 19)', () => {
  it('marks a policy with several decisions, and leaves a lone decision alerted alone', () => {
    const lone = pauseDecision({ policy: 'other' }, 'x1');
    const planned = planDigests([...IDS.map((id) => pauseDecision({}, id)), lone], RUN);
    expect(planned.digests).toHaveLength(1);
    expect(planned.digests[0]).toMatchObject({ policy: 'office-hours', run: RUN, part: 1, parts: 1 });
    expect(planned.digests[0]?.keys).toHaveLength(5);
    expect(planned.decisions.filter((d) => d.digest !== undefined)).toHaveLength(5);
    expect(planned.decisions.find((d) => d.policy === 'other')?.digest).toBeUndefined();
  });

  it('five pauses by one policy: one message listing all five, and five action events', async () => {
    const { fake, notifier, run } = setup(IDS);
    const planned = planDigests(
      IDS.map((id) => pauseDecision({}, id)),
      RUN,
    );
    const response = await run(toRecords(planned.decisions, planned.digests));
    expect(response.batchItemFailures).toEqual([]);
    expect(fake.calls.filter((c) => c.op === 'PauseCluster')).toHaveLength(5);
    expect(notifier.alerts).toHaveLength(1);
    const [digest] = notifier.alerts;
    expect(digest?.attributes).toMatchObject({ severity: 'INFO', policy: 'office-hours', outcome: 'in-progress' });
    expect(digest?.subject).toContain('PauseCluster started on 5 clusters');
    for (const id of IDS) expect(digest?.body).toContain(`cluster/${id}  PauseCluster  started  available -> pausing`);
    expect(notifier.events).toHaveLength(5);
  });

  it('a skipped cluster keeps its own warning; the digest lists the others and counts it', async () => {
    const { fake, notifier, run } = setup(IDS);
    fake.add(withStatus(clusterResource({ ClusterIdentifier: 'c3' }), 'modifying'));
    const planned = planDigests(
      IDS.map((id) => pauseDecision({}, id)),
      RUN,
    );
    await run(toRecords(planned.decisions, planned.digests));
    const warnings = notifier.alerts.filter((a) => a.attributes.severity === 'WARNING');
    expect(warnings.map((a) => a.attributes.resource)).toEqual(['cluster/c3']);
    const digests = notifier.alerts.filter((a) => a.attributes.severity === 'INFO');
    expect(digests).toHaveLength(1);
    expect(digests[0]?.subject).toContain('on 4 clusters, 1 alerted apart');
    expect(digests[0]?.body).toContain('Alerted apart (1, each with what to do):');
  });

  it('waits for decisions not finished yet, and on its last delivery says which are missing', async () => {
    const { notifier, run } = setup(IDS);
    const planned = planDigests(
      IDS.map((id) => pauseDecision({}, id)),
      RUN,
    );
    // The digest arrives before two of its decisions (they are still in the queue).
    const early = await run(toRecords(planned.decisions.slice(0, 3), planned.digests));
    expect(early.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(['g0']);
    expect(notifier.alerts).toHaveLength(0);
    const last = await run(toRecords([], planned.digests, 5));
    expect(last.batchItemFailures).toEqual([]);
    expect(notifier.alerts).toHaveLength(1);
    expect(notifier.alerts[0]?.body).toContain('Not finished when this was sent (2)');
  });

  it('a waiting digest is shown again in 30 s, not after the queue visibility timeout', async () => {
    const { notifier, run } = setup(IDS);
    const planned = planDigests(
      IDS.map((id) => pauseDecision({}, id)),
      RUN,
    );
    const shown: [string, number][] = [];
    const records = toRecords(planned.decisions.slice(0, 2), planned.digests).map((r) => ({
      ...r,
      receiptHandle: `rh-${r.messageId}`,
    }));
    const response = await run(records, {
      seconds: 30,
      later: async (handle, seconds) => {
        shown.push([handle, seconds]);
      },
    });
    expect(response.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(['g0']);
    expect(shown).toEqual([['rh-g0', 30]]);
    expect(notifier.alerts).toHaveLength(0);
  });

  it('a digest delivered twice is published once', async () => {
    const { notifier, run } = setup(IDS);
    const planned = planDigests(
      IDS.map((id) => pauseDecision({}, id)),
      RUN,
    );
    await run(toRecords(planned.decisions, planned.digests));
    await run(toRecords([], planned.digests, 2));
    expect(notifier.alerts).toHaveLength(1);
  });

  it('a malformed digest is dead-lettered as a malformed message, never dropped', async () => {
    const { run } = setup(IDS);
    const response = await run([
      { messageId: 'bad', body: '{"kind":"digest","policy":1}', attributes: { MessageGroupId: 'digest:x' } },
    ]);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'bad' }]);
    expect(response.results[0]?.result.kind).toBe('invalid');
  });
});
