import { describe, expect, it } from 'vitest';
import { normalize } from '../../../shared/events/normalize.ts';
import { decide, type Trigger } from '../../../shared/policy/decide.ts';
import type { Decision, FleetSnapshot, LedgerEntryView, LedgerView } from '../../../shared/policy/decision.ts';
import { parseFleet } from '../../../shared/policy/fleet.ts';
import { loadPolicySources, type PolicySet } from '../../../shared/policy/policy-loader.ts';
import {
  ACCOUNT,
  alarmChange,
  cloudTrailResume,
  EXECUTOR,
  secretsNotRotated,
  zeroEtlEvent,
} from '../simulation-windows/payloads.ts';

/**
 * The cluster `window` beyond the boundaries: idle pause, manual resumes with a grace, safety skips,
 * 4506 and zero-ETL events. Pure decide() calls; what the ledger holds is given explicitly.
 * Mon 2026-10-19, Europe/Berlin is UTC+2 (CEST): the window Mon-Fri 07:00-19:00 is 05:00Z-17:00Z.
 */
const NS = (id: string) => `arn:aws:redshift:eu-central-1:${ACCOUNT}:namespace:${id}`;
const MANAGED = { Key: 'autopilot:managed', Value: 'true' };
const DEV = [MANAGED, { Key: 'env', Value: 'dev' }];

function cluster(id: string, extra: Record<string, unknown> = {}, tags = DEV) {
  return {
    ClusterIdentifier: id,
    NodeType: 'ra3.xlplus',
    ClusterStatus: 'available',
    NumberOfNodes: 2,
    AutomatedSnapshotRetentionPeriod: 1,
    MultiAZ: 'Disabled',
    ClusterNamespaceArn: NS(`ns-${id}`),
    Tags: tags,
    ...extra,
  };
}

const INTEGRATION = {
  arn: `arn:aws:redshift:eu-central-1:${ACCOUNT}:integration:orders`,
  name: 'orders',
  sourceArn: `arn:aws:rds:eu-central-1:${ACCOUNT}:cluster:orders`,
  targetArn: NS('ns-dev-zetl'),
};

function fleetOf(clusters: unknown[]): FleetSnapshot {
  const integrations = {
    Integrations: [
      {
        IntegrationArn: INTEGRATION.arn,
        IntegrationName: INTEGRATION.name,
        SourceArn: INTEGRATION.sourceArn,
        TargetArn: INTEGRATION.targetArn,
        Status: 'active',
        Tags: [MANAGED],
      },
    ],
  };
  return parseFleet(
    [
      { name: 'c.json', json: { Clusters: clusters } },
      { name: 'i.json', json: integrations },
    ],
    '2026-10-19T00:00:00.000Z',
  );
}

function policies(window: string, extra = ''): PolicySet {
  const yaml = `version: 1
defaults: { timezone: Europe/Berlin }
policies:
  - name: office
    resource: cluster
    match: { tags: { env: dev } }
    window: { running: ["Mon-Fri 07:00-19:00"]${window} }
${extra}`;
  const result = loadPolicySources([{ file: 'p.yml', text: yaml }]);
  const errors = result.problems.filter((p) => p.severity !== 'warning');
  if (errors.length > 0) throw new Error(errors.map((p) => `${p.line}:${p.col} ${p.message}`).join('\n'));
  return result.policySet;
}

function problems(window: string, resource = 'cluster'): string[] {
  const yaml = `version: 1
policies:
  - name: p
    resource: ${resource}
    window:
      running: ["Mon-Fri 07:00-19:00"]
      timezone: UTC
${window}`;
  return loadPolicySources([{ file: 'p.yml', text: yaml }]).problems.map((p) => `${p.line}:${p.col}: ${p.message}`);
}

const NONE: LedgerView = { entries: [] };

function at(set: PolicySet, fleet: FleetSnapshot, now: string, ledger: LedgerView = NONE, trigger?: Trigger) {
  return decide({ policies: set, fleet, trigger: trigger ?? { kind: 'tick', at: now }, now, ledger });
}

function event(payload: unknown): Trigger {
  const [normalized] = normalize(payload);
  if (normalized === undefined) throw new Error('not normalized');
  return normalized;
}

/** The ledger after these decisions took effect (`succeeded`), as decideWithLedger would read them. */
function done(...decisions: (Decision | undefined)[]): LedgerEntryView[] {
  return decisions.map((d) => {
    if (d === undefined) throw new Error('expected a decision');
    return {
      idempotencyKey: d.idempotencyKey,
      policy: d.policy,
      action: d.action,
      target: d.target,
      status: 'succeeded',
      at: d.at,
    };
  });
}

describe('window policy language: idle and graceAfterManualResume', () => {
  it('accepts idle.alarm and a grace duration', () => {
    expect(problems('      idle: { alarm: dev-idle }\n      graceAfterManualResume: 2h')).toEqual([]);
    expect(problems('      graceAfterManualResume: next-boundary')).toEqual([]);
  });

  it('rejects the metric form of idle with a pointer to idle.alarm, once, at its key', () => {
    expect(problems('      idle: { metric: DatabaseConnections, below: 1, for: 60m }')).toEqual([
      '8:15: idle.metric is not supported yet; use idle: { alarm: <CloudWatch alarm name> } (an alarm such as DatabaseConnections <= 0 for 60 minutes), see docs/policy-language.md',
    ]);
  });

  it('rejects an idle without alarm, a grace that is not a duration, and idle on a workgroup', () => {
    expect(problems('      idle: {}')).toEqual([
      '8:13: idle has no alarm; expected idle: { alarm: <CloudWatch alarm name> }',
    ]);
    expect(problems('      graceAfterManualResume: soon')).toEqual([
      '8:31: graceAfterManualResume "soon" is not valid; expected next-boundary or a duration such as 30m or 2h',
    ]);
    expect(problems('      graceAfterManualResume: 0m')).toEqual([
      '8:31: graceAfterManualResume 0m is no grace; expected a duration of at least 1m, or next-boundary',
    ]);
    expect(
      problems('      idle: { alarm: x }\n      runningBaseCapacity: 32\n      pausedBaseCapacity: 8', 'workgroup'),
    ).toContain('8:7: idle applies to resource: cluster only; a workgroup has no pause');
  });
});

describe('idle pause (idle.alarm)', () => {
  const set = policies(', idle: { alarm: dev-1-idle }');
  const fleet = fleetOf([cluster('dev-1')]);
  const noon = '2026-10-19T10:00:00.000Z';

  it('pauses early when the alarm goes to ALARM inside the running window, saying when it comes back', () => {
    const { decisions } = at(set, fleet, noon, NONE, event(alarmChange('dev-1-idle', 'dev-1', noon)));
    expect(decisions.map((d) => [d.action, d.target.id])).toEqual([['PauseCluster', 'dev-1']]);
    expect(decisions[0]?.reason).toBe(
      'idle: alarm dev-1-idle in ALARM since 2026-10-19T10:00Z inside window Mon-Fri 07:00-19:00 Europe/Berlin; resumes at the next running boundary 2026-10-20T05:00Z or with the override tag',
    );
  });

  it('does nothing for OK, for another alarm, or outside the window (the window pauses anyway)', () => {
    expect(at(set, fleet, noon, NONE, event(alarmChange('dev-1-idle', 'dev-1', noon, 'OK'))).decisions).toEqual([]);
    expect(at(set, fleet, noon, NONE, event(alarmChange('other', 'dev-1', noon))).decisions).toEqual([]);
    const night = '2026-10-19T20:00:00.000Z';
    const out = at(set, fleet, night, NONE, event(alarmChange('dev-1-idle', 'dev-1', night)));
    // The window's own pause (the event reconciles its cluster), not an idle one.
    expect(out.decisions.map((d) => d.reason.startsWith('outside window'))).toEqual([true]);
  });

  it('keeps an idle-paused cluster paused for the rest of the segment; the next running boundary resumes it', () => {
    const idle = at(set, fleet, noon, NONE, event(alarmChange('dev-1-idle', 'dev-1', noon))).decisions[0];
    const paused = fleetOf([cluster('dev-1', { ClusterStatus: 'paused' })]);
    const later = at(set, paused, '2026-10-19T12:00:00.000Z', { entries: done(idle) });
    expect(later.decisions).toEqual([]);
    expect(later.skips.map((s) => s.reason)).toEqual([
      'paused idle at 2026-10-19T10:00Z (alarm dev-1-idle); resumes at the next running boundary 2026-10-20T05:00Z or with the override tag',
    ]);
    const tomorrow = at(set, paused, '2026-10-20T05:00:00.000Z', { entries: done(idle) });
    expect(tomorrow.decisions.map((d) => d.action)).toEqual(['ResumeCluster']);
  });

  it('the override tag resumes an idle-paused cluster on demand', () => {
    const idle = at(set, fleet, noon, NONE, event(alarmChange('dev-1-idle', 'dev-1', noon))).decisions[0];
    const wanted = fleetOf([
      cluster('dev-1', { ClusterStatus: 'paused' }, [
        ...DEV,
        { Key: 'autopilot:override', Value: 'running-until=2026-10-19T16:00Z' },
      ]),
    ]);
    const out = at(set, wanted, '2026-10-19T12:00:00.000Z', { entries: done(idle) });
    expect(out.decisions.map((d) => [d.action, d.reason])).toEqual([
      ['ResumeCluster', 'override running-until=2026-10-19T16:00Z until 2026-10-19T16:00Z; window says running'],
    ]);
  });

  it('never idle-pauses a Multi-AZ cluster or one with a snapshot or resize in progress', () => {
    const multiAz = fleetOf([cluster('dev-1', { MultiAZ: 'Enabled' })]);
    const a = at(set, multiAz, noon, NONE, event(alarmChange('dev-1-idle', 'dev-1', noon)));
    expect(a.decisions).toEqual([]);
    expect(a.skips.map((s) => s.reason)).toEqual(['Multi-AZ cluster cannot be paused']);
    for (const action of ['CreateClusterSnapshot', 'ResizeCluster', 'FailoverPrimaryCompute']) {
      const busy: LedgerView = {
        entries: [
          {
            idempotencyKey: `k-${action}`,
            policy: 'other',
            action,
            target: { type: 'cluster', id: 'dev-1' },
            status: 'in-progress',
            at: noon,
          },
        ],
      };
      const out = at(set, fleet, noon, busy, event(alarmChange('dev-1-idle', 'dev-1', noon)));
      expect(out.decisions).toEqual([]);
      expect(out.skips.map((s) => s.reason)).toEqual([`${action} by other in progress (ledger)`]);
    }
  });
});

describe('manual resume in a paused period (graceAfterManualResume)', () => {
  const set = policies(', graceAfterManualResume: 2h');
  const fleet = fleetOf([cluster('dev-1')]);

  it('notes the resume once (an alert whose record says when), pauses again after the grace, and again after a second resume', () => {
    const pause = at(set, fleet, '2026-10-19T17:00:00.000Z').decisions[0];
    expect(pause?.action).toBe('PauseCluster');
    // 20:00Z: running again although the ledger says we paused it: someone resumed it.
    const seen = at(set, fleet, '2026-10-19T20:00:00.000Z', { entries: done(pause) });
    const note = seen.decisions[0];
    expect(seen.decisions.map((d) => [d.action, d.at])).toEqual([['Publish', '2026-10-19T20:00:00.000Z']]);
    expect(note?.params.Message).toContain('paused again at 2026-10-19T22:00Z (graceAfterManualResume: 2h)');
    const waiting = at(set, fleet, '2026-10-19T21:55:00.000Z', { entries: done(pause, note) });
    expect(waiting.decisions).toEqual([]);
    expect(waiting.skips.map((s) => s.reason)).toEqual([
      'resumed by hand at 2026-10-19T20:00Z; paused again at 2026-10-19T22:00Z (graceAfterManualResume: 2h)',
    ]);
    const again = at(set, fleet, '2026-10-19T22:00:00.000Z', { entries: done(pause, note) });
    expect(again.decisions.map((d) => [d.action, d.reason])).toEqual([
      [
        'PauseCluster',
        'outside window Mon-Fri 07:00-19:00 Europe/Berlin; next resume 2026-10-20T05:00Z; resumed by hand at 2026-10-19T20:00Z, grace 2h over',
      ],
    ]);
    expect(again.decisions[0]?.idempotencyKey).not.toBe(pause?.idempotencyKey);
    const second = at(set, fleet, '2026-10-19T23:00:00.000Z', { entries: done(pause, note, again.decisions[0]) });
    expect(second.decisions.map((d) => [d.action, d.at])).toEqual([['Publish', '2026-10-19T23:00:00.000Z']]);
    expect(second.decisions[0]?.idempotencyKey).not.toBe(note?.idempotencyKey);
  });

  it('takes the resume time and the person from CloudTrail; the executor’s own resume is not a manual one', () => {
    const pause = at(set, fleet, '2026-10-19T17:00:00.000Z').decisions[0];
    const resuming = fleetOf([cluster('dev-1', { ClusterStatus: 'resuming' })]);
    const ledger = { entries: done(pause) };
    const t = '2026-10-19T19:42:00.000Z';
    const byHand = at(set, resuming, '2026-10-19T19:45:00.000Z', ledger, event(cloudTrailResume('dev-1', t)));
    expect(byHand.decisions.map((d) => [d.action, d.at])).toEqual([['Publish', t]]);
    expect(byHand.decisions[0]?.params.Message).toContain(
      `dev-1 was resumed by arn:aws:iam::${ACCOUNT}:user/alice at 2026-10-19T19:42Z`,
    );
    const ours = at(set, resuming, '2026-10-19T19:45:00.000Z', ledger, event(cloudTrailResume('dev-1', t, EXECUTOR)));
    expect(ours.decisions).toEqual([]);
  });

  it('by default leaves it running until the next boundary', () => {
    const plain = policies('');
    const pause = at(plain, fleet, '2026-10-19T17:00:00.000Z').decisions[0];
    const note = at(plain, fleet, '2026-10-19T20:00:00.000Z', { entries: done(pause) }).decisions[0];
    expect(note?.params.Message).toContain(
      'left running until the next boundary 2026-10-20T05:00Z (graceAfterManualResume: next-boundary)',
    );
    const late = at(plain, fleet, '2026-10-20T04:55:00.000Z', { entries: done(pause, note) });
    expect(late.decisions).toEqual([]);
  });
});

describe('events a window pause causes', () => {
  it('reports REDSHIFT-EVENT-4506 against the policy that paused the cluster', () => {
    const set = policies('');
    const paused = fleetOf([cluster('dev-1', { ClusterStatus: 'paused' })]);
    const t = '2026-10-19T22:00:00.000Z';
    const out = at(set, paused, t, NONE, event(secretsNotRotated('dev-1', t)));
    expect(out.decisions.map((d) => [d.action, d.policy, d.params.Subject])).toEqual([
      ['Publish', 'office', '[autopilot] office: secret rotation of dev-1 stopped while paused'],
    ]);
    expect(String(out.decisions[0]?.params.Message).split('\n')).toEqual([
      // The event's own text, quoted (issue #22).
      `Event text: "Your Amazon Redshift cluster dev-1 is paused. Amazon Redshift can't rotate the secrets of paused clusters."`,
      'Paused by policy office: outside window Mon-Fri 07:00-19:00 Europe/Berlin; next resume 2026-10-20T05:00Z.',
      "Automatic rotation of the cluster's secret has stopped and does not restart when the cluster resumes; it must be restarted with Secrets Manager RotateSecret.",
      'What to do: once the cluster runs again (the window runs it from 2026-10-20T05:00Z), run',
      `  aws secretsmanager rotate-secret --region eu-central-1 --secret-id "$(aws redshift describe-clusters --cluster-identifier dev-1 --region eu-central-1 --query 'Clusters[0].MasterPasswordSecretArn' --output text)"`,
      'or keep dev-1 running over its rotation date (a running range in the window, or the tag autopilot:override=running-until=<time>).',
    ]);
    expect(out.decisions[0]?.params.Message).not.toContain('rotates the secrets once');
    expect(out.decisions[0]?.params.MessageAttributes).toMatchObject({ severity: { StringValue: 'WARNING' } });
    // Inside the window the policy did not pause it: not its doing (the event only reconciles: resume).
    const day = at(set, paused, '2026-10-19T10:00:00.000Z', NONE, event(secretsNotRotated('dev-1', t)));
    expect(day.decisions.map((d) => d.action)).toEqual(['ResumeCluster']);
  });

  const REACTION = `  - name: zero-etl-resume
    resource: integration
    on: { events: [REDSHIFT-INTEGRATION-EVENT-0018, REDSHIFT-INTEGRATION-EVENT-0019, REDSHIFT-INTEGRATION-EVENT-0020] }
    do: [resume-target, alert]
`;

  it('expects 0018/0019 of a zero-ETL target paused on purpose: no resume, one INFO alert for the paused period (issue 17)', () => {
    const set = policies(', pauseZeroEtlTargets: true', REACTION);
    const paused = fleetOf([cluster('dev-zetl', { ClusterStatus: 'paused' })]);
    const t = '2026-10-19T17:10:00.000Z';
    const keys = new Set<string>();
    for (const id of ['REDSHIFT-INTEGRATION-EVENT-0018', 'REDSHIFT-INTEGRATION-EVENT-0019']) {
      const out = at(set, paused, t, NONE, event(zeroEtlEvent(id, INTEGRATION, t)));
      expect(out.skips).toEqual([]);
      expect(out.decisions.map((d) => [d.policy, d.action, d.reason])).toEqual([
        [
          'zero-etl-resume',
          'Publish',
          `${id} at ${t}: target paused on purpose, not resumed (office: zero-ETL target dev-zetl is paused on purpose (pauseZeroEtlTargets: true; outside window Mon-Fri 07:00-19:00 Europe/Berlin; next resume 2026-10-20T05:00Z))`,
        ],
      ]);
      for (const d of out.decisions) keys.add(d.idempotencyKey);
    }
    // Both events of the period share the alert's key: the ledger sends one.
    expect(keys.size).toBe(1);
    const morning = '2026-10-20T05:05:00.000Z';
    const resumed = at(
      set,
      fleetOf([cluster('dev-zetl', { ClusterStatus: 'resuming' })]),
      morning,
      NONE,
      event(zeroEtlEvent('REDSHIFT-INTEGRATION-EVENT-0020', INTEGRATION, morning)),
    );
    expect(resumed.decisions).toEqual([]);
  });

  it('without pauseZeroEtlTargets the window never pauses the target and the reaction still resumes it', () => {
    const set = policies('', REACTION);
    const available = fleetOf([cluster('dev-zetl')]);
    expect(at(set, available, '2026-10-19T20:00:00.000Z').skips.map((s) => s.reason)).toEqual([
      'zero-ETL target (pauseZeroEtlTargets not set)',
    ]);
    const paused = fleetOf([cluster('dev-zetl', { ClusterStatus: 'paused' })]);
    const t = '2026-10-19T10:00:00.000Z';
    const out = at(set, paused, t, NONE, event(zeroEtlEvent('REDSHIFT-INTEGRATION-EVENT-0019', INTEGRATION, t)));
    expect(out.decisions.map((d) => d.action).sort()).toEqual(['Publish', 'ResumeCluster']);
  });
});
