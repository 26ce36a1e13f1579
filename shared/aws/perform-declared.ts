import { ConfigurationError } from '../errors.ts';
import { actionRegistry } from '../execute/action-registry.ts';
import type { ActionServices, ActionSpec } from '../execute/action-spec.ts';
import type { ActionResult } from '../execute/ports.ts';

/** Runs the handler a capability declared for `action`, if the action belongs to this adapter's service. */
export function performDeclared(
  action: string,
  service: ActionSpec['service'],
  params: Record<string, unknown>,
  services: ActionServices,
): Promise<ActionResult> {
  const spec = actionRegistry.action(action);
  if (spec === null || spec.service !== service) {
    return Promise.reject(new ConfigurationError(`no capability declares ${action} for ${service}`));
  }
  return spec.perform(params, services);
}
