import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadPolicySources } from '../../../shared/policy/policy-loader.ts';
import type { PublishedAlert } from '../../../shared/simulation/aws-services.ts';
import { realHandlers } from '../../../shared/simulation/real-handlers.ts';
import { Simulation, type SimulationResult } from '../../../shared/simulation/simulation.ts';

/**
 * `budget: shared` over the three analytics clusters, one simulated day through the real handlers:
 * each scans 0.15 TB an hour from 00:00, so each alone reaches 2.5 TB (50 % of the 5 TB daily budget) by
 * 16:40, while their sum reaches 80 % (4 TB) at 08:53, 100 % at 11:07 and 150 % at 16:40. The grades
 * fire on the sum: 80 % one budget alert, 100 % each member's limit to disable, 150 % each member paused.
 */
const FIXTURES = new URL('../../fixtures/usage-limits/', import.meta.url);
const POLICY = `version: 1
policies:
  - name: analytics-shared
    resource: cluster
    match: { tags: { team: analytics } }
    usageLimits:
      limits: [{ feature: spectrum, amount: 5, period: daily, breachAction: emit-metric }]
      escalate:
        - { at: 80%, do: [alert] }
        - { at: 100%, do: [alert, disable-feature] }
        - { at: 150%, do: [alert, pause] }
      budget: shared
`;

async function run(): Promise<SimulationResult> {
  const loaded = loadPolicySources([{ file: 'shared.yml', text: POLICY }]);
  expect(loaded.problems).toEqual([]);
  const fleet = JSON.parse(readFileSync(new URL('escalation-fleet.json', FIXTURES), 'utf8')) as unknown;
  const sim = new Simulation({
    policies: loaded.policySet,
    fleet: [{ name: 'escalation-fleet.json', json: fleet }],
    from: Date.parse('2026-12-07T00:00:00Z'),
    to: Date.parse('2026-12-07T20:00:00Z'),
    seed: 15,
    events: [],
    handlers: realHandlers,
    prepare: (s) => {
      for (const id of ['analytics-1', 'analytics-2', 'analytics-3']) {
        s.setWorkload(id, { 'usage:spectrum': { kind: 'constant', value: 0.15 } });
      }
    },
  });
  return sim.run();
}

/** The resources a run digest lists (`  cluster/x  PauseCluster  started  …` under `Resources:`); null for any other alert. */
const listed = (message: string) => {
  const at = message.indexOf('\nResources:\n');
  if (!message.startsWith('What:    policy ') || at < 0) return null;
  return (message.slice(at + '\nResources:\n'.length).split('\n\n')[0] ?? '').split('\n').map((l) => {
    const [resource, action, verb] = l.trim().split(/ {2}/);
    return `${resource} ${action} ${verb}`;
  });
};

/** An alert in one line; a digest with the resources it lists. */
const line = (a: PublishedAlert) =>
  `${a.at.slice(11, 16)} ${a.attributes.resource} ${a.subject}${
    listed(a.message)
      ?.map((l) => `\n  ${l}`)
      .join('') ?? ''
  }`;

describe('usage-limit escalation: a shared budget fires on the sum', () => {
  let result: SimulationResult;
  beforeAll(async () => {
    result = await run();
  }, 120_000);

  it('three clusters each under, the sum over: one budget alert at 80 %, then each member takes the steps', () => {
    // Each step on the three members is one run of the policy: one digest listing the three (issue 19).
    expect(result.alerts.map(line)).toEqual([
      '00:00 3 clusters [autopilot] analytics-shared: CreateUsageLimit done on 3 clusters' +
        '\n  cluster/analytics-1 CreateUsageLimit done\n  cluster/analytics-2 CreateUsageLimit done\n  cluster/analytics-3 CreateUsageLimit done',
      '09:00 schedule/usage-budget/analytics-shared/spectrum [autopilot] usage grade 80%: spectrum daily 80.25% on budget analytics-shared',
      '11:15 3 clusters [autopilot] analytics-shared: ModifyUsageLimit done on 3 clusters' +
        '\n  cluster/analytics-1 ModifyUsageLimit done\n  cluster/analytics-2 ModifyUsageLimit done\n  cluster/analytics-3 ModifyUsageLimit done',
      '16:45 3 clusters [autopilot] analytics-shared: PauseCluster started on 3 clusters' +
        '\n  cluster/analytics-1 PauseCluster started\n  cluster/analytics-2 PauseCluster started\n  cluster/analytics-3 PauseCluster started',
    ]);
  });

  it('says each member is under while the sum is over, and raises no ERROR or WARNING', () => {
    const pause = result.alerts.find((a) => listed(a.message)?.includes('cluster/analytics-2 PauseCluster started'));
    expect(pause?.attributes).toMatchObject({ severity: 'INFO', policy: 'analytics-shared', action: 'PauseCluster' });
    expect(pause?.message).toMatch(
      /usage grade 150%: the 3 clusters of the shared budget \(analytics-1 2\.5, analytics-2 2\.5, analytics-3 2\.5\) used 7\.5 TB scanned of spectrum, 150% of 5 TB scanned/,
    );
    expect(result.alerts.filter((a) => a.attributes.severity !== 'INFO').map(line)).toEqual([]);
    expect(result.deadLetters).toEqual([]);
    expect(result.invocationErrors).toEqual([]);
  });
});
