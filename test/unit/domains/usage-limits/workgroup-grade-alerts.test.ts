import { describe, expect, it } from 'vitest';
import { gradeAlertTracker } from '../../../../shared/domains/usage-limits/usage-limits.grade-alerts.ts';
import { newLedgerRecord } from '../../../../shared/execute/ledger-record.ts';
import { MemoryLedger } from '../../../../shared/execute/memory-ledger.ts';
import type { Alert } from '../../../../shared/execute/ports.ts';
import type { EvaluationEnv, ProposedAction, TrackerDeps } from '../../../../shared/policy/capability.ts';
import { idempotencyKey, indexLedger } from '../../../../shared/policy/decide.ts';
import type { UsageLimitResource, WorkgroupResource } from '../../../../shared/policy/decision.ts';
import { loadPolicySources } from '../../../../shared/policy/policy-loader.ts';

/**
 * A workgroup grade with no step to take is reported by the sweep's grade-alert tracker, once per period
 * and workgroup, as for clusters: an alert-only grade, and a cap at or above the max capacity the
 * workgroup already has. Without the record the next grade would never be reached.
 */
const YAML = `version: 1
policies:
  - name: rpu
    resource: workgroup
    match: { tags: { env: dev } }
    usageLimits:
      limits: [{ feature: serverless-compute, amount: 200, period: monthly, breachAction: log }]
      escalate:
        - { at: 50%, do: [alert] }
        - { at: 90%, do: [alert, { capMaxCapacity: 64 }] }
        - { at: 110%, do: [alert, deactivate] }
`;
const loaded = loadPolicySources([{ file: 'p.yml', text: YAML }]);
const policy = loaded.policySet.policies[0];
if (policy === undefined) throw new Error(JSON.stringify(loaded.problems));
const TARGET = { type: 'workgroup' as const, id: 'dev-wg' };
const NOW = '2026-12-10T12:15:00Z';

const wg = (consumed: number, maxCapacity: number, limitId = 'ul-1'): WorkgroupResource => {
  const limit: UsageLimitResource = {
    id: limitId,
    clusterId: 'dev-wg',
    feature: 'serverless-compute',
    limitType: '',
    amount: 200,
    period: 'monthly',
    breachAction: 'log',
    tags: {},
    consumed: { amount: consumed, at: NOW },
  };
  return {
    type: 'workgroup',
    id: 'dev-wg',
    arn: 'arn:aws:redshift-serverless:eu-west-1:123456789012:workgroup/0b1c',
    region: 'eu-west-1',
    account: '123456789012',
    status: 'AVAILABLE',
    tags: { env: 'dev', 'autopilot:managed': 'true' },
    namespaceName: 'dev-ns',
    baseCapacity: 8,
    maxCapacity,
    limits: [limit],
    usageReadAt: NOW,
  };
};

/** The ledger holding autopilot's create of the limit, made in generation 1 (the first one was deleted by hand). */
async function world() {
  const ledger = new MemoryLedger();
  for (const [generation, id] of [
    [0, 'ul-gone'],
    [1, 'ul-1'],
  ] as const) {
    const slot = `limit:serverless-compute#1/${generation}`;
    const key = idempotencyKey('rpu', TARGET, 'redshift-serverless:CreateUsageLimit', slot);
    const record = newLedgerRecord(
      {
        idempotencyKey: key,
        policy: 'rpu',
        action: 'redshift-serverless:CreateUsageLimit',
        target: TARGET,
        mode: 'act',
        params: {},
        reason: 'create',
        decisionAt: '2026-12-01T00:00:00Z',
        claimToken: `t${generation}`,
        leaseUntil: '2026-12-01T00:00:00Z',
      },
      new Date('2026-12-01T00:00:00Z'),
    );
    const claim = await ledger.claim(record, new Date('2026-12-01T00:00:00Z'));
    if (claim.kind !== 'claimed') throw new Error('not claimed');
    await ledger.save({ ...claim.record, status: 'succeeded', createdId: id });
  }
  const alerts: Alert[] = [];
  const deps = {
    ledger,
    notifier: { alert: async (a: Alert) => void alerts.push(a), event: async () => undefined },
    clock: { now: () => new Date(NOW) },
    region: 'eu-west-1',
    policies: [policy],
    logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
    resources: {} as never,
  } as unknown as TrackerDeps;
  return { ledger, alerts, tracker: gradeAlertTracker(deps) };
}

/** decide()'s proposals for the workgroup over what the ledger holds. */
async function decided(ledger: MemoryLedger, resource: WorkgroupResource): Promise<ProposedAction[]> {
  const env = {
    now: Date.parse(NOW),
    ledger: indexLedger({ entries: [...ledger.records.values()].map((r) => ({ ...r, at: r.decisionAt })) }),
    policy,
    memo: new Map(),
    policies: [policy],
  } as unknown as EvaluationEnv;
  return (policy?.capability.reconcile?.(resource, { kind: 'none' } as never, env) ?? []).filter(
    (p): p is ProposedAction => p.kind === 'act',
  );
}

describe('workgroup grades with no step to take', () => {
  it('an alert-only grade alerts once per period, then decide() moves on to the next grade', async () => {
    const w = await world();
    expect((await w.tracker.sweep([wg(120, 512)])).counts.alerted).toBe(1);
    expect((await w.tracker.sweep([wg(125, 512)])).counts.alerted).toBe(0);
    expect(w.alerts).toHaveLength(1);
    const [alert] = w.alerts;
    expect(alert?.subject).toBe('[autopilot] usage grade 50%: serverless-compute monthly 60% on dev-wg (rpu)');
    expect(alert?.body).toContain(
      'usage grade 50%: workgroup dev-wg used 120 RPU-hours of serverless-compute, 60% of 200 RPU-hours',
    );
    expect(alert?.body).toContain('the next grade is 90% (alert, capMaxCapacity 64 RPU) at 180 RPU-hours');
    expect(alert?.attributes).toMatchObject({ severity: 'INFO', resource: 'workgroup/dev-wg' });
    // decide() before the alert: grade 50 % is the next (nothing to propose); after it, grade 90 % caps.
    expect(await decided(w.ledger, wg(185, 512))).toEqual([
      expect.objectContaining({ action: 'UpdateWorkgroup', params: expect.objectContaining({ maxCapacity: 64 }) }),
    ]);
  });

  it('a cap the workgroup is already at or under is reported as an alert, with why nothing changed', async () => {
    const w = await world();
    await w.tracker.sweep([wg(120, 48)]); // grade 50 %
    expect(await decided(w.ledger, wg(185, 48))).toEqual([]);
    expect((await w.tracker.sweep([wg(185, 48)])).counts.alerted).toBe(1);
    expect(w.alerts.map((a) => a.subject)).toEqual([
      '[autopilot] usage grade 50%: serverless-compute monthly 60% on dev-wg (rpu)',
      '[autopilot] usage grade 90%: serverless-compute monthly 92.5% on dev-wg (rpu)',
    ]);
    expect(w.alerts[1]?.body).toContain('capMaxCapacity: max capacity is 48 RPU already, at or under 64');
    // Grade 110 % comes next: decide() switches the limit to deactivate.
    expect((await decided(w.ledger, wg(225, 48))).map((p) => [p.action, p.params.breachAction])).toEqual([
      ['UpdateUsageLimit', 'deactivate'],
    ]);
  });

  it('no alert while usage is unread, or for a limit autopilot did not make', async () => {
    const w = await world();
    const unread = { ...wg(190, 48) };
    delete unread.usageReadAt;
    expect((await w.tracker.sweep([unread])).counts.alerted).toBe(0);
    expect((await w.tracker.sweep([wg(190, 48, 'ul-person')])).counts.alerted).toBe(0);
    // The person's limit is reported as such (once a day), never graded.
    expect(w.alerts.map((a) => a.subject)).toEqual([
      '[autopilot] 1 usage limit made outside autopilot (left as it is)',
    ]);
  });
});
