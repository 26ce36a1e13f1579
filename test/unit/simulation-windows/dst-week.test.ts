import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DateTime } from 'luxon';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadPolicySources } from '../../../shared/policy/policy-loader.ts';
import { realHandlers } from '../../../shared/simulation/real-handlers.ts';
import { type InjectedEvent, Simulation, type SimulationResult } from '../../../shared/simulation/simulation.ts';
import type { ActionRecord, StateRecord } from '../../../shared/simulation/timeline.ts';
import { ACCOUNT, cloudTrailResume, PERSON, REGION, secretsNotRotated } from './payloads.ts';

/**
 * A week of pause/resume windows through the real handlers on the simulator: Mon 2026-10-19 00:00
 * Berlin to Mon 2026-10-26 12:00 Berlin. Summer time ends on Sunday 2026-10-25 (CEST, UTC+2 → CET,
 * UTC+1); Wednesday 2026-10-21 is a company holiday (closedOn). The fleet is the example fleet's:
 *   dev-etl-1        tagged; an override tag keeps it running on Thursday evening until 23:00 Berlin
 *   dev-etl-2        tagged; Alice resumes it by hand on Tuesday 20:00 Berlin (grace 2h)
 *   dev-reports      tagged, its DatabaseConnections idle after 14:00 Berlin: the idle alarm pauses it
 *   dev-zetl-target  tagged zero-ETL target, pauseZeroEtlTargets: true
 *   dev-bi           tagged, Multi-AZ: never paused;  dev-adhoc: no opt-in tag: never touched
 *   analytics-dev    Serverless workgroup: 64 RPU in the window, 8 outside
 */
const ROOT = path.resolve(import.meta.dirname, '../../..');
const ZONE = 'Europe/Berlin';
const FROM = Date.parse('2026-10-18T22:00:00Z');
const TO = Date.parse('2026-10-26T11:00:00Z');

const POLICIES = `version: 1
defaults: { timezone: Europe/Berlin }
calendars:
  company-holidays: { dates: [2026-10-21] }
policies:
  - name: dev-office-hours
    resource: cluster
    match: { tags: { env: dev } }
    window:
      running: ["Mon-Fri 07:00-19:00"]
      closedOn: [company-holidays]
      resumeLeadTime: 15m
      graceAfterManualResume: 2h
      idle: { alarm: "{cluster}-idle" }
      pauseZeroEtlTargets: true
  - name: dev-serverless-capacity
    resource: workgroup
    match: { tags: { env: dev } }
    window:
      running: ["Mon-Fri 07:00-19:00"]
      closedOn: [company-holidays]
      runningBaseCapacity: 64
      pausedBaseCapacity: 8
  - name: zero-etl-target-resume
    resource: integration
    on: { events: [REDSHIFT-INTEGRATION-EVENT-0018, REDSHIFT-INTEGRATION-EVENT-0019] }
    do: [resume-target, alert]
`;

const example = (name: string) =>
  JSON.parse(readFileSync(path.join(ROOT, `examples/fleet/${name}.json`), 'utf8')) as Record<string, unknown[]>;

function fleet() {
  const clusters = example('fleet').Clusters as { ClusterIdentifier: string; ClusterNamespaceArn: string }[];
  const keep = ['dev-etl-1', 'dev-etl-2', 'dev-adhoc', 'dev-bi', 'dev-zetl-target'];
  const chosen = clusters.filter((c) => keep.includes(c.ClusterIdentifier));
  const base = clusters.find((c) => c.ClusterIdentifier === 'dev-etl-1');
  const reports = {
    ...base,
    ClusterIdentifier: 'dev-reports',
    ClusterNamespaceArn: `arn:aws:redshift:${REGION}:${ACCOUNT}:namespace:11111111-0000-4000-8000-646576726570`,
  };
  return [
    { name: 'fleet.json', json: { Clusters: [...chosen, reports] } },
    { name: 'integrations.json', json: example('integrations') },
    { name: 'workgroups.json', json: example('workgroups') },
  ];
}

const iso = (berlin: string) => DateTime.fromISO(berlin, { zone: ZONE }).toUTC().toISO() as string;
const MANUAL_RESUME = iso('2026-10-20T20:00');
const OVERRIDE_SET = iso('2026-10-22T17:00');
const OVERRIDE_UNTIL = '2026-10-22T21:00Z';
const SECRETS_EVENT = iso('2026-10-24T12:00');

async function simulate(): Promise<SimulationResult> {
  const loaded = loadPolicySources([{ file: 'windows.yml', text: POLICIES }]);
  expect(loaded.problems).toEqual([]);
  const events: InjectedEvent[] = [
    // CloudTrail reaches EventBridge a couple of minutes after the call.
    { at: Date.parse(MANUAL_RESUME) + 120_000, payload: cloudTrailResume('dev-etl-2', MANUAL_RESUME) },
    { at: Date.parse(SECRETS_EVENT) + 20_000, payload: secretsNotRotated('dev-etl-1', SECRETS_EVENT) },
  ];
  const sim = new Simulation({
    policies: loaded.policySet,
    fleet: fleet(),
    from: FROM,
    to: TO,
    seed: 11,
    events,
    handlers: realHandlers,
    prepare: (s) => {
      s.setWorkload('dev-reports', {
        DatabaseConnections: {
          kind: 'office-hours',
          timeZone: ZONE,
          start: '07:00',
          end: '14:00',
          busy: [3, 20],
          idle: [0, 0],
        },
      });
      s.addAlarm({
        alarmName: 'dev-reports-idle',
        clusterIdentifier: 'dev-reports',
        metricName: 'DatabaseConnections',
        statistic: 'Maximum',
        periodSeconds: 300,
        evaluationPeriods: 6,
        threshold: 0,
        comparisonOperator: 'LessThanOrEqualToThreshold',
      });
      // Alice, by hand (console): the simulator changes state; CloudTrail is the injected event above.
      s.clock.schedule(
        Date.parse(MANUAL_RESUME),
        () => s.call('redshift', 'ResumeCluster', { ClusterIdentifier: 'dev-etl-2' }),
        'dev-etl-2: manual resume',
      );
      s.clock.schedule(
        Date.parse(OVERRIDE_SET),
        () =>
          s.call('redshift', 'CreateTags', {
            ResourceName: `arn:aws:redshift:${REGION}:${ACCOUNT}:cluster:dev-etl-1`,
            Tags: [{ Key: 'autopilot:override', Value: `running-until=${OVERRIDE_UNTIL}` }],
          }),
        'dev-etl-1: override tag',
      );
    },
  });
  return sim.run();
}

const calls = (r: SimulationResult, resource: string, action: string) =>
  r.records
    .filter(
      (x): x is ActionRecord =>
        x.type === 'action' && x.resource === resource && x.action === action && x.outcome === 'in-progress',
    )
    .map((a) => a.at);
/** Local Berlin minute of an instant: `Mon 19:00`, shown with the zone offset in force. */
const local = (at: string) => DateTime.fromISO(at, { zone: 'utc' }).setZone(ZONE).toFormat('ccc dd HH:mm ZZ');
/** The resources a run digest lists (`  cluster/x  PauseCluster  started  …` under `Resources:`); null for any other alert. */
const listed = (message: string) => {
  const at = message.indexOf('\nResources:\n');
  if (!message.startsWith('What:    policy ') || at < 0) return null;
  return (message.slice(at + '\nResources:\n'.length).split('\n\n')[0] ?? '').split('\n').map((l) => {
    const [resource, action, verb] = l.trim().split(/ {2}/);
    return { resource, action, verb };
  });
};

const WEEKDAY_MORNINGS = ['Mon 19 06:45 +02:00', 'Tue 20 06:45 +02:00', 'Thu 22 06:45 +02:00', 'Fri 23 06:45 +02:00'];
const DST_MONDAY = 'Mon 26 06:45 +01:00';
const EVENINGS = ['Mon 19 19:00 +02:00', 'Tue 20 19:00 +02:00', 'Thu 22 19:00 +02:00', 'Fri 23 19:00 +02:00'];

describe('a week of windows across the end of summer time, with a holiday', () => {
  let week: SimulationResult;
  beforeAll(async () => {
    week = await simulate();
  }, 120_000);

  it('runs without errors or dead letters', () => {
    expect(week.invocationErrors).toEqual([]);
    expect(week.summary.deadLetters).toBe(0);
  });

  it('pauses at 19:00 and resumes at 06:45 Berlin (15 min lead), skips the holiday, and follows the clock change', () => {
    // The first sweep (Mon 00:00, outside the window) pauses; the next Monday's resume is 06:45 CET = 05:45Z.
    expect(calls(week, 'cluster/dev-zetl-target', 'PauseCluster').map(local)).toEqual([
      'Mon 19 00:00 +02:00',
      ...EVENINGS,
    ]);
    expect(calls(week, 'cluster/dev-zetl-target', 'ResumeCluster').map(local)).toEqual([
      ...WEEKDAY_MORNINGS,
      DST_MONDAY,
    ]);
    expect(calls(week, 'cluster/dev-zetl-target', 'ResumeCluster').at(-1)?.slice(0, 16)).toBe('2026-10-26T05:45');
    // Ready before 07:00.
    const states = week.records.filter(
      (x): x is StateRecord => x.type === 'state' && x.resource === 'cluster/dev-zetl-target' && x.to === 'available',
    );
    for (const s of states.filter((s) => s.from !== null)) expect(local(s.at).slice(7, 12) < '07:00').toBe(true);
  });

  it('never touches the untagged cluster nor the Multi-AZ one, and says why for the Multi-AZ one', () => {
    for (const resource of ['cluster/dev-adhoc', 'cluster/dev-bi']) {
      expect(week.records.filter((x) => x.type === 'action' && x.resource === resource)).toEqual([]);
      expect(week.records.filter((x) => x.type === 'state' && x.resource === resource)).toHaveLength(1);
    }
    const bi = week.records.filter((x) => x.type === 'skipped' && x.resource === 'cluster/dev-bi');
    expect(bi.map((s) => (s.type === 'skipped' ? s.reason : ''))).toContain('Multi-AZ cluster cannot be paused');
    expect(week.records.filter((x) => x.type === 'skipped' && x.resource === 'cluster/dev-adhoc')).toEqual([
      expect.objectContaining({ reason: 'not opted in' }),
    ]);
  });

  it('honours a manual resume in the paused period: noted at once, paused again after the 2 h grace', () => {
    expect(calls(week, 'cluster/dev-etl-2', 'PauseCluster').map(local)).toEqual([
      'Mon 19 00:00 +02:00',
      'Mon 19 19:00 +02:00',
      'Tue 20 19:00 +02:00',
      'Tue 20 22:00 +02:00',
      'Thu 22 19:00 +02:00',
      'Fri 23 19:00 +02:00',
    ]);
    // 19:00: the evening run pauses three clusters, one digest lists them; 22:00: the pause after the
    // grace is the policy's only decision of its run, alerted alone.
    const aboutEtl2 = week.alerts
      .filter(
        (a) =>
          a.attributes.resource === 'cluster/dev-etl-2' ||
          listed(a.message)?.some((l) => l.resource === 'cluster/dev-etl-2') === true,
      )
      .filter((a) => a.at >= '2026-10-20T16:00' && a.at < '2026-10-20T21:00');
    expect(
      aboutEtl2.map((a) => [local(a.at).slice(7, 12), a.attributes.action, a.attributes.outcome, a.subject]),
    ).toEqual([
      ['19:00', 'PauseCluster', 'in-progress', '[autopilot] dev-office-hours: PauseCluster started on 3 clusters'],
      ['20:02', 'Publish', 'succeeded', '[autopilot] dev-etl-2 resumed by hand in a paused period (dev-office-hours)'],
      ['22:00', 'PauseCluster', 'in-progress', '[autopilot] PauseCluster dev-etl-2: started (dev-office-hours)'],
    ]);
    expect(listed(aboutEtl2[0]?.message ?? '')).toEqual([
      { resource: 'cluster/dev-etl-1', action: 'PauseCluster', verb: 'started' },
      { resource: 'cluster/dev-etl-2', action: 'PauseCluster', verb: 'started' },
      { resource: 'cluster/dev-zetl-target', action: 'PauseCluster', verb: 'started' },
    ]);
    expect(aboutEtl2[0]?.message).toContain(
      '  cluster/dev-etl-2  PauseCluster  started  available -> pausing (until paused)',
    );
    const note = week.alerts.find((a) => a.subject?.includes('resumed by hand'));
    expect(note?.message).toContain(`dev-etl-2 was resumed by ${PERSON} at 2026-10-20T18:00Z`);
    expect(note?.message).toContain('paused again at 2026-10-20T20:00Z (graceAfterManualResume: 2h)');
    expect(note?.attributes).toMatchObject({ policy: 'dev-office-hours', resource: 'cluster/dev-etl-2' });
  });

  it('honours the override tag: not paused on Thursday evening until it expires at 23:00 Berlin', () => {
    expect(calls(week, 'cluster/dev-etl-1', 'PauseCluster').map(local)).toEqual([
      'Mon 19 00:00 +02:00',
      'Mon 19 19:00 +02:00',
      'Tue 20 19:00 +02:00',
      'Thu 22 23:00 +02:00',
      'Fri 23 19:00 +02:00',
    ]);
    expect(calls(week, 'cluster/dev-etl-1', 'ResumeCluster').map(local)).toEqual([...WEEKDAY_MORNINGS, DST_MONDAY]);
  });

  it('pauses early when the idle alarm fires (14:30 Berlin), and resumes at the next running boundary', () => {
    const pauses = week.records.filter(
      (x): x is ActionRecord =>
        x.type === 'action' &&
        x.resource === 'cluster/dev-reports' &&
        x.action === 'PauseCluster' &&
        x.outcome === 'in-progress',
    );
    expect(pauses.map((p) => local(p.at))).toEqual([
      'Mon 19 00:00 +02:00',
      'Mon 19 14:30 +02:00',
      'Tue 20 14:30 +02:00',
      'Thu 22 14:30 +02:00',
      'Fri 23 14:30 +02:00',
    ]);
    expect(pauses[1]?.reason).toBe(
      'idle: alarm dev-reports-idle in ALARM since 2026-10-19T12:30Z inside window Mon-Fri 07:00-19:00 Europe/Berlin; resumes at the next running boundary 2026-10-20T04:45Z or with the override tag',
    );
    expect(calls(week, 'cluster/dev-reports', 'ResumeCluster').map(local)).toEqual([...WEEKDAY_MORNINGS, DST_MONDAY]);
  });

  it('expects the zero-ETL events of a target it pauses on purpose: no resume, one INFO alert per paused period (issue 17)', () => {
    const zeroEtl = week.deliveries.filter((d) => d.eventId.startsWith('REDSHIFT-INTEGRATION-EVENT-'));
    expect(zeroEtl.length).toBeGreaterThanOrEqual(3 * 5);
    expect(zeroEtl.every((d) => d.ok)).toBe(true);
    const acted = week.records.filter((x) => 'policy' in x && x.policy === 'zero-etl-target-resume' && 'action' in x);
    expect(acted.filter((x) => 'action' in x && x.action !== 'Publish')).toEqual([]);
    // Sun night, Mon night, Tue night to Thu (the holiday), Thu night, Fri night to Mon: five paused periods.
    const alerts = week.alerts.filter((a) => a.attributes.policy === 'zero-etl-target-resume');
    expect(alerts.map((a) => a.attributes.severity)).toEqual(['INFO', 'INFO', 'INFO', 'INFO', 'INFO']);
    expect(alerts.every((a) => JSON.stringify(a).includes('paused on purpose by dev-office-hours'))).toBe(true);
  });

  it('sets the workgroup to 64 RPU at 07:00 and 8 RPU at 19:00 Berlin, not on the holiday, following the clock change', () => {
    const updates = calls(week, 'workgroup/analytics-dev', 'UpdateWorkgroup').map(local);
    expect(updates).toEqual([
      'Mon 19 07:00 +02:00',
      'Mon 19 19:00 +02:00',
      'Tue 20 07:00 +02:00',
      'Tue 20 19:00 +02:00',
      'Thu 22 07:00 +02:00',
      'Thu 22 19:00 +02:00',
      'Fri 23 07:00 +02:00',
      'Fri 23 19:00 +02:00',
      'Mon 26 07:00 +01:00',
    ]);
    expect(calls(week, 'workgroup/finance-prod', 'UpdateWorkgroup')).toEqual([]);
  });

  it('reports REDSHIFT-EVENT-4506 against the window policy that paused the cluster', () => {
    const alert = week.alerts.find((a) => a.subject?.includes('secret rotation'));
    expect(alert?.subject).toBe('[autopilot] dev-office-hours: secret rotation of dev-etl-1 stopped while paused');
    expect(alert?.attributes).toMatchObject({
      policy: 'dev-office-hours',
      resource: 'cluster/dev-etl-1',
      action: 'Publish',
      severity: 'WARNING',
    });
    expect(alert?.message).toContain('once the cluster runs again (the window runs it from 2026-10-26T05:45Z), run');
    expect(alert?.message).toContain('aws secretsmanager rotate-secret');
  });

  it('tells the story in alerts: every call announced once, every pause confirmed, no failure', () => {
    const started = week.records.filter((x): x is ActionRecord => x.type === 'action' && x.outcome === 'in-progress');
    // Each call alone, or listed as started in the digest of its policy's run, published in the same instant.
    const announced = week.alerts.flatMap((a) => {
      const lines = listed(a.message);
      if (lines === null)
        return a.attributes.outcome === 'in-progress' ? [[a.at, a.attributes.resource, a.attributes.action]] : [];
      return lines.filter((l) => l.verb === 'started').map((l) => [a.at, l.resource, l.action]);
    });
    const byTime = (rows: (string | undefined)[][]) => rows.map((r) => r.join(' ')).sort();
    expect(byTime(announced)).toEqual(byTime(started.map((a) => [a.at, a.resource, a.action])));
    // Every evening run pauses several clusters: those pauses are digests, not an alert per cluster.
    const digests = week.alerts.filter((a) => listed(a.message) !== null);
    expect(digests.length).toBeGreaterThanOrEqual(EVENINGS.length);
    for (const d of digests) expect(listed(d.message)?.length).toBeGreaterThanOrEqual(2);
    expect(week.records.filter((x) => x.type === 'alert' && x.severity === 'ERROR')).toEqual([]);
    // Resume has no event: the sweep confirms it (state available) and closes the record.
    const resumes = week.records.filter(
      (x): x is ActionRecord => x.type === 'action' && x.action === 'ResumeCluster' && x.outcome === 'succeeded',
    );
    expect(resumes.length).toBe(4 * 5);
    const open = [...week.ledger.records.values()].filter((r) => r.status === 'in-progress');
    expect(open).toEqual([]);
  });
});
