import { describe, expect, it } from 'vitest';
import { actionRegistry } from '../../../shared/execute/action-registry.ts';
import { type AuthorizeOptions, authorizeDecision } from '../../../shared/policy/authorize.ts';
import { decide } from '../../../shared/policy/decide.ts';
import type { ClusterResource } from '../../../shared/policy/decision.ts';
import { loadPolicySources } from '../../../shared/policy/policy-loader.ts';
import { registry } from '../../../shared/policy/registry.ts';
import { financeCluster } from './resize-fixtures.ts';

// A scale-back the limits refuse: one alert per period naming what is needed, not only a skip every sweep.
const load = (allowClassic: boolean) => {
  const text = `version: 1
policies:
  - name: finance-month-end
    resource: cluster
    match: { tags: { team: finance } }
    resize:
      timezone: Europe/Berlin
      default: { nodes: 4 }
      windows:
        - { from: "cron(0 16 L * ? *)", to: "cron(0 6 1 * ? *)", nodes: 8 }
      allowClassic: ${allowClassic}
`;
  const { policySet, problems } = loadPolicySources([{ file: 'p.yml', text }]);
  expect(problems).toEqual([]);
  return policySet;
};

// 10 dc2.large nodes after a classic resize to 10 (the new baseline, guide L3453): dc2 shrinks elastically to
// one half, so AWS's options reach down to 5, not to the policy's 4.
const BIG: ClusterResource = financeCluster({
  nodeType: 'dc2.large',
  numberOfNodes: 10,
  elasticResizeOptions: [5, 6, 7, 8, 9, 11, 12, 16, 20],
});

const run = (now: string, allowClassic = false) =>
  decide({
    policies: load(allowClassic),
    fleet: { readAt: now, resources: [BIG] },
    trigger: { kind: 'tick', at: now },
    now,
    ledger: { entries: [] },
  });

// 2026-03-01 06:00 Berlin = 05:00Z: the month-end window closed, the policy wants 4 again.
const BACK = '2026-03-01T05:00:00.000Z';

describe('resize: a scale-back the limits refuse', () => {
  it('alerts once per period, with what happened, why, and what is needed; the skip stays for the log', () => {
    const out = run(BACK);
    expect(out.skips.map((s) => s.reason)).toEqual([
      'cannot resize to 4: 4 nodes is not an elastic target of fin-1 (dc2.large, 10 nodes; by ElasticResizeNumberOfNodeOptions: 5–20); allowClassic is false; nearest allowed elastic size 5; wants 4 nodes (default size, Europe/Berlin); next boundary 2026-03-31T14:00Z',
    ]);
    expect(out.decisions).toHaveLength(1);
    const alert = out.decisions[0];
    expect(alert?.action).toBe('Publish');
    expect(alert?.params.Subject).toBe('[autopilot] fin-1 cannot scale back to 4 nodes (finance-month-end)');
    expect(String(alert?.params.Message).split('\n')).toEqual([
      'fin-1 (dc2.large) has 10 nodes; policy finance-month-end wants 4 nodes (default size, Europe/Berlin); next boundary 2026-03-31T14:00Z.',
      'It cannot resize: 4 nodes is not an elastic target of fin-1 (dc2.large, 10 nodes; by ElasticResizeNumberOfNodeOptions: 5–20); allowClassic is false; nearest allowed elastic size 5.',
      'Until it does, it runs 6 nodes more than the policy wants. This alert is sent once for this period; the sweep keeps trying and resizes as soon as the limits allow.',
      'Needed, one of:',
      '1. allowClassic: true in policy finance-month-end (a classic resize: on RA3 it keeps reads and writes but needs a manual snapshot no older than 10 h, snapshotBefore: true takes it; on other node types it is read-only for hours to days)',
      "2. a size the elastic limits reach: 5 nodes as default.nodes or the window's nodes (it saves 5 of the 6 nodes)",
      '3. a classic resize of fin-1 by hand to 4 nodes (it also starts a new elastic baseline, guide L3453)',
    ]);
    expect(alert?.params.MessageAttributes).toMatchObject({ severity: { StringValue: 'WARNING' } });
  });

  it('is one decision per period: the same key every sweep of the period, a new one in the next', () => {
    const key = (now: string) => run(now).decisions[0]?.idempotencyKey;
    expect(key('2026-03-01T05:05:00.000Z')).toBe(key(BACK));
    expect(key('2026-03-20T12:00:00.000Z')).toBe(key(BACK));
    expect(key('2026-04-01T04:00:00.000Z')).not.toBe(key(BACK));
  });

  it('no alert when classic is allowed (it resizes), nor for a scale-up the limits refuse', () => {
    expect(run(BACK, true).decisions.map((d) => [d.action, d.params.Classic])).toEqual([['ResizeCluster', true]]);
    const small = { ...BIG, numberOfNodes: 2, elasticResizeOptions: [1, 3, 4] };
    const up = decide({
      policies: load(false),
      fleet: { readAt: '2026-03-31T14:00:00.000Z', resources: [small] },
      trigger: { kind: 'tick', at: '2026-03-31T14:00:00.000Z' },
      now: '2026-03-31T14:00:00.000Z',
      ledger: { entries: [] },
    });
    expect(up.decisions).toEqual([]);
  });

  it('the executor admits the alert as this policy’s', () => {
    const alert = run(BACK).decisions[0];
    if (alert === undefined) throw new Error('no alert');
    const options: AuthorizeOptions = {
      now: Date.parse(BACK),
      maxAgeMs: 45 * 60_000,
      action: (name) => actionRegistry.action(name),
      capability: (key) => registry.byKey(key),
    };
    expect(authorizeDecision(alert, load(false), options).ok).toBe(true);
  });
});
