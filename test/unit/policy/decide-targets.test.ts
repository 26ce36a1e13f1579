import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { mapClusters } from '../../../shared/aws/fleet-mapping.ts';
import type { NormalizedEvent } from '../../../shared/events/normalized-event.ts';
import { Executor } from '../../../shared/execute/executor.ts';
import { MemoryLedger } from '../../../shared/execute/memory-ledger.ts';
import { TargetRoutedPort } from '../../../shared/execute/target-ports.ts';
import { decide, idempotencyKey } from '../../../shared/policy/decide.ts';
import type { Decision, FleetResource, FleetSnapshot, LedgerView } from '../../../shared/policy/decision.ts';
import { setKeyHome } from '../../../shared/policy/key-scope.ts';
import { loadPolicySources, type PolicySet } from '../../../shared/policy/policy-loader.ts';
import { FakeRedshift, fixedClock, RecordingNotifier, rawCluster, sequentialTokens } from '../execute/fakes.ts';

/**
 * Issue #18: a hub over several targets, one cluster name in two of them. Each gets its own decisions
 * under its own key — the hub's own keeps the single-account key — and each is acted on in its own target.
 */

const HUB = '999999999999';
const SPOKE = '111111111111';
const NOW = '2026-12-07T18:05:00.000Z'; // a Monday, after the 19:00 Berlin pause

const policies: PolicySet = (() => {
  const result = loadPolicySources(
    [
      {
        file: 'p.yml',
        text: `version: 1
defaults: { timezone: Europe/Berlin }
policies:
  - name: office
    resource: cluster
    match: { tags: { env: dev } }
    window: { running: ["Mon-Fri 07:00-19:00"] }
`,
      },
    ],
    { knownEventIds: null },
  );
  if (result.problems.some((p) => p.severity === 'error')) throw new Error(JSON.stringify(result.problems));
  return result.policySet;
})();

function clusterIn(account: string, region: string, id: string): FleetResource {
  const [cluster] = mapClusters([
    rawCluster({
      ClusterIdentifier: id,
      ClusterNamespaceArn: `arn:aws:redshift:${region}:${account}:namespace:${id}-${account}`,
      Tags: [
        { Key: 'autopilot:managed', Value: 'true' },
        { Key: 'env', Value: 'dev' },
      ],
    }),
  ]);
  if (cluster === undefined) throw new Error('no cluster');
  return cluster;
}

const home = clusterIn(HUB, 'eu-west-1', 'analytics');
const spoke = clusterIn(SPOKE, 'eu-central-1', 'analytics');
const fleet: FleetSnapshot = { readAt: NOW, resources: [home, spoke] };
const tick = (ledger: LedgerView = { entries: [] }) =>
  decide({ policies, fleet, trigger: { kind: 'tick', at: NOW }, now: NOW, ledger });

/** The key as it has always been: sha256 of policy, type, name, action and slot. */
const singleAccountKey = (d: Decision) =>
  createHash('sha256')
    .update(JSON.stringify(['office', 'cluster', 'analytics', d.action, '2026-12-07T18:00:00.000Z']))
    .digest('hex');

afterEach(() => setKeyHome(undefined));

/** The home cluster's decision, then the spoke's. */
function byTarget(decisions: readonly Decision[]): [Decision, Decision] {
  const of = (arn: string | null) => decisions.find((d) => d.target.arn === arn);
  const pair = [of(home.arn), of(spoke.arn)];
  if (pair[0] === undefined || pair[1] === undefined)
    throw new Error(`not one decision each: ${JSON.stringify(decisions)}`);
  return pair as [Decision, Decision];
}

describe('one cluster name in two targets of a hub', () => {
  it('gets a decision in each, under two keys; the hub’s own keeps the single-account key', () => {
    setKeyHome({ account: HUB, region: 'eu-west-1' });
    const { decisions } = tick();
    const [atHome, inSpoke] = byTarget(decisions);
    expect([atHome, inSpoke].map((d) => [d.action, d.target.arn])).toEqual([
      ['PauseCluster', home.arn],
      ['PauseCluster', spoke.arn],
    ]);
    expect(atHome.idempotencyKey).not.toBe(inSpoke.idempotencyKey);
    expect(atHome.idempotencyKey).toBe(singleAccountKey(atHome));
    expect(inSpoke.idempotencyKey).toBe(
      createHash('sha256')
        .update(
          JSON.stringify([
            'office',
            'cluster',
            'analytics',
            'PauseCluster',
            '2026-12-07T18:00:00.000Z',
            `${SPOKE}/eu-central-1`,
          ]),
        )
        .digest('hex'),
    );
  });

  it('a single-account deployment (no targets file) keys exactly as before', () => {
    setKeyHome(null);
    const { decisions } = decide({
      policies,
      fleet: { readAt: NOW, resources: [spoke] },
      trigger: { kind: 'tick', at: NOW },
      now: NOW,
      ledger: { entries: [] },
    });
    expect(decisions.map((d) => d.idempotencyKey)).toEqual([singleAccountKey(decisions[0] as Decision)]);
  });

  it('what the ledger holds for one target holds nothing back in the other', () => {
    setKeyHome({ account: HUB, region: 'eu-west-1' });
    const [, inSpoke] = byTarget(tick().decisions);
    const done = (d: Decision, status: 'succeeded' | 'in-progress', action = d.action) => ({
      idempotencyKey: action === d.action ? d.idempotencyKey : `${d.idempotencyKey}-other`,
      policy: d.policy,
      action,
      target: d.target,
      status,
      at: d.at,
    });
    // A resize running on the spoke's cluster holds back its pause, not the home one's.
    const busy = tick({
      entries: [done(inSpoke, 'in-progress', 'ResizeCluster')] as LedgerView['entries'],
    });
    expect(busy.decisions.map((d) => d.target.arn)).toEqual([home.arn]);
  });

  it('an event naming the cluster by name is the one in the event’s account and Region', () => {
    setKeyHome({ account: HUB, region: 'eu-west-1' });
    const resume: NormalizedEvent = {
      kind: 'api-call',
      source: 'cloudtrail',
      eventId: null,
      time: NOW,
      account: SPOKE,
      region: 'eu-central-1',
      resource: { type: 'cluster', id: 'analytics' },
      apiCall: {
        operation: 'ResumeCluster',
        principal: `arn:aws:sts::${SPOKE}:assumed-role/Admin/jane`,
        errorCode: null,
      },
    } as unknown as NormalizedEvent;
    const { decisions, skips } = decide({ policies, fleet, trigger: resume, now: NOW, ledger: { entries: [] } });
    expect([...decisions, ...skips].map((d) => d.target.arn ?? d.target.id)).toEqual([spoke.arn]);
  });
});

describe('both act, each in its own target', () => {
  it('the executor claims two keys and pauses each cluster in its own account and Region', async () => {
    setKeyHome({ account: HUB, region: 'eu-west-1' });
    const decisions = tick().decisions;
    const ports: Record<string, FakeRedshift> = {
      [`${HUB}/eu-west-1`]: new FakeRedshift(),
      [`${SPOKE}/eu-central-1`]: new FakeRedshift(),
    };
    ports[`${HUB}/eu-west-1`]?.add(home as never);
    ports[`${SPOKE}/eu-central-1`]?.add(spoke as never);
    const ledger = new MemoryLedger();
    const executor = new Executor({
      resources: { cluster: new TargetRoutedPort((l) => (l === null ? undefined : ports[`${l.account}/${l.region}`])) },
      ledger,
      notifier: new RecordingNotifier(),
      region: 'eu-west-1',
      clock: fixedClock('2026-12-07T18:05:30.000Z'),
      newToken: sequentialTokens(),
    });
    const run = executor.newRun();
    const results = [];
    for (const d of decisions) results.push(await executor.execute(d, run));
    // Accepted in each (the fake cluster is pausing until it settles).
    expect(results.map((r) => (r.kind === 'done' ? r.outcome : r.kind))).toEqual(['in-progress', 'in-progress']);
    for (const port of Object.values(ports)) {
      expect(port.calls.filter((c) => c.op === 'PauseCluster').map((c) => c.id)).toEqual(['analytics']);
    }
    expect(new Set(ledger.records.keys())).toEqual(new Set(decisions.map((d) => d.idempotencyKey)));
  });

  it('keys stay apart wherever they are computed (a tracker’s idempotencyKey, the ledger view’s keyFor)', () => {
    setKeyHome({ account: HUB, region: 'eu-west-1' });
    const a = idempotencyKey('office', { type: 'cluster', id: 'x', arn: home.arn ?? '' }, 'PauseCluster', 's');
    const b = idempotencyKey('office', { type: 'cluster', id: 'x', arn: spoke.arn ?? '' }, 'PauseCluster', 's');
    const c = idempotencyKey(
      'office',
      { type: 'cluster', id: 'x', account: SPOKE, region: 'eu-central-1' },
      'PauseCluster',
      's',
    );
    expect(a).not.toBe(b);
    expect(c).toBe(b);
  });
});
