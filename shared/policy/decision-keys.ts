import * as crypto from 'node:crypto';
import { locationOfTarget } from '../aws/targets.ts';
import type { LedgerIndex } from './capability.ts';
import type { LedgerEntryView, LedgerView, TargetRef } from './decision.ts';
import { targetScope } from './key-scope.ts';

/**
 * Idempotency keys and the ledger view decide() reads, out of decide.ts (which re-exports them): the
 * key of a decision, memoised, and the index of the ledger entries by key and by target.
 */

const IN_PROGRESS: ReadonlySet<LedgerEntryView['status']> = new Set(['in-progress']);

/** sha256 hex of a string: one call where the runtime has crypto.hash (Node ≥ 20.12), else a Hash object. */
const sha256Hex: (text: string) => string =
  typeof crypto.hash === 'function'
    ? (text) => crypto.hash('sha256', text, 'hex')
    : (text) => crypto.createHash('sha256').update(text).digest('hex');

/**
 * Keys computed, by their parts (slot, id, policy, action, then type with the scope): a sweep asks for the
 * same slot's key on every resource, tick after tick. Nested maps look each part up as it is — an id or a
 * policy name is the same string object call after call, its hash already known — where one key of the
 * whole input would be a new string to hash every time. Cleared past MEMO_LIMIT keys.
 */
type Level = Map<string, Level | string>;
const keyMemo: Level = new Map();
const MEMO_LIMIT = 50_000;
let memoSize = 0;

function level(parent: Level, part: string): Level {
  let child = parent.get(part) as Level | undefined;
  if (child === undefined) {
    child = new Map();
    parent.set(part, child);
  }
  return child;
}

/**
 * The decision's key: sha256 of policy, target type and name, action and slot — and, for a target in an
 * account or Region other than the hub's own, that `account/region` too (key-scope.ts), so one name in two
 * targets gives two keys. A single-account deployment's keys are exactly what they always were.
 */
export function idempotencyKey(policy: string, target: TargetRef, action: string, slot: string): string {
  const scope = targetScope(target);
  const leaves = level(level(level(level(keyMemo, slot), target.id), policy), action);
  // A type never holds a NUL, so type and scope stay apart.
  const last = scope === null ? target.type : `${target.type}\u0000${scope}`;
  let key = leaves.get(last) as string | undefined;
  if (key === undefined) {
    key = sha256Hex(
      JSON.stringify(
        scope === null
          ? [policy, target.type, target.id, action, slot]
          : [policy, target.type, target.id, action, slot, scope],
      ),
    );
    if (memoSize >= MEMO_LIMIT) {
      keyMemo.clear();
      memoSize = 0;
    }
    memoSize++;
    leaves.set(last, key);
  }
  return key;
}

const NO_ENTRIES: readonly LedgerEntryView[] = [];

/**
 * The entries of one name that are about the target's own account and Region (a hub may hold one name in
 * two targets). An entry or a target whose location is unknown counts wherever the name is.
 */
function sameLocation(entries: readonly LedgerEntryView[], target: TargetRef): readonly LedgerEntryView[] {
  if (entries.length === 0) return entries;
  const at = locationOfTarget(target);
  if (at.account === null || at.region === null) return entries;
  return entries.filter((e) => {
    const l = locationOfTarget(e.target);
    return l.account === null || l.region === null || (l.account === at.account && l.region === at.region);
  });
}

const ledgerCache = new WeakMap<LedgerView, LedgerIndex>();
export function indexLedger(ledger: LedgerView): LedgerIndex {
  let index = ledgerCache.get(ledger);
  if (index !== undefined) return index;
  const byKey = new Map<string, LedgerEntryView>();
  const busy = new Map<string, LedgerEntryView[]>();
  for (const entry of ledger.entries) {
    byKey.set(entry.idempotencyKey, entry);
    if (IN_PROGRESS.has(entry.status)) {
      const key = `${entry.target.type}:${entry.target.id}`;
      busy.set(key, [...(busy.get(key) ?? []), entry]);
    }
  }
  index = {
    byKey: (key) => byKey.get(key),
    inProgress: (target) => sameLocation(busy.get(`${target.type}:${target.id}`) ?? NO_ENTRIES, target),
    keyFor: idempotencyKey,
  };
  ledgerCache.set(ledger, index);
  return index;
}
