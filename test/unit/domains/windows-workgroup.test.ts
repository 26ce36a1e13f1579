import { GetWorkgroupCommand, UpdateWorkgroupCommand, ValidationException } from '@aws-sdk/client-redshift-serverless';
import { describe, expect, it } from 'vitest';
import { updateWorkgroup } from '../../../shared/domains/windows/window.actions.ts';
import { decide } from '../../../shared/policy/decide.ts';
import type { Decision, FleetSnapshot, LedgerEntryView, LedgerView } from '../../../shared/policy/decision.ts';
import { parseFleet } from '../../../shared/policy/fleet.ts';
import { loadPolicySources, type PolicySet } from '../../../shared/policy/policy-loader.ts';
import { MINUTE, rejection, simulated } from '../simulator/harness.ts';

/**
 * Serverless capacity windows: base and max capacity are two UpdateWorkgroup calls (AWS takes one
 * attribute per call), ordered so that base ≤ max holds after each of them. Mon 2026-10-19, Berlin
 * is UTC+2: Mon-Fri 07:00-19:00 is 05:00Z-17:00Z.
 */
const MANAGED = { key: 'autopilot:managed', value: 'true' };

function policies(window: string): PolicySet {
  const yaml = `version: 1
defaults: { timezone: Europe/Berlin }
policies:
  - name: wg
    resource: workgroup
    window: { running: ["Mon-Fri 07:00-19:00"], ${window} }
`;
  const result = loadPolicySources([{ file: 'p.yml', text: yaml }]);
  const errors = result.problems.filter((p) => p.severity !== 'warning');
  if (errors.length > 0) throw new Error(errors.map((p) => `${p.line}:${p.col} ${p.message}`).join('\n'));
  return result.policySet;
}

function problems(window: string): string[] {
  const yaml = `version: 1
policies:
  - name: p
    resource: workgroup
    window:
      running: ["Mon-Fri 07:00-19:00"]
      timezone: UTC
${window}`;
  return loadPolicySources([{ file: 'p.yml', text: yaml }]).problems.map((p) => `${p.line}:${p.col}: ${p.message}`);
}

function fleetOf(baseCapacity: number, maxCapacity?: number, status = 'AVAILABLE'): FleetSnapshot {
  const workgroup = { workgroupName: 'wg-1', baseCapacity, status, tags: [MANAGED], maxCapacity };
  return parseFleet([{ name: 'w.json', json: { workgroups: [workgroup] } }], '2026-10-19T00:00:00.000Z');
}

const NONE: LedgerView = { entries: [] };

function at(set: PolicySet, fleet: FleetSnapshot, now: string, ledger: LedgerView = NONE) {
  return decide({ policies: set, fleet, trigger: { kind: 'tick', at: now }, now, ledger });
}

function recorded(decision: Decision | undefined, status: LedgerEntryView['status']): LedgerEntryView {
  if (decision === undefined) throw new Error('expected a decision');
  const { idempotencyKey, policy, action, target, at } = decision;
  return { idempotencyKey, policy, action, target, status, at };
}

const calls = (decisions: Decision[]) => decisions.map((d) => d.params);
const MORNING = '2026-10-19T05:05:00.000Z';
const EVENING = '2026-10-19T17:05:00.000Z';

describe('workgroup window: one attribute per UpdateWorkgroup, in an order that keeps base ≤ max', () => {
  const set = policies(
    'runningBaseCapacity: 128, pausedBaseCapacity: 8, runningMaxCapacity: 512, pausedMaxCapacity: 64',
  );

  it('raising at the morning boundary: max first, then base once the workgroup is AVAILABLE again', () => {
    const first = at(set, fleetOf(8, 64), MORNING);
    expect(calls(first.decisions)).toEqual([{ workgroupName: 'wg-1', maxCapacity: 512 }]);
    expect(first.decisions[0]?.reason).toBe(
      'inside window Mon-Fri 07:00-19:00 Europe/Berlin; next pause 2026-10-19T17:00Z; max capacity 64 RPU → 512 RPU, then base capacity 8 RPU → 128 RPU (call 1 of 2: one attribute per UpdateWorkgroup)',
    );
    // While the first call is being applied the workgroup is MODIFYING: nothing is called.
    const busy = at(set, fleetOf(8, 512, 'MODIFYING'), '2026-10-19T05:10:00.000Z');
    expect(busy.decisions).toEqual([]);
    expect(busy.skips.map((s) => s.reason)).toEqual(['status MODIFYING']);
    const ledger = { entries: [recorded(first.decisions[0], 'succeeded')] };
    const second = at(set, fleetOf(8, 512), '2026-10-19T05:15:00.000Z', ledger);
    expect(calls(second.decisions)).toEqual([{ workgroupName: 'wg-1', baseCapacity: 128 }]);
    expect(second.decisions[0]?.idempotencyKey).not.toBe(first.decisions[0]?.idempotencyKey);
    expect((second.decisions[0]?.at ?? '') > (first.decisions[0]?.at ?? '')).toBe(true);
    expect(at(set, fleetOf(128, 512), '2026-10-19T05:20:00.000Z', ledger).decisions).toEqual([]);
  });

  it('lowering at the evening boundary: base first (the new max is below the current base), then max', () => {
    const first = at(set, fleetOf(128, 512), EVENING);
    expect(calls(first.decisions)).toEqual([{ workgroupName: 'wg-1', baseCapacity: 8 }]);
    const ledger = { entries: [recorded(first.decisions[0], 'succeeded')] };
    const second = at(set, fleetOf(8, 512), '2026-10-19T17:10:00.000Z', ledger);
    expect(calls(second.decisions)).toEqual([{ workgroupName: 'wg-1', maxCapacity: 64 }]);
  });

  it('finishes the boundary after the 30-minute tolerance, but leaves a mid-window difference alone', () => {
    const first = at(set, fleetOf(128, 512), EVENING);
    const late = '2026-10-19T17:50:00.000Z';
    const ledger = { entries: [recorded(first.decisions[0], 'succeeded')] };
    expect(calls(at(set, fleetOf(8, 512), late, ledger).decisions)).toEqual([
      { workgroupName: 'wg-1', maxCapacity: 64 },
    ]);
    const untouched = at(set, fleetOf(8, 512), late);
    expect(untouched.decisions).toEqual([]);
    expect(untouched.skips.map((s) => s.reason)).toEqual([
      'max capacity 512 RPU differs from 64 RPU mid-window; the window sets capacity at its boundaries only, so it waits for the next boundary 2026-10-20T05:00Z',
    ]);
  });

  it('in dry run, reports both calls of the boundary (the first was only reported)', () => {
    const first = at(set, fleetOf(8, 64), MORNING);
    const ledger = { entries: [recorded(first.decisions[0], 'dry-run')] };
    const second = at(set, fleetOf(8, 64), '2026-10-19T05:10:00.000Z', ledger);
    expect(calls(second.decisions)).toEqual([{ workgroupName: 'wg-1', baseCapacity: 128 }]);
  });

  it('does not retry a failed call before the next boundary, and says so', () => {
    const first = at(set, fleetOf(8, 64), MORNING);
    const ledger = { entries: [recorded(first.decisions[0], 'failed')] };
    const again = at(set, fleetOf(8, 64), '2026-10-19T05:10:00.000Z', ledger);
    expect(again.decisions).toEqual([]);
    expect(again.skips.map((s) => s.reason)).toEqual([
      'UpdateWorkgroup (max capacity) failed at 2026-10-19T05:05Z in this slot (ledger); not retried before the next boundary',
    ]);
  });

  it('one maxCapacity for both states: only the base moves once max is set; -1 turns max off', () => {
    const both = policies('runningBaseCapacity: 64, pausedBaseCapacity: 8, maxCapacity: 256');
    expect(calls(at(both, fleetOf(8, 256), MORNING).decisions)).toEqual([{ workgroupName: 'wg-1', baseCapacity: 64 }]);
    const off = policies('runningBaseCapacity: 64, pausedBaseCapacity: 8, maxCapacity: -1');
    expect(calls(at(off, fleetOf(8, 256), MORNING).decisions)).toEqual([{ workgroupName: 'wg-1', maxCapacity: -1 }]);
    // A workgroup that reports no max capacity has it off.
    expect(calls(at(off, fleetOf(8), MORNING).decisions)).toEqual([{ workgroupName: 'wg-1', baseCapacity: 64 }]);
  });

  it('UpdateWorkgroup refuses params with more than one attribute before calling AWS', async () => {
    await expect(
      updateWorkgroup.perform({ workgroupName: 'wg-1', baseCapacity: 64, maxCapacity: 256 }, {}),
    ).rejects.toThrow(
      'UpdateWorkgroup changes one attribute per call (AWS refuses more); got baseCapacity, maxCapacity',
    );
  });
});

describe('workgroup window policy language: capacities', () => {
  it('accepts max capacity up to 5632 RPU and -1', () => {
    expect(problems('      runningBaseCapacity: 64\n      pausedBaseCapacity: 8\n      maxCapacity: 5632')).toEqual([]);
    expect(problems('      runningBaseCapacity: 512\n      pausedBaseCapacity: 8\n      maxCapacity: -1')).toEqual([]);
  });

  it('rejects a max capacity out of range, a base above the max, and both forms of max at once', () => {
    expect(problems('      runningBaseCapacity: 64\n      pausedBaseCapacity: 8\n      maxCapacity: 5640')).toEqual([
      '10:20: 5640 RPUs is not valid; expected a multiple of 8 from 8 to 5632, or -1 to turn max capacity off',
    ]);
    expect(problems('      runningBaseCapacity: 64\n      pausedBaseCapacity: 8\n      pausedMaxCapacity: 32')).toEqual(
      [
        '10:7: pausedMaxCapacity without runningMaxCapacity; expected both (or maxCapacity for both states), so each state has its max capacity',
      ],
    );
    expect(
      problems(
        '      runningBaseCapacity: 64\n      pausedBaseCapacity: 8\n      runningMaxCapacity: 32\n      pausedMaxCapacity: 8',
      ),
    ).toEqual([
      '8:28: runningBaseCapacity 64 RPUs is more than runningMaxCapacity 32 RPUs; expected a base capacity at most the max capacity (AWS refuses a base above the max), or runningMaxCapacity: -1',
    ]);
    expect(
      problems(
        '      runningBaseCapacity: 64\n      pausedBaseCapacity: 8\n      maxCapacity: 64\n      pausedMaxCapacity: 8',
      ),
    ).toEqual([
      '11:7: pausedMaxCapacity and maxCapacity both set; expected maxCapacity (both states) or runningMaxCapacity/pausedMaxCapacity',
    ]);
  });
});

describe('simulator: UpdateWorkgroup capacity as AWS takes it', () => {
  it('refuses base and max in one call with the ValidationException AWS sends', async () => {
    const { sim, serverless } = simulated();
    sim.serverless.addWorkgroup({ workgroupName: 'wg', namespaceName: 'ns', baseCapacity: 8, maxCapacity: 64 });
    const both = await rejection(
      serverless.send(new UpdateWorkgroupCommand({ workgroupName: 'wg', baseCapacity: 128, maxCapacity: 512 })),
    );
    expect(both).toBeInstanceOf(ValidationException);
    expect(both).toMatchObject({
      name: 'ValidationException',
      message: "Can't update multiple configurations at the same time for workgroup wg.",
      $metadata: { httpStatusCode: 400 },
    });
    expect(sim.serverless.getWorkgroupView('wg')).toMatchObject({ baseCapacity: 8, maxCapacity: 64 });
  });

  it.each([
    [5640, "The max capacity can't be more than 5632 RPUs."],
    [100, 'The max capacity must be a multiple of 8.'],
    [0, "The max capacity can't be less than 8 RPUs."],
    [64, "The max capacity can't be less than the base capacity of 128 RPUs."],
  ])('refuses max capacity %i', async (maxCapacity, message) => {
    const { sim, serverless } = simulated();
    sim.serverless.addWorkgroup({ workgroupName: 'wg', namespaceName: 'ns', baseCapacity: 128 });
    const error = await rejection(serverless.send(new UpdateWorkgroupCommand({ workgroupName: 'wg', maxCapacity })));
    expect(error).toBeInstanceOf(ValidationException);
    expect(error.message).toBe(message);
  });

  it('takes 5632 RPU, and -1 turns max capacity off (the workgroup reports none)', async () => {
    const { sim, serverless } = simulated();
    sim.serverless.addWorkgroup({ workgroupName: 'wg', namespaceName: 'ns', baseCapacity: 128, maxCapacity: 256 });
    await serverless.send(new UpdateWorkgroupCommand({ workgroupName: 'wg', maxCapacity: 5632 }));
    sim.clock.advanceBy(6 * MINUTE);
    expect((await serverless.send(new GetWorkgroupCommand({ workgroupName: 'wg' }))).workgroup).toMatchObject({
      maxCapacity: 5632,
      status: 'AVAILABLE',
    });
    await serverless.send(new UpdateWorkgroupCommand({ workgroupName: 'wg', maxCapacity: -1 }));
    sim.clock.advanceBy(6 * MINUTE);
    const off = (await serverless.send(new GetWorkgroupCommand({ workgroupName: 'wg' }))).workgroup;
    expect(off?.maxCapacity).toBeUndefined();
    // With max off, base capacity is bounded by its own range only.
    await serverless.send(new UpdateWorkgroupCommand({ workgroupName: 'wg', baseCapacity: 512 }));
    expect(sim.serverless.getWorkgroupView('wg')).toMatchObject({ baseCapacity: 512 });
  });
});
