import { describe, expect, it } from 'vitest';
import { MemoryNotifier } from '../../../../shared/app/memory-deps.ts';
import type { DataApiPort } from '../../../../shared/aws/data-api.adapter.ts';
import { runDrillWatcher } from '../../../../shared/domains/failover-drill/drill-watcher.ts';
import { MemoryLedger } from '../../../../shared/execute/memory-ledger.ts';
import type { LedgerRecord, ResourcePort } from '../../../../shared/execute/ports.ts';
import type { TrackerDeps } from '../../../../shared/policy/capability.ts';
import { idempotencyKey } from '../../../../shared/policy/decide.ts';
import { fixedClock } from '../../execute/fakes.ts';
import { APRIL_SLOT, issuePolicies, loadText, multiAz } from './drill-fixtures.ts';

/**
 * The drill watcher (functions/watch-drills, every minute): no query at all without a drill policy, one
 * ledger query and nothing else without a drill in flight, and the canary only where the Data API is
 * wired — the sweep and ingest steps of a drill leave it to the watcher instead of recording an error.
 */
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

function setup(options: { policies?: TrackerDeps['policies']; dataApi?: boolean; inFlight?: boolean } = {}) {
  const ledger = new MemoryLedger();
  if (options.inFlight !== false) ledger.records.set(failover.idempotencyKey, failover);
  const calls = { inFlight: 0, reads: 0, executes: 0 };
  const listInFlight = ledger.listInFlight.bind(ledger);
  ledger.listInFlight = async () => {
    calls.inFlight++;
    return listInFlight();
  };
  const clock = fixedClock('2026-04-14T08:01:00.000Z');
  const port = {
    read: async () => {
      calls.reads++;
      return multiAz('a', { status: 'modifying' });
    },
  } as unknown as ResourcePort;
  const dataApi: DataApiPort = {
    execute: async () => {
      calls.executes++;
      return { id: `s${calls.executes}` };
    },
    describe: async (id) => ({ id, status: 'STARTED', error: null, createdAt: null, updatedAt: null }),
  };
  const deps: TrackerDeps = {
    ledger,
    notifier: new MemoryNotifier(),
    clock,
    region: 'eu-central-1',
    policies: options.policies ?? issuePolicies().policies,
    logger: { info() {}, warn() {}, error() {} },
    resources: { cluster: port },
    ...(options.dataApi === false ? {} : { dataApi }),
  };
  return { deps, calls, ledger, clock };
}

const drillOf = async (ledger: MemoryLedger) =>
  [...ledger.records.values()].find((r) => r.action === 'FailoverDrill')?.params as
    | { canary: { attempts: number; lastError: string | null } }
    | undefined;

describe('drill watcher', () => {
  it('makes no query when no packaged policy drills', async () => {
    const policies = loadText(`version: 1
policies:
  - name: nightly
    resource: cluster
    match: { tags: { env: dev } }
    window: { running: ["Mon-Fri 07:00-19:00"], timezone: UTC }
`).policySet.policies;
    expect(policies.map((p) => p.name)).toEqual(['nightly']);
    const t = setup({ policies });
    expect(await runDrillWatcher(t.deps)).toEqual({ watched: false, counts: {} });
    expect(t.calls).toEqual({ inFlight: 0, reads: 0, executes: 0 });
  });

  it('with no drill in flight: one ledger query, no cluster read, no statement', async () => {
    const t = setup({ inFlight: false });
    const out = await runDrillWatcher(t.deps);
    expect(out).toEqual({ watched: true, counts: { running: 0, passed: 0, failed: 0, unknown: 0 } });
    expect(t.calls).toEqual({ inFlight: 1, reads: 0, executes: 0 });
  });

  it('steps a drill in flight: reads the cluster and sends the canary statement', async () => {
    const t = setup();
    expect((await runDrillWatcher(t.deps)).counts.running).toBe(1);
    expect(t.calls).toEqual({ inFlight: 1, reads: 1, executes: 1 });
    expect((await drillOf(t.ledger))?.canary).toMatchObject({ attempts: 1, lastError: null });
  });

  it('a step without the Data API (ingest, the sweep) leaves the canary to the watcher, recording no error', async () => {
    const t = setup({ dataApi: false });
    await runDrillWatcher(t.deps);
    expect(t.calls.executes).toBe(0);
    expect((await drillOf(t.ledger))?.canary).toEqual({ pending: null, attempts: 0, firstOkAt: null, lastError: null });
  });

  it('a drill no watcher ever stepped fails at its bound saying so', async () => {
    const t = setup({ dataApi: false });
    t.clock.set('2026-04-14T08:30:00.000Z');
    await runDrillWatcher(t.deps);
    const notifier = t.deps.notifier as MemoryNotifier;
    expect(notifier.alerts.map((a) => a.attributes.severity)).toEqual(['ERROR']);
    expect(notifier.alerts[0]?.body).toMatch(/no canary query was sent: no run of the drill watcher/);
  });
});
