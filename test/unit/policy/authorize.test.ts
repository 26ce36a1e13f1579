import { describe, expect, it } from 'vitest';
import { snapshotId } from '../../../shared/domains/snapshots/snapshot-id.ts';
import { snapshotTags } from '../../../shared/domains/snapshots/snapshot-tags.ts';
import { actionRegistry } from '../../../shared/execute/action-registry.ts';
import { type AuthorizeOptions, authorizeDecision } from '../../../shared/policy/authorize.ts';
import type { Decision } from '../../../shared/policy/decision.ts';
import { loadPolicySources } from '../../../shared/policy/policy-loader.ts';
import { registry } from '../../../shared/policy/registry.ts';

// The parameter checks each capability answers (issue 22), on decisions shaped exactly as its
// proposals are: snapshot names and tags of the deciding policy, its retention and copy Region only.

const POLICIES = `
version: 1
calendars:
  change-freeze: { dates: ["2026-12-24", "2026-12-25", "2026-12-26"] }
policies:
  - name: nightly
    resource: cluster
    match: { tags: { backup: gold } }
    maxResources: 3
    snapshots:
      schedule: "cron(0 2 * * ? *)"
      timezone: UTC
      expireAfterDays: 14
      copyTo: { region: eu-west-1, retainDays: 7 }
  - name: weekly
    resource: cluster
    match: { tags: { backup: silver } }
    freeze: [change-freeze]
    snapshots: { schedule: "cron(0 3 ? * SUN *)", timezone: UTC }
`;

const { policySet, problems } = loadPolicySources([{ file: 'p.yml', text: POLICIES }]);
const NOW = Date.parse('2026-12-07T02:00:30Z');
const options: AuthorizeOptions = {
  now: NOW,
  maxAgeMs: 45 * 60_000,
  action: (name) => actionRegistry.action(name),
  capability: (key) => registry.byKey(key),
};

function create(policy: string, cluster: string, overrides: Record<string, unknown> = {}): Decision {
  const slotMs = Date.parse('2026-12-07T02:00:00Z');
  const tags = snapshotTags({ policy, slotIso: new Date(slotMs).toISOString(), attempt: 0 });
  return {
    at: '2026-12-07T02:00:00.000Z',
    policy,
    action: 'CreateClusterSnapshot',
    target: { type: 'cluster', id: cluster },
    params: {
      SnapshotIdentifier: snapshotId({ source: cluster, policy, slotMs, attempt: 0 }),
      ClusterIdentifier: cluster,
      ManualSnapshotRetentionPeriod: 14,
      Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
      ...overrides,
    },
    reason: 'slot',
    idempotencyKey: 'k',
    mode: 'act',
    guard: { optInTag: { key: 'autopilot:managed', value: 'true' }, allowZeroEtlTarget: false, maxResources: 3 },
  };
}

const why = (d: Decision) => {
  const out = authorizeDecision(d, policySet, options);
  return out.ok ? null : `${out.cause}: ${out.detail}`;
};

describe('authorizeDecision: snapshot parameters', () => {
  it('loads', () => expect(problems.filter((p) => p.severity === 'error')).toEqual([]));

  it('accepts the create the policy makes', () => {
    expect(why(create('nightly', 'etl-prod'))).toBeNull();
  });

  it('refuses a snapshot name of another policy or another cluster', () => {
    const other = snapshotId({ source: 'etl-prod', policy: 'weekly', slotMs: NOW, attempt: 0 });
    expect(why(create('nightly', 'etl-prod', { SnapshotIdentifier: other }))).toMatch(
      /param-not-in-policy: CreateClusterSnapshot: .* is not a snapshot name of policy nightly for etl-prod/,
    );
    const foreign = snapshotId({ source: 'prod-dw', policy: 'nightly', slotMs: NOW, attempt: 0 });
    expect(why(create('nightly', 'etl-prod', { SnapshotIdentifier: foreign }))).toMatch(/not a snapshot name/);
  });

  it('refuses tags other than autopilot’s four, and a retention the policy does not set', () => {
    const d = create('nightly', 'etl-prod');
    const tags = [...(d.params.Tags as object[]), { Key: 'managed-by-extra', Value: 'x' }];
    expect(why({ ...d, params: { ...d.params, Tags: tags } })).toMatch(/Tags must be exactly autopilot's tags/);
    expect(why(create('nightly', 'etl-prod', { ManualSnapshotRetentionPeriod: 3653 }))).toMatch(
      /ManualSnapshotRetentionPeriod 3653 is not what the policy sets; expected 14/,
    );
  });

  it('refuses a copy to another Region, accepts the policy’s', () => {
    const enable = (region: string): Decision => ({
      ...create('nightly', 'etl-prod'),
      action: 'EnableSnapshotCopy',
      params: {
        ClusterIdentifier: 'etl-prod',
        DestinationRegion: region,
        RetentionPeriod: 7,
        ManualSnapshotRetentionPeriod: 7,
      },
    });
    expect(why(enable('eu-west-1'))).toBeNull();
    expect(why(enable('ap-southeast-1'))).toMatch(
      /DestinationRegion "ap-southeast-1" is not what the policy sets; expected "eu-west-1"/,
    );
  });

  it('bounds the age by when the decision was made, not when it was due: a retry 90 min after its slot passes', () => {
    const slot = Date.parse('2026-12-07T02:00:00Z');
    const retry = { ...create('nightly', 'etl-prod'), decidedAt: new Date(slot + 90 * 60_000).toISOString() };
    const at = (minutesAfterDecided: number) =>
      authorizeDecision(retry, policySet, { ...options, now: slot + (90 + minutesAfterDecided) * 60_000 });
    expect(at(1).ok).toBe(true);
    const late = at(50);
    expect(late.ok ? null : `${late.cause}: ${late.detail}`).toBe('stale: decided 50 min ago; the bound is 45 min');
  });

  it('refuses a limit that is not the policy’s count', () => {
    const d = create('nightly', 'etl-prod');
    expect(why({ ...d, guard: { ...d.guard, maxResources: 500 } })).toMatch(
      /maxResources 500 is not policy nightly's 3/,
    );
  });

  it('freezes an act decision when the policy’s freeze calendar covers the executor’s clock', () => {
    const d = { ...create('weekly', 'etl-prod'), at: '2026-12-24T03:00:00.000Z' };
    const frozen = authorizeDecision({ ...d, guard: { ...d.guard, maxResources: null }, params: {} }, policySet, {
      ...options,
      now: Date.parse('2026-12-24T03:00:10Z'),
    });
    expect(frozen.ok && frozen.decision.mode).toBe('frozen');
  });
});
