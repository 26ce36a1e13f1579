import { describe, expect, it } from 'vitest';
import { actionRegistry } from '../../../shared/execute/action-registry.ts';
import { type AuthorizeOptions, authorizeDecision } from '../../../shared/policy/authorize.ts';
import { decide } from '../../../shared/policy/decide.ts';
import type { ClusterResource, Decision } from '../../../shared/policy/decision.ts';
import { loadPolicySources } from '../../../shared/policy/policy-loader.ts';
import { registry } from '../../../shared/policy/registry.ts';
import { financeCluster } from '../domains/resize-fixtures.ts';

// The executor acts only on what a deployed policy decided (issue 22): a ResizeCluster to a size the
// policy never sets, a classic resize it does not allow or a node type change is refused.

const POLICIES = `version: 1
policies:
  - name: finance-month-end
    resource: cluster
    match: { tags: { team: finance } }
    resize:
      timezone: Europe/Berlin
      default: { nodes: 4 }
      windows:
        - { from: "cron(0 16 L * ? *)", to: "cron(0 6 1 * ? *)", nodes: 8 }
        - { running: ["Mon 06:00-12:00"], nodes: 6 }
`;
const { policySet, problems } = loadPolicySources([{ file: 'p.yml', text: POLICIES }]);
const NOW = '2026-02-28T15:00:00.000Z';
const options: AuthorizeOptions = {
  now: Date.parse(NOW),
  maxAgeMs: 45 * 60_000,
  action: (name) => actionRegistry.action(name),
  capability: (key) => registry.byKey(key),
};

const CLUSTER: ClusterResource = financeCluster();

const [resize] = decide({
  policies: policySet,
  fleet: { readAt: NOW, resources: [CLUSTER] },
  trigger: { kind: 'tick', at: NOW },
  now: NOW,
  ledger: { entries: [] },
}).decisions;
const why = (d: Decision) => {
  const out = authorizeDecision(d, policySet, options);
  return out.ok ? null : `${out.cause}: ${out.detail}`;
};
const withParams = (params: Record<string, unknown>): Decision => {
  if (resize === undefined) throw new Error('no ResizeCluster decided');
  return { ...resize, params: { ...resize.params, ...params } };
};

describe('authorizeDecision: resize decisions', () => {
  it('accepts the ResizeCluster the policy decides', () => {
    expect(problems).toEqual([]);
    expect(resize?.action).toBe('ResizeCluster');
    expect(why(withParams({}))).toBeNull();
  });

  it('accepts every size the policy sets, refuses any other', () => {
    for (const n of [4, 6, 8]) expect(why(withParams({ NumberOfNodes: n })), String(n)).toBeNull();
    expect(why(withParams({ NumberOfNodes: 32 }))).toBe(
      'param-not-in-policy: ResizeCluster: NumberOfNodes 32 is not what the policy sets; expected 4 or 8 or 6',
    );
  });

  it('refuses a classic resize the policy does not allow and any node type change', () => {
    expect(why(withParams({ Classic: true }))).toBe(
      'param-not-in-policy: ResizeCluster: Classic true is not what the policy sets; expected false',
    );
    expect(why(withParams({ NodeType: 'dc2.large' }))).toBe(
      'param-not-in-policy: ResizeCluster: NodeType "dc2.large": this policy changes no node type',
    );
  });

  it('refuses a parameter ResizeCluster does not declare', () => {
    expect(why(withParams({ ReservedNodeId: 'r-1' }))).toMatch(/^param-not-declared: /);
  });
});
