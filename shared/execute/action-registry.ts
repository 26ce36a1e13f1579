import { BUILT_IN_ACTIONS } from '../domains/actions.ts';
import { type ActionSpec, actionKey } from './action-spec.ts';
import { GUARDRAILS, type Guardrail } from './guardrails.ts';

/**
 * The action half of the capability registry: every declared action and the one guardrail table. The
 * executor, the adapters and the sweep read this; the capability registry (shared/policy/registry.ts)
 * adds each registered capability's actions and guardrails to it, with the capability as their owner.
 * Seeded with the built-in declarations so a process that never loads the policy engine has them.
 */
export class ActionRegistry {
  readonly #actions = new Map<string, { spec: ActionSpec; owners: string[] }>();
  readonly #guardrails: Guardrail[] = [];

  constructor(initial: readonly ActionSpec[] = []) {
    for (const spec of initial) this.#actions.set(actionKey(spec), { spec, owners: [] });
  }

  /**
   * Throws when another declaration already has the key: an action is declared once and listed by each
   * capability using it. Keys are names, or `<service>:<name>` for a qualified spec (an operation both
   * services have), so the two services' CreateUsageLimit are two actions.
   */
  check(spec: ActionSpec, owner: string): void {
    const known = this.#actions.get(actionKey(spec));
    if (known !== undefined && known.spec !== spec) {
      const by = known.owners.length > 0 ? known.owners.join(', ') : 'a built-in capability';
      throw new Error(
        `capability ${owner}: action ${actionKey(spec)} is already declared by ${by}; import and list that declaration instead`,
      );
    }
  }

  add(spec: ActionSpec, owner: string): void {
    this.check(spec, owner);
    const known = this.#actions.get(actionKey(spec));
    if (known === undefined) this.#actions.set(actionKey(spec), { spec, owners: [owner] });
    else if (!known.owners.includes(owner)) known.owners.push(owner);
  }

  addGuardrail(guardrail: Guardrail, owner: string): void {
    if (this.guardrails().some((g) => g.name === guardrail.name)) {
      throw new Error(`capability ${owner}: guardrail ${guardrail.name} is already registered`);
    }
    this.#guardrails.push(guardrail);
  }

  /** The action a decision or ledger record names (its actionKey). */
  action(key: string): ActionSpec | null {
    return this.#actions.get(key)?.spec ?? null;
  }

  /** Every declared action with the capabilities that may request it. */
  actions(): readonly { spec: ActionSpec; owners: readonly string[] }[] {
    return [...this.#actions.values()];
  }

  /**
   * The one guardrail table: the built-ins, with the capabilities' own inserted before the two that
   * write to the ledger when asked (notSuperseded, maxResources), so a refusal never spends a budget slot.
   */
  guardrails(): readonly Guardrail[] {
    if (this.#guardrails.length === 0) return GUARDRAILS;
    const writing = GUARDRAILS.findIndex((g) => g.name === 'notSuperseded');
    return [...GUARDRAILS.slice(0, writing), ...this.#guardrails, ...GUARDRAILS.slice(writing)];
  }
}

export const actionRegistry = new ActionRegistry(BUILT_IN_ACTIONS);
