import { describe, expect, it } from 'vitest';
import { actionRegistry } from '../../../shared/execute/action-registry.ts';
import { type AuthorizeOptions, authorizeDecision } from '../../../shared/policy/authorize.ts';
import { decide } from '../../../shared/policy/decide.ts';
import type { ClusterResource, Decision, UsageLimitResource } from '../../../shared/policy/decision.ts';
import { loadPolicySources } from '../../../shared/policy/policy-loader.ts';
import { registry } from '../../../shared/policy/registry.ts';

// The executor acts only on what a deployed policy decided (issue 22): the decisions the usage-limits
// capability makes pass, and the same decisions with a value the policy would not set are refused.

const POLICIES = `version: 1
policies:
  - name: budget
    resource: cluster
    match: { tags: { team: analytics } }
    usageLimits:
      limits:
        - { feature: spectrum, amount: 5, period: daily, breachAction: emit-metric }
        - { feature: concurrency-scaling, amount: 120, period: weekly, breachAction: log }
  - name: other
    resource: cluster
    match: { tags: { team: finance } }
    usageLimits:
      limits: [{ feature: spectrum, amount: 50 }]
`;
const { policySet, problems } = loadPolicySources([{ file: 'p.yml', text: POLICIES }]);
const NOW = '2026-12-07T08:00:00.000Z';
const options: AuthorizeOptions = {
  now: Date.parse(NOW),
  maxAgeMs: 45 * 60_000,
  action: (name) => actionRegistry.action(name),
  capability: (key) => registry.byKey(key),
};

const limit = (id: string, over: Partial<UsageLimitResource>): UsageLimitResource => ({
  id,
  clusterId: 'etl-1',
  feature: 'spectrum',
  limitType: 'data-scanned',
  amount: 5,
  period: 'daily',
  breachAction: 'emit-metric',
  tags: { 'managed-by': 'redshift-autopilot', 'autopilot:policy': 'budget', 'autopilot:limit': 'spectrum#1' },
  ...over,
});

/** A cluster whose spectrum limit was edited by hand and which still has a limit the policy dropped. */
const CLUSTER: ClusterResource = {
  type: 'cluster',
  id: 'etl-1',
  arn: null,
  region: 'us-east-1',
  account: '123456789012',
  status: 'available',
  availabilityStatus: 'Available',
  tags: { 'autopilot:managed': 'true', team: 'analytics' },
  nodeType: 'ra3.xlplus',
  numberOfNodes: 2,
  multiAz: false,
  automatedSnapshotRetentionPeriod: 1,
  namespaceArn: null,
  limits: [
    limit('lim-edited', { amount: 40 }),
    limit('lim-dropped', {
      feature: 'cross-region-datasharing',
      tags: {
        'managed-by': 'redshift-autopilot',
        'autopilot:policy': 'budget',
        'autopilot:limit': 'cross-region-datasharing#1',
      },
    }),
  ],
};

const decided = decide({
  policies: policySet,
  fleet: { readAt: NOW, resources: [CLUSTER] },
  trigger: { kind: 'tick', at: NOW },
  now: NOW,
  ledger: { entries: [] },
}).decisions;
const one = (action: string): Decision => {
  const d = decided.find((x) => x.action === action);
  if (d === undefined) throw new Error(`no ${action} decided`);
  return d;
};
const why = (d: Decision) => {
  const out = authorizeDecision(d, policySet, options);
  return out.ok ? null : `${out.cause}: ${out.detail}`;
};
const withParams = (d: Decision, params: Record<string, unknown>): Decision => ({
  ...d,
  params: { ...d.params, ...params },
});

describe('authorizeDecision: usage-limit decisions', () => {
  it('loads, and decides a create, a modify and a delete', () => {
    expect(problems).toEqual([]);
    expect(decided.map((d) => d.action)).toEqual(['CreateUsageLimit', 'DeleteUsageLimit', 'ModifyUsageLimit']);
  });

  it('accepts every decision the policy makes', () => {
    for (const d of decided) expect(why(d), d.action).toBeNull();
  });

  it('refuses a create with an amount, period or tags the policy does not set', () => {
    const create = one('CreateUsageLimit');
    expect(why(withParams(create, { Amount: 5000 }))).toBe(
      'param-not-in-policy: CreateUsageLimit: Amount 5000 is not what the policy sets; expected 120',
    );
    expect(why(withParams(create, { Period: 'monthly' }))).toMatch(/Period "monthly" is not what the policy sets/);
    const tags = [...(create.params.Tags as object[]), { Key: 'autopilot:managed', Value: 'false' }];
    expect(why(withParams(create, { Tags: tags }))).toMatch(/param-not-in-policy: CreateUsageLimit: Tags/);
  });

  it('refuses a create for a limit the policy does not declare, and a parameter no action declares', () => {
    const create = one('CreateUsageLimit');
    const tags = (create.params.Tags as { Key: string; Value: string }[]).map((t) =>
      t.Key === 'autopilot:limit' ? { ...t, Value: 'spectrum#3' } : t,
    );
    expect(why(withParams(create, { Tags: tags }))).toMatch(/policy budget declares no limit "spectrum#3"/);
    expect(why(withParams(create, { DryRun: false }))).toMatch(/^param-not-declared: /);
  });

  it('refuses a modify to values of another policy or another declared limit', () => {
    const modify = one('ModifyUsageLimit');
    expect(why(withParams(modify, { Amount: 50 }))).toMatch(/Amount 50 is not what the policy sets; expected 5/);
    expect(why(withParams(modify, { BreachAction: 'disable' }))).toMatch(/BreachAction "disable" is not what/);
    expect(why(withParams(modify, { OwnerPolicy: 'other' }))).toMatch(
      /OwnerPolicy "other" is not what the policy sets/,
    );
  });

  it('refuses a delete said to be for another policy, and one the other policy never requests on a workgroup', () => {
    const del = one('DeleteUsageLimit');
    expect(why(withParams(del, { OwnerPolicy: 'other' }))).toMatch(
      /OwnerPolicy "other" is not what the policy sets; expected "budget"/,
    );
    expect(why({ ...del, target: { type: 'workgroup', id: 'etl-1' } })).toMatch(/^action-not-in-policy: /);
  });
});
