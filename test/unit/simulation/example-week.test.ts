import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadPoliciesOrThrow } from '../../../shared/policy/policy-loader.ts';
import { realHandlers } from '../../../shared/simulation/real-handlers.ts';
import { Simulation, type SimulationResult } from '../../../shared/simulation/simulation.ts';
import type { ActionRecord, StateRecord } from '../../../shared/simulation/timeline.ts';

/**
 * The example week (Mon 2026-12-07 00:00Z .. Mon 2026-12-14, no holiday, no freeze) of
 * examples/policies/example.yml against examples/fleet/*.json, through the real handlers.
 */
const ROOT = path.resolve(import.meta.dirname, '../../..');
const FROM = Date.parse('2026-12-07T00:00:00Z');
const TO = Date.parse('2026-12-14T00:00:00Z');
const WEEKDAYS = ['2026-12-07', '2026-12-08', '2026-12-09', '2026-12-10', '2026-12-11'];

const fleetFiles = () =>
  ['fleet', 'integrations', 'workgroups'].map((n) => ({
    name: `examples/fleet/${n}.json`,
    json: JSON.parse(readFileSync(path.join(ROOT, `examples/fleet/${n}.json`), 'utf8')) as unknown,
  }));

async function simulate(options: { duplicateRate?: number; seed?: number; to?: number } = {}) {
  const policies = await loadPoliciesOrThrow(['examples/policies/example.yml'], ROOT);
  const sim = new Simulation({
    policies,
    fleet: fleetFiles(),
    from: FROM,
    to: options.to ?? TO,
    seed: options.seed ?? 7,
    delivery: { duplicateRate: options.duplicateRate ?? 0 },
    handlers: realHandlers,
  });
  return sim.run();
}

const actions = (r: SimulationResult, resource: string, action?: string) =>
  r.records.filter(
    (x): x is ActionRecord =>
      x.type === 'action' && x.resource === resource && (action === undefined || x.action === action),
  );
const minute = (iso: string) => iso.slice(0, 16);

/** The resources a run digest lists (`  cluster/x  PauseCluster  started  …` under `Resources:`); null for any other alert. */
const listed = (message: string) => {
  const at = message.indexOf('\nResources:\n');
  if (!message.startsWith('What:    policy ') || at < 0) return null;
  return (message.slice(at + '\nResources:\n'.length).split('\n\n')[0] ?? '').split('\n').map((l) => {
    const [resource, action, verb] = l.trim().split(/ {2}/);
    return { resource, action, verb };
  });
};

describe('the example week through the real handlers', () => {
  let week: SimulationResult;
  beforeAll(async () => {
    week = await simulate();
  }, 60_000);

  it('pauses the dev clusters at 19:00 Berlin (18:00Z) every weekday, one reconcile tick plus the poller after the boundary', () => {
    for (const cluster of ['cluster/dev-etl-1', 'cluster/dev-etl-2']) {
      const started = actions(week, cluster, 'PauseCluster').filter((a) => a.outcome === 'in-progress');
      // Monday 00:00Z is outside the window: the first tick pauses; then each weekday evening.
      expect(started.map((a) => minute(a.at))).toEqual(['2026-12-07T00:00', ...WEEKDAYS.map((d) => `${d}T18:00`)]);
      for (const a of started) expect(a.policy).toBe('dev-office-hours');
    }
  });

  it('resumes them at the lead time, 06:45 Berlin (05:45Z), every weekday and not on the weekend', () => {
    for (const cluster of ['cluster/dev-etl-1', 'cluster/dev-etl-2']) {
      const resumed = actions(week, cluster, 'ResumeCluster').filter((a) => a.outcome === 'in-progress');
      expect(resumed.map((a) => minute(a.at))).toEqual(WEEKDAYS.map((d) => `${d}T05:45`));
      const states = week.records.filter((x): x is StateRecord => x.type === 'state' && x.resource === cluster);
      // Ready before the window opens at 07:00 Berlin.
      for (const d of WEEKDAYS) {
        const available = states.find((s) => s.to === 'available' && s.at.startsWith(d));
        expect(available !== undefined && available.at < `${d}T06:00`).toBe(true);
      }
    }
  });

  it('never touches the Multi-AZ cluster or the clusters without the opt-in tag', () => {
    for (const cluster of ['cluster/dev-bi', 'cluster/dev-adhoc', 'cluster/prod-reporting']) {
      expect(actions(week, cluster)).toEqual([]);
      const states = week.records.filter((x) => x.type === 'state' && x.resource === cluster);
      expect(states).toEqual([expect.objectContaining({ from: null, to: 'available' })]);
    }
    const skipped = week.records.filter((x) => x.type === 'skipped' && x.resource === 'cluster/dev-bi');
    expect(skipped.map((s) => (s.type === 'skipped' ? s.reason : ''))).toContain('Multi-AZ cluster cannot be paused');
  });

  it('snapshots the opted-in gold cluster every night at 02:00 Berlin (01:00Z), and only snapshots it', () => {
    // prod-dw (backup: gold, opted in) is in nightly-snapshots only; prod-reporting is gold but not opted in.
    const nights = [...WEEKDAYS, '2026-12-12', '2026-12-13'];
    const all = actions(week, 'cluster/prod-dw');
    expect(all.every((a) => a.action === 'CreateClusterSnapshot' && a.policy === 'nightly-snapshots')).toBe(true);
    const started = all.filter((a) => a.outcome === 'in-progress');
    expect(started.map((a) => minute(a.at))).toEqual(nights.map((d) => `${d}T01:00`));
    expect(all.filter((a) => a.outcome === 'succeeded')).toHaveLength(nights.length);
    // A snapshot does not change the cluster's state. Nothing is deleted: the first week's seven nightly
    // snapshots are exactly the 7 daily ones retain keeps (the every() above would catch a delete).
    const states = week.records.filter((x) => x.type === 'state' && x.resource === 'cluster/prod-dw');
    expect(states).toEqual([expect.objectContaining({ from: null, to: 'available' })]);
  });

  it('delivers 3618 and 3619 to ingest-redshift-event, and the 3619 closes the pause record', () => {
    const events = week.deliveries.filter((d) => d.fn === 'ingestRedshiftEvent' && d.resource === 'dev-etl-1');
    const started = events.filter((d) => d.eventId === 'REDSHIFT-EVENT-3618');
    const paused = events.filter((d) => d.eventId === 'REDSHIFT-EVENT-3619');
    expect(started).toHaveLength(6);
    expect(paused).toHaveLength(6);
    expect(events.every((d) => d.ok)).toBe(true);
    const succeeded = actions(week, 'cluster/dev-etl-1', 'PauseCluster').filter((a) => a.outcome === 'succeeded');
    const reachedPaused = week.records.filter(
      (x): x is StateRecord => x.type === 'state' && x.resource === 'cluster/dev-etl-1' && x.to === 'paused',
    );
    // Each record closes once, after the cluster is paused and no later than its 3619 arrives: by the
    // event, or by a sweep tick that saw `paused` first (SNS takes up to a minute).
    expect(succeeded).toHaveLength(6);
    succeeded.forEach((a, i) => {
      expect(a.at >= (reachedPaused[i]?.at ?? '')).toBe(true);
      expect(a.at <= (paused[i]?.at ?? '')).toBe(true);
    });
    expect(succeeded.filter((a) => paused.some((d) => d.at === a.at)).length).toBeGreaterThan(0);
  });

  it('announces every action started once — alone, or listed in the digest of its policy and run — with the policy, resource and action as attributes', () => {
    const started = week.records.filter((x): x is ActionRecord => x.type === 'action' && x.outcome === 'in-progress');
    expect(started.length).toBeGreaterThan(0);
    const digests = week.alerts.filter((a) => listed(a.message) !== null);
    const announced = week.alerts.flatMap((a) => {
      const lines = listed(a.message);
      if (lines === null) {
        return a.attributes.outcome === 'in-progress'
          ? [[a.at, a.attributes.resource, a.attributes.action, a.attributes.policy]]
          : [];
      }
      return lines.filter((l) => l.verb === 'started').map((l) => [a.at, l.resource, l.action, a.attributes.policy]);
    });
    const byTime = (rows: (string | undefined)[][]) => rows.map((r) => r.join(' ')).sort();
    expect(byTime(announced)).toEqual(byTime(started.map((a) => [a.at, a.resource, a.action, a.policy])));
    // Both dev clusters pause and resume in the same runs: one digest each time, none alone.
    expect(week.alerts.filter((a) => a.attributes.resource === 'cluster/dev-etl-1')).toEqual([]);
    const dev = digests.filter((a) => a.attributes.policy === 'dev-office-hours');
    expect(dev.map((a) => a.subject)).toEqual([
      '[autopilot] dev-office-hours: PauseCluster started on 2 clusters',
      ...WEEKDAYS.flatMap(() => [
        '[autopilot] dev-office-hours: ResumeCluster started on 2 clusters',
        '[autopilot] dev-office-hours: PauseCluster started on 2 clusters',
      ]),
    ]);
    for (const digest of dev) {
      expect(digest.attributes).toMatchObject({ severity: 'INFO', policy: 'dev-office-hours', resource: '2 clusters' });
      expect(listed(digest.message)?.map((l) => l.resource)).toEqual(['cluster/dev-etl-1', 'cluster/dev-etl-2']);
    }
    expect(dev[0]?.attributes.action).toBe('PauseCluster');
    expect(dev[0]?.message).toContain('Why:     outside window Mon-Fri 07:00-19:00 Europe/Berlin');
  });

  it('sets the dev workgroup to 64 RPU at 07:00 Berlin and back to 8 at 19:00, never the prod one', () => {
    const updates = actions(week, 'workgroup/analytics-dev', 'UpdateWorkgroup').filter(
      (a) => a.outcome === 'in-progress',
    );
    expect(updates.map((a) => minute(a.at))).toEqual(WEEKDAYS.flatMap((d) => [`${d}T06:00`, `${d}T18:00`]));
    expect(actions(week, 'workgroup/finance-prod')).toEqual([]);
  });

  it('reports the sandbox policy as dry runs only and counts node-hours saved for the dev policy', () => {
    expect(actions(week, 'cluster/sandbox-alice').every((a) => a.outcome === 'dry-run')).toBe(true);
    const dev = week.summary.policies.find((p) => p.policy === 'dev-office-hours');
    // 2 clusters × 2 nodes: Monday 00:07Z-05:45Z, four nights ~18:07Z-05:45Z, Friday 18:07Z to the end.
    const hours = 5.6 + 4 * 11.6 + 53.8;
    expect(dev?.nodeHoursSaved).toBeGreaterThan(4 * (hours - 0.5));
    expect(dev?.nodeHoursSaved).toBeLessThan(4 * (hours + 0.5));
    expect(week.summary.invocationErrors).toBe(0);
    expect(week.summary.deadLetters).toBe(0);
  });
});

describe('delivery imperfections', () => {
  it('acts once per decision when every SNS/EventBridge delivery is duplicated', async () => {
    const twoDays = FROM + 2 * 86_400_000;
    const clean = await simulate({ to: twoDays });
    const doubled = await simulate({ to: twoDays, duplicateRate: 1 });
    const events = (r: SimulationResult) => r.deliveries.filter((d) => d.fn === 'ingestRedshiftEvent').length;
    expect(events(doubled)).toBe(2 * events(clean));
    expect(doubled.apiCalls.PauseCluster).toBe(clean.apiCalls.PauseCluster);
    expect(doubled.apiCalls.ResumeCluster).toBe(clean.apiCalls.ResumeCluster);
    const started = (r: SimulationResult) =>
      r.records.filter((x) => x.type === 'action' && x.outcome === 'in-progress').length;
    expect(started(doubled)).toBe(started(clean));
  }, 60_000);
});
