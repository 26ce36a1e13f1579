import { describe, expect, it } from 'vitest';
import { Executor } from '../../../shared/execute/executor.ts';
import { MemoryLedger } from '../../../shared/execute/memory-ledger.ts';
import { attachObservations, OBSERVED_MAX_AGE_MS } from '../../../shared/execute/observed.ts';
import type { ClusterResource, Decision, IntegrationResource } from '../../../shared/policy/decision.ts';
import {
  clusterResource,
  FakeRedshift,
  fixedClock,
  pauseDecision,
  RecordingNotifier,
  sequentialTokens,
  withStatus,
} from './fakes.ts';

const READ_AT = '2026-12-07T18:00:00.000Z';

function observedPause(resource: ClusterResource, readAt = READ_AT, extra: Partial<Decision> = {}): Decision {
  return { ...pauseDecision({}, resource.id), observed: { readAt, resource }, ...extra };
}

function setup(clock = fixedClock('2026-12-07T18:00:20.000Z')) {
  const fake = new FakeRedshift();
  const notifier = new RecordingNotifier();
  const executor = new Executor({
    resources: { cluster: fake },
    ledger: new MemoryLedger(),
    notifier,
    region: 'us-east-1',
    clock,
    newToken: sequentialTokens(),
  });
  return { fake, notifier, executor, clock };
}

const describes = (fake: FakeRedshift) => fake.calls.filter((c) => c.op === 'DescribeClusters').length;

describe('the sweep attaches its read to the decisions it may stand for', () => {
  const a = clusterResource({ ClusterIdentifier: 'a' });
  const b = clusterResource({ ClusterIdentifier: 'b' });

  it('one decision for a resource carries it; two decisions for one resource carry nothing', () => {
    const decisions = [pauseDecision({}, 'a'), pauseDecision({}, 'b'), pauseDecision({ policy: 'other' }, 'b')];
    const out = attachObservations(decisions, [a, b], READ_AT, false);
    expect(out[0]?.observed).toEqual({ readAt: READ_AT, resource: a });
    expect(out[1]?.observed).toBeUndefined();
    expect(out[2]?.observed).toBeUndefined();
  });

  it('says whether an active zero-ETL integration writes into the cluster, only when integrations were read', () => {
    const target = { ...a, namespaceArn: 'arn:aws:redshift:us-east-1:123456789012:namespace:ns-a' };
    const integration = {
      type: 'integration',
      id: 'i1',
      status: 'active',
      targetArn: target.namespaceArn,
    } as IntegrationResource;
    expect(
      attachObservations([pauseDecision({}, 'a')], [target, integration], READ_AT, true)[0]?.observed,
    ).toMatchObject({
      zeroEtlTarget: true,
    });
    const unknown = attachObservations([pauseDecision({}, 'a')], [target, integration], READ_AT, false)[0]?.observed;
    expect(unknown).not.toHaveProperty('zeroEtlTarget');
  });
});

describe('the executor acts on a fresh sweep read without another Describe (issue 19)', () => {
  it('a fresh read: no Describe, the pause goes through', async () => {
    const { fake, executor } = setup();
    fake.add(clusterResource({ ClusterIdentifier: 'f1' }));
    const result = await executor.execute(
      observedPause(clusterResource({ ClusterIdentifier: 'f1' })),
      executor.newRun(),
    );
    expect(result).toMatchObject({ kind: 'done', outcome: 'in-progress' });
    expect(describes(fake)).toBe(0);
    expect(fake.calls.map((c) => c.op)).toEqual(['PauseCluster']);
  });

  it('a read older than the bound: read again (and judged on what AWS says now)', async () => {
    const { fake, executor } = setup(fixedClock(new Date(Date.parse(READ_AT) + OBSERVED_MAX_AGE_MS + 1).toISOString()));
    fake.add(withStatus(clusterResource({ ClusterIdentifier: 'f2' }), 'paused'));
    const result = await executor.execute(
      observedPause(clusterResource({ ClusterIdentifier: 'f2' })),
      executor.newRun(),
    );
    expect(describes(fake)).toBe(1);
    expect(result).toMatchObject({ kind: 'done', outcome: 'skipped' });
    expect(fake.calls.filter((c) => c.op === 'PauseCluster')).toHaveLength(0);
  });

  it('an observation of another resource than the target: read again', async () => {
    const { fake, executor } = setup();
    fake.add(clusterResource({ ClusterIdentifier: 'f3' }));
    const decision = { ...observedPause(clusterResource({ ClusterIdentifier: 'someone-else' })) };
    decision.target = { type: 'cluster', id: 'f3' };
    decision.params = { ClusterIdentifier: 'f3' };
    await executor.execute(decision, executor.newRun());
    expect(describes(fake)).toBe(1);
  });

  it('a resource this container acted on after the read: read again', async () => {
    const { fake, executor, clock } = setup();
    fake.add(clusterResource({ ClusterIdentifier: 'f4' }));
    await executor.execute(observedPause(clusterResource({ ClusterIdentifier: 'f4' })), executor.newRun());
    clock.advanceMs(5_000);
    const again = observedPause(clusterResource({ ClusterIdentifier: 'f4' }), READ_AT, {
      idempotencyKey: 'another-key',
      at: '2026-12-07T18:00:10.000Z',
    });
    const result = await executor.execute(again, executor.newRun());
    expect(describes(fake)).toBe(1);
    expect(result).toMatchObject({ kind: 'done', outcome: 'skipped' });
  });

  it("the sweep's zero-ETL fact stands in for the executor's DescribeInboundIntegrations", async () => {
    const { fake, executor } = setup();
    const resource = clusterResource({ ClusterIdentifier: 'f5' });
    fake.add(resource);
    let asked = 0;
    fake.isZeroEtlTarget = async () => {
      asked += 1;
      return false;
    };
    const decision: Decision = {
      ...pauseDecision({}, 'f5'),
      observed: { readAt: READ_AT, resource, zeroEtlTarget: true },
    };
    const result = await executor.execute(decision, executor.newRun());
    expect(asked).toBe(0);
    expect(result).toMatchObject({ kind: 'done', outcome: 'skipped' });
    expect(fake.calls.filter((c) => c.op === 'PauseCluster')).toHaveLength(0);
  });
});
