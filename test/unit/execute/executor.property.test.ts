import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Executor } from '../../../shared/execute/executor.ts';
import { MemoryLedger } from '../../../shared/execute/memory-ledger.ts';
import { reconcile } from '../../../shared/execute/reconcile.ts';
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

/**
 * Events and ticks arrive duplicated, reordered and late, sometimes to two executors at once.
 * Whatever the order: at most one accepted state-changing call per (cluster, idempotency key), and
 * once the backlog is worked off and a reconcile tick has run, every cluster is where the latest
 * decision for it wants it.
 */
const CLUSTERS = ['c1', 'c2', 'c3'] as const;
const SLOT_HOURS = ['06', '12', '18', '23'] as const;

interface Want {
  cluster: (typeof CLUSTERS)[number];
  slot: number;
  action: 'PauseCluster' | 'ResumeCluster';
}

function decisionFor(want: Want): Decision {
  const at = `2026-12-07T${SLOT_HOURS[want.slot]}:00:00.000Z`;
  const idempotencyKey = `office-hours/${want.action}/cluster:${want.cluster}/${at}`;
  return {
    ...pauseDecision({}, want.cluster),
    action: want.action,
    at,
    // `_probe` lets the fake attribute each accepted call to its key (test instrumentation only).
    params: { ClusterIdentifier: want.cluster, _probe: idempotencyKey },
    idempotencyKey,
  };
}

const wantsArb = fc
  .uniqueArray(
    fc.record({
      cluster: fc.constantFrom(...CLUSTERS),
      slot: fc.integer({ min: 0, max: SLOT_HOURS.length - 1 }),
      action: fc.constantFrom('PauseCluster' as const, 'ResumeCluster' as const),
    }),
    { minLength: 1, maxLength: 10, selector: (w) => `${w.cluster}/${w.slot}` },
  )
  .chain((wants) =>
    fc.record({
      wants: fc.constant(wants),
      initial: fc.array(fc.constantFrom('available', 'paused'), {
        minLength: CLUSTERS.length,
        maxLength: CLUSTERS.length,
      }),
      // Each delivery is a decision index; duplicates and any order are allowed.
      deliveries: fc.array(
        fc.record({
          index: fc.integer({ min: 0, max: wants.length - 1 }),
          concurrentWithNext: fc.boolean(),
          settleAfter: fc.boolean(),
        }),
        { minLength: 1, maxLength: 30 },
      ),
    }),
  );

describe('executor under duplicated, reordered and delayed delivery', () => {
  it('acts at most once per key and converges to what the latest decisions want', async () => {
    await fc.assert(
      fc.asyncProperty(wantsArb, async ({ wants, initial, deliveries }) => {
        const fake = new FakeRedshift();
        CLUSTERS.forEach((id, i) => {
          fake.add(withStatus(clusterResource({ ClusterIdentifier: id }), initial[i] ?? 'available'));
        });
        const ledger = new MemoryLedger();
        const clock = fixedClock('2026-12-07T23:30:00.000Z');
        const notifier = new RecordingNotifier();
        const deps = { resources: { cluster: fake }, ledger, notifier, region: 'us-east-1', clock };
        const a = new Executor({ ...deps, newToken: sequentialTokens('a') });
        const b = new Executor({ ...deps, newToken: sequentialTokens('b') });
        const decisions = wants.map(decisionFor);

        for (let i = 0; i < deliveries.length; i += 1) {
          const d = deliveries[i];
          if (d === undefined) continue;
          const decision = decisions[d.index];
          if (decision === undefined) continue;
          const next = deliveries[i + 1];
          const nextDecision = next === undefined ? undefined : decisions[next.index];
          if (d.concurrentWithNext && nextDecision !== undefined) {
            await Promise.all([a.execute(decision, a.newRun()), b.execute(nextDecision, b.newRun())]);
            i += 1;
          } else {
            await a.execute(decision, a.newRun());
          }
          if (d.settleAfter) fake.settle();
        }

        // The latest decision per cluster is what the policies want now.
        const latest = new Map<string, Decision>();
        for (const d of decisions) {
          const current = latest.get(d.target.id);
          if (current === undefined || current.at < d.at) latest.set(d.target.id, d);
        }
        const wanted = (d: Decision) => (d.action === 'PauseCluster' ? 'paused' : 'available');

        // Reconcile ticks: decide() re-emits the latest decision where the state differs.
        for (let tick = 0; tick < 3; tick += 1) {
          fake.settle();
          const queued: Decision[] = [];
          await reconcile({
            readFleet: async () => [...fake.clusters.values()],
            decide: ({ fleet }) => ({
              decisions: [...latest.values()].filter(
                (d) => fleet.resources.find((r) => r.id === d.target.id)?.status !== wanted(d),
              ),
              skips: [],
            }),
            ledger,
            queue: {
              send: async (ds) => {
                queued.push(...ds);
                return { sent: ds.length };
              },
            },
            clock,
          });
          for (const d of queued) await a.execute(d, a.newRun());
        }
        fake.settle();

        for (const [key, count] of fake.acceptedCallsByProbe()) expect(count, key).toBeLessThanOrEqual(1);
        const actedAlerts = new Map<string, number>();
        for (const e of notifier.events.filter((x) => x.outcome === 'in-progress' || x.outcome === 'succeeded')) {
          actedAlerts.set(e.idempotencyKey, (actedAlerts.get(e.idempotencyKey) ?? 0) + 1);
        }
        for (const [key, count] of actedAlerts) expect(count, key).toBe(1);
        for (const [id, d] of latest) expect(fake.clusters.get(id)?.status, id).toBe(wanted(d));
      }),
      { numRuns: 300 },
    );
  });
});

describe('duplicates are acknowledged without a second call or alert', () => {
  it('one decision per cluster, delivered any number of times, in any order, concurrently: one alert per key', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom('available', 'paused'), { minLength: 3, maxLength: 3 }),
        fc.array(
          fc.record({
            cluster: fc.integer({ min: 0, max: 2 }),
            concurrent: fc.boolean(),
            settleAfter: fc.boolean(),
          }),
          { minLength: 1, maxLength: 25 },
        ),
        async (initial, deliveries) => {
          const fake = new FakeRedshift();
          CLUSTERS.forEach((id, i) => {
            fake.add(withStatus(clusterResource({ ClusterIdentifier: id }), initial[i] ?? 'available'));
          });
          const ledger = new MemoryLedger();
          const notifier = new RecordingNotifier();
          const deps = { resources: { cluster: fake }, ledger, notifier, region: 'us-east-1', clock: fixedClock() };
          const a = new Executor({ ...deps, newToken: sequentialTokens('a') });
          const b = new Executor({ ...deps, newToken: sequentialTokens('b') });
          // c1 pause, c2 resume, c3 pause: one decision each.
          const decisions = CLUSTERS.map((cluster, i) =>
            decisionFor({ cluster, slot: 2, action: i === 1 ? 'ResumeCluster' : 'PauseCluster' }),
          );

          for (const d of deliveries) {
            const decision = decisions[d.cluster];
            if (decision === undefined) continue;
            if (d.concurrent) await Promise.all([a.execute(decision, a.newRun()), b.execute(decision, b.newRun())]);
            else await a.execute(decision, a.newRun());
            if (d.settleAfter) fake.settle();
          }

          const alertsPerResource = new Map<string, number>();
          for (const alert of notifier.alerts) {
            const r = alert.attributes.resource;
            alertsPerResource.set(r, (alertsPerResource.get(r) ?? 0) + 1);
          }
          for (const [resource, count] of alertsPerResource) expect(count, resource).toBe(1);
          for (const [key, count] of fake.acceptedCallsByProbe()) expect(count, key).toBeLessThanOrEqual(1);
        },
      ),
      { numRuns: 300 },
    );
  });
});
