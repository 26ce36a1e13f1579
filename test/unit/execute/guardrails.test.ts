import { readFileSync } from 'node:fs';
import type { Cluster } from '@aws-sdk/client-redshift';
import { describe, expect, it } from 'vitest';
import { Executor, type ExecutorDeps } from '../../../shared/execute/executor.ts';
import {
  firstRefusal,
  GUARDRAIL_NAMES,
  GUARDRAILS,
  type Guardrail,
  type GuardrailName,
} from '../../../shared/execute/guardrails.ts';
import { MemoryLedger } from '../../../shared/execute/memory-ledger.ts';
import { KNOWN_CLUSTER_STATUSES } from '../../../shared/execute/operations.ts';
import type { Decision } from '../../../shared/policy/decision.ts';
import { parseFleet } from '../../../shared/policy/fleet.ts';
import {
  actionOf,
  clusterResource,
  FakeRedshift,
  fixedClock,
  pauseDecision,
  RecordingNotifier,
  resumeDecision,
  sequentialTokens,
} from './fakes.ts';

/**
 * One case per guardrail: a situation the full registry refuses *because of that guardrail*, and
 * that goes through (the AWS call is made) when that one guardrail is removed. If someone deletes
 * or weakens a guardrail, its case fails.
 */
interface GuardrailCase {
  decision: Decision;
  cluster: Partial<Cluster> & Record<string, unknown>;
  setup?: (fake: FakeRedshift, ledger: MemoryLedger) => Promise<void> | void;
  /** The executor's check against the deployed policy (shared/policy/authorize.ts), when the case needs one. */
  authorize?: ExecutorDeps['authorize'];
}

const CASES: Record<GuardrailName, GuardrailCase> = {
  targetMatches: {
    // The message names one cluster but its params would pause another.
    decision: pauseDecision({ params: { ClusterIdentifier: 'prod-cluster' } }),
    cluster: {},
    setup: (fake) => {
      fake.add(clusterResource({ ClusterIdentifier: 'prod-cluster' }));
    },
  },
  optInTag: { decision: pauseDecision(), cluster: { Tags: [{ Key: 'team', Value: 'bi' }] } },
  policySelects: {
    // Opted in, but the policy the decision names selects env: dev and this cluster is env: prod.
    decision: pauseDecision(),
    cluster: {
      Tags: [
        { Key: 'autopilot:managed', Value: 'true' },
        { Key: 'env', Value: 'prod' },
      ],
    },
    authorize: (decision) => ({
      ok: true,
      decision,
      selects: (r) => (r.tags.env === 'dev' ? null : `policy office-hours does not select ${r.type} ${r.id}`),
    }),
  },
  stateAllowsOperation: { decision: pauseDecision(), cluster: { ClusterStatus: 'modifying' } },
  notMultiAz: { decision: pauseDecision(), cluster: { MultiAZ: 'Enabled' } },
  automatedSnapshotsOn: { decision: pauseDecision(), cluster: { AutomatedSnapshotRetentionPeriod: 0 } },
  notZeroEtlTarget: {
    decision: pauseDecision(),
    cluster: {},
    setup: (fake) => {
      fake.zeroEtlTargets.add('redshift-cluster-1');
    },
  },
  notSuperseded: {
    // A resume due later has already acted on this cluster; this older pause arrives late.
    decision: pauseDecision(),
    cluster: {},
    setup: async (_fake, ledger) => {
      await ledger.markLatest(
        { type: 'cluster', id: 'redshift-cluster-1' },
        'running',
        '2026-12-08T06:00:00.000Z',
        'office-hours/ResumeCluster/cluster:redshift-cluster-1/2026-12-08T06:00Z',
      );
    },
  },
  maxResources: {
    decision: pauseDecision({
      guard: { ...pauseDecision().guard, maxResources: 1 },
    }),
    cluster: {},
    // Another cluster of the same policy already took the run's only slot.
    setup: async (_fake, ledger) => {
      await ledger.takeBudgetSlot('office-hours', '2026-12-07T18:00:00.000Z', new Date(), 'another-cluster');
    },
  },
};

async function runCase(c: GuardrailCase, registry: readonly Guardrail[]) {
  const fake = new FakeRedshift().add(clusterResource(c.cluster));
  const ledger = new MemoryLedger();
  await c.setup?.(fake, ledger);
  const notifier = new RecordingNotifier();
  const executor = new Executor({
    resources: { cluster: fake },
    ledger,
    notifier,
    region: 'us-east-1',
    clock: fixedClock(),
    guardrails: registry,
    newToken: sequentialTokens(),
    ...(c.authorize === undefined ? {} : { authorize: c.authorize }),
  });
  const result = await executor.execute(c.decision, executor.newRun());
  return { fake, result, notifier };
}

describe('guardrail registry', () => {
  it('registers every named guardrail exactly once, in the documented order', () => {
    expect(GUARDRAILS.map((g) => g.name)).toEqual([...GUARDRAIL_NAMES]);
  });

  it('has a refusing test case for every registered guardrail', () => {
    expect(Object.keys(CASES).sort()).toEqual([...GUARDRAIL_NAMES].sort());
  });

  it('states each rule in words (used in refusal alerts and the README)', () => {
    for (const g of GUARDRAILS) expect(g.rule.length).toBeGreaterThan(20);
  });
});

describe.each(GUARDRAIL_NAMES)('guardrail %s', (name) => {
  const c = CASES[name];

  it('refuses: the executor skips, names the guardrail and makes no state-changing call', async () => {
    const { fake, result, notifier } = await runCase(c, GUARDRAILS);

    expect(result.kind).toBe('done');
    if (result.kind !== 'done') return;
    expect(result.outcome).toBe('skipped');
    expect(result.record.outcomeReason).toContain(`guardrail ${name}:`);
    expect(fake.stateChangingCalls()).toBe(0);
    expect(notifier.alerts).toHaveLength(1);
    expect(notifier.alerts[0]?.attributes.outcome).toBe('skipped');
  });

  it('is what stopped it: without this guardrail the AWS call is made', async () => {
    const { fake } = await runCase(
      c,
      GUARDRAILS.filter((g) => g.name !== name),
    );

    expect(fake.stateChangingCalls()).toBe(1);
  });
});

describe('stateAllowsOperation over the whole status table (catalog/cluster-statuses.json)', () => {
  const guard = GUARDRAILS.filter((g) => g.name === 'stateAllowsOperation');
  const facts = { isZeroEtlTarget: async () => false, supersededBy: async () => null, budgetSlot: async () => 1 };

  it.each(KNOWN_CLUSTER_STATUSES)('PauseCluster in status "%s"', async (status) => {
    const resource = { ...clusterResource(), status };
    const refusal = await firstRefusal(
      { decision: pauseDecision(), operation: actionOf('PauseCluster'), resource, facts },
      guard,
    );
    expect(refusal === null).toBe(status === 'available');
  });

  it.each(KNOWN_CLUSTER_STATUSES)('ResumeCluster in status "%s"', async (status) => {
    // Availability not reported (null): the status alone decides.
    const resource = { ...clusterResource(), status, availabilityStatus: null };
    const refusal = await firstRefusal(
      { decision: resumeDecision(), operation: actionOf('ResumeCluster'), resource, facts },
      guard,
    );
    expect(refusal === null).toBe(status === 'paused');
  });

  it('refuses an available cluster whose availability is Maintenance', async () => {
    const resource = { ...clusterResource(), availabilityStatus: 'Maintenance' };
    const refusal = await firstRefusal(
      { decision: pauseDecision(), operation: actionOf('PauseCluster'), resource, facts },
      guard,
    );
    expect(refusal?.reason).toContain('Maintenance');
  });

  it('resumes a cluster as AWS reports it when paused (recorded paused / Paused), and refuses to pause one', async () => {
    // Prepare: the recorded DescribeClusters of test_redshift_resume, mapped like every fleet read.
    const recorded = JSON.parse(
      readFileSync(
        new URL('../../fixtures/api/test_redshift_resume/redshift.DescribeClusters_1.json', import.meta.url),
        'utf8',
      ),
    ) as { data: { Clusters: Cluster[] } };
    const [paused] = parseFleet([{ name: 'resume.json', json: recorded }], '2026-11-25T00:00:00Z').resources;
    if (paused?.type !== 'cluster') throw new Error('fixture has no cluster');
    expect([paused.status, paused.availabilityStatus]).toEqual(['paused', 'Paused']);
    // Act
    const resume = await firstRefusal(
      { decision: resumeDecision(), operation: actionOf('ResumeCluster'), resource: paused, facts },
      guard,
    );
    const pause = await firstRefusal(
      { decision: pauseDecision(), operation: actionOf('PauseCluster'), resource: paused, facts },
      guard,
    );
    // Assess
    expect(resume).toBeNull();
    expect(pause?.reason).toBe('status paused: PauseCluster needs available');
  });

  it('knows the statuses the brief names as blocking', () => {
    for (const s of ['modifying', 'resizing', 'rebooting', 'renaming', 'pausing', 'resuming']) {
      expect(KNOWN_CLUSTER_STATUSES).toContain(s);
    }
    expect(KNOWN_CLUSTER_STATUSES).toContain('available, prep-for-resize');
    expect(KNOWN_CLUSTER_STATUSES).toContain('available, resize-cleanup');
  });
});

describe('zero-ETL targets', () => {
  it('pauses a zero-ETL target when the policy sets allowZeroEtlTarget', async () => {
    const c = CASES.notZeroEtlTarget;
    const decision = pauseDecision({ guard: { ...pauseDecision().guard, allowZeroEtlTarget: true } });
    const { fake } = await runCase({ ...c, decision }, GUARDRAILS);
    expect(fake.stateChangingCalls()).toBe(1);
  });
});
