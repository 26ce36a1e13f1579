import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { idempotencyKey } from '../../../shared/policy/decide.ts';
import type { FleetResource } from '../../../shared/policy/decision.ts';
import { indexFleet } from '../../../shared/policy/fleet.ts';
import {
  compileSelector,
  globToRegExp,
  OVERRIDE_TAG,
  parseTagCondition,
  readOverride,
  type SelectorDefinition,
  type TagCondition,
  tagConditionHolds,
} from '../../../shared/policy/targeting.ts';

/**
 * The engine's fast paths (issue #19) answer exactly what the plain rules answer: the precompiled
 * selector against tagConditionHolds and the globs read one by one, the memoised idempotency key against
 * a fresh sha256 of the same input, the override parsed once per text against the time it is read at.
 */

function cluster(id: string, tags: Record<string, string>, account: string | null, region: string | null) {
  return {
    type: 'cluster',
    id,
    arn: null,
    region,
    account,
    status: 'available',
    availabilityStatus: null,
    tags,
    nodeType: 'ra3.xlplus',
    numberOfNodes: 2,
    multiAz: false,
    automatedSnapshotRetentionPeriod: 1,
    namespaceArn: null,
  } as unknown as FleetResource;
}

/** The selector's rule written out plainly: every tag condition, one glob, the account and Region lists. */
function reference(def: SelectorDefinition, r: FleetResource): boolean {
  for (const [key, condition] of Object.entries(def.tags)) if (!tagConditionHolds(condition, r.tags[key])) return false;
  if (def.identifiers !== null && !def.identifiers.some((g) => globToRegExp(g).test(r.id))) return false;
  if (def.accounts !== null && (r.account === null || !def.accounts.includes(r.account))) return false;
  if (def.regions !== null && (r.region === null || !def.regions.includes(r.region))) return false;
  return true;
}

const word = fc.constantFrom('dev', 'prod', 'test', 'a', '');
const conditionText = fc.oneof(
  fc.constantFrom('dev', 'prod', '*', '!*', '!=prod', '!=dev'),
  fc.array(fc.constantFrom('dev', 'prod', 'test'), { minLength: 1, maxLength: 3 }),
);

describe('precompiled selector', () => {
  it('matches exactly the resources the plain rule matches, for every kind of condition', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.constantFrom('env', 'team', 'legacy'), conditionText, { maxKeys: 3 }),
        fc.option(fc.array(fc.constantFrom('dev-*', 'prod-??', '*', 'exact'), { maxLength: 2 })),
        fc.option(fc.array(fc.constantFrom('111111111111', '222222222222'), { maxLength: 2 })),
        fc.option(fc.array(fc.constantFrom('eu-west-1', 'us-east-1'), { maxLength: 2 })),
        fc.array(
          fc.record({
            id: fc.constantFrom('dev-1', 'prod-01', 'exact', 'other'),
            tags: fc.dictionary(fc.constantFrom('env', 'team', 'legacy'), word, { maxKeys: 3 }),
            account: fc.option(fc.constantFrom('111111111111', '222222222222')),
            region: fc.option(fc.constantFrom('eu-west-1', 'us-east-1')),
          }),
          { minLength: 1, maxLength: 8 },
        ),
        (texts, identifiers, accounts, regions, resources) => {
          const tags: Record<string, TagCondition> = {};
          for (const [key, text] of Object.entries(texts)) {
            const parsed = parseTagCondition(text);
            if (!('error' in parsed)) tags[key] = parsed;
          }
          const def: SelectorDefinition = { tags, identifiers, accounts, regions };
          const selector = compileSelector(def);
          for (const r of resources) {
            const resource = cluster(r.id, r.tags, r.account, r.region);
            expect(selector.matches(resource)).toBe(reference(def, resource));
          }
        },
      ),
      { numRuns: 400 },
    );
  });

  it('keeps the definition it was compiled from (validate and conflicts read it)', () => {
    const def: SelectorDefinition = {
      tags: { env: { kind: 'equals', values: ['dev'] } },
      identifiers: ['dev-*'],
      accounts: null,
      regions: ['eu-west-1'],
    };
    const selector = compileSelector(def);
    expect({ ...selector, matches: undefined }).toEqual({ ...def, matches: undefined });
    expect(selector.matches(cluster('dev-1', { env: 'dev' }, null, 'eu-west-1'))).toBe(true);
    expect(selector.matches(cluster('dev-1', { env: 'dev' }, null, null))).toBe(false);
  });
});

describe('memoised idempotency key', () => {
  it('is the sha256 of the same input, asked once or many times', () => {
    const target = { type: 'cluster' as const, id: 'analytics-dev', arn: 'arn:aws:redshift:eu-west-1:1:cluster:x' };
    const expected = createHash('sha256')
      .update(JSON.stringify(['office-hours', 'cluster', 'analytics-dev', 'PauseCluster', '2026-12-07T18:00:00.000Z']))
      .digest('hex');
    for (let i = 0; i < 3; i++)
      expect(idempotencyKey('office-hours', target, 'PauseCluster', '2026-12-07T18:00:00.000Z')).toBe(expected);
    expect(idempotencyKey('office-hours', target, 'ResumeCluster', '2026-12-07T18:00:00.000Z')).not.toBe(expected);
  });
});

describe('override read once per text', () => {
  it('is running before its time and expired after it, whenever the same text is read again', () => {
    const r = cluster('c', { [OVERRIDE_TAG]: 'running-until=2026-12-07T18:00Z' }, null, null);
    const until = Date.parse('2026-12-07T18:00:00Z');
    expect(readOverride(r, until - 1)).toEqual({
      kind: 'running',
      until,
      text: 'running-until=2026-12-07T18:00Z',
    });
    expect(readOverride(r, until)).toEqual({ kind: 'expired', text: 'running-until=2026-12-07T18:00Z' });
    expect(readOverride(r, until - 1).kind).toBe('running');
  });

  it('says what is wrong with a bad tag every time it is read', () => {
    const r = cluster('c', { [OVERRIDE_TAG]: 'running-until=tomorrow' }, null, null);
    for (let i = 0; i < 2; i++) {
      const o = readOverride(r, 0);
      expect(o.kind).toBe('invalid');
      expect(o.kind === 'invalid' ? o.reason : '').toContain('running-until=<ISO time with zone>');
    }
    expect(readOverride(cluster('c', {}, null, null), 0)).toEqual({ kind: 'none' });
  });
});

describe('fleet index by type and id', () => {
  it('finds a resource by its own type only', () => {
    const c = cluster('same-name', {}, null, null);
    const w = { ...c, type: 'workgroup' } as unknown as FleetResource;
    const index = indexFleet({ readAt: '2026-12-07T00:00:00Z', resources: [c, w] });
    expect(index.byTypeAndId('cluster', 'same-name')).toBe(c);
    expect(index.byTypeAndId('workgroup', 'same-name')).toBe(w);
    expect(index.byTypeAndId('integration', 'same-name')).toBeUndefined();
  });
});
