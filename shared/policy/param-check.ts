/**
 * Helpers for capabilities' `permitsParam` (the executor's check that a decision's parameters are ones
 * the deployed policy would set, issue 22): plain-data equality, and the refusal text.
 */

/** Deep equality of JSON-like values (what a decision's params are after the queue). */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** Null when `value` is one of `allowed`; else the refusal, naming what the policy would set. */
export function oneOf(key: string, value: unknown, allowed: readonly unknown[]): string | null {
  const wanted = allowed.filter((v) => v !== undefined);
  if (wanted.some((v) => sameValue(v, value))) return null;
  const expected =
    wanted.length === 0
      ? 'the policy sets no such value'
      : `expected ${wanted.map((v) => JSON.stringify(v)).join(' or ')}`;
  return `${key} ${JSON.stringify(value)} is not what the policy sets; ${expected}`;
}
