import { describe, expect, it } from 'vitest';
import { analyzeConflicts } from '../../../../shared/policy/conflicts.ts';
import { ISSUE_EXAMPLE, loadText, multiAz } from './drill-fixtures.ts';

const FROM = Date.parse('2026-03-01T00:00:00Z');
const RESIZE = `  - name: critical-quarter-peak
    resource: cluster
    match: { tags: { tier: critical } }
    resize:
      timezone: Europe/Berlin
      default: { nodes: 2 }
      windows:
        - { running: ["Tue 09:00-12:00"], nodes: 4 }
`;
const OTHER_TEAM = RESIZE.replace('critical-quarter-peak', 'team-b').replace('tier: critical', 'team: b');

const problems = (extra: string, fleet: Parameters<typeof analyzeConflicts>[1] = null) => {
  const { policySet, problems: load } = loadText(`${ISSUE_EXAMPLE}${extra}`);
  expect(load).toEqual([]);
  return analyzeConflicts(policySet.policies, fleet, FROM).map((p) => p.message);
};

describe('validate: a drill against the other policies', () => {
  it('warns when every drill slot falls inside a resize window of a policy covering the same clusters', () => {
    expect(problems(RESIZE)).toEqual([
      expect.stringMatching(
        /^failoverDrill policy "quarterly-failover-drill" .* has 4 slot\(s\) in the next year while resize policy "critical-quarter-peak" .* resizes it to 4 nodes \(window Tue 09:00-12:00 Europe\/Berlin\) on every cluster the drill selects, first 2026-04-14T08:00Z/,
      ),
    ]);
  });

  it('says nothing without a fleet when the other selector may not cover the drill (another team)', () => {
    expect(problems(OTHER_TEAM)).toEqual([]);
  });

  it('with a fleet, names the selected clusters that cannot be Multi-AZ (DC2, single-AZ)', () => {
    const fleet = {
      readAt: '2026-03-01T00:00:00Z',
      resources: [
        multiAz('ok'),
        multiAz('old', { nodeType: 'dc2.8xlarge', multiAz: false }),
        multiAz('one', { multiAz: false }),
      ],
    };
    expect(problems('', fleet)).toEqual([
      'failoverDrill policy "quarterly-failover-drill" selects 2 cluster(s) that cannot be drilled: old (node type dc2.8xlarge: Multi-AZ is RA3 only (guide L4531)); one (single-AZ (MultiAZ Disabled)); each drill slot skips them with one notice; expected a selector matching Multi-AZ RA3 clusters only',
    ]);
  });
});
