import { describe, expect, it } from 'vitest';
import { MemoryNotifier } from '../../../../shared/app/memory-deps.ts';
import type { CanaryStatement, DataApiPort } from '../../../../shared/aws/data-api.adapter.ts';
import { drillTracker } from '../../../../shared/domains/failover-drill/drill-tracker.ts';
import type { NormalizedEvent } from '../../../../shared/events/normalized-event.ts';
import { MemoryLedger } from '../../../../shared/execute/memory-ledger.ts';
import type { LedgerRecord, ObservedResource, ResourcePort } from '../../../../shared/execute/ports.ts';
import { idempotencyKey } from '../../../../shared/policy/decide.ts';
import { fixedClock } from '../../execute/fakes.ts';
import { APRIL_SLOT, issuePolicies, multiAz } from './drill-fixtures.ts';

const POLICY = 'quarterly-failover-drill';
const target = { type: 'cluster' as const, id: 'a' };
const failover: LedgerRecord = {
  idempotencyKey: idempotencyKey(POLICY, target, 'FailoverPrimaryCompute', APRIL_SLOT),
  policy: POLICY,
  action: 'FailoverPrimaryCompute',
  target,
  mode: 'act',
  params: { ClusterIdentifier: 'a', AvailabilityZone: 'eu-central-1a', SecondaryAvailabilityZone: 'eu-central-1b' },
  reason: 'failover drill',
  decisionAt: APRIL_SLOT,
  status: 'in-progress',
  retryable: false,
  attempts: 1,
  claimToken: 't',
  leaseUntil: APRIL_SLOT,
  outcomeReason: null,
  beforeState: 'available',
  afterState: 'modifying',
  expectedState: 'available',
  createdId: null,
  error: null,
  budgetSlot: null,
  claimedAt: APRIL_SLOT,
  updatedAt: '2026-04-14T08:00:05.000Z',
  completedAt: null,
};

const event = (n: string, time: string): NormalizedEvent => ({
  kind: 'redshift-event',
  eventId: `REDSHIFT-EVENT-${n}`,
  known: true,
  category: 'Monitoring',
  severity: n === '3668' ? 'ERROR' : 'INFO',
  resource: { type: 'cluster', id: 'a' },
  time,
  message: 'x',
  values: { cluster_name: 'a' },
  account: null,
  region: null,
});

function setup() {
  const ledger = new MemoryLedger();
  ledger.records.set(failover.idempotencyKey, failover);
  const notifier = new MemoryNotifier();
  const clock = fixedClock('2026-04-14T08:01:00.000Z');
  let cluster: ObservedResource = multiAz('a', { status: 'modifying' });
  const port = { read: async () => cluster } as unknown as ResourcePort;
  const statements = new Map<string, CanaryStatement>();
  let answer: 'FAILED' | 'FINISHED' = 'FAILED';
  const dataApi: DataApiPort = {
    execute: async () => {
      const id = `s${statements.size + 1}`;
      statements.set(id, {
        id,
        status: answer,
        error: answer === 'FAILED' ? 'connection reset' : null,
        createdAt: clock.now().toISOString(),
        updatedAt: clock.now().toISOString(),
      });
      return { id };
    },
    describe: async (id) => statements.get(id) as CanaryStatement,
  };
  const tracker = drillTracker.create({
    ledger,
    notifier,
    clock,
    region: 'eu-central-1',
    policies: issuePolicies().policies,
    logger: { info() {}, warn() {}, error() {} },
    resources: { cluster: port },
    dataApi,
  });
  return {
    ledger,
    notifier,
    clock,
    tracker,
    setCluster: (c: ObservedResource) => {
      cluster = c;
    },
    answer: (a: 'FAILED' | 'FINISHED') => {
      answer = a;
    },
  };
}

describe('drill tracker: measured recovery and the report', () => {
  it('passes: available again in the third AZ, first canary query measured, one INFO report and one Drill Report event', async () => {
    const t = setup();
    await t.tracker.sweep([]);
    await t.tracker.onEvent(event('3666', '2026-04-14T08:00:10.000Z'));
    t.clock.set('2026-04-14T08:04:05.000Z');
    t.answer('FINISHED');
    await t.tracker.sweep([]);
    t.clock.set('2026-04-14T08:09:05.000Z');
    t.setCluster(multiAz('a', { availabilityZone: 'eu-central-1b', secondaryAvailabilityZone: 'eu-central-1c' }));
    await t.tracker.sweep([]);
    expect(t.notifier.alerts.map((a) => [a.attributes.severity, a.subject])).toEqual([
      ['INFO', '[autopilot] failover drill passed: a (quarterly-failover-drill)'],
    ]);
    const body = t.notifier.alerts[0]?.body ?? '';
    expect(body).toMatch(/Time to available: 9 min \(no earlier drill to compare\)/);
    expect(body).toMatch(/Time to first canary query: 4 min after 3 statement\(s\)/);
    expect(body).toMatch(/Primary AZ: eu-central-1a → eu-central-1b; secondary AZ: eu-central-1b → eu-central-1c/);
    expect(body).toMatch(/REDSHIFT-EVENT-3666 at 2026-04-14T08:00:10.000Z/);
    expect(
      t.notifier.reports.map((r) => [
        r.detailType,
        r.detail.outcome,
        r.detail.minutesToAvailable,
        r.detail.minutesToFirstCanaryQuery,
      ]),
    ).toEqual([['Autopilot Drill Report', 'passed', 9, 4]]);
    expect((await t.ledger.get(failover.idempotencyKey))?.status).toBe('succeeded');
    await t.tracker.sweep([]);
    expect(t.notifier.alerts).toHaveLength(1);
  });

  it('fails over maxRecoveryMinutes: one ERROR alert as soon as the bound passes, none after', async () => {
    const t = setup();
    t.answer('FINISHED');
    await t.tracker.sweep([]);
    t.clock.set('2026-04-14T08:20:00.000Z');
    await t.tracker.sweep([]);
    expect(t.notifier.alerts).toHaveLength(0);
    t.clock.set('2026-04-14T08:21:00.000Z');
    await t.tracker.sweep([]);
    t.clock.set('2026-04-14T08:26:00.000Z');
    await t.tracker.sweep([]);
    expect(t.notifier.alerts.map((a) => [a.attributes.severity, a.attributes.outcome])).toEqual([['ERROR', 'failed']]);
    expect(t.notifier.alerts[0]?.body).toMatch(
      /FAILED — not available again \(last status modifying\) within maxRecoveryMinutes 20/,
    );
    expect((await t.ledger.get(failover.idempotencyKey))?.status).toBe('failed');
  });
});

describe('drill tracker: failures and trend', () => {
  it('fails at once on REDSHIFT-EVENT-3668, with one ERROR alert', async () => {
    const t = setup();
    await t.tracker.onEvent(event('3668', '2026-04-14T08:03:00.000Z'));
    await t.tracker.sweep([]);
    expect(t.notifier.alerts.map((a) => a.attributes.severity)).toEqual(['ERROR']);
    expect(t.notifier.alerts[0]?.body).toMatch(/REDSHIFT-EVENT-3668 at 2026-04-14T08:03:00.000Z: recovery failed/);
  });

  it('reports the trend against the previous drill of the cluster', async () => {
    const first = setup();
    first.answer('FINISHED');
    first.setCluster(multiAz('a', { availabilityZone: 'eu-central-1b' }));
    first.clock.set('2026-04-14T08:06:05.000Z');
    await first.tracker.onEvent(event('3666', '2026-04-14T08:00:10.000Z'));
    await first.tracker.sweep([]);
    expect(first.notifier.alerts[0]?.body).toMatch(/Time to available: 6 min/);
    // The July drill on the same ledger.
    const july = '2026-07-14T08:00:00.000Z';
    const next = {
      ...failover,
      idempotencyKey: idempotencyKey(POLICY, target, 'FailoverPrimaryCompute', july),
      decisionAt: july,
      claimedAt: july,
      updatedAt: july,
      params: { ...failover.params, AvailabilityZone: 'eu-central-1b' },
    };
    first.ledger.records.set(next.idempotencyKey, next);
    first.setCluster(multiAz('a', { availabilityZone: 'eu-central-1c' }));
    first.clock.set('2026-07-14T08:08:00.000Z');
    await first.tracker.onEvent(event('3666', '2026-07-14T08:00:10.000Z'));
    await first.tracker.sweep([]);
    expect(first.notifier.alerts[1]?.body).toMatch(
      /Time to available: 8 min \(slower by 2 min than the mean 6 min of 1 earlier drill\)/,
    );
  });
});
