import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  isValidSnapshotId,
  SNAPSHOT_ID_PREFIX,
  SNAPSHOT_ID_RULES,
  snapshotId,
  snapshotIdProblems,
  snapshotIdRefusal,
} from '../../../shared/domains/snapshots/snapshot-id.ts';
import { POLICY_NAME } from '../../../shared/policy/policy.schema.ts';

// Naming rules (catalog/facts.md §8): 1–255 lower-case letters, digits, hyphens; first a letter; no
// "--"; no trailing hyphen; not "default". Inputs: every policy name validate accepts, every valid
// cluster identifier (1–63, lower-case, starts with a letter, no "--", no trailing hyphen) and any
// text for Serverless namespace names (the guide has no rules for them), every minute 1970–2199.
const policyNames = fc.stringMatching(POLICY_NAME);
const clusterIds = fc.stringMatching(/^[a-z][a-z0-9-]{0,62}$/).filter((s) => !s.includes('--') && !s.endsWith('-'));
const anySource = fc.oneof(clusterIds, fc.string({ minLength: 1, maxLength: 64 }));
const slots = fc.integer({ min: 0, max: Date.UTC(2199, 11, 31, 23, 59) / 60_000 }).map((m) => m * 60_000);
const attempts = fc.integer({ min: 0, max: 5 });

describe('snapshot identifiers', () => {
  it('are valid under every naming rule for any policy, source, slot and attempt', () => {
    fc.assert(
      fc.property(policyNames, anySource, slots, attempts, (policy, source, slotMs, attempt) => {
        const id = snapshotId({ source, policy, slotMs, attempt });
        expect(snapshotIdProblems(id)).toEqual([]);
        // Every id carries the prefix the executor's IAM scopes tagging and deleting to (issue 22),
        // and is one the executor's check accepts for that policy and source.
        expect(id.startsWith(SNAPSHOT_ID_PREFIX)).toBe(true);
        expect(snapshotIdRefusal(id, policy, source)).toBeNull();
        expect(snapshotIdRefusal(id, policy)).toBeNull();
      }),
      { numRuns: 3000 },
    );
  });

  it('are deterministic: the same slot and attempt give the same id', () => {
    fc.assert(
      fc.property(policyNames, clusterIds, slots, attempts, (policy, source, slotMs, attempt) => {
        expect(snapshotId({ source, policy, slotMs, attempt })).toBe(snapshotId({ source, policy, slotMs, attempt }));
      }),
    );
  });

  it('differ for different slots, attempts and policies of one cluster', () => {
    fc.assert(
      fc.property(
        fc.tuple(policyNames, slots, attempts),
        fc.tuple(policyNames, slots, attempts),
        clusterIds,
        ([p1, s1, a1], [p2, s2, a2], source) => {
          fc.pre(p1 !== p2 || s1 !== s2 || a1 !== a2);
          expect(snapshotId({ source, policy: p1, slotMs: s1, attempt: a1 })).not.toBe(
            snapshotId({ source, policy: p2, slotMs: s2, attempt: a2 }),
          );
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('read as cluster, policy, UTC slot minute and retry suffix', () => {
    const slotMs = Date.UTC(2026, 0, 5, 1, 0);
    expect(snapshotId({ source: 'etl-prod', policy: 'nightly', slotMs, attempt: 0 })).toBe(
      'autopilot-etl-prod-nightly-202601050100',
    );
    expect(snapshotId({ source: 'etl-prod', policy: 'nightly', slotMs, attempt: 1 })).toBe(
      'autopilot-etl-prod-nightly-202601050100-r1',
    );
    // A source that does not start with a letter needs no marker: the prefix does.
    expect(snapshotId({ source: '1db', policy: 'nightly', slotMs, attempt: 0 })).toBe(
      'autopilot-1db-nightly-202601050100',
    );
    // A policy name that is not a valid id segment is slugged and hashed, so names that slug alike differ.
    const a = snapshotId({ source: 'etl-prod', policy: 'Nightly.Backup', slotMs, attempt: 0 });
    const b = snapshotId({ source: 'etl-prod', policy: 'nightly_backup', slotMs, attempt: 0 });
    expect(a).toMatch(/^autopilot-etl-prod-nightly-backup-[0-9a-f]{6}-202601050100$/);
    expect(a).not.toBe(b);
  });

  it.each([
    ['', ['length 1–255', 'starts with a letter']],
    ['a'.repeat(256), ['length 1–255']],
    ['Etl-1', ['lower-case letters, digits and hyphens only', 'starts with a letter']],
    ['1etl', ['starts with a letter']],
    ['etl--1', ['no two consecutive hyphens']],
    ['etl-', ['no trailing hyphen']],
    ['default', ['not "default"']],
    ['etl_1', ['lower-case letters, digits and hyphens only']],
  ])('the rule check itself refuses %j', (id, broken) => {
    expect(snapshotIdProblems(id)).toEqual(broken);
    expect(isValidSnapshotId(id)).toBe(false);
    expect(SNAPSHOT_ID_RULES.length).toBe(6);
  });
});

describe('snapshotIdRefusal: the executor’s check of a decision’s snapshot name', () => {
  it('the executor refuses a name without the prefix, another policy’s or another source’s', () => {
    const slotMs = Date.UTC(2026, 0, 5, 1, 0);
    const ours = snapshotId({ source: 'etl-prod', policy: 'nightly', slotMs, attempt: 2 });
    expect(snapshotIdRefusal(ours, 'nightly', 'etl-prod')).toBeNull();
    // Made before the prefix (or named so by a person): refused, so retention never deletes it.
    expect(snapshotIdRefusal('etl-prod-nightly-202601050100', 'nightly', 'etl-prod')).toBe(
      'etl-prod-nightly-202601050100 does not start with autopilot-, as every snapshot autopilot names does',
    );
    expect(snapshotIdRefusal('etl-prod-nightly-202601050100', 'nightly')).toMatch(/does not start with autopilot-/);
    expect(snapshotIdRefusal(ours, 'weekly', 'etl-prod')).toMatch(/not a snapshot name of policy weekly/);
    expect(snapshotIdRefusal(ours, 'nightly', 'etl-dev')).toMatch(/not a snapshot name of policy nightly for etl-dev/);
    expect(snapshotIdRefusal('autopilot-etl-prod-nightly', 'nightly')).toMatch(/slot stamp/);
  });
});
