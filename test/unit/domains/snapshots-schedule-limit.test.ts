import { describe, expect, it } from 'vitest';
import { formatProblem, loadPolicySources } from '../../../shared/policy/policy-loader.ts';

// Redshift's custom snapshot schedules fire at most hourly (facts.md, guide L3862): the snapshots
// capability declares the limit and validate refuses a schedule that fires more often.
const policy = (schedule: string) => `version: 1
policies:
  - name: snaps
    resource: cluster
    match: { tags: { env: prod } }
    snapshots: { schedule: "${schedule}", retain: { last: 3 } }
`;

describe('snapshot schedule limit', () => {
  it('refuses a schedule more frequent than hourly, naming the limit; accepts hourly', () => {
    const now = Date.parse('2026-12-07T00:00:00Z');
    const every15 = loadPolicySources([{ file: 'p.yml', text: policy('cron(0/15 * * * ? *)') }], { now });
    expect(every15.problems.map(formatProblem)).toEqual([
      'p.yml:6:28: "cron(0/15 * * * ? *)" fires 15 minutes apart; expected snapshots at most once every 1 hour (Redshift\'s minimum gap between scheduled snapshots)',
    ]);
    const hourly = loadPolicySources([{ file: 'p.yml', text: policy('cron(0 * * * ? *)') }], { now });
    expect(hourly.problems).toEqual([]);
  });
});
