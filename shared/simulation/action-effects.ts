import type { CompiledPolicy } from '../policy/capability.ts';
import type { RunningWindow } from '../policy/running-window.ts';

/**
 * What an action does to the resource it targets, as plan, the savings meter and the simulation need
 * to know it. Every action name those three check is here and nowhere else, so that each answer can
 * become a lookup in the capability registry without touching the callers. Imports types only:
 * policy code (plan, savings) depends on this file.
 */

const STATE_CHANGING: ReadonlySet<string> = new Set([
  'PauseCluster',
  'ResumeCluster',
  'ResizeCluster',
  'RebootCluster',
  'DeleteCluster',
  'FailoverPrimaryCompute',
  'UpdateWorkgroup',
]);

/** The call changes its resource's state: the simulation looks at the resource again after it. */
export function isStateChanging(action: string): boolean {
  return STATE_CHANGING.has(action);
}

/** true when the action leaves a cluster running, false when it leaves it paused, null when it changes neither. */
export function runningAfter(action: string): boolean | null {
  if (action === 'PauseCluster') return false;
  if (action === 'ResumeCluster') return true;
  return null;
}

/** The action sets a workgroup's capacities from its `baseCapacity` / `maxCapacity` params. */
export function setsCapacity(action: string): boolean {
  return action === 'UpdateWorkgroup';
}

/** The policy's running window, when its capability keeps one (a window policy). */
export function runningWindowOf(policy: CompiledPolicy): RunningWindow | undefined {
  const window = (policy.capability as { window?: RunningWindow }).window;
  return window === undefined || typeof window.segment !== 'function' ? undefined : window;
}
