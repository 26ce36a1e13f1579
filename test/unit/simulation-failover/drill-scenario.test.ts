import { beforeAll, describe, expect, it } from 'vitest';
import { loadPolicySources } from '../../../shared/policy/policy-loader.ts';
import { realHandlers } from '../../../shared/simulation/real-handlers.ts';
import { Simulation, type SimulationResult } from '../../../shared/simulation/simulation.ts';
import type { ActionRecord } from '../../../shared/simulation/timeline.ts';
import type { RedshiftSimulator } from '../../../shared/simulator/redshift-simulator.ts';
import { FLEET, POLICIES, seedDrillExtras } from './drill-fleet.ts';

/**
 * Issue 16's "Done when" on the simulator, with the real handlers (the drill watcher every minute, the
 * sweep every 5): the issue's policy as written over three quarterly slots — January's inside the
 * year-end freeze, April's and July's drilled — each simulated for the two days around it. A drill
 * runs on each eligible critical cluster at 10:00 Berlin on the quarter's second Tuesday, one at a time;
 * never on the single-AZ or DC2 cluster, nor on the one whose maintenance window covers the slot; the
 * report carries the figures and the AZs; in July a 3668 and a recovery past maxRecoveryMinutes give one
 * ERROR alert each. Every ERROR and WARNING alert of the runs is listed and accounted for.
 */
const DAY = 86_400_000;
const { policySet, problems } = loadPolicySources([{ file: 'drill.yml', text: POLICIES }]);

const runs: Record<'jan' | 'apr' | 'jul', SimulationResult> = {} as never;

function around(slotDay: string, prepare?: (sim: RedshiftSimulator) => void) {
  const from = Date.parse(`${slotDay}T00:00:00Z`) - DAY;
  return new Simulation({
    policies: policySet,
    fleet: FLEET,
    from,
    to: from + 2 * DAY,
    seed: 16,
    handlers: realHandlers,
    prepare: (sim) => {
      seedDrillExtras(sim);
      prepare?.(sim);
    },
  }).run();
}

beforeAll(async () => {
  expect(problems).toEqual([]);
  runs.jan = await around('2026-01-13');
  runs.apr = await around('2026-04-14');
  runs.jul = await around('2026-07-14', (sim) => {
    sim.injectFailoverFaults({ fault: 'recovery-fails', clusterIdentifier: 'orders' });
    sim.injectFailoverFaults({ fault: 'recovery-slow', clusterIdentifier: 'payments' });
  });
}, 120_000);

const failovers = (run: SimulationResult) =>
  run.records.filter(
    (r): r is ActionRecord =>
      r.type === 'action' && r.action === 'FailoverPrimaryCompute' && r.outcome === 'in-progress',
  );
const severe = (run: SimulationResult) =>
  run.alerts
    .filter((a) => a.attributes.severity === 'ERROR' || a.attributes.severity === 'WARNING')
    .map((a) => `${a.at.slice(0, 16)} ${a.attributes.severity} ${a.subject}`);
const reports = (run: SimulationResult) => run.outcomeEvents.filter((e) => e.detailType === 'Autopilot Drill Report');

describe('failover drills over three quarterly slots, simulated', () => {
  it('drills each eligible critical cluster at 10:00 Berlin on the second Tuesday, one at a time, never in the freeze', () => {
    expect(failovers(runs.jan)).toEqual([]);
    const april = failovers(runs.apr).map((r) => [r.resource, r.at.slice(0, 16)]);
    // 10:00 CEST is 08:00Z; payments waits for orders' drill to end (one at a time) and starts at the next sweep.
    expect(april.map(([r]) => r)).toEqual(['cluster/orders', 'cluster/payments']);
    expect(april[0]?.[1]).toBe('2026-04-14T08:00');
    const ordersReport = runs.apr.alerts.find((a) => a.subject?.includes('drill passed: orders'));
    expect(Date.parse(`${april[1]?.[1]}Z`)).toBeGreaterThan(Date.parse(ordersReport?.at ?? ''));
    expect(failovers(runs.jul).map((r) => r.resource)).toEqual(['cluster/orders', 'cluster/payments']);
    for (const run of Object.values(runs)) {
      expect(run.invocationErrors).toEqual([]);
      expect(run.deadLetters).toEqual([]);
    }
  });

  it('never drills the single-AZ, the DC2, the not-critical cluster, nor one inside its maintenance window; says why once per slot', () => {
    for (const run of Object.values(runs)) {
      const drilled = new Set(failovers(run).map((r) => r.resource));
      for (const id of ['single-az', 'legacy-dc2', 'ledger', 'reporting'])
        expect(drilled.has(`cluster/${id}`)).toBe(false);
    }
    const notices = (run: SimulationResult) =>
      run.alerts.filter((a) => a.subject?.startsWith('[autopilot] no failover drill of')).map((a) => a.subject);
    expect(notices(runs.apr).sort()).toEqual([
      '[autopilot] no failover drill of ledger: outsideMaintenanceWindow (quarterly-failover-drill)',
      '[autopilot] no failover drill of legacy-dc2: multiAzEligible (quarterly-failover-drill)',
      '[autopilot] no failover drill of single-az: multiAzEligible (quarterly-failover-drill)',
    ]);
    expect(notices(runs.jan).filter((s) => s?.includes('notFrozen'))).toHaveLength(3);
  });

  it('reports time to available, time to the first canary query and the AZs, in the alert and the Drill Report event', () => {
    const details = reports(runs.apr).map((e) => e.detail as Record<string, unknown>);
    expect(details.map((d) => [d.cluster, d.outcome])).toEqual([
      ['orders', 'passed'],
      ['payments', 'passed'],
    ]);
    for (const d of details) {
      expect(d.minutesToAvailable).toBeGreaterThan(0);
      expect(d.minutesToAvailable).toBeLessThanOrEqual(20);
      expect(d.minutesToFirstCanaryQuery).toBeGreaterThan(0);
      expect(d.minutesToFirstCanaryQuery).toBeLessThanOrEqual(2);
      expect([d.availabilityZoneBefore, d.availabilityZoneAfter, d.secondaryAvailabilityZoneAfter]).toEqual([
        'eu-central-1a',
        'eu-central-1b',
        'eu-central-1c',
      ]);
    }
    const alert = runs.apr.alerts.find(
      (a) => a.subject === '[autopilot] failover drill passed: orders (quarterly-failover-drill)',
    );
    expect(alert?.attributes.severity).toBe('INFO');
    expect(alert?.message).toMatch(/Time to available: \d+(\.\d)? min/);
    expect(alert?.message).toMatch(/Time to first canary query: \d+(\.\d)? min after 1 statement/);
    expect(alert?.message).toContain(
      'Primary AZ: eu-central-1a → eu-central-1b; secondary AZ: eu-central-1b → eu-central-1c.',
    );
  });
});

describe('failover drills that fail, and every severe alert, simulated', () => {
  it('a 3668 and a recovery past maxRecoveryMinutes each give exactly one ERROR alert', () => {
    const errors = runs.jul.alerts.filter((a) => a.attributes.severity === 'ERROR');
    expect(errors.map((a) => a.subject)).toEqual([
      '[autopilot] failover drill FAILED: orders (quarterly-failover-drill)',
      '[autopilot] failover drill FAILED: payments (quarterly-failover-drill)',
    ]);
    expect(errors[0]?.message).toMatch(/primary compute still in eu-central-1a: the secondary was not promoted/);
    expect(errors[1]?.message).toMatch(/not available again \(last status modifying\) within maxRecoveryMinutes 20/);
    expect(reports(runs.jul).map((e) => (e.detail as { outcome: string }).outcome)).toEqual(['failed', 'failed']);
  });

  it('raises no ERROR or WARNING beyond those: the ineligible clusters once per slot, the July failures', () => {
    const perSlot = (day: string, hour: string) => [
      `${day}T${hour}:00 WARNING [autopilot] no failover drill of legacy-dc2: multiAzEligible (quarterly-failover-drill)`,
      `${day}T${hour}:00 WARNING [autopilot] no failover drill of single-az: multiAzEligible (quarterly-failover-drill)`,
    ];
    expect(severe(runs.jan).sort()).toEqual(perSlot('2026-01-13', '09'));
    expect(severe(runs.apr).sort()).toEqual(perSlot('2026-04-14', '08'));
    expect(
      severe(runs.jul)
        .filter((s) => s.includes('WARNING'))
        .sort(),
    ).toEqual(perSlot('2026-07-14', '08'));
  });
});
