import { actionRegistry } from '../execute/action-registry.ts';
import type { CompiledPolicy } from './capability.ts';
import type { FleetResource } from './decision.ts';
import type { RunningWindow } from './running-window.ts';

/**
 * What an action does to the resource it targets, as plan, the savings meter and the simulation need
 * to know it: read from the action's declared `effect` in the capability registry, so none of them
 * names an action.
 */

/** The call changes its resource's state: the simulation looks at the resource again after it. */
export function isStateChanging(action: string): boolean {
  return actionRegistry.action(action)?.effect?.changesState ?? false;
}

/** true when the action leaves a cluster running, false when it leaves it paused, null when it changes neither. */
export function runningAfter(action: string): boolean | null {
  return actionRegistry.action(action)?.effect?.running ?? null;
}

/** The resource as plan assumes it after the action (plan walks the fleet forward without AWS). */
export function applyEffect(
  resource: FleetResource,
  action: string,
  params: Readonly<Record<string, unknown>>,
): FleetResource {
  return actionRegistry.action(action)?.effect?.apply?.(resource, params) ?? resource;
}

/** The policy's running window, when its capability keeps one (a window policy). */
export function runningWindowOf(policy: CompiledPolicy): RunningWindow | undefined {
  return policy.capability.runningWindow;
}
