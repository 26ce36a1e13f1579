import { describe, expect, it } from 'vitest';
import { formatProblem, loadPolicySources } from '../../../shared/policy/policy-loader.ts';

// Every invalid policy gets one precise `file:line:col: what is wrong; what was expected` line.
const HEAD = `version: 1
defaults: { timezone: Europe/Berlin }
calendars:
  holidays: { dates: [2026-12-24] }
policies:
`;
const CATALOG = new Set(['REDSHIFT-INTEGRATION-EVENT-0018', 'REDSHIFT-INTEGRATION-EVENT-0019']);

function problemsOf(text: string): string[] {
  return loadPolicySources([{ file: 'p.yml', text }], { knownEventIds: CATALOG }).problems.map(formatProblem);
}

const INVALID: { name: string; policies: string; head?: string; expected: string[] }[] = [
  {
    name: 'typo in a key',
    policies: `  - name: a
    resource: cluster
    windw: { running: ["Mon-Fri 07:00-19:00"] }
`,
    expected: [
      'p.yml:8:5: unknown key "windw" (did you mean "window"?); expected one of: name, description, resource, match, maxResources, dryRun, freeze, window, snapshots, usageLimits, resize, failoverDrill, on, do, foldWindow, allow',
    ],
  },
  {
    name: 'bad cron (both day fields set)',
    policies: `  - name: a
    resource: cluster
    snapshots: { schedule: "cron(0 2 * * * *)" }
`,
    expected: [
      'p.yml:8:28: "cron(0 2 * * * *)" is not a valid schedule: exactly one of Day-of-month and Day-of-week must be "?"',
    ],
  },
  {
    name: 'bad rate unit',
    policies: `  - name: a
    resource: cluster
    snapshots: { schedule: "rate(1 hours)" }
`,
    expected: [
      'p.yml:8:28: "rate(1 hours)" is not a valid schedule: use "1 hour" (AWS requires the singular unit for 1 and the plural otherwise)',
    ],
  },
  {
    name: 'unknown time zone',
    policies: `  - name: a
    resource: cluster
    window:
      running: ["Mon-Fri 07:00-19:00"]
      timezone: Europe/Berln
`,
    expected: [
      'p.yml:10:17: unknown time zone "Europe/Berln"; expected an IANA zone such as Europe/Berlin or America/New_York',
    ],
  },
  {
    name: 'window that ends when it starts',
    policies: `  - name: a
    resource: cluster
    window: { running: ["Mon-Fri 07:00-07:00"] }
`,
    expected: [
      'p.yml:8:25: window "Mon-Fri 07:00-07:00" is empty: it starts and ends at 07:00; expected an end different from the start (an end before the start, like 19:00-07:00, runs into the next day)',
    ],
  },
  {
    name: 'unknown day in a window',
    policies: `  - name: a
    resource: cluster
    window: { running: ["Mon-Fri 07:00-19:00", "Fry 08:00-09:00"] }
`,
    expected: [
      'p.yml:8:48: "Fry" is not a day in window "Fry 08:00-09:00"; expected one of Mon, Tue, Wed, Thu, Fri, Sat, Sun or "daily"',
    ],
  },
  {
    name: 'unknown calendar',
    policies: `  - name: a
    resource: cluster
    window: { running: ["Mon-Fri 07:00-19:00"], closedOn: [holidayz] }
`,
    expected: ['p.yml:8:60: unknown calendar "holidayz"; expected a name defined under calendars'],
  },
  {
    name: 'bad tag syntax',
    policies: `  - name: a
    resource: cluster
    match: { tags: { env: "!prod" } }
    window: { running: ["Mon-Fri 07:00-19:00"] }
`,
    expected: [
      'p.yml:8:27: "!prod" is not a valid tag condition; expected "value", "*" (present), "!=value" (absent or different), "!*" (absent) or a list of values',
    ],
  },
  {
    name: 'unquoted boolean tag value',
    policies: `  - name: a
    resource: cluster
    match: { tags: { managed: true } }
    window: { running: ["Mon-Fri 07:00-19:00"] }
`,
    expected: [
      'p.yml:8:31: tag value boolean true is not text; expected "value", "*" (present), "!=value" (absent or different), "!*" (absent) or a list of values (quote values such as "true" or "123")',
    ],
  },
  {
    name: 'duplicate policy names (position of the second)',
    policies: `  - name: a
    resource: cluster
    window: { running: ["Mon-Fri 07:00-19:00"] }
  - name: a
    resource: workgroup
    window: { running: ["Mon-Fri 07:00-19:00"], runningBaseCapacity: 64, pausedBaseCapacity: 8 }
`,
    expected: ['p.yml:9:11: duplicate policy name "a" (first defined at p.yml:6:5); expected unique names'],
  },
  {
    name: 'unknown and malformed event ids',
    policies: `  - name: a
    resource: integration
    on: { events: [REDSHIFT-INTEGRATION-EVENT-9999, REDSHIFT-EVENT-12] }
    do: [resume-target]
`,
    expected: [
      'p.yml:8:20: unknown event id "REDSHIFT-INTEGRATION-EVENT-9999"; expected an id from the Redshift event catalog',
      'p.yml:8:53: "REDSHIFT-EVENT-12" is not an event id; expected REDSHIFT-EVENT-nnnn, REDSHIFT-SERVERLESS-EVENT-nnnn or REDSHIFT-INTEGRATION-EVENT-nnnn',
    ],
  },
  {
    // Every built-in capability is built now (failoverDrill was the last, issue 16): its block is checked like any other.
    name: 'failover drill without a schedule',
    policies: `  - name: a
    resource: cluster
    failoverDrill: { every: 30d }
`,
    expected: [
      'p.yml:8:20: missing required key "schedule"; expected when to drill, an AWS cron expression read in timezone, such as "cron(0 10 ? 1/3 TUE#2 *)" (the second Tuesday of each quarter, 10:00)',
      'p.yml:8:22: unknown key "every"; expected one of: schedule, timezone, maxRecoveryMinutes, notDuring, canary, startWithin',
    ],
  },
  {
    name: 'missing resource',
    policies: `  - name: a
    window: { running: ["Mon-Fri 07:00-19:00"] }
`,
    expected: ['p.yml:6:5: policy has no resource; expected resource: cluster | workgroup | integration'],
  },
  {
    name: 'base capacity not a multiple of 8',
    policies: `  - name: a
    resource: workgroup
    window: { running: ["Mon-Fri 07:00-19:00"], runningBaseCapacity: 60, pausedBaseCapacity: 8 }
`,
    expected: ['p.yml:8:70: 60 RPUs is not valid; expected a multiple of 8 from 8 to 512'],
  },
  {
    name: 'maxResources over 100%',
    policies: `  - name: a
    resource: cluster
    maxResources: "150%"
    window: { running: ["Mon-Fri 07:00-19:00"] }
`,
    expected: [
      'p.yml:8:19: maxResources "150%" is not valid; expected a whole number ≥ 1 or a percentage from 1% to 100% such as "25%"',
    ],
  },
  {
    name: 'opt-in tag without a value',
    head: HEAD.replace('{ timezone: Europe/Berlin }', '{ timezone: Europe/Berlin, optInTag: managed }'),
    policies: `  - name: a
    resource: cluster
    window: { running: ["Mon-Fri 07:00-19:00"] }
`,
    expected: ['p.yml:2:48: optInTag "managed" is not valid; expected "key=value", e.g. "autopilot:managed=true"'],
  },
  {
    name: 'YAML syntax error',
    policies: `  - name: a
    resource: cluster
    window: { running: ["Mon-Fri 07:00-19:00"
`,
    expected: [
      'p.yml:9:1: a [ list is not closed; expected a closing ] on the same item',
      'p.yml:9:1: a { mapping is not closed; expected a closing } on the same item',
    ],
  },
];

describe('policy loader: invalid policies', () => {
  it.each(INVALID)('$name', ({ policies, head, expected }) => {
    // Prepare
    const text = (head ?? HEAD) + policies;
    // Act
    const problems = problemsOf(text);
    // Assess
    expect(problems).toEqual(expected);
  });

  it('reports every problem of a file at once, in file order', () => {
    // Prepare
    const text = `${HEAD}  - name: a
    resource: clustr
    window: { running: ["Mon-Fri 07:00-19:00"] }
  - name: b
    resource: cluster
    window: { running: ["Mon-Fri 25:00-19:00"], timezone: Mars/Base }
`;
    // Act
    const problems = problemsOf(text);
    // Assess
    expect(problems).toEqual([
      'p.yml:7:15: resource "clustr" is not valid; expected one of cluster, workgroup, integration',
      'p.yml:11:25: "25:00" is not a start time in window "Mon-Fri 25:00-19:00"; expected HH:MM from 00:00 to 23:59',
      'p.yml:11:59: unknown time zone "Mars/Base"; expected an IANA zone such as Europe/Berlin or America/New_York',
    ]);
  });

  it('accepts a window that crosses midnight and names the policy position', () => {
    // Prepare
    const text = `${HEAD}  - name: late
    resource: cluster
    window: { running: ["Mon-Fri 19:00-07:00"], closedOn: [holidays] }
`;
    // Act
    const result = loadPolicySources([{ file: 'p.yml', text }], { knownEventIds: CATALOG });
    // Assess
    expect(result.problems).toEqual([]);
    expect(result.policySet.policies.map((p) => [p.name, p.line, p.col, p.capability.summary])).toEqual([
      ['late', 6, 5, 'window Mon-Fri 19:00-07:00 Europe/Berlin'],
    ]);
  });

  it('shares calendars across files and reports duplicates across files at the second', () => {
    // Prepare
    const a = { file: 'a.yml', text: 'version: 1\ncalendars:\n  h: { dates: [2026-12-24] }\n' };
    const b = {
      file: 'b.yml',
      text: 'version: 1\ncalendars:\n  h: { dates: [2026-12-25] }\npolicies:\n  - name: x\n    resource: cluster\n    window: { running: ["daily 08:00-09:00"], timezone: UTC, closedOn: [h] }\n',
    };
    // Act
    const problems = loadPolicySources([a, b]).problems.map(formatProblem);
    // Assess
    expect(problems).toEqual([
      'b.yml:3:3: duplicate calendar "h"; expected each calendar name once across all policy files',
    ]);
  });

  it('warns (without failing) when a window has no time zone anywhere', () => {
    // Prepare
    const text =
      'version: 1\npolicies:\n  - name: x\n    resource: cluster\n    window: { running: ["daily 08:00-09:00"] }\n';
    // Act
    const result = loadPolicySources([{ file: 'p.yml', text }]);
    // Assess
    expect(result.problems.map(formatProblem)).toEqual([
      'p.yml:5:5: warning: window has no timezone and defaults has none; it is read in UTC (set window.timezone or defaults.timezone)',
    ]);
    expect(result.policySet.policies).toHaveLength(1);
  });
});
