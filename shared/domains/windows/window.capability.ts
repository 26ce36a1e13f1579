import type { CompiledCalendar } from '../../policy/calendar.ts';
import type {
  CapabilityRegistration,
  CompileContext,
  CompiledCapability,
  EvaluationEnv,
  Proposal,
} from '../../policy/capability.ts';
import type { FleetResource, TargetRef, WorkgroupResource } from '../../policy/decision.ts';
import { formatUtcMinute } from '../../policy/local-time.ts';
import { oneOf } from '../../policy/param-check.ts';
import { parseDuration } from '../../policy/policy.schema.ts';
import { compileRunningWindow, type RunningWindow } from '../../policy/running-window.ts';
import { parseWindowSpec, type WindowRange } from '../../policy/window-spec.ts';
import { type ClusterWindow, explainClusterEvent, reactCluster, reconcileCluster } from './cluster-window.ts';
import { NEXT_BOUNDARY, type WindowBlock, windowSchema } from './window.schema.ts';
import { checkCapacityKeys, desiredCapacity, reconcileWorkgroup } from './workgroup-window.ts';

/**
 * `window`: clusters run inside the running ranges and pause outside them (and on closedOn days);
 * Serverless workgroups have no pause, so the same block switches base (and max) capacity at the
 * boundaries (workgroup-window.ts).
 */

export interface WindowTimes {
  running: boolean;
  range: WindowRange | null;
  closedBy: { calendar: string; what: string } | null;
  prev: number | null;
  next: number | null;
}

export function windowTimes(window: RunningWindow, now: number): WindowTimes {
  return window.segment(now);
}

function target(resource: FleetResource): TargetRef {
  const ref: TargetRef = { type: resource.type, id: resource.id };
  if (resource.arn !== null) ref.arn = resource.arn;
  if (resource.region !== null) ref.region = resource.region;
  return ref;
}

export interface CompiledWindow extends CompiledCapability {
  window: RunningWindow;
  block: WindowBlock;
}

function compileWindow(raw: Record<string, unknown>, ctx: CompileContext): CompiledWindow | null {
  const block = raw.window as WindowBlock;
  const zoneName = block.timezone ?? ctx.zoneName;
  const ranges = block.running.map((text) => parseWindowSpec(text)).flatMap((r) => (r.ok ? [r.range] : []));
  const closedOn = closedOnCalendars(block, zoneName, ctx);
  checkResourceKeys(block, ctx);
  const leadMs = block.resumeLeadTime === undefined ? 0 : (parseDuration(block.resumeLeadTime) ?? 0);
  checkDurations(block, leadMs, ctx);
  if (ranges.length !== block.running.length || ctx.problems.some((p) => p.severity !== 'warning')) return null;
  const window = compileRunningWindow({ ranges, zoneName, closedOn, leadMs });
  return windowCapability(window, block, ctx.resource === 'workgroup');
}

function closedOnCalendars(block: WindowBlock, zoneName: string, ctx: CompileContext): CompiledCalendar[] {
  const closedOn: CompiledCalendar[] = [];
  for (const [i, name] of (block.closedOn ?? []).entries()) {
    const calendar = ctx.calendar(name, zoneName);
    if (calendar === undefined) {
      ctx.problems.push({
        path: ['window', 'closedOn', i],
        message: `unknown calendar "${name}"; expected a name defined under calendars`,
      });
    } else closedOn.push(calendar);
  }
  return closedOn;
}

/** Clusters pause, workgroups change base capacity: each resource has keys the other must not use. */
function checkResourceKeys(block: WindowBlock, ctx: CompileContext): void {
  const isWorkgroup = ctx.resource === 'workgroup';
  if (ctx.resource === 'integration') {
    ctx.problems.push({
      path: ['resource'],
      message: 'window does not apply to resource: integration; expected resource: cluster or workgroup',
    });
  }
  for (const key of [
    'runningBaseCapacity',
    'pausedBaseCapacity',
    'maxCapacity',
    'runningMaxCapacity',
    'pausedMaxCapacity',
  ] as const) {
    if (!isWorkgroup && block[key] !== undefined) {
      ctx.problems.push({
        path: ['window', key],
        atKey: true,
        message: `${key} applies to resource: workgroup only; expected it removed for resource: ${ctx.resource}`,
      });
    }
  }
  if (!isWorkgroup) return;
  for (const key of ['runningBaseCapacity', 'pausedBaseCapacity'] as const) {
    if (block[key] === undefined) {
      ctx.problems.push({
        path: ['window'],
        atKey: true,
        message: `window for a workgroup has no ${key}; expected ${key}: <RPUs, a multiple of 8 from 8 to 512>`,
      });
    }
  }
  checkCapacityKeys(block, ctx);
  for (const key of ['pauseZeroEtlTargets', 'resumeLeadTime', 'graceAfterManualResume', 'idle'] as const) {
    if (block[key] !== undefined) {
      ctx.problems.push({
        path: ['window', key],
        atKey: true,
        message: `${key} applies to resource: cluster only; a workgroup has no pause`,
      });
    }
  }
}

function checkDurations(block: WindowBlock, leadMs: number, ctx: CompileContext): void {
  if (leadMs > 12 * 3_600_000) {
    ctx.problems.push({
      path: ['window', 'resumeLeadTime'],
      message: `resumeLeadTime ${block.resumeLeadTime} is too long; expected at most 12h`,
    });
  }
  const grace = block.graceAfterManualResume;
  if (grace !== undefined && grace !== NEXT_BOUNDARY && (parseDuration(grace) ?? 0) <= 0) {
    ctx.problems.push({
      path: ['window', 'graceAfterManualResume'],
      message: `graceAfterManualResume ${grace} is no grace; expected a duration of at least 1m, or next-boundary`,
    });
  }
}

function windowCapability(window: RunningWindow, block: WindowBlock, isWorkgroup: boolean): CompiledWindow {
  const capability: CompiledWindow = {
    key: 'window',
    summary: `window ${window.description}`,
    window,
    runningWindow: window,
    block,
    allowsZeroEtlTarget: block.pauseZeroEtlTargets === true,
    // The executor's check (issue 22): a capacity this window sets in one of its two states, nothing else.
    permitsParam: (_action, key, value) => {
      if (key !== 'baseCapacity' && key !== 'maxCapacity') return `${key} is not a parameter the window sets`;
      const states = [desiredCapacity(block, true), desiredCapacity(block, false)];
      return oneOf(
        key,
        value,
        states.map((s) => (key === 'baseCapacity' ? s.base : s.max)),
      );
    },
    reconcile: (resource, override, env) =>
      resource.type === 'cluster'
        ? reconcileCluster(cluster, resource, override, env)
        : resource.type === 'workgroup'
          ? workgroupWindow(capability, resource, env)
          : [],
  };
  const cluster: ClusterWindow = {
    window,
    block,
    times: (env) => timesFor(capability, env),
    stateReason: (times) => stateReason(capability, times),
  };
  // Workgroups have no pause, so no cluster events to react to or explain.
  if (!isWorkgroup) {
    capability.react = (event, env) => reactCluster(cluster, event, env);
    capability.explainsEvent = (event, env) => explainClusterEvent(cluster, event, env);
  }
  return capability;
}

function timesFor(capability: CompiledWindow, env: EvaluationEnv): WindowTimes {
  const key = `window:${env.policy.name}`;
  let times = env.memo.get(key) as WindowTimes | undefined;
  if (times === undefined) {
    times = windowTimes(capability.window, env.now);
    env.memo.set(key, times);
  }
  return times;
}

function stateReason(capability: CompiledWindow, times: WindowTimes): string {
  const window = capability.window;
  const next =
    times.next === null
      ? 'no change scheduled'
      : `next ${times.running ? 'pause' : 'resume'} ${formatUtcMinute(times.next)}`;
  if (times.closedBy !== null) {
    return `closed on ${times.closedBy.calendar} (${times.closedBy.what}) ${window.zoneName}; ${next}`;
  }
  if (!times.running) return `outside window ${window.description}; ${next}`;
  const early = times.range !== null && window.leadMs > 0 ? `, resuming ${capability.block.resumeLeadTime} ahead` : '';
  return `inside window ${window.description}${early}; ${next}`;
}

function workgroupWindow(capability: CompiledWindow, workgroup: WorkgroupResource, env: EvaluationEnv): Proposal[] {
  const times = timesFor(capability, env);
  return reconcileWorkgroup(capability.block, workgroup, times, stateReason(capability, times), env, target(workgroup));
}

export const windowsCapability: CapabilityRegistration = {
  keys: ['window'],
  name: 'window',
  supported: true,
  resources: ['cluster', 'workgroup'],
  schemas: { window: windowSchema },
  compile: compileWindow,
};
