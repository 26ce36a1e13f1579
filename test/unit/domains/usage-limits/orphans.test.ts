import { CreateUsageLimitCommand, DescribeUsageLimitsCommand } from '@aws-sdk/client-redshift';
import { describe, expect, it } from 'vitest';
import { RedshiftAdapter } from '../../../../shared/aws/redshift.adapter.ts';
import { limitTags } from '../../../../shared/domains/usage-limits/usage-limit-tags.ts';
import { deleteUsageLimit } from '../../../../shared/domains/usage-limits/usage-limits.actions.ts';
import { gradeAlertTracker } from '../../../../shared/domains/usage-limits/usage-limits.grade-alerts.ts';
import { newLedgerRecord } from '../../../../shared/execute/ledger-record.ts';
import { MemoryLedger } from '../../../../shared/execute/memory-ledger.ts';
import type { Alert } from '../../../../shared/execute/ports.ts';
import type {
  CompiledPolicy,
  EvaluationEnv,
  Proposal,
  ProposedAction,
  TrackerDeps,
} from '../../../../shared/policy/capability.ts';
import { idempotencyKey, indexLedger } from '../../../../shared/policy/decide.ts';
import type {
  ClusterResource,
  FleetResource,
  UsageLimitResource,
  WorkgroupResource,
} from '../../../../shared/policy/decision.ts';
import { loadPolicySources } from '../../../../shared/policy/policy-loader.ts';
import { simulated } from '../../simulator/harness.ts';

/**
 * Limits autopilot made for a policy that is no longer deployed are reported when first seen and
 * deleted a day later by the usage-limits policy that selects the resource — unless the policy comes
 * back; limits people made are reported once a day and never touched.
 */
const policiesOf = (yaml: string): CompiledPolicy[] => {
  const { policySet, problems } = loadPolicySources([{ file: 'p.yml', text: `version: 1\npolicies:\n${yaml}` }]);
  expect(problems.filter((p) => p.severity !== 'warning')).toEqual([]);
  return [...policySet.policies];
};
const CLUSTER_POLICY = `  - name: spectrum-budget
    resource: cluster
    match: { tags: { team: analytics } }
    usageLimits:
      limits: [{ feature: spectrum, amount: 5, period: daily }]
`;
const WORKGROUP_POLICY = (name: string) => `  - name: ${name}
    resource: workgroup
    match: { tags: { env: dev } }
    usageLimits:
      limits: [{ feature: serverless-compute, amount: 200, period: monthly }]
`;
const T0 = Date.parse('2026-12-10T12:00:00Z');
const HOUR = 3_600_000;

const limit = (id: string, over: Partial<UsageLimitResource> = {}): UsageLimitResource => ({
  id,
  clusterId: 'c-1',
  feature: 'spectrum',
  limitType: 'data-scanned',
  amount: 5,
  period: 'daily',
  breachAction: 'log',
  tags: {},
  ...over,
});
const tagsOf = (policy: string, key: string) => Object.fromEntries(limitTags(policy, key).map((t) => [t.Key, t.Value]));

const cluster = (limits: UsageLimitResource[]): ClusterResource =>
  ({
    type: 'cluster',
    id: 'c-1',
    arn: null,
    region: 'eu-west-1',
    account: '123456789012',
    status: 'available',
    availabilityStatus: 'Available',
    tags: { team: 'analytics', 'autopilot:managed': 'true' },
    multiAz: false,
    limits,
  }) as unknown as ClusterResource;

const workgroup = (limits: UsageLimitResource[]): WorkgroupResource => ({
  type: 'workgroup',
  id: 'dev-wg',
  arn: 'arn:aws:redshift-serverless:eu-west-1:123456789012:workgroup/0b1c',
  region: 'eu-west-1',
  account: '123456789012',
  status: 'AVAILABLE',
  tags: { env: 'dev', 'autopilot:managed': 'true' },
  namespaceName: 'dev-ns',
  baseCapacity: 8,
  maxCapacity: 512,
  limits,
});

function world(policies: CompiledPolicy[]) {
  const ledger = new MemoryLedger();
  const alerts: Alert[] = [];
  let now = T0;
  const deps = (ps: CompiledPolicy[]) =>
    ({
      ledger,
      notifier: { alert: async (a: Alert) => void alerts.push(a), event: async () => undefined },
      clock: { now: () => new Date(now) },
      region: 'eu-west-1',
      policies: ps,
      logger: {
        info: () => undefined,
        warn: () => undefined,
        error: (m: string) => alerts.push({ subject: m } as Alert),
      },
      resources: {} as never,
    }) as unknown as TrackerDeps;
  const sweep = (fleet: FleetResource[], ps = policies) => gradeAlertTracker(deps(ps)).sweep(fleet);
  const decide = (resource: FleetResource, ps = policies): Proposal[] => {
    const env = {
      now,
      ledger: indexLedger({ entries: [...ledger.records.values()].map((r) => ({ ...r, at: r.decisionAt })) }),
      memo: new Map(),
      policies: ps,
    } as unknown as EvaluationEnv;
    return ps
      .filter((policy) => policy.resource === resource.type)
      .flatMap(
        (policy) =>
          policy.capability.reconcile?.(resource, { kind: 'none' } as never, { ...env, policy } as EvaluationEnv) ?? [],
      );
  };
  return {
    ledger,
    alerts,
    sweep,
    decide,
    at: (ms: number) => {
      now = ms;
    },
  };
}
const acts = (ps: Proposal[]) => ps.filter((p): p is ProposedAction => p.kind === 'act');

describe('provisioned limits of a policy no longer deployed', () => {
  const orphan = limit('ul-old', { tags: tagsOf('old-budget', 'spectrum#1') });
  const own = limit('ul-own', { tags: tagsOf('spectrum-budget', 'spectrum#1') });

  it('are reported when first seen (one WARNING), deleted a day later with the owner named, never twice reported', async () => {
    const w = world(policiesOf(CLUSTER_POLICY));
    expect((await w.sweep([cluster([own, orphan])])).counts).toMatchObject({ orphans: 1 });
    expect((await w.sweep([cluster([own, orphan])])).counts).toMatchObject({ orphans: 0 });
    expect(w.alerts.map((a) => a.subject)).toEqual(['[autopilot] 1 usage limit of a policy no longer deployed']);
    expect(w.alerts[0]?.attributes).toMatchObject({ severity: 'WARNING', resource: 'cluster/c-1' });
    expect(w.alerts[0]?.body).toContain(
      'cluster c-1: ul-old (spectrum 5 TB scanned daily, log), made for policy old-budget; removed by policy spectrum-budget from 2026-12-11T12:00Z',
    );
    // Within the grace nothing is deleted.
    w.at(T0 + 23 * HOUR);
    expect(acts(w.decide(cluster([own, orphan])))).toEqual([]);
    w.at(T0 + 24 * HOUR);
    const [del, ...rest] = acts(w.decide(cluster([own, orphan])));
    expect(rest).toEqual([]);
    expect(del?.action).toBe('DeleteUsageLimit');
    expect(del?.params).toEqual({
      ClusterIdentifier: 'c-1',
      UsageLimitId: 'ul-old',
      OwnerPolicy: 'spectrum-budget',
      OrphanOf: 'old-budget',
    });
    expect(del?.reason).toMatch(
      /^delete usage limit ul-old \(spectrum 5 TB scanned daily, log\): autopilot made it for policy old-budget, which no deployed policy is named since 2026-12-10T12:00Z/,
    );
    const policy = policiesOf(CLUSTER_POLICY)[0];
    if (del !== undefined)
      expect(policy?.capability.permitsParam?.(del.action, 'OwnerPolicy', 'spectrum-budget', del)).toBeNull();
  });

  it('are kept when the policy is deployed again before the grace ends', async () => {
    const w = world(policiesOf(CLUSTER_POLICY));
    await w.sweep([cluster([orphan])]);
    w.at(T0 + 30 * HOUR);
    const back = policiesOf(`${CLUSTER_POLICY}${CLUSTER_POLICY.replace('spectrum-budget', 'old-budget')}`);
    expect(acts(w.decide(cluster([orphan]), back)).filter((p) => p.params.UsageLimitId === 'ul-old')).toEqual([]);
  });

  it('nothing is judged an orphan while no usage-limits policy is deployed (a lost policy file takes nothing)', async () => {
    const w = world([]);
    expect((await w.sweep([cluster([orphan])])).counts).toMatchObject({ orphans: 0 });
    expect(w.alerts).toEqual([]);
  });

  it('the handler deletes the orphan on behalf of its owner, and refuses a limit of another owner', async () => {
    const s = simulated({ start: T0 });
    s.sim.addCluster({ ClusterIdentifier: 'c-1', NodeType: 'ra3.xlplus', NumberOfNodes: 2 });
    const make = async (policy: string) =>
      (
        await s.redshift.send(
          new CreateUsageLimitCommand({
            ClusterIdentifier: 'c-1',
            FeatureType: 'spectrum',
            LimitType: 'data-scanned',
            Amount: 5,
            Tags: limitTags(policy, 'spectrum#1'),
          }),
        )
      ).UsageLimitId ?? '';
    const old = await make('old-budget');
    const live = await make('live-budget');
    const services = { redshift: new RedshiftAdapter(s.redshift) };
    const params = { ClusterIdentifier: 'c-1', OwnerPolicy: 'spectrum-budget', OrphanOf: 'old-budget' };
    await expect(deleteUsageLimit.perform({ ...params, UsageLimitId: live }, services)).rejects.toThrow(
      /belongs to policy live-budget/,
    );
    await deleteUsageLimit.perform({ ...params, UsageLimitId: old }, services);
    const left = (await s.redshift.send(new DescribeUsageLimitsCommand({}))).UsageLimits ?? [];
    expect(left.map((l) => l.UsageLimitId)).toEqual([live]);
  });
});

describe('Serverless limits of a policy no longer deployed (owned through the ledger)', () => {
  it('the owner row written while the policy was deployed names it once it is gone; deleted a day later', async () => {
    const [rpu] = policiesOf(WORKGROUP_POLICY('rpu'));
    const [other] = policiesOf(WORKGROUP_POLICY('rpu-2'));
    if (rpu === undefined || other === undefined) throw new Error('policies');
    const w = world([rpu]);
    const target = { type: 'workgroup' as const, id: 'dev-wg' };
    const key = idempotencyKey('rpu', target, 'redshift-serverless:CreateUsageLimit', 'limit:serverless-compute#1/0');
    const record = newLedgerRecord(
      {
        idempotencyKey: key,
        policy: 'rpu',
        action: 'redshift-serverless:CreateUsageLimit',
        target,
        mode: 'act',
        params: {},
        reason: 'create',
        decisionAt: new Date(T0).toISOString(),
        claimToken: 't',
        leaseUntil: new Date(T0).toISOString(),
      },
      new Date(T0),
    );
    const claim = await w.ledger.claim(record, new Date(T0));
    if (claim.kind === 'claimed') await w.ledger.save({ ...claim.record, status: 'succeeded', createdId: 'ul-1' });
    const wg = workgroup([
      limit('ul-1', { clusterId: 'dev-wg', feature: 'serverless-compute', amount: 200, period: 'monthly' }),
    ]);
    await w.sweep([wg]); // owner row: ul-1 is rpu's
    expect(w.alerts).toEqual([]);
    // rpu is removed, rpu-2 selects the workgroup.
    w.at(T0 + HOUR);
    expect((await w.sweep([wg], [other])).counts).toMatchObject({ orphans: 1, people: 0 });
    expect(w.alerts[0]?.body).toContain(
      'workgroup dev-wg: ul-1 (serverless-compute 200 RPU-hours monthly, log), made for policy rpu',
    );
    w.at(T0 + 26 * HOUR);
    const dels = acts(w.decide(wg, [other])).filter((p) => p.action === 'redshift-serverless:DeleteUsageLimit');
    expect(dels.map((p) => [p.params, p.slot])).toEqual([
      [{ workgroupName: 'dev-wg', usageLimitId: 'ul-1' }, 'orphan:ul-1'],
    ]);
  });
});

describe('limits people made', () => {
  it('are reported once a day per limit in one INFO alert, and never changed', async () => {
    const w = world(policiesOf(`${CLUSTER_POLICY}${WORKGROUP_POLICY('rpu')}`));
    const fleet = [
      cluster([limit('ul-p1'), limit('ul-p2', { feature: 'concurrency-scaling', limitType: 'time', amount: 60 })]),
      workgroup([
        limit('ul-p3', { clusterId: 'dev-wg', feature: 'serverless-compute', amount: 10, period: 'monthly' }),
      ]),
    ];
    expect((await w.sweep(fleet)).counts).toMatchObject({ people: 3, orphans: 0 });
    expect((await w.sweep(fleet)).counts).toMatchObject({ people: 0 });
    expect(w.alerts.map((a) => a.subject)).toEqual([
      '[autopilot] 3 usage limits made outside autopilot (left as they are)',
    ]);
    expect(w.alerts[0]?.attributes.severity).toBe('INFO');
    expect(w.alerts[0]?.body).toContain('cluster c-1: ul-p1 (spectrum 5 TB scanned daily, log)');
    expect(w.alerts[0]?.body).toContain('workgroup dev-wg: ul-p3 (serverless-compute 10 RPU-hours monthly, log)');
    w.at(T0 + 25 * HOUR);
    expect((await w.sweep(fleet)).counts).toMatchObject({ people: 3 });
    for (const r of fleet)
      expect(acts(w.decide(r))).toEqual(
        expect.not.arrayContaining([
          expect.objectContaining({ params: expect.objectContaining({ UsageLimitId: 'ul-p1' }) }),
        ]),
      );
    expect(acts(w.decide(fleet[0] as FleetResource)).map((p) => p.action)).toEqual(['CreateUsageLimit']);
  });
});
