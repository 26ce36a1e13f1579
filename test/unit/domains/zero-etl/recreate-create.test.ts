import { describe, expect, it } from 'vitest';
import { IntegrationAdapter } from '../../../../shared/aws/integration.adapter.ts';
import { recreateIntegration } from '../../../../shared/domains/zero-etl/recreate.action.ts';
import {
  CREATE_ACTION,
  createParams,
  settingsOfParams,
} from '../../../../shared/domains/zero-etl/recreate-create.action.ts';
import { sendCreateSteps } from '../../../../shared/domains/zero-etl/recreate-step.ts';
import { Executor } from '../../../../shared/execute/executor.ts';
import { MemoryLedger } from '../../../../shared/execute/memory-ledger.ts';
import type { LedgerRecord, ResourcePort } from '../../../../shared/execute/ports.ts';
import { authorizeDecision } from '../../../../shared/policy/authorize.ts';
import type { TrackerDeps } from '../../../../shared/policy/capability.ts';
import type { Decision } from '../../../../shared/policy/decision.ts';
import { loadPolicySources } from '../../../../shared/policy/policy-loader.ts';
import { registry } from '../../../../shared/policy/registry.ts';
import { RecordingNotifier, sequentialTokens } from '../../execute/fakes.ts';
import { MINUTE, simulated } from '../../simulator/harness.ts';

/**
 * A recreate's second step goes tracker → decision queue → executor: the tracker (which runs in the
 * deciding functions, whose roles may not create) decides CreateIntegration from the ledger record and
 * sends it; the executor authorizes it against the deployed policy, checks it against the record and
 * creates. Real simulator behind real SDK clients, the real adapter, ledger, authorize and executor.
 */
const TABLE = 'arn:aws:dynamodb:us-east-1:123456789012:table/events';
const OPT_IN = [{ Key: 'autopilot:managed', Value: 'true' }];
const TAGS = [...OPT_IN, { Key: 'team', Value: 'data' }];
const POLICIES = `version: 1
defaults: { timezone: UTC, optInTag: "autopilot:managed=true" }
policies:
  - name: zetl
    resource: integration
    on: { events: [REDSHIFT-INTEGRATION-EVENT-0007] }
    do: [recreate, alert]
    allow: { recreateIntegration: true }
`;

async function setup() {
  const { sim, redshift } = simulated();
  sim.addCluster({ ClusterIdentifier: 'target' });
  const old = sim.addIntegration({
    IntegrationName: 'events',
    SourceArn: TABLE,
    targetClusterIdentifier: 'target',
    Tags: TAGS,
  });
  const oldArn = String(old.IntegrationArn);
  sim.injectIntegrationFault({ integration: 'events', eventId: 'REDSHIFT-INTEGRATION-EVENT-0007' });
  sim.clock.advanceBy(MINUTE);
  const ledger = new MemoryLedger();
  const port = new IntegrationAdapter(redshift, ledger, () => sim.clock.now());
  const calls = { create: 0, lose: false };
  const create = port.create.bind(port);
  port.create = async (s) => {
    calls.create++;
    const made = await create(s);
    if (calls.lose) throw Object.assign(new Error('socket hang up'), { name: 'TimeoutError' });
    return made;
  };
  const { policySet, problems } = loadPolicySources([{ file: 'p.yml', text: POLICIES }]);
  expect(problems.filter((p) => p.severity === 'error')).toEqual([]);
  const sent: Decision[] = [];
  const logs: string[] = [];
  const log = (msg: string) => void logs.push(msg);
  const deps = {
    ledger,
    notifier: new RecordingNotifier(),
    clock: sim.clock,
    region: sim.region,
    policies: policySet.policies,
    logger: { info: log, warn: log, error: log, debug: log },
    resources: { cluster: {} as ResourcePort, integration: port },
    queue: {
      send: async (d: readonly Decision[]) => {
        sent.push(...d);
        return { sent: d.length };
      },
    },
  } as unknown as TrackerDeps;
  const notifier = new RecordingNotifier();
  const executor = new Executor({
    resources: { cluster: {} as ResourcePort, integration: port },
    ledger,
    notifier,
    region: sim.region,
    clock: sim.clock,
    newToken: sequentialTokens(),
    sleep: async () => {},
    authorize: (decision, now) =>
      authorizeDecision(decision, policySet, {
        now,
        maxAgeMs: 45 * MINUTE,
        action: (name) => registry.action(name),
        capability: (key) => registry.byKey(key),
      }),
  });
  // The first step, as the executor leaves it: settings recorded, delete accepted, the record in progress.
  const deleteParams = {
    IntegrationName: 'events',
    IntegrationArn: oldArn,
    SourceArn: TABLE,
    TargetArn: old.TargetArn,
  };
  await recreateIntegration.perform(deleteParams, { integration: port });
  await inProgress(ledger, deleteParams, sim.clock.now());
  const execute = (d: Decision) => executor.execute(d, executor.newRun());
  return { sim, ledger, port, calls, deps, sent, logs, notifier, execute, oldArn, targetArn: String(old.TargetArn) };
}

async function inProgress(ledger: MemoryLedger, params: Record<string, unknown>, at: Date) {
  const iso = at.toISOString();
  await ledger.claim(
    {
      idempotencyKey: 'recreate-key',
      policy: 'zetl',
      action: 'DeleteIntegration',
      target: { type: 'integration', id: 'events', arn: String(params.IntegrationArn) },
      mode: 'act',
      params,
      reason: 'REDSHIFT-INTEGRATION-EVENT-0007 at 2026-01-05T09:00:00Z',
      decisionAt: iso,
      status: 'in-progress',
      retryable: false,
      attempts: 1,
      claimToken: 't0',
      leaseUntil: iso,
      outcomeReason: null,
      beforeState: 'failed',
      afterState: 'deleting',
      expectedState: 'active',
      createdId: null,
      error: null,
      budgetSlot: null,
      claimedAt: iso,
      updatedAt: iso,
      completedAt: null,
    } as LedgerRecord,
    at,
  );
}

const byName = (ctx: Awaited<ReturnType<typeof setup>>) => ctx.port.byName('events');

describe('recreate, second step in the tracker: decided, sent, never called', () => {
  it('the tracker never calls CreateIntegration: it sends one decision with the recorded settings, the same key every time', async () => {
    const ctx = await setup();
    expect(await sendCreateSteps(ctx.deps)).toBe(0); // the old one is still deleting: nothing is due
    expect(ctx.sent).toEqual([]);
    ctx.sim.clock.advanceBy(15 * MINUTE);
    expect(await sendCreateSteps(ctx.deps)).toBe(1);
    ctx.sim.clock.advanceBy(5 * MINUTE); // the next sweep, or a redelivered 0001
    expect(await sendCreateSteps(ctx.deps)).toBe(1);

    expect(ctx.calls.create).toBe(0);
    expect(await byName(ctx)).toBeNull();
    const [first, second] = ctx.sent;
    expect(first).toMatchObject({
      policy: 'zetl',
      action: 'CreateIntegration',
      target: { type: 'integration', id: 'events', arn: ctx.oldArn },
      mode: 'act',
      guard: { optInTag: { key: 'autopilot:managed', value: 'true' }, allowZeroEtlTarget: false, maxResources: null },
      params: {
        IntegrationName: 'events',
        SourceArn: TABLE,
        TargetArn: ctx.targetArn,
        TagList: JSON.stringify(TAGS),
        DeletedIntegrationArn: ctx.oldArn,
      },
    });
    expect(first?.decidedAt).toBe(first?.at);
    expect(second?.idempotencyKey).toBe(first?.idempotencyKey);
    expect(second?.params).toEqual(first?.params);
  });

  it('without a decision queue the tracker sends nothing and says so', async () => {
    const ctx = await setup();
    ctx.sim.clock.advanceBy(15 * MINUTE);
    const { queue: _queue, ...rest } = ctx.deps;
    expect(await sendCreateSteps(rest as TrackerDeps)).toBe(0);
    expect(ctx.logs).toContain('recreate: a create step is due but this function has no decision queue');
    expect(ctx.calls.create).toBe(0);
  });
});

describe('recreate, second step in the executor: authorized, checked against the record, made once', () => {
  it('the executor admits it, creates it once with exactly those settings, and a redelivery is a duplicate', async () => {
    const ctx = await setup();
    ctx.sim.clock.advanceBy(15 * MINUTE);
    await sendCreateSteps(ctx.deps);
    const [decision] = ctx.sent;
    if (decision === undefined) throw new Error('no decision sent');
    const result = await ctx.execute(decision);
    expect(result).toMatchObject({ kind: 'done', outcome: 'succeeded' });
    expect(ctx.calls.create).toBe(1);
    expect(await ctx.execute(decision)).toEqual({ kind: 'duplicate' });
    expect(ctx.calls.create).toBe(1);
    const made = await byName(ctx);
    expect(made?.resource.arn).not.toBe(ctx.oldArn);
    expect(made?.settings).toEqual({
      IntegrationName: 'events',
      SourceArn: TABLE,
      TargetArn: ctx.targetArn,
      TagList: TAGS,
    });
    const record = result.kind === 'done' ? result.record : null;
    expect(record).toMatchObject({
      action: 'CreateIntegration',
      createdId: made?.resource.arn,
      beforeState: 'deleted',
    });
    // Once it exists, the tracker decides nothing more.
    expect(await sendCreateSteps(ctx.deps)).toBe(0);
  });

  it('a lost answer on the create: the re-read finds the integration of that name, the record closes succeeded, no second create', async () => {
    const ctx = await setup();
    ctx.sim.clock.advanceBy(15 * MINUTE);
    await sendCreateSteps(ctx.deps);
    const [decision] = ctx.sent;
    if (decision === undefined) throw new Error('no decision sent');
    ctx.calls.lose = true;
    const result = await ctx.execute(decision);
    expect(ctx.calls.create).toBe(1);
    expect(result).toMatchObject({ kind: 'done', outcome: 'succeeded' });
    expect(result.kind === 'done' && result.record.outcomeReason).toContain('AWS answered TimeoutError');
    expect((await byName(ctx))?.resource.status).toBe('creating');
  });
});

describe('recreate, second step in the executor: what the record does not vouch for is not created', () => {
  it('params that differ from the record: authorized, then refused by recreateFromRecord; nothing created', async () => {
    const ctx = await setup();
    ctx.sim.clock.advanceBy(15 * MINUTE);
    await sendCreateSteps(ctx.deps);
    const [decision] = ctx.sent;
    if (decision === undefined) throw new Error('no decision sent');
    const forged = (changes: Partial<Decision>, key: string): Decision => ({
      ...decision,
      ...changes,
      idempotencyKey: key,
    });
    const otherTarget = forged(
      { params: { ...decision.params, TargetArn: 'arn:aws:redshift:us-east-1:123456789012:namespace:elsewhere' } },
      'k1',
    );
    const result = await ctx.execute(otherTarget);
    expect(result.kind === 'done' && result.record.outcomeReason).toBe(
      `guardrail recreateFromRecord: params.TargetArn is "arn:aws:redshift:us-east-1:123456789012:namespace:elsewhere", the settings recorded before the delete have ${JSON.stringify(ctx.targetArn)}`,
    );
    const fewerTags = forged({ params: { ...decision.params, TagList: JSON.stringify(OPT_IN) } }, 'k2');
    expect(await ctx.execute(fewerTags)).toMatchObject({ kind: 'done', outcome: 'skipped' });
    const undeclared = forged({ params: { ...decision.params, DataFilter: 'include: *.*' } }, 'k4');
    expect(await ctx.execute(undeclared)).toMatchObject({ kind: 'refused', cause: 'param-not-declared' });
    expect(ctx.calls.create).toBe(0);
  });

  it('an integration of that name made meanwhile (by hand): not created again', async () => {
    const ctx = await setup();
    ctx.sim.clock.advanceBy(15 * MINUTE);
    await sendCreateSteps(ctx.deps);
    const [decision] = ctx.sent;
    if (decision === undefined) throw new Error('no decision sent');
    const recorded = await ctx.port.recordedSettings(ctx.oldArn);
    if (recorded === null) throw new Error('no settings');
    await ctx.port.create(recorded);
    const result = await ctx.execute(decision);
    expect(result).toMatchObject({ kind: 'done', outcome: 'skipped' });
    expect(result.kind === 'done' && result.record.outcomeReason).toMatch(
      /^guardrail stateAllowsOperation: status creating: CreateIntegration needs deleted/,
    );
    expect(ctx.calls.create).toBe(1);
    expect(createParams(recorded, ctx.oldArn)).toEqual(decision.params);
    expect(CREATE_ACTION).toBe(decision.action);
  });
});

describe("the create step's parameters", () => {
  it('are the recorded settings, structured ones as canonical JSON text, and read back to exactly them', () => {
    const settings = {
      IntegrationName: 'events',
      SourceArn: TABLE,
      TargetArn: 'arn:aws:redshift:us-east-1:123456789012:namespace:5f2b8c1e',
      KMSKeyId: 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      AdditionalEncryptionContext: { tenant: 'b', env: 'a' },
      Description: 'clickstream',
      TagList: TAGS,
    };
    const params = createParams(settings, 'arn:old');
    expect(params.AdditionalEncryptionContext).toBe('{"env":"a","tenant":"b"}');
    expect(Object.values(params).every((v) => typeof v === 'string')).toBe(true);
    expect(settingsOfParams(params)).toEqual(settings);
  });
});
