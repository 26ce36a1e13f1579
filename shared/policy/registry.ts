import { BUILT_IN_CAPABILITIES } from '../domains/index.ts';
import type { ActionSpec } from '../execute/action-spec.ts';
import { GUARDRAILS, type Guardrail } from '../execute/guardrails.ts';
import type { CapabilityRegistration } from './capability.ts';

/**
 * The capability registry (Cloud Custodian's element registry, carried further): every capability
 * registers its YAML keys and the actions it may request. The loader, decide(), the executor, the
 * adapters, the sweep, plan, simulate, the report and the generated IAM read it; none of them names a
 * capability or an action. Built-ins are registered at load; `register` adds more (a test's toy
 * capability, or a deployment's own through the `capabilities` packaging parameter).
 */
export class CapabilityRegistry {
  readonly #capabilities: CapabilityRegistration[] = [];
  readonly #actions = new Map<string, { spec: ActionSpec; owners: string[] }>();

  constructor(initial: readonly CapabilityRegistration[] = []) {
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
    for (const spec of registration.actions ?? []) {
      const known = this.#actions.get(spec.name);
      if (known !== undefined && known.spec !== spec) {
        throw new Error(
          `capability ${registration.name}: action ${spec.name} is already declared by ${known.owners.join(', ')}; import and list that declaration instead`,
        );
      }
    }
    for (const guardrail of registration.guardrails ?? []) {
      if (this.guardrails().some((g) => g.name === guardrail.name)) {
        throw new Error(`capability ${registration.name}: guardrail ${guardrail.name} is already registered`);
      }
    }
    this.#capabilities.push(registration);
    for (const spec of registration.actions ?? []) {
      const known = this.#actions.get(spec.name);
      if (known === undefined) this.#actions.set(spec.name, { spec, owners: [registration.name] });
      else known.owners.push(registration.name);
    }
  }

  /** Every registered capability, built or not, in registration order (a live view). */
  get capabilities(): readonly CapabilityRegistration[] {
    return this.#capabilities;
  }

  action(name: string): ActionSpec | null {
    return this.#actions.get(name)?.spec ?? null;
  }

  /** Every declared action with the capabilities that may request it, in registration order. */
  actions(): readonly { spec: ActionSpec; owners: readonly string[] }[] {
    return [...this.#actions.values()];
  }

  /**
   * The one guardrail table: the built-ins, with the capabilities' own inserted before the two that
   * write to the ledger when asked (notSuperseded, maxResources), so a refusal never spends a budget slot.
   */
  guardrails(): readonly Guardrail[] {
    const own = this.#capabilities.flatMap((c) => c.guardrails ?? []);
    if (own.length === 0) return GUARDRAILS;
    const writing = GUARDRAILS.findIndex((g) => g.name === 'notSuperseded');
    return [...GUARDRAILS.slice(0, writing), ...own, ...GUARDRAILS.slice(writing)];
  }

  /** The capability that owns a YAML key. */
  byKey(key: string): CapabilityRegistration | undefined {
    return this.#capabilities.find((c) => c.keys.includes(key));
  }
}

export const registry = new CapabilityRegistry(BUILT_IN_CAPABILITIES);
