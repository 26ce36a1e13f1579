import { describe, expect, it } from 'vitest';
import { drillRefusal, failoverDrillReady } from '../../../../shared/domains/failover-drill/drill.actions.ts';
import { maintenanceRefusal, multiAzRefusal } from '../../../../shared/domains/failover-drill/drill.rules.ts';
import { actionRegistry } from '../../../../shared/execute/action-registry.ts';
import { decide } from '../../../../shared/policy/decide.ts';
import type { FleetResource, LedgerEntryView } from '../../../../shared/policy/decision.ts';
import { APRIL_SLOT, ISSUE_EXAMPLE, issuePolicies, loadText, multiAz } from './drill-fixtures.ts';

const SET = issuePolicies();
function run(now: string, resources: FleetResource[], entries: LedgerEntryView[] = []) {
  return decide({
    policies: SET,
    fleet: { readAt: now, resources },
    trigger: { kind: 'tick', at: now },
    now,
    ledger: { entries },
  });
}

describe('multiAzEligible (facts §6), one rule for decide() and the executor', () => {
  it.each([
    ['a DC2 cluster', { nodeType: 'dc2.large' }, /node type dc2.large: Multi-AZ is RA3 only/],
    ['one node', { numberOfNodes: 1 }, /at least 2 nodes per AZ/],
    ['unencrypted', { encrypted: undefined }, /not encrypted/],
    ['port 5439 is fine, 5400 is not', { port: 5400 }, /port 5400: .*5431–5455 or 8191–8215/],
    ['an Elastic IP', { elasticIp: '52.0.0.1' }, /Elastic IP 52.0.0.1/],
    ['a subnet group over 2 AZs', { subnetGroupZones: ['eu-central-1a', 'eu-central-1b'] }, /covers 2 AZ .*needs 3/],
    ['single-AZ', { multiAz: false }, /single-AZ cluster/],
    ['no secondary now', { secondaryAvailabilityZone: null }, /no secondary compute now/],
  ])('refuses %s', (_name, extra, reason) => {
    expect(multiAzRefusal(multiAz('c', extra as never))).toMatch(reason);
  });

  it('passes an eligible Multi-AZ RA3 cluster on port 8192', () => {
    expect(multiAzRefusal(multiAz('c', { port: 8192 }))).toBeNull();
  });

  it('the executor guardrail refuses a cluster that failed over since the decision, and is in the one table', () => {
    expect(actionRegistry.guardrails().some((g) => g.name === failoverDrillReady.name)).toBe(true);
    expect(
      drillRefusal(multiAz('c', { availabilityZone: 'eu-central-1b' }), { AvailabilityZone: 'eu-central-1a' }),
    ).toMatch(/primary compute is in eu-central-1b, not eu-central-1a/);
    expect(drillRefusal(multiAz('c', { status: 'modifying' }), { AvailabilityZone: 'eu-central-1a' })).toMatch(
      /status modifying/,
    );
    expect(drillRefusal(multiAz('c'), { AvailabilityZone: 'eu-central-1a' })).toBeNull();
  });
});

describe('outsideMaintenanceWindow', () => {
  it('refuses a drill whose recovery bound meets the weekly window (UTC), also across the week end', () => {
    const tue = Date.parse('2026-04-14T08:00:00Z');
    expect(maintenanceRefusal(multiAz('c', { maintenanceWindow: 'tue:08:15-tue:08:45' }), tue, 20 * 60_000)).toMatch(
      /meets the maintenance window tue:08:15-tue:08:45 UTC/,
    );
    expect(maintenanceRefusal(multiAz('c', { maintenanceWindow: 'tue:08:30-tue:09:00' }), tue, 20 * 60_000)).toBeNull();
    const sun = Date.parse('2026-04-12T23:50:00Z');
    expect(
      maintenanceRefusal(multiAz('c', { maintenanceWindow: 'sat:23:30-sun:00:30' }), sun - 86_400_000, 20 * 60_000),
    ).not.toBeNull();
  });
});

describe('decide(): the drill at the local slot, pre-checks, once', () => {
  it('drills at 10:00 Berlin on the second Tuesday of the quarter, naming both AZs', () => {
    expect(run('2026-04-14T07:55:00Z', [multiAz('a')]).decisions).toEqual([]);
    const out = run(APRIL_SLOT, [multiAz('a')]);
    expect(out.decisions.map((d) => [d.action, d.params])).toEqual([
      [
        'FailoverPrimaryCompute',
        { ClusterIdentifier: 'a', AvailabilityZone: 'eu-central-1a', SecondaryAvailabilityZone: 'eu-central-1b' },
      ],
    ]);
    expect(out.decisions[0]?.reason).toMatch(
      /^failover drill of 2026-04-14 Tue 10:00 \+02:00 .*recovery within 20 min, canary dev/,
    );
  });

  it('one drill at a time per policy: the second cluster waits while the first runs, then goes', () => {
    const both = run(APRIL_SLOT, [multiAz('a'), multiAz('b')]);
    expect(both.decisions.map((d) => d.target.id)).toEqual(['a']);
    expect(both.skips.map((s) => s.reason)).toEqual([expect.stringMatching(/waits: the drill of a starts first/)]);
    const key = both.decisions[0]?.idempotencyKey as string;
    const running: LedgerEntryView = {
      idempotencyKey: key,
      policy: 'quarterly-failover-drill',
      action: 'FailoverPrimaryCompute',
      target: { type: 'cluster', id: 'a' },
      status: 'in-progress',
      at: APRIL_SLOT,
    };
    const later = run('2026-04-14T08:10:00Z', [multiAz('a', { status: 'modifying' }), multiAz('b')], [running]);
    expect(later.decisions).toEqual([]);
    expect(later.skips.map((s) => s.reason)).toEqual([expect.stringMatching(/waits: the drill of a is running/)]);
    const done = run('2026-04-14T08:30:00Z', [multiAz('a'), multiAz('b')], [{ ...running, status: 'succeeded' }]);
    expect(done.decisions.map((d) => d.target.id)).toEqual(['b']);
  });
});

describe('decide(): a slot that cannot run says why once', () => {
  it('a cluster that cannot be drilled gets one notice for the slot, and nothing is retried before the next slot', () => {
    const out = run(APRIL_SLOT, [multiAz('dc2', { nodeType: 'dc2.large', multiAz: false })]);
    expect(
      out.decisions.map((d) => [
        d.action,
        (d.params.MessageAttributes as never as Record<string, { StringValue: string }>).severity?.StringValue,
      ]),
    ).toEqual([['Publish', 'WARNING']]);
    expect(out.decisions[0]?.params.Message).toMatch(
      /Pre-check multiAzEligible failed: not eligible for Multi-AZ: node type dc2.large.*\nNext slot 2026-07-14 Tue 10:00/,
    );
    const notice: LedgerEntryView = {
      idempotencyKey: out.decisions[0]?.idempotencyKey as string,
      policy: 'quarterly-failover-drill',
      action: 'Publish',
      target: { type: 'cluster', id: 'dc2' },
      status: 'succeeded',
      at: APRIL_SLOT,
    };
    const again = run('2026-04-14T08:05:00Z', [multiAz('dc2', { nodeType: 'dc2.large', multiAz: false })], [notice]);
    expect(again.decisions).toEqual([]);
    expect(again.skips.map((s) => s.reason)).toEqual([
      expect.stringMatching(/no drill at 2026-04-14T08:00Z \(said once\); next slot 2026-07-14/),
    ]);
  });

  it('never inside the maintenance window (INFO notice), nor with another tracked change running', () => {
    const maint = run(APRIL_SLOT, [multiAz('a', { maintenanceWindow: 'tue:08:10-tue:08:40' })]);
    expect(maint.decisions[0]?.params.Subject).toMatch(/no failover drill of a: outsideMaintenanceWindow/);
    expect(JSON.stringify(maint.decisions[0]?.params.MessageAttributes)).toMatch(/"INFO"/);
    const resizing: LedgerEntryView = {
      idempotencyKey: 'k',
      policy: 'finance',
      action: 'ResizeCluster',
      target: { type: 'cluster', id: 'a' },
      status: 'in-progress',
      at: APRIL_SLOT,
    };
    const busy = run(APRIL_SLOT, [multiAz('a')], [resizing]);
    expect(busy.decisions[0]?.reason).toMatch(/noChangeInProgress: ResizeCluster by finance in progress/);
  });

  it('never inside a notDuring calendar: a freeze over the April slot gives the slot up with an INFO notice', () => {
    const text = ISSUE_EXAMPLE.replace('2026-12-15", to: "2027-01-05', '2026-04-13", to: "2026-04-16');
    const set = loadText(text).policySet;
    const out = decide({
      policies: set,
      fleet: { readAt: APRIL_SLOT, resources: [multiAz('a')] },
      trigger: { kind: 'tick', at: APRIL_SLOT },
      now: APRIL_SLOT,
      ledger: { entries: [] },
    });
    expect(out.decisions.map((d) => d.action)).toEqual(['Publish']);
    expect(out.decisions[0]?.params.Message).toMatch(
      /notFrozen failed: inside notDuring calendar year-end-freeze \(2026-04-13\/2026-04-16\)/,
    );
    expect(JSON.stringify(out.decisions[0]?.params.MessageAttributes)).toMatch(/"INFO"/);
  });
});
