import { describe, expect, it } from 'vitest';
import { normalize } from '../../../shared/events/normalize.ts';
import type { NormalizedEvent } from '../../../shared/events/normalized-event.ts';
import { actionRegistry } from '../../../shared/execute/action-registry.ts';
import { type AuthorizeOptions, authorizeDecision } from '../../../shared/policy/authorize.ts';
import { decide, type Trigger } from '../../../shared/policy/decide.ts';
import type { ClusterResource, Decision, LedgerEntryView } from '../../../shared/policy/decision.ts';
import { loadPolicySources } from '../../../shared/policy/policy-loader.ts';
import { registry } from '../../../shared/policy/registry.ts';
import { loadEventFixture } from '../../helpers/fixtures.ts';
import { financeCluster } from './resize-fixtures.ts';

// grow: the disk alarm (both shapes, from the recorded fixtures) grows the size by step up to max, at most
// once per cooldown, until the next scheduled boundary.
const POLICY = (snapshotBefore: boolean) => `version: 1
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
      allowClassic: false
      snapshotBefore: ${snapshotBefore}
      grow: { onAlarm: "{cluster}-disk-high", step: 2, max: 12, cooldown: 6h }
`;
const load = (snapshotBefore = false) => {
  const { policySet, problems } = loadPolicySources([{ file: 'p.yml', text: POLICY(snapshotBefore) }]);
  expect(problems).toEqual([]);
  return policySet;
};
const SET = load();

const cluster = (numberOfNodes = 4): ClusterResource => financeCluster({ numberOfNodes });

interface BridgeAlarm {
  time: string;
  resources: string[];
  detail: {
    alarmName: string;
    state: { value: string };
    configuration: { metrics: { metricStat: { metric: Record<string, unknown> } }[] };
  };
}
interface SnsAlarm {
  Records: { Sns: { Message: string; Timestamp: string } }[];
}

/** EventBridge `CloudWatch Alarm State Change`, the recorded single-metric event renamed to this alarm. */
function eventBridgeAlarm(name: string, at: string, state = 'ALARM'): NormalizedEvent {
  const raw = loadEventFixture<BridgeAlarm>('eventbridge-aws.cloudwatch-alarm-state-change-single-metric.json');
  const metric = raw.detail.configuration.metrics[0]?.metricStat.metric;
  if (metric === undefined) throw new Error('no metric in the fixture');
  metric.dimensions = { ClusterIdentifier: 'fin-1' };
  metric.namespace = 'AWS/Redshift';
  metric.name = 'PercentageDiskSpaceUsed';
  raw.detail.alarmName = name;
  raw.detail.state.value = state;
  raw.resources = [`arn:aws:cloudwatch:us-east-1:123456789012:alarm:${name}`];
  raw.time = at.replace(/\.\d{3}Z$/, 'Z');
  const [event] = normalize(raw);
  if (event === undefined) throw new Error('not normalized');
  return event;
}

/** CloudWatch's own SNS JSON, the recorded PercentageDiskSpaceUsed alarm renamed to this alarm. */
function legacyAlarm(name: string, at: string): NormalizedEvent {
  const raw = loadEventFixture<SnsAlarm>('sns-lambda-event-cloudwatch-alarm-AWS-Redshift-PercentageDiskSpaceUsed.json');
  const sns = raw.Records[0]?.Sns;
  if (sns === undefined) throw new Error('no record in the fixture');
  const body = JSON.parse(sns.Message);
  body.AlarmName = name;
  body.Trigger.Dimensions = [{ name: 'ClusterIdentifier', value: 'fin-1' }];
  body.StateChangeTime = at.replace('Z', '+0000');
  sns.Message = JSON.stringify(body);
  sns.Timestamp = at;
  const [event] = normalize(raw);
  if (event === undefined) throw new Error('not normalized');
  return event;
}

const run = (now: string, resource: ClusterResource, entries: LedgerEntryView[], trigger?: Trigger, set = SET) =>
  decide({
    policies: set,
    fleet: { readAt: now, resources: [resource] },
    trigger: trigger ?? { kind: 'tick', at: now },
    now,
    ledger: { entries },
  });
const entry = (d: Decision, status: LedgerEntryView['status'] = 'succeeded'): LedgerEntryView => ({
  idempotencyKey: d.idempotencyKey,
  policy: d.policy,
  action: d.action,
  target: d.target,
  status,
  at: d.at,
});
const only = (out: ReturnType<typeof run>): Decision => {
  expect(out.decisions, out.skips.map((s) => s.reason).join(' | ')).toHaveLength(1);
  return out.decisions[0] as Decision;
};
const skipOf = (out: ReturnType<typeof run>) => out.skips.map((s) => s.reason).join(' | ');

// Tuesday 2026-03-10, 11:00 Berlin: default size 4; the last boundary was Monday's window end.
const T0 = '2026-03-10T10:00:00.000Z';
const ALARM = 'fin-1-disk-high';

describe('resize grow: the disk alarm grows the size', () => {
  it('grows by step on ALARM, the same for EventBridge and for the legacy SNS shape', () => {
    const viaBridge = only(run(T0, cluster(), [], eventBridgeAlarm(ALARM, T0)));
    const viaSns = only(run(T0, cluster(), [], legacyAlarm(ALARM, T0)));
    expect([viaBridge.action, viaBridge.params]).toEqual([
      'ResizeCluster',
      { ClusterIdentifier: 'fin-1', NumberOfNodes: 6 },
    ]);
    expect(viaSns.params).toEqual(viaBridge.params);
    expect(viaSns.idempotencyKey).toBe(viaBridge.idempotencyKey);
    expect(viaBridge.reason).toBe(
      'scale up 4 → 6 nodes, +278 node-hours to 2026-03-16T05:00Z (elastic by the limits counted from 4 nodes (no ElasticResizeNumberOfNodeOptions read)): 6 nodes (grown 1× 2 on alarm fin-1-disk-high, the last at 2026-03-10T10:00Z; at most 12; until the next boundary) over 4 nodes (default size, Europe/Berlin); next boundary 2026-03-16T05:00Z',
    );
  });

  it('ignores OK, another alarm and another cluster’s alarm', () => {
    expect(run(T0, cluster(), [], eventBridgeAlarm(ALARM, T0, 'OK')).decisions).toEqual([]);
    expect(run(T0, cluster(), [], eventBridgeAlarm('fin-1-cpu-high', T0)).decisions).toEqual([]);
    expect(run(T0, cluster(), [], eventBridgeAlarm('fin-2-disk-high', T0)).decisions).toEqual([]);
  });

  it('the sweep keeps the growth (the ledger remembers it) instead of scaling back', () => {
    const grown = only(run(T0, cluster(), [], eventBridgeAlarm(ALARM, T0)));
    const later = '2026-03-10T12:00:00.000Z';
    expect(run(later, cluster(6), [entry(grown)]).decisions).toEqual([]);
    // Without the growth in the ledger the same sweep would scale back to the default.
    expect(only(run(later, cluster(6), [])).params).toEqual({ ClusterIdentifier: 'fin-1', NumberOfNodes: 4 });
  });

  it('grows at most once per cooldown, and stops at max', () => {
    const entries: LedgerEntryView[] = [];
    let nodes = 4;
    let at = Date.parse(T0);
    for (const expected of [6, 8, 10, 12]) {
      const now = new Date(at).toISOString();
      const d = only(run(now, cluster(nodes), entries, legacyAlarm(ALARM, now)));
      expect(d.params.NumberOfNodes).toBe(expected);
      entries.push(entry(d));
      nodes = expected;
      const early = new Date(at + 2 * 3_600_000).toISOString();
      if (expected === 12) break;
      const cooling = run(early, cluster(nodes), entries, legacyAlarm(ALARM, early));
      expect(cooling.decisions).toEqual([]);
      expect(skipOf(cooling)).toContain(
        `alarm fin-1-disk-high in ALARM at ${early.slice(0, 16)}Z: not grown, cooldown until ${new Date(at + 6 * 3_600_000).toISOString().slice(0, 16)}Z`,
      );
      at += 6 * 3_600_000;
    }
    const now = new Date(at + 6 * 3_600_000).toISOString();
    const atMax = run(now, cluster(12), entries, eventBridgeAlarm(ALARM, now));
    expect(atMax.decisions).toEqual([]);
    expect(skipOf(atMax)).toMatch(
      /^alarm fin-1-disk-high in ALARM at .*: not grown, already at grow.max 12; 12 nodes \(grown 4× 2/,
    );
  });

  it('the growth ends at the next boundary: the Monday window’s size then holds', () => {
    const grown = only(run(T0, cluster(), [], eventBridgeAlarm(ALARM, T0)));
    // Monday 2026-03-16 06:00 Berlin = 05:00Z: the Monday window (6 nodes) opens.
    const before = run('2026-03-16T04:59:00.000Z', cluster(6), [entry(grown)]);
    expect(before.decisions).toEqual([]);
    const d = only(run('2026-03-16T05:00:00.000Z', cluster(8), [entry(grown)]));
    expect(d.params).toEqual({ ClusterIdentifier: 'fin-1', NumberOfNodes: 6 });
  });

  it('waits while the cluster cannot take it, saying why', () => {
    const paused = { ...cluster(), status: 'paused' };
    const out = run(T0, paused, [], eventBridgeAlarm(ALARM, T0));
    expect(out.decisions).toEqual([]);
    expect(skipOf(out)).toContain(
      'alarm fin-1-disk-high in ALARM at 2026-03-10T10:00Z: not grown now: cluster is paused: a paused cluster cannot be resized (guide L3640)',
    );
  });
});

describe('resize grow with snapshotBefore: the snapshot first, the growth remembered by it', () => {
  const set = load(true);

  it('takes the snapshot on the alarm; the sweep waits for it, then grows', () => {
    const snap = only(run(T0, cluster(), [], eventBridgeAlarm(ALARM, T0), set));
    expect(snap.action).toBe('CreateClusterSnapshot');
    expect(snap.params.SnapshotIdentifier).toBe('autopilot-fin-1-finance-month-end-202603101000');
    const waiting = run('2026-03-10T10:05:00.000Z', cluster(), [entry(snap, 'in-progress')], undefined, set);
    expect(waiting.decisions).toEqual([]);
    expect(skipOf(waiting)).toMatch(
      /^snapshot before resize autopilot-fin-1-finance-month-end-202603101000 in-progress/,
    );
    const go = only(run('2026-03-10T10:20:00.000Z', cluster(), [entry(snap)], undefined, set));
    expect([go.action, go.params]).toEqual(['ResizeCluster', { ClusterIdentifier: 'fin-1', NumberOfNodes: 6 }]);
  });
});

describe('resize grow: the executor admits the grown sizes, no other', () => {
  const options: AuthorizeOptions = {
    now: Date.parse(T0),
    maxAgeMs: 45 * 60_000,
    action: (name) => actionRegistry.action(name),
    capability: (key) => registry.byKey(key),
  };
  const grown = only(run(T0, cluster(), [], eventBridgeAlarm(ALARM, T0)));
  const why = (n: number) => {
    const out = authorizeDecision({ ...grown, params: { ...grown.params, NumberOfNodes: n } }, SET, options);
    return out.ok ? null : `${out.cause}: ${out.detail}`;
  };

  it('admits 4–12 in steps the policy reaches, refuses beyond max', () => {
    for (const n of [4, 6, 8, 10, 12]) expect(why(n), String(n)).toBeNull();
    expect(why(14)).toMatch(/^param-not-in-policy: ResizeCluster: NumberOfNodes 14 is not what the policy sets/);
  });
});
