import { BUILT_IN_CAPABILITIES } from '../domains/index.ts';
import { ActionRegistry, actionRegistry } from '../execute/action-registry.ts';
import type { ActionSpec } from '../execute/action-spec.ts';
import type { Guardrail } from '../execute/guardrails.ts';
import type { CapabilityRegistration } from './capability.ts';

/**
 * The capability registry (Cloud Custodian's element registry, carried further): every capability
 * registers its YAML keys and the actions it may request. The loader, decide(), plan, simulate, the
 * report and the generated IAM read it; none of them names a capability or an action. Actions and
 * guardrails go into the action registry the executor reads (shared/execute/action-registry.ts).
 * Built-ins are registered at load; `register` adds more (a test's toy capability, or a deployment's
 * own through the `capabilities` packaging parameter).
 */
export class CapabilityRegistry {
  readonly #capabilities: CapabilityRegistration[] = [];
  readonly #actions: ActionRegistry;

  constructor(initial: readonly CapabilityRegistration[] = [], actions: ActionRegistry = new ActionRegistry()) {
    this.#actions = actions;
    for (const registration of initial) this.register(registration);
  }

  /** Adds a capability. Keys are unique; an action declared twice must be the same declaration (shared). */
  register(registration: CapabilityRegistration): void {
    if (this.#capabilities.includes(registration)) return;
    for (const key of registration.keys) {
      const owner = this.#capabilities.find((c) => c.keys.includes(key));
      if (owner !== undefined) {
        throw new Error(`capability ${registration.name}: key ${key} is already registered by ${owner.name}`);
      }
    }
    for (const spec of registration.actions ?? []) this.#actions.check(spec, registration.name);
    for (const guardrail of registration.guardrails ?? []) {
      if (this.guardrails().some((g) => g.name === guardrail.name)) {
        throw new Error(`capability ${registration.name}: guardrail ${guardrail.name} is already registered`);
      }
    }
    this.#capabilities.push(registration);
    for (const spec of registration.actions ?? []) this.#actions.add(spec, registration.name);
    for (const guardrail of registration.guardrails ?? []) this.#actions.addGuardrail(guardrail, registration.name);
  }

  /** Every registered capability, built or not, in registration order (a live view). */
  get capabilities(): readonly CapabilityRegistration[] {
    return this.#capabilities;
  }

  action(name: string): ActionSpec | null {
    return this.#actions.action(name);
  }

  /** Every declared action with the capabilities that may request it, in registration order. */
  actions(): readonly { spec: ActionSpec; owners: readonly string[] }[] {
    return this.#actions.actions();
  }

  /** The one guardrail table (see ActionRegistry.guardrails). */
  guardrails(): readonly Guardrail[] {
    return this.#actions.guardrails();
  }

  /** The capability that owns a YAML key. */
  byKey(key: string): CapabilityRegistration | undefined {
    return this.#capabilities.find((c) => c.keys.includes(key));
  }
}

/**
 * Modules the capabilities import (decide, the loader's pieces) must not import this file: the
 * registry would be built while shared/domains/index.ts is still loading, without the built-ins. They
 * read actions from shared/execute/action-registry.ts instead. This check makes such a cycle loud.
 */
if (!Array.isArray(BUILT_IN_CAPABILITIES)) {
  throw new Error('capability registry loaded inside an import cycle with shared/domains/index.ts');
}
export const registry = new CapabilityRegistry(BUILT_IN_CAPABILITIES, actionRegistry);
