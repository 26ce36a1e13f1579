import { describe, expect, it } from 'vitest';
import { MemoryLedger } from '../../../shared/execute/memory-ledger.ts';
import { type DecideInput, reconcile } from '../../../shared/execute/reconcile.ts';
import type { Decision } from '../../../shared/policy/decision.ts';
import { clusterResource, fixedClock, pauseDecision, RecordingNotifier } from './fakes.ts';
import { record } from './ledger-contract.ts';

function setup(decisions: Decision[]) {
  const ledger = new MemoryLedger();
  const sent: Decision[] = [];
  const inputs: DecideInput[] = [];
  const notifier = new RecordingNotifier();
  const fleet = [
    clusterResource({ ClusterIdentifier: 'c1' }),
    { ...clusterResource({ ClusterIdentifier: 'c2' }), status: 'paused' },
  ];
  const run = () =>
    reconcile({
      readFleet: async () => fleet,
      decide: (input) => {
        inputs.push(input);
        return {
          decisions,
          skips: [
            { at: input.fleet.readAt, policy: 'p', target: { type: 'cluster', id: 'c3' }, reason: 'not opted in' },
          ],
        };
      },
      ledger,
      queue: {
        send: async (ds) => {
          sent.push(...ds);
          return { sent: ds.length };
        },
      },
      notifier,
      clock: fixedClock('2026-12-07T18:05:00.000Z'),
    });
  return { ledger, sent, inputs, notifier, run };
}

describe('reconcile sweep', () => {
  it('passes the fleet and the tick time to decide() and enqueues its decisions', async () => {
    const { sent, inputs, run } = setup([pauseDecision({}, 'c1')]);

    const report = await run();

    expect(inputs[0]?.now.toISOString()).toBe('2026-12-07T18:05:00.000Z');
    expect(inputs[0]?.fleet.resources.map((r) => r.id)).toEqual(['c1', 'c2']);
    expect(sent.map((d) => d.target.id)).toEqual(['c1']);
    expect(report).toMatchObject({ resources: 2, decisions: 1, enqueued: 1, alreadyHandled: 0, skips: 1 });
  });

  it('does not enqueue what the ledger already handled, but does re-enqueue a retryable one', async () => {
    const done = pauseDecision({}, 'c1');
    const retry = pauseDecision({}, 'c2');
    const { ledger, sent, run } = setup([done, retry, done]);
    ledger.records.set(done.idempotencyKey, record(done.idempotencyKey, { status: 'succeeded' }));
    ledger.records.set(retry.idempotencyKey, record(retry.idempotencyKey, { status: 'skipped', retryable: true }));

    const report = await run();

    expect(sent.map((d) => d.target.id)).toEqual(['c2']);
    expect(report.alreadyHandled).toBe(2);
  });

  it('advances in-progress operations from the fleet it read, and shows them to decide()', async () => {
    const { ledger, inputs, notifier, run } = setup([]);
    const key = 'office-hours/PauseCluster/cluster:c2/2026-12-07T18:00Z';
    ledger.records.set(
      key,
      record(key, {
        target: { type: 'cluster', id: 'c2' },
        status: 'in-progress',
        afterState: 'pausing',
        expectedState: 'paused',
      }),
    );

    const report = await run();

    expect(report.advanced).toBe(1);
    expect((await ledger.get(key))?.status).toBe('succeeded');
    expect(inputs[0]?.ledger.entries).toEqual([expect.objectContaining({ idempotencyKey: key, status: 'succeeded' })]);
    expect(notifier.events.map((e) => e.outcome)).toEqual(['succeeded']);
    expect(notifier.alerts).toEqual([]);
  });
});
