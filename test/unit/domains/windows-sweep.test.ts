import { describe, expect, it } from 'vitest';
import { normalize } from '../../../shared/events/normalize.ts';
import { MemoryLedger } from '../../../shared/execute/memory-ledger.ts';
import type { LedgerRecord } from '../../../shared/execute/ports.ts';
import { type DecideFn, reconcile } from '../../../shared/execute/reconcile.ts';
import { decide } from '../../../shared/policy/decide.ts';
import type { ClusterResource, Decision } from '../../../shared/policy/decision.ts';
import { loadPolicySources } from '../../../shared/policy/policy-loader.ts';
import { clusterResource, fixedClock, RecordingNotifier } from '../execute/fakes.ts';
import { record } from '../execute/ledger-contract.ts';
import { alarmChange } from '../simulation-windows/payloads.ts';

/**
 * The sweep's part in windows: it reads the ledger records decide() asks for (an idle pause keeps its
 * cluster paused although the sweep only lists in-flight records), confirms resumes from the fleet,
 * and alerts once when a pause or resume does not reach its state in time.
 */
const POLICY = `version: 1
policies:
  - name: office
    resource: cluster
    window: { running: ["Mon-Fri 07:00-19:00"], timezone: Europe/Berlin, idle: { alarm: "{cluster}-idle" } }
`;

function sweep(fleet: () => ClusterResource[], decideFn: DecideFn, ledger: MemoryLedger, at: string, extra = {}) {
  const sent: Decision[] = [];
  const notifier = new RecordingNotifier();
  const run = reconcile({
    readFleet: async () => fleet(),
    decide: decideFn,
    ledger,
    queue: {
      send: async (ds) => {
        sent.push(...ds);
        return { sent: ds.length };
      },
    },
    notifier,
    clock: fixedClock(at),
    ...extra,
  });
  return run.then((report) => ({ report, sent, notifier }));
}

const noDecisions: DecideFn = () => ({ decisions: [], skips: [] });

describe('the sweep and the window', () => {
  it('keeps an idle-paused cluster paused: it reads the idle pause record decide() asks for', async () => {
    const set = loadPolicySources([{ file: 'p.yml', text: POLICY }]).policySet;
    const decideFn: DecideFn = ({ fleet, now, ledger }) =>
      decide({
        policies: set,
        fleet,
        trigger: { kind: 'tick', at: now.toISOString() },
        now: now.toISOString(),
        ledger,
      });
    const available = clusterResource({ ClusterIdentifier: 'c1' });
    const noon = '2026-10-19T10:00:00.000Z';
    const [alarm] = normalize(alarmChange('c1-idle', 'c1', noon));
    if (alarm === undefined) throw new Error('alarm did not normalize');
    const idle = decide({
      policies: set,
      fleet: { readAt: noon, resources: [available] },
      trigger: alarm,
      now: noon,
      ledger: { entries: [] },
    }).decisions[0];
    expect(idle?.action).toBe('PauseCluster');
    const ledger = new MemoryLedger();
    ledger.records.set(
      idle?.idempotencyKey ?? '',
      record(idle?.idempotencyKey ?? '', {
        policy: 'office',
        target: { type: 'cluster', id: 'c1' },
        status: 'succeeded',
        decisionAt: noon,
      }),
    );
    const paused = { ...available, status: 'paused' };

    const { sent, report } = await sweep(() => [paused], decideFn, ledger, '2026-10-19T12:00:00.000Z');

    expect(sent).toEqual([]);
    expect(report.skips).toBe(1);
    // Without the record the same sweep would resume it.
    const { sent: fresh } = await sweep(() => [paused], decideFn, new MemoryLedger(), '2026-10-19T12:00:00.000Z');
    expect(fresh.map((d) => d.action)).toEqual(['ResumeCluster']);
  });

  it('closes a resume from the fleet (resume has no completion event)', async () => {
    const ledger = new MemoryLedger();
    const resume: LedgerRecord = record('r1', {
      action: 'ResumeCluster',
      target: { type: 'cluster', id: 'c1' },
      status: 'in-progress',
      expectedState: 'available',
      afterState: 'resuming',
    });
    ledger.records.set('r1', resume);
    const available = clusterResource({ ClusterIdentifier: 'c1' });
    const { report, notifier } = await sweep(() => [available], noDecisions, ledger, '2026-12-07T18:08:00.000Z');
    expect(report.advanced).toBe(1);
    expect(ledger.records.get('r1')?.status).toBe('succeeded');
    expect(notifier.events.map((e) => [e.action, e.outcome])).toEqual([['ResumeCluster', 'succeeded']]);
    expect(notifier.alerts).toEqual([]);
  });

  it('alerts once when a pause is not paused 30 min after the call, and a resume not available after 20 min', async () => {
    const ledger = new MemoryLedger();
    ledger.records.set(
      'p1',
      record('p1', { target: { type: 'cluster', id: 'c1' }, status: 'in-progress', expectedState: 'paused' }),
    );
    ledger.records.set(
      'r2',
      record('r2', {
        action: 'ResumeCluster',
        target: { type: 'cluster', id: 'c2' },
        status: 'in-progress',
        expectedState: 'available',
      }),
    );
    const fleet = () => [
      { ...clusterResource({ ClusterIdentifier: 'c1' }), status: 'pausing' },
      { ...clusterResource({ ClusterIdentifier: 'c2' }), status: 'resuming' },
    ];
    const at19 = await sweep(fleet, noDecisions, ledger, '2026-12-07T18:19:00.000Z');
    const at21 = await sweep(fleet, noDecisions, ledger, '2026-12-07T18:21:00.000Z');
    const at31 = await sweep(fleet, noDecisions, ledger, '2026-12-07T18:31:00.000Z');
    const at45 = await sweep(fleet, noDecisions, ledger, '2026-12-07T18:45:00.000Z');

    expect(at19.notifier.alerts).toEqual([]);
    expect(at21.notifier.alerts.map((a) => a.subject)).toEqual([
      '[autopilot] ResumeCluster c2: not available after 20 min (office-hours)',
    ]);
    expect(at31.notifier.alerts.map((a) => [a.subject, a.attributes])).toEqual([
      [
        '[autopilot] PauseCluster c1: not paused after 30 min (office-hours)',
        {
          severity: 'WARNING',
          policy: 'office-hours',
          resource: 'cluster/c1',
          action: 'PauseCluster',
          outcome: 'in-progress',
        },
      ],
    ]);
    expect(at45.notifier.alerts).toEqual([]);
    expect(at31.report.overdue).toBe(1);
    // The records stay open: the cluster may still get there, and the sweep closes them then.
    expect(ledger.records.get('p1')?.status).toBe('in-progress');
  });

  it('takes other deadlines from its deps', async () => {
    const ledger = new MemoryLedger();
    ledger.records.set(
      'p1',
      record('p1', { target: { type: 'cluster', id: 'c1' }, status: 'in-progress', expectedState: 'paused' }),
    );
    const fleet = () => [{ ...clusterResource({ ClusterIdentifier: 'c1' }), status: 'pausing' }];
    const { notifier } = await sweep(fleet, noDecisions, ledger, '2026-12-07T18:11:00.000Z', {
      stateDeadlines: { PauseCluster: 10 * 60_000 },
    });
    expect(notifier.alerts.map((a) => a.subject)).toEqual([
      '[autopilot] PauseCluster c1: not paused after 10 min (office-hours)',
    ]);
  });
});
