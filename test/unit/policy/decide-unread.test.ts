import { describe, expect, it } from 'vitest';
import { decide } from '../../../shared/policy/decide.ts';
import type { FleetSnapshot, UnreadPart } from '../../../shared/policy/decision.ts';
import { parseFleet } from '../../../shared/policy/fleet.ts';
import { loadPolicySources, type PolicySet } from '../../../shared/policy/policy-loader.ts';

// A fleet read without its integrations: decide() does not pause a cluster whose zero-ETL status is
// unknown, pauses those checked one by one as no target, and a policy whose resources were not read
// at all decides nothing and says so.

const NS = (id: string) => `arn:aws:redshift:eu-central-1:123456789012:namespace:${id}`;
const NOW = '2026-12-08T20:00:00.000Z'; // Tuesday 21:00 in Berlin: outside the window

function policies(yaml: string): PolicySet {
  const result = loadPolicySources([{ file: 'p.yml', text: yaml }], { knownEventIds: null });
  expect(result.problems.filter((p) => p.severity === 'error')).toEqual([]);
  return result.policySet;
}

const POLICIES = policies(`version: 1
defaults: { timezone: Europe/Berlin, optInTag: "autopilot:managed=true" }
policies:
  - name: office
    resource: cluster
    window: { running: ["Mon-Fri 07:00-19:00"] }
  - name: office-zetl
    resource: cluster
    match: { tags: { zetl: "ok" } }
    window: { running: ["Mon-Fri 07:00-19:00"], pauseZeroEtlTargets: true }
  - name: analytics
    resource: workgroup
    window: { running: ["Mon-Fri 07:00-19:00"], runningBaseCapacity: 64, pausedBaseCapacity: 8 }
`);

function fleet(unread: UnreadPart[]): FleetSnapshot {
  const cluster = (id: string, extra: { Key: string; Value: string }[] = []) => ({
    ClusterIdentifier: id,
    NodeType: 'ra3.xlplus',
    ClusterStatus: 'available',
    NumberOfNodes: 2,
    AutomatedSnapshotRetentionPeriod: 1,
    ClusterNamespaceArn: NS(id),
    Tags: [{ Key: 'autopilot:managed', Value: 'true' }, ...extra],
  });
  const read = parseFleet(
    [
      {
        name: 'f.json',
        json: {
          Clusters: [cluster('checked'), cluster('unknown'), cluster('allowed', [{ Key: 'zetl', Value: 'ok' }])],
        },
      },
    ],
    NOW,
  );
  return { ...read, unread };
}

const integrationsDown: UnreadPart = {
  reader: 'zero-ETL integrations',
  operations: ['redshift:DescribeIntegrations'],
  types: ['integration'],
  impact: 'which clusters are zero-ETL targets is unknown',
  reason: 'redshift:DescribeIntegrations: AccessDeniedException: not authorized',
  transient: false,
  checked: { 'cluster/checked': false },
};

const run = (unread: UnreadPart[]) =>
  decide({
    policies: POLICIES,
    fleet: fleet(unread),
    trigger: { kind: 'tick', at: NOW },
    now: NOW,
    ledger: { entries: [] },
  });

describe('decide() on a fleet read with parts missing', () => {
  it('pauses what is known to be no zero-ETL target and skips the clusters whose status is unknown', () => {
    const { decisions, skips } = run([integrationsDown]);

    expect(decisions.map((d) => `${d.policy} ${d.action} ${d.target.id}`)).toEqual([
      'office PauseCluster checked',
      // pauseZeroEtlTargets: true allows the pause whatever the status (the executor re-checks nothing more).
      'office-zetl PauseCluster allowed',
    ]);
    expect(skips.filter((s) => s.policy === 'office').map((s) => [s.target.id, s.reason])).toEqual([
      ['allowed', expect.stringContaining('zero-ETL status unknown')],
      [
        'unknown',
        'zero-ETL status unknown: zero-ETL integrations not read (redshift:DescribeIntegrations: AccessDeniedException: not authorized); PauseCluster waits until the sweep can tell',
      ],
    ]);
  });

  it('decides as before when the read is complete', () => {
    const { decisions } = run([]);
    expect(decisions.map((d) => `${d.policy} ${d.action} ${d.target.id}`)).toEqual([
      'office PauseCluster allowed',
      'office PauseCluster checked',
      'office PauseCluster unknown',
      'office-zetl PauseCluster allowed',
    ]);
  });

  it('skips a policy whose resources were not read, once, with the reason', () => {
    const serverlessDown: UnreadPart = {
      reader: 'Redshift Serverless',
      operations: ['redshift-serverless:ListWorkgroups'],
      types: ['workgroup', 'namespace', 'snapshot'],
      impact: 'policies of workgroups decide nothing',
      reason: 'redshift-serverless:ListWorkgroups: UnknownOperationException: not in this Region',
      transient: false,
    };
    const { skips } = run([serverlessDown]);
    expect(skips.filter((s) => s.policy === 'analytics')).toEqual([
      {
        at: NOW,
        policy: 'analytics',
        target: { type: 'workgroup', id: '*' },
        reason:
          'not decided: Redshift Serverless not read (redshift-serverless:ListWorkgroups: UnknownOperationException: not in this Region); every workgroup of the policy waits for the next sweep',
      },
    ]);
  });
});
