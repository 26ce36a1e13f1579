import { describe, expect, it } from 'vitest';
import type { EvaluationEnv, ProposedAction } from '../../../../shared/policy/capability.ts';
import { idempotencyKey, indexLedger } from '../../../../shared/policy/decide.ts';
import type { LedgerEntryView, UsageLimitResource, WorkgroupResource } from '../../../../shared/policy/decision.ts';
import { loadPolicySources } from '../../../../shared/policy/policy-loader.ts';

/**
 * Issue 14's Serverless example as written: its limit kept in place by the ledger (Serverless limits
 * carry no tags), a person's limit reported and never touched, the grades' cap and deactivate, and both
 * undone at the monthly boundary — through the compiled policy's reconcile and the executor's permitsParam.
 */
const YAML = `version: 1
policies:
  - name: serverless-rpu-budget
    resource: workgroup
    match: { tags: { env: dev } }
    usageLimits:
      limits: [{ feature: serverless-compute, amount: 200, period: monthly, breachAction: log }]
      escalate:
        - { at: 90%, do: [alert, { capMaxCapacity: 64 }] }
        - { at: 110%, do: [alert, deactivate] }
`;
const loaded = loadPolicySources([{ file: 'p.yml', text: YAML }]);
const policy = loaded.policySet.policies[0];
if (policy === undefined) throw new Error(JSON.stringify(loaded.problems));
const POLICY = 'serverless-rpu-budget';
const TARGET = { type: 'workgroup' as const, id: 'dev-wg' };
const CREATE = 'redshift-serverless:CreateUsageLimit';

const wg = (limits: UsageLimitResource[] | undefined, extra: Partial<WorkgroupResource> = {}): WorkgroupResource => ({
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
  ...(limits === undefined ? {} : { limits }),
  ...extra,
});

const limit = (id: string, over: Partial<UsageLimitResource> = {}): UsageLimitResource => ({
  id,
  clusterId: 'dev-wg',
  feature: 'serverless-compute',
  limitType: '',
  amount: 200,
  period: 'monthly',
  breachAction: 'log',
  tags: {},
  ...over,
});

const entry = (action: string, slot: string, over: Partial<LedgerEntryView> = {}): LedgerEntryView => ({
  idempotencyKey: idempotencyKey(POLICY, TARGET, action, slot),
  policy: POLICY,
  action,
  target: TARGET,
  status: 'succeeded',
  at: '2026-12-01T00:00:00Z',
  ...over,
});
const created = (id: string, generation = 0) =>
  entry(CREATE, `limit:serverless-compute#1/${generation}`, { createdId: id });

function decide(resource: WorkgroupResource, entries: LedgerEntryView[], now = '2026-12-10T12:00:00Z') {
  const env = {
    now: Date.parse(now),
    ledger: indexLedger({ entries }),
    policy,
    memo: new Map(),
    policies: [policy],
  } as unknown as EvaluationEnv;
  return policy?.capability.reconcile?.(resource, { kind: 'none' } as never, env) ?? [];
}
const acts = (ps: ReturnType<typeof decide>) => ps.filter((p): p is ProposedAction => p.kind === 'act');
const permits = (p: ProposedAction) =>
  Object.entries(p.params)
    .filter(
      ([k]) => k !== 'workgroupName' && k !== 'usageLimitId' && k !== 'replacesMaxCapacity' && k !== 'existingLimitIds',
    )
    .map(([k, v]) => policy.capability.permitsParam?.(p.action, k, v, { target: p.target, params: p.params }) ?? null);
const used = (amount: number) => ({ consumed: { amount, at: '2026-12-10T11:55:00Z' } });

describe('Serverless usage limits: desired state by the ledger', () => {
  it('creates the declared limit (service-qualified action) when the ledger names none, with values the executor admits', () => {
    const [create, ...rest] = acts(decide(wg([]), []));
    expect(rest).toEqual([]);
    expect(create?.action).toBe(CREATE);
    expect(create?.params).toEqual({
      workgroupName: 'dev-wg',
      usageType: 'serverless-compute',
      amount: 200,
      period: 'monthly',
      breachAction: 'log',
      LimitKey: 'serverless-compute#1',
      existingLimitIds: '',
    });
    expect(create?.slot).toBe('limit:serverless-compute#1/0');
    if (create !== undefined) expect(permits(create)).toEqual([null, null, null, null, null]);
  });

  it('creates it again under the next generation when the one autopilot made was deleted by hand', () => {
    const [create] = acts(decide(wg([]), [created('ul-1')]));
    expect(create?.slot).toBe('limit:serverless-compute#1/1');
    expect(create?.reason).toContain('create again (the one autopilot made is gone)');
  });

  it('puts back one edited by hand, and reports a person’s limit without touching it', () => {
    const ps = decide(
      wg([limit('ul-1', { amount: 900, breachAction: 'deactivate' }), limit('ul-person', { amount: 500 })]),
      [created('ul-1')],
    );
    expect(acts(ps).map((p) => [p.action, p.params])).toEqual([
      [
        'UpdateUsageLimit',
        {
          workgroupName: 'dev-wg',
          usageLimitId: 'ul-1',
          LimitKey: 'serverless-compute#1',
          amount: 200,
          breachAction: 'log',
        },
      ],
    ]);
    expect(ps.filter((p) => p.kind === 'skip').map((p) => p.reason)).toEqual([
      expect.stringMatching(/^usage limit made outside autopilot: ul-person .* never modified or deleted$/),
      // Usage is read every 15 minutes: this read has none, so no grade is decided.
      'usage not read: this sweep read no usage (every 15 minutes, or the read failed); no grade of serverless-compute is decided',
    ]);
  });

  it('deletes a limit autopilot made whose period changed, and does not create the new one the same sweep', () => {
    const ps = acts(decide(wg([limit('ul-1', { period: 'weekly' })]), [created('ul-1')]));
    expect(ps.map((p) => [p.action, p.params.usageLimitId])).toEqual([
      ['redshift-serverless:DeleteUsageLimit', 'ul-1'],
    ]);
  });

  it('skips as not read when the fleet read has no limits for the workgroup', () => {
    expect(decide(wg(undefined), []).map((p) => p.reason)).toEqual([
      'usage limits not read: this fleet read has no usage limits; no limit is changed',
    ]);
  });
});

describe('Serverless escalation: capMaxCapacity and deactivate, undone at the boundary', () => {
  const read = { usageReadAt: '2026-12-10T12:00:00Z' };

  it('grade 90 % lowers max capacity to 64 RPU, recording the 512 it replaced', () => {
    const [cap, ...rest] = acts(decide(wg([limit('ul-1', used(184))], read), [created('ul-1')]));
    expect(rest).toEqual([]);
    expect(cap?.action).toBe('UpdateWorkgroup');
    expect(cap?.params).toEqual({ workgroupName: 'dev-wg', maxCapacity: 64, replacesMaxCapacity: '512' });
    expect(cap?.reason).toMatch(
      /^usage grade 90%: workgroup dev-wg used 184 RPU-hours of serverless-compute, 92% of 200 RPU-hours/,
    );
    if (cap !== undefined) expect(permits(cap)).toEqual([null]);
  });

  it('grade 110 % switches the limit to deactivate once grade 90 % fired; the put-back waits for the period', () => {
    const capSlot = 'usage:serverless-compute@2026-12-01T00:00:00.000Z#90%/capMaxCapacity';
    const ledger = [
      created('ul-1'),
      entry('UpdateWorkgroup', capSlot, { params: { maxCapacity: 64, replacesMaxCapacity: '512' } }),
    ];
    const [deactivate, ...rest] = acts(decide(wg([limit('ul-1', used(230))], { ...read, maxCapacity: 64 }), ledger));
    expect(rest).toEqual([]);
    expect(deactivate?.params).toEqual({
      workgroupName: 'dev-wg',
      usageLimitId: 'ul-1',
      LimitKey: 'serverless-compute#1',
      amount: 200,
      breachAction: 'deactivate',
    });
    if (deactivate !== undefined) expect(permits(deactivate)).toEqual([null, null, null]);
    // Done: the deactivate stays for the rest of the month (no put-back to log), and no grade fires again.
    const done = [
      ...ledger,
      entry('UpdateUsageLimit', 'usage:serverless-compute@2026-12-01T00:00:00.000Z#110%/deactivate', {
        params: { usageLimitId: 'ul-1' },
      }),
    ];
    expect(
      acts(
        decide(wg([limit('ul-1', { ...used(260), breachAction: 'deactivate' })], { ...read, maxCapacity: 64 }), done),
      ),
    ).toEqual([]);
  });

  it('at the monthly boundary restores max capacity 512 and puts the limit back to log, each saying why', () => {
    const capSlot = 'usage:serverless-compute@2026-12-01T00:00:00.000Z#90%/capMaxCapacity';
    const ledger = [
      created('ul-1'),
      entry('UpdateWorkgroup', capSlot, { params: { maxCapacity: 64, replacesMaxCapacity: '512' } }),
      entry('UpdateUsageLimit', 'usage:serverless-compute@2026-12-01T00:00:00.000Z#110%/deactivate', {
        params: { usageLimitId: 'ul-1' },
      }),
    ];
    const ps = acts(
      decide(wg([limit('ul-1', { breachAction: 'deactivate' })], { maxCapacity: 64 }), ledger, '2027-01-01T00:05:00Z'),
    );
    expect(ps.map((p) => [p.action, p.params])).toEqual([
      [
        'UpdateUsageLimit',
        {
          workgroupName: 'dev-wg',
          usageLimitId: 'ul-1',
          LimitKey: 'serverless-compute#1',
          amount: 200,
          breachAction: 'log',
        },
      ],
      ['UpdateWorkgroup', { workgroupName: 'dev-wg', maxCapacity: 512 }],
    ]);
    expect(ps[0]?.reason).toContain('period 2027-01-01T00:00Z began: grade 110% had switched serverless-compute#1');
    expect(ps[1]?.reason).toContain("grade 90% had capped dev-wg's max capacity at 64 RPU");
    for (const p of ps) expect(permits(p).every((x) => x === null)).toBe(true);
  });

  it('the executor refuses a max capacity the policy would not set (below its cap, or not a valid RPU count)', () => {
    const check = (v: unknown) =>
      policy.capability.permitsParam?.('UpdateWorkgroup', 'maxCapacity', v, { target: TARGET, params: {} });
    expect(check(64)).toBeNull();
    expect(check(-1)).toBeNull();
    expect(check(32)).toMatch(/caps at 64 RPU/);
    expect(check(100)).toMatch(/caps at 64 RPU/);
    expect(
      policy.capability.permitsParam?.('UpdateWorkgroup', 'baseCapacity', 8, { target: TARGET, params: {} }),
    ).toMatch(/baseCapacity is not a value policy serverless-rpu-budget sets/);
  });
});
