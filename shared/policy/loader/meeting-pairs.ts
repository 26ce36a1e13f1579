import type { CompiledSelector } from '../targeting.ts';

/**
 * Which pairs of policies may select the same resource, without comparing every pair: validate's
 * conflict checks compared all n² pairs, so 10,000 policies took minutes. Policies are indexed by the
 * tag key most of them pin to values (`team: a`): two policies that pin it to different values can
 * never meet, so only policies sharing a value, or not pinning that key, are paired. The pairs found
 * are a superset of the pairs `selectorsDisjoint` does not prove apart, so a caller that still checks
 * each pair gets the same answers, in the same order, as from the full double loop.
 */

interface Selected {
  selector: CompiledSelector;
}

function partitionKey(policies: readonly Selected[]): string | null {
  const counts = new Map<string, number>();
  for (const p of policies) {
    for (const [key, condition] of Object.entries(p.selector.tags)) {
      if (condition.kind === 'equals') counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  let best: string | null = null;
  let bestCount = 0;
  for (const [key, count] of counts) {
    if (count > bestCount) [best, bestCount] = [key, count];
  }
  return best;
}

/** The values a policy pins the key to, or null when it does not pin it (it may meet any value). */
function pinned(p: Selected, key: string | null): readonly string[] | null {
  if (key === null) return null;
  const condition = p.selector.tags[key];
  return condition?.kind === 'equals' ? condition.values : null;
}

/**
 * Index pairs [i, j] (i into `as`, j into `bs`) that may meet, sorted by i then j. With `as === bs`,
 * only i < j.
 */
export function pairsThatMayMeet(as: readonly Selected[], bs: readonly Selected[]): [number, number][] {
  const same = as === bs;
  const key = partitionKey(same ? as : [...as, ...bs]);
  const byValue = new Map<string, number[]>();
  const loose: number[] = [];
  for (const [j, b] of bs.entries()) {
    const values = pinned(b, key);
    if (values === null) loose.push(j);
    else
      for (const v of values) {
        const list = byValue.get(v);
        if (list === undefined) byValue.set(v, [j]);
        else list.push(j);
      }
  }
  const pairs: [number, number][] = [];
  for (const [i, a] of as.entries()) {
    const values = pinned(a, key);
    const js = new Set<number>(values === null ? bs.keys() : loose);
    if (values !== null) for (const v of values) for (const j of byValue.get(v) ?? []) js.add(j);
    for (const j of [...js].sort((x, y) => x - y)) if (!same || j > i) pairs.push([i, j]);
  }
  return pairs;
}
