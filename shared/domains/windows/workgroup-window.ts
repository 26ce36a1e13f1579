import type { CompileContext, EvaluationEnv, Proposal } from '../../policy/capability.ts';
import type { LedgerEntryView, TargetRef, WorkgroupResource } from '../../policy/decision.ts';
import { formatUtcMinute } from '../../policy/local-time.ts';
import type { WindowSegment } from '../../policy/running-window.ts';
import { MAX_RPU, type WindowBlock } from './window.schema.ts';

/**
 * The `window` of a Serverless workgroup: no pause, so the boundaries switch capacity. AWS's
 * UpdateWorkgroup changes one attribute per call ("You can't update multiple parameters in one
 * request", API reference; a combined call is a ValidationException), so base and max capacity are
 * two calls, each its own decision with its own idempotency slot:
 *   UpdateWorkgroup  P                the base capacity of the segment starting at P (the key it always had)
 *   UpdateWorkgroup  maxCapacity:P    the max capacity of that segment
 *
 * Order: base capacity may never exceed max capacity (when max is on), so every intermediate state
 * must keep base ≤ max. The new max goes first when it is off (-1) or at least the current base
 * (raising, or a max that still covers the base); otherwise (the new max is below the current base)
 * the base goes down first, then the max. The second call is proposed once the first is done (the
 * workgroup is AVAILABLE with the first value): a call while the workgroup is MODIFYING is a
 * ConflictException. So the two decisions are due at increasing times, which is also what the
 * executor's newest-wins rule on stateKey `capacity` needs: the second never looks older than the first.
 */

/** Base capacity changes can cancel running queries: only this close to a boundary. */
export const BOUNDARY_TOLERANCE_MS = 30 * 60_000;

type Attribute = 'baseCapacity' | 'maxCapacity';

interface Step {
  attribute: Attribute;
  from: number | null;
  to: number;
  slot: string;
}

const LABEL: Record<Attribute, string> = { baseCapacity: 'base capacity', maxCapacity: 'max capacity' };
/** Why a difference waits for a boundary (max capacity never interrupts queries, facts.md §5). */
const WHY_BOUNDARY: Record<Attribute, string> = {
  baseCapacity: 'a change can cancel running queries',
  maxCapacity: 'the window sets capacity at its boundaries only',
};
const ACTIVE: ReadonlySet<LedgerEntryView['status']> = new Set(['pending', 'in-progress', 'succeeded']);

/** Max capacity off: -1 in a policy; absent (null) on a workgroup that has none. */
const isOff = (max: number | null | undefined) => max === null || max === undefined || max === MAX_RPU.off;
const rpu = (v: number | null) => (isOff(v) ? 'off' : `${v} RPU`);

/** What the block wants in the running or paused state; max undefined: not managed. */
export function desiredCapacity(
  block: WindowBlock,
  running: boolean,
): { base: number | undefined; max: number | undefined } {
  return running
    ? { base: block.runningBaseCapacity, max: block.runningMaxCapacity ?? block.maxCapacity }
    : { base: block.pausedBaseCapacity, max: block.pausedMaxCapacity ?? block.maxCapacity };
}

/** The calls that take the workgroup to the desired capacities, in an order that keeps base ≤ max throughout. */
export function capacitySteps(
  workgroup: WorkgroupResource,
  desired: { base: number | undefined; max: number | undefined },
  segment: string,
) {
  const steps: Step[] = [];
  const want = desired.max;
  const max: Step | null =
    want === undefined || (isOff(want) ? isOff(workgroup.maxCapacity) : workgroup.maxCapacity === want)
      ? null
      : { attribute: 'maxCapacity', from: workgroup.maxCapacity, to: want, slot: `maxCapacity:${segment}` };
  const base: Step | null =
    desired.base !== undefined && workgroup.baseCapacity !== desired.base
      ? { attribute: 'baseCapacity', from: workgroup.baseCapacity, to: desired.base, slot: segment }
      : null;
  if (max !== null && (isOff(max.to) || max.to >= workgroup.baseCapacity)) {
    steps.push(max);
    if (base !== null) steps.push(base);
  } else {
    if (base !== null) steps.push(base);
    if (max !== null) steps.push(max);
  }
  return steps;
}

function entry(env: EvaluationEnv, target: TargetRef, slot: string): LedgerEntryView | undefined {
  return env.ledger.byKey(env.ledger.keyFor(env.policy.name, target, 'UpdateWorkgroup', slot));
}

function describe(step: Step): string {
  return `${LABEL[step.attribute]} ${rpu(step.from)} → ${rpu(step.to)}`;
}

export function reconcileWorkgroup(
  block: WindowBlock,
  workgroup: WorkgroupResource,
  times: WindowSegment,
  stateReason: string,
  env: EvaluationEnv,
  target: TargetRef,
): Proposal[] {
  const segment = times.prev === null ? 'always' : new Date(times.prev).toISOString();
  const steps = capacitySteps(workgroup, desiredCapacity(block, times.running), segment);
  if (steps.length === 0) return [];
  const status = workgroup.status.toUpperCase();
  if (status !== 'AVAILABLE') return [{ kind: 'skip', target, reason: `status ${workgroup.status}` }];
  // This boundary's change already went out (its other call is recorded): finishing it is not a mid-window change.
  const slots = [segment, `maxCapacity:${segment}`];
  let started = false;
  for (const [i, step] of steps.entries()) {
    const done = entry(env, target, step.slot);
    started ||= slots.some((slot) => slot !== step.slot && ACTIVE.has(entry(env, target, slot)?.status ?? 'failed'));
    // Dry run (and plan of one): the earlier call was only reported; show the next one too.
    if (done?.status === 'dry-run' && i < steps.length - 1) {
      started = true;
      continue;
    }
    if (done?.status === 'failed') {
      return [
        {
          kind: 'skip',
          target,
          reason: `UpdateWorkgroup (${LABEL[step.attribute]}) failed at ${formatUtcMinute(Date.parse(done.at))} in this slot (ledger); not retried before the next boundary`,
        },
      ];
    }
    // Mid-window, a capacity that differs is left alone (a base change can cancel queries; a person may
    // have set it), unless this boundary's first call went out and this is the one that completes it.
    if (!started && times.prev !== null && env.now - times.prev > BOUNDARY_TOLERANCE_MS) {
      const when =
        times.next === null ? 'no boundary scheduled' : `waits for the next boundary ${formatUtcMinute(times.next)}`;
      return [
        {
          kind: 'skip',
          target,
          reason: `${LABEL[step.attribute]} ${rpu(step.from)} differs from ${rpu(step.to)} mid-window; ${WHY_BOUNDARY[step.attribute]}, so it ${when}`,
        },
      ];
    }
    const order = steps.length === 1 ? '' : ` (call ${i + 1} of ${steps.length}: one attribute per UpdateWorkgroup)`;
    const reason = `${stateReason}; ${steps.map(describe).join(', then ')}${order}`;
    const params = { workgroupName: workgroup.id, [step.attribute]: step.to };
    return [{ kind: 'act', action: 'UpdateWorkgroup', target, params, reason, slot: step.slot }];
  }
  return [];
}

/** Per state, base ≤ max (AWS refuses a base capacity above the max capacity); maxCapacity or the per-state keys. */
export function checkCapacityKeys(block: WindowBlock, ctx: CompileContext): void {
  if (block.maxCapacity !== undefined) {
    for (const key of ['runningMaxCapacity', 'pausedMaxCapacity'] as const) {
      if (block[key] === undefined) continue;
      ctx.problems.push({
        path: ['window', key],
        atKey: true,
        message: `${key} and maxCapacity both set; expected maxCapacity (both states) or runningMaxCapacity/pausedMaxCapacity`,
      });
    }
    if (block.runningMaxCapacity !== undefined || block.pausedMaxCapacity !== undefined) return;
  }
  // One state's max without the other's: that other state would keep whatever max the last boundary set.
  const [running, paused] = [block.runningMaxCapacity, block.pausedMaxCapacity];
  if ((running === undefined) !== (paused === undefined)) {
    const [set, missing] =
      running === undefined ? ['pausedMaxCapacity', 'runningMaxCapacity'] : ['runningMaxCapacity', 'pausedMaxCapacity'];
    ctx.problems.push({
      path: ['window', set],
      atKey: true,
      message: `${set} without ${missing}; expected both (or maxCapacity for both states), so each state has its max capacity`,
    });
    return;
  }
  for (const running of [true, false]) {
    const { base, max } = desiredCapacity(block, running);
    if (base === undefined || max === undefined || isOff(max) || base <= max) continue;
    const state = running ? 'running' : 'paused';
    const maxKey = block.maxCapacity !== undefined ? 'maxCapacity' : `${state}MaxCapacity`;
    ctx.problems.push({
      path: ['window', `${state}BaseCapacity`],
      message: `${state}BaseCapacity ${base} RPUs is more than ${maxKey} ${max} RPUs; expected a base capacity at most the max capacity (AWS refuses a base above the max), or ${maxKey}: -1`,
    });
  }
}
