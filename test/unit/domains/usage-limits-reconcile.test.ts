import {
  CreateUsageLimitCommand,
  DeleteUsageLimitCommand,
  DescribeUsageLimitsCommand,
  ModifyUsageLimitCommand,
  RedshiftClient,
  type UsageLimit,
} from '@aws-sdk/client-redshift';
import { RedshiftServerlessClient } from '@aws-sdk/client-redshift-serverless';
import type { InitializeMiddleware, MetadataBearer } from '@smithy/types';
import { describe, expect, it } from 'vitest';
import { AwsFleetReader } from '../../../shared/app/aws-fleet-reader.ts';
import { RedshiftAdapter } from '../../../shared/aws/redshift.adapter.ts';
import { RedshiftServerlessAdapter } from '../../../shared/aws/redshift-serverless.adapter.ts';
import type { NormalizedEvent } from '../../../shared/events/normalized-event.ts';
import { actionRegistry } from '../../../shared/execute/action-registry.ts';
import { decide } from '../../../shared/policy/decide.ts';
import type { ClusterResource, Decision, LedgerEntryView } from '../../../shared/policy/decision.ts';
import { loadPolicySources } from '../../../shared/policy/policy-loader.ts';
import { RedshiftSimulator, SIMULATOR_MIDDLEWARE_NAME } from '../../../shared/simulator/index.ts';

// Desired state, every sweep (issue 14): the simulator is AWS, the fleet is read as the sweep reads it,
// decide() proposes, and each decision is performed by its declared handler, as the executor does.

const START = Date.parse('2026-12-07T08:00:00Z');
const POLICY = `version: 1
policies:
  - name: analytics-spectrum-budget
    resource: cluster
    match: { tags: { team: analytics } }
    usageLimits:
      limits:
        - { feature: spectrum, amount: 5, period: daily, breachAction: emit-metric }
        - { feature: concurrency-scaling, amount: 120, period: weekly, breachAction: log }
`;
const OPTED_IN = [
  { Key: 'autopilot:managed', Value: 'true' },
  { Key: 'team', Value: 'analytics' },
];

/** A Serverless client answered by the simulator (never the network). */
function attached(sim: RedshiftSimulator): RedshiftServerlessClient {
  const client = new RedshiftServerlessClient({ region: sim.region });
  sim.attach(client);
  return client;
}

function world() {
  const sim = new RedshiftSimulator({ start: START, seed: 7 });
  const client = new RedshiftClient({ region: sim.region });
  const serverlessClient = new RedshiftServerlessClient({ region: sim.region });
  sim.attach(client);
  sim.attach(serverlessClient);
  sim.addCluster({ ClusterIdentifier: 'etl-1', NodeType: 'ra3.xlplus', NumberOfNodes: 2, Tags: OPTED_IN });
  const calls: { name: string; input: Record<string, unknown> }[] = [];
  const recorder: InitializeMiddleware<object, MetadataBearer> = (next, ctx) => async (args) => {
    calls.push({ name: ctx.commandName ?? '', input: args.input as Record<string, unknown> });
    return next(args);
  };
  client.middlewareStack.addRelativeTo(recorder, {
    relation: 'before',
    toMiddleware: SIMULATOR_MIDDLEWARE_NAME,
    name: 'recordCalls',
  });
  const redshift = new RedshiftAdapter(client);
  const reader = new AwsFleetReader(redshift, new RedshiftServerlessAdapter(serverlessClient), undefined, {
    limits: true,
  });
  const { policySet, problems } = loadPolicySources([{ file: 'p.yml', text: POLICY }]);
  expect(problems).toEqual([]);
  let now = START;
  /** One sweep: read, decide, perform every decision; returns what was decided and skipped. */
  /** The ledger as the sweep sees it: every decision performed, with its outcome. */
  const entries: LedgerEntryView[] = [];
  /**
   * One sweep: read, decide with the ledger, drop what the ledger already holds (as the sweep does),
   * perform the rest and record each outcome. `fail` makes the handlers fail (AWS refusing).
   */
  async function sweep(policies = policySet, options: { fail?: boolean; stepMs?: number } = {}) {
    now += options.stepMs ?? 600_000;
    const at = new Date(now).toISOString();
    const fleet = await reader.readAll();
    const out = decide({
      policies,
      fleet: { readAt: at, ...fleet },
      trigger: { kind: 'tick', at },
      now: at,
      ledger: { entries },
    });
    const held = new Set(entries.map((e) => e.idempotencyKey));
    const fresh = out.decisions.filter((d) => !held.has(d.idempotencyKey));
    for (const d of fresh) {
      const ok = options.fail === true ? false : await perform(d).then(() => true);
      entries.push({
        idempotencyKey: d.idempotencyKey,
        policy: d.policy,
        action: d.action,
        target: d.target,
        status: ok ? 'succeeded' : 'failed',
        at,
      });
    }
    return { ...out, decisions: fresh };
  }
  async function perform(d: Decision) {
    const spec = actionRegistry.action(d.action);
    if (spec === null) throw new Error(`undeclared ${d.action}`);
    return spec.perform(d.params, { redshift });
  }
  const limits = async () =>
    (await client.send(new DescribeUsageLimitsCommand({ ClusterIdentifier: 'etl-1' }))).UsageLimits ?? [];
  return { client, serverlessClient, calls, sweep, perform, limits, reader, policySet };
}

const summary = (l: UsageLimit) => `${l.FeatureType} ${l.Amount} ${l.Period} ${l.BreachAction}`;

describe('usage limits: the sweep reads them account-wide', () => {
  it('lists every limit with one DescribeUsageLimits per 100, never per cluster, and hands each cluster its own', async () => {
    const w = world();
    const sim = new RedshiftSimulator({ start: START, seed: 9 });
    const client = new RedshiftClient({ region: sim.region });
    sim.attach(client);
    for (let i = 0; i < 120; i++) {
      const id = `c-${String(i).padStart(3, '0')}`;
      sim.addCluster({ ClusterIdentifier: id, NodeType: 'ra3.xlplus', NumberOfNodes: 2 });
      await client.send(
        new CreateUsageLimitCommand({
          ClusterIdentifier: id,
          FeatureType: 'spectrum',
          LimitType: 'data-scanned',
          Amount: i + 1,
        }),
      );
    }
    const calls: string[] = [];
    const recorder: InitializeMiddleware<object, MetadataBearer> = (next, ctx) => async (args) => {
      if (ctx.commandName === 'DescribeUsageLimitsCommand') calls.push(JSON.stringify(args.input));
      return next(args);
    };
    client.middlewareStack.addRelativeTo(recorder, {
      relation: 'before',
      toMiddleware: SIMULATOR_MIDDLEWARE_NAME,
      name: 'rec',
    });
    const reader = new AwsFleetReader(
      new RedshiftAdapter(client),
      new RedshiftServerlessAdapter(attached(sim)),
      undefined,
      { limits: true },
    );
    const { resources, unread } = await reader.readAll();
    expect(unread).toEqual([]);
    const clusters = resources.filter((r): r is ClusterResource => r.type === 'cluster');
    expect(clusters).toHaveLength(120);
    expect(clusters.every((c) => c.limits?.length === 1 && c.limits[0]?.clusterId === c.id)).toBe(true);
    expect(clusters.find((c) => c.id === 'c-041')?.limits?.[0]?.amount).toBe(42);
    expect(calls.map((c) => JSON.parse(c).ClusterIdentifier)).toEqual([undefined, undefined]);
    expect(w.calls).toEqual([]);
  });
});

describe('usage limits: an event reads its cluster with its limits', () => {
  it('one DescribeUsageLimits by the cluster identifier, so the event decides as the sweep does', async () => {
    const w = world();
    await w.sweep();
    const before = w.calls.length;
    const event = { resource: { type: 'cluster', id: 'etl-1' } } as NormalizedEvent;
    const [cluster] = (await w.reader.readFor(event)) as ClusterResource[];
    expect(cluster?.limits?.map((l) => l.feature).sort()).toEqual(['concurrency-scaling', 'spectrum']);
    const reads = w.calls.slice(before).filter((c) => c.name === 'DescribeUsageLimitsCommand');
    expect(reads.map((c) => c.input.ClusterIdentifier)).toEqual(['etl-1']);
  });
});

describe('usage limits: a failed limits read', () => {
  it('is an unread part with its classified reason, and every cluster keeps no limits (decide skips)', async () => {
    const w = world();
    class Denied extends RedshiftAdapter {
      override readUsageLimits(): never {
        throw Object.assign(new Error('User is not authorized to perform: redshift:DescribeUsageLimits'), {
          name: 'AccessDenied',
        });
      }
    }
    const reader = new AwsFleetReader(
      new Denied(w.client),
      new RedshiftServerlessAdapter(w.serverlessClient),
      undefined,
      {
        limits: true,
      },
    );
    const { resources, unread } = await reader.readAll();
    expect(unread.map((u) => [u.reader, u.transient, u.reason])).toEqual([
      [
        'usage limits',
        false,
        expect.stringContaining('redshift:DescribeUsageLimits: AccessDenied: User is not authorized'),
      ],
    ]);
    const cluster = resources.find((r): r is ClusterResource => r.type === 'cluster');
    expect(cluster?.id).toBe('etl-1');
    expect(cluster?.limits).toBeUndefined();
  });
});

describe('usage limits: desired state every sweep', () => {
  it('creates the declared limits tagged as autopilot’s, then has nothing to do', async () => {
    const w = world();
    const first = await w.sweep();
    expect(first.decisions.map((d) => d.action)).toEqual(['CreateUsageLimit', 'CreateUsageLimit']);
    const made = await w.limits();
    expect(made.map(summary).sort()).toEqual(['concurrency-scaling 120 weekly log', 'spectrum 5 daily emit-metric']);
    for (const l of made) {
      expect(l.LimitType).toBe(l.FeatureType === 'spectrum' ? 'data-scanned' : 'time');
      expect(l.Tags).toEqual(
        expect.arrayContaining([
          { Key: 'managed-by', Value: 'redshift-autopilot' },
          { Key: 'autopilot:policy', Value: 'analytics-spectrum-budget' },
        ]),
      );
    }
    const second = await w.sweep();
    expect(second.decisions).toEqual([]);
    expect(second.skips).toEqual([]);
  });

  it('recreates a limit deleted by hand and puts back one edited by hand', async () => {
    const w = world();
    await w.sweep();
    const [scaling, spectrum] = (await w.limits()).sort((a, b) =>
      (a.FeatureType ?? '').localeCompare(b.FeatureType ?? ''),
    );
    await w.client.send(new DeleteUsageLimitCommand({ UsageLimitId: spectrum?.UsageLimitId }));
    await w.client.send(
      new ModifyUsageLimitCommand({ UsageLimitId: scaling?.UsageLimitId, Amount: 999, BreachAction: 'disable' }),
    );
    const repair = await w.sweep();
    expect(repair.decisions.map((d) => [d.action, d.reason])).toEqual([
      [
        'CreateUsageLimit',
        'declared spectrum#1 (spectrum 5 TB scanned daily, emit-metric) is missing on etl-1: create',
      ],
      [
        'ModifyUsageLimit',
        `usage limit ${scaling?.UsageLimitId} is concurrency-scaling 999 minutes weekly, disable; declared concurrency-scaling#1 is concurrency-scaling 120 minutes weekly, log: put back`,
      ],
    ]);
    expect((await w.limits()).map(summary).sort()).toEqual([
      'concurrency-scaling 120 weekly log',
      'spectrum 5 daily emit-metric',
    ]);
    expect((await w.sweep()).decisions).toEqual([]);
  });
});

describe('usage limits: one attempt per change and day', () => {
  it('a failed create is not tried again every sweep, but again the next UTC day', async () => {
    const w = world();
    const failed = await w.sweep(undefined, { fail: true });
    expect(failed.decisions.map((d) => d.action)).toEqual(['CreateUsageLimit', 'CreateUsageLimit']);
    expect((await w.sweep()).decisions).toEqual([]);
    expect((await w.sweep()).decisions).toEqual([]);
    const nextDay = await w.sweep(undefined, { stepMs: 24 * 3_600_000 });
    expect(nextDay.decisions.map((d) => d.action)).toEqual(['CreateUsageLimit', 'CreateUsageLimit']);
    expect(await w.limits()).toHaveLength(2);
  });

  it('a limit deleted by hand twice in a day is recreated both times (the next generation of its slot)', async () => {
    const w = world();
    await w.sweep();
    for (let round = 0; round < 2; round++) {
      const spectrum = (await w.limits()).find((l) => l.FeatureType === 'spectrum');
      await w.client.send(new DeleteUsageLimitCommand({ UsageLimitId: spectrum?.UsageLimitId }));
      const repair = await w.sweep();
      expect(
        repair.decisions.map((d) => d.action),
        `round ${round}`,
      ).toEqual(['CreateUsageLimit']);
    }
    expect((await w.limits()).map(summary).sort()).toEqual([
      'concurrency-scaling 120 weekly log',
      'spectrum 5 daily emit-metric',
    ]);
  });
});

describe('usage limits: what autopilot did not make, or no longer declares', () => {
  it('reports a limit made by a person and never touches it, even when it blocks a declared one', async () => {
    const w = world();
    const person = await w.client.send(
      new CreateUsageLimitCommand({
        ClusterIdentifier: 'etl-1',
        FeatureType: 'spectrum',
        LimitType: 'data-scanned',
        Amount: 9,
        BreachAction: 'disable',
      }),
    );
    const policy = POLICY.replace(
      'amount: 5, period: daily, breachAction: emit-metric',
      'amount: 5, period: daily, breachAction: disable',
    );
    const set = loadPolicySources([{ file: 'p.yml', text: policy }]).policySet;
    const out = await w.sweep(set);
    expect(out.decisions.map((d) => d.action)).toEqual(['CreateUsageLimit']);
    expect(out.skips.map((s) => s.reason)).toEqual([
      `usage limit blocked: declared spectrum#1 (spectrum 5 TB scanned daily, disable) cannot be created; usage limit ${person.UsageLimitId} already disables spectrum; AWS allows one disable per feature`,
      `usage limit made outside autopilot: ${person.UsageLimitId} (spectrum 9 TB scanned monthly, disable) has no managed-by tag; never modified or deleted`,
    ]);
    // The sweep counts skips by the text before the first ':': a fixed category, never a limit id.
    expect(out.skips.map((s) => s.reason.split(':')[0])).toEqual([
      'usage limit blocked',
      'usage limit made outside autopilot',
    ]);
    const again = await w.sweep(set);
    expect(again.decisions).toEqual([]);
    const untouched = (await w.limits()).find((l) => l.UsageLimitId === person.UsageLimitId);
    expect(untouched && summary(untouched)).toBe('spectrum 9 monthly disable');
    const changes = w.calls.filter((c) => /^(Modify|Delete)UsageLimit/.test(c.name));
    expect(changes.some((c) => c.input.UsageLimitId === person.UsageLimitId)).toBe(false);
  });

  it('deletes what the policy no longer declares, and a changed period by delete then create', async () => {
    const w = world();
    await w.sweep();
    const changed = POLICY.replace(
      '        - { feature: concurrency-scaling, amount: 120, period: weekly, breachAction: log }\n',
      '',
    ).replace('period: daily', 'period: weekly');
    const set = loadPolicySources([{ file: 'p.yml', text: changed }]).policySet;
    const first = await w.sweep(set);
    expect(first.decisions.map((d) => d.action)).toEqual(['DeleteUsageLimit', 'DeleteUsageLimit']);
    expect(first.decisions.map((d) => d.reason.replace(/lim-\w+/, 'lim')).sort()).toEqual([
      'delete usage limit lim (concurrency-scaling 120 minutes weekly, log): policy analytics-spectrum-budget no longer declares it',
      'delete usage limit lim (spectrum 5 TB scanned daily, emit-metric): declared spectrum#1 is spectrum 5 TB scanned weekly, emit-metric; AWS cannot modify a period: deleted now, created on the next sweep',
    ]);
    expect((await w.sweep(set)).decisions.map((d) => d.action)).toEqual(['CreateUsageLimit']);
    expect((await w.limits()).map(summary)).toEqual(['spectrum 5 weekly emit-metric']);
  });

  it('skips every cluster when the limits were not read, instead of creating what may exist', async () => {
    const w = world();
    const fleet = await new AwsFleetReader(
      new RedshiftAdapter(w.client),
      new RedshiftServerlessAdapter(w.serverlessClient),
    ).readAll();
    const cluster = fleet.resources.find((r): r is ClusterResource => r.type === 'cluster');
    expect(cluster?.limits).toBeUndefined();
    const now = new Date(START).toISOString();
    const out = decide({
      policies: w.policySet,
      fleet: { readAt: now, resources: fleet.resources },
      trigger: { kind: 'tick', at: now },
      now,
      ledger: { entries: [] },
    });
    expect(out.decisions).toEqual([]);
    expect(out.skips.map((s) => s.reason)).toEqual([
      'usage limits not read: this fleet read has no usage limits; no limit is changed',
    ]);
  });
});
