import { describe, expect, it } from 'vitest';
import { formatProblem } from '../../../../shared/policy/policy-loader.ts';
import { ISSUE_EXAMPLE, loadText } from './drill-fixtures.ts';

const messages = (text: string) => loadText(text).problems.map(formatProblem);
const withBlock = (block: string) => `version: 1
policies:
  - name: d
    resource: cluster
    failoverDrill:
${block}`;

describe('failoverDrill language', () => {
  it('the issue example validates as written and compiles to a summary naming its parts', () => {
    const { policySet, problems } = loadText(ISSUE_EXAMPLE);
    expect(problems).toEqual([]);
    expect(policySet.policies[0]?.capability.summary).toBe(
      'failover drill cron(0 10 ? 1/3 TUE#2 *) Europe/Berlin; recovery within 20 min; canary on dev; not during year-end-freeze; one at a time',
    );
  });

  it('points at a bad cron with file:line:col and what was expected', () => {
    expect(messages(withBlock('      schedule: "cron(0 10 * * * *)"\n'))).toEqual([
      expect.stringMatching(/^drill\.yml:6:17: "cron\(0 10 \* \* \* \*\)" is not a valid schedule: .*Day-of-month/),
    ]);
  });

  it('names what a missing or non-text schedule should be, at the block', () => {
    expect(messages(withBlock('      maxRecoveryMinutes: 20\n'))).toEqual([
      'drill.yml:6:7: missing required key "schedule"; expected when to drill, an AWS cron expression read in timezone, such as "cron(0 10 ? 1/3 TUE#2 *)" (the second Tuesday of each quarter, 10:00)',
    ]);
    expect(messages(withBlock('      schedule: 10\n'))).toEqual([
      expect.stringMatching(/^drill\.yml:6:17: schedule 10 is not text; expected an AWS cron expression such as/),
    ]);
  });

  it('refuses a schedule more often than daily, naming why', () => {
    expect(messages(withBlock('      schedule: "rate(6 hours)"\n'))[0]).toMatch(
      /fires 6 hours apart; expected failover drills at most once every 24 hours \(a drill is an outage rehearsal, not a load test\)/,
    );
  });

  it('refuses maxRecoveryMinutes out of range, a bad secret ARN and a non-SYS canary, each at its value', () => {
    const got = messages(
      withBlock(`      schedule: "cron(0 10 ? 1/3 TUE#2 *)"
      maxRecoveryMinutes: 2
      notDuring: [nope]
      canary: { database: dev, secretArn: "arn:aws:s3:::bucket", sql: "select * from stl_query" }
`),
    );
    expect(got).toEqual([
      'drill.yml:7:27: maxRecoveryMinutes is too small; expected at least 5',
      expect.stringContaining('drill.yml:9:43: secretArn "arn:aws:s3:::bucket" is not a Secrets Manager secret ARN'),
      'drill.yml:9:71: stl_query does not work on a Multi-AZ cluster: only SYS_* monitoring views do (guide L4531–4563); expected one SELECT on SYS_* views',
    ]);
  });

  it('names an unknown notDuring calendar at its position', () => {
    expect(messages(withBlock('      schedule: "cron(0 10 ? 1/3 TUE#2 *)"\n      notDuring: [nope]\n'))).toEqual([
      'drill.yml:7:19: unknown calendar "nope"; expected a name defined under calendars',
    ]);
  });

  it('refuses a workgroup policy (Serverless has no Multi-AZ failover)', () => {
    const text = withBlock('      schedule: "cron(0 10 ? 1/3 TUE#2 *)"\n').replace(
      'resource: cluster',
      'resource: workgroup',
    );
    expect(messages(text).join('\n')).toMatch(/failoverDrill/);
  });
});
