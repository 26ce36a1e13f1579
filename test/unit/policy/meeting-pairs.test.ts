import { describe, expect, it } from 'vitest';
import { selectorsDisjoint } from '../../../shared/policy/conflicts.ts';
import { pairsThatMayMeet } from '../../../shared/policy/loader/meeting-pairs.ts';
import { compileSelector, parseTagCondition, type TagCondition } from '../../../shared/policy/targeting.ts';

// The conflict checks look only at the pairs pairsThatMayMeet returns; every pair the full double
// loop would not prove apart must be among them, or validate would miss a conflict.

function selector(tags: Record<string, string | string[]>, identifiers: string[] | null = null) {
  const parsed: Record<string, TagCondition> = {};
  for (const [k, v] of Object.entries(tags)) parsed[k] = parseTagCondition(v) as TagCondition;
  return { selector: compileSelector({ tags: parsed, identifiers, accounts: null, regions: null }) };
}

const TEAM_VALUES = ['a', 'b', 'c', '!=a', '*', '!*'];
const policies = [
  ...TEAM_VALUES.map((team) => selector({ team })),
  selector({ team: ['a', 'b'] }),
  selector({ team: ['c', 'd'], env: 'dev' }),
  selector({ env: 'dev' }),
  selector({}, ['dev-*']),
  selector({ team: 'a', env: 'prod' }),
  selector({ team: 'd' }),
];

describe('pairsThatMayMeet', () => {
  it('returns every pair the full comparison does not prove apart, in loop order', () => {
    // Prepare
    const expected: [number, number][] = [];
    for (let i = 0; i < policies.length; i++)
      for (let j = i + 1; j < policies.length; j++)
        if (
          !selectorsDisjoint(
            (policies[i] as (typeof policies)[0]).selector,
            (policies[j] as (typeof policies)[0]).selector,
          )
        )
          expected.push([i, j]);
    // Act
    const pairs = pairsThatMayMeet(policies, policies);
    const kept = pairs.filter(
      ([i, j]) =>
        !selectorsDisjoint(
          (policies[i] as (typeof policies)[0]).selector,
          (policies[j] as (typeof policies)[0]).selector,
        ),
    );
    // Assess
    expect(kept).toEqual(expected);
    expect(pairs.length).toBeLessThan((policies.length * (policies.length - 1)) / 2);
  });

  it('pairs two lists the same way', () => {
    // Prepare
    const as = policies.slice(0, 6);
    const bs = policies.slice(6);
    const expected: [number, number][] = [];
    for (const [i, a] of as.entries())
      for (const [j, b] of bs.entries()) if (!selectorsDisjoint(a.selector, b.selector)) expected.push([i, j]);
    // Act
    const kept = pairsThatMayMeet(as, bs).filter(
      ([i, j]) => !selectorsDisjoint((as[i] as (typeof as)[0]).selector, (bs[j] as (typeof bs)[0]).selector),
    );
    // Assess
    expect(kept).toEqual(expected);
  });
});
