import { describe, expect, it } from 'vitest';
import { formatProblem, loadPolicySources } from '../../../shared/policy/policy-loader.ts';

/** Validates one policy document and returns its problems as `validate` prints them. */
function problems(policies: string): string[] {
  const text = `version: 1\npolicies:\n${policies}`;
  return loadPolicySources([{ file: 'p.yml', text }]).problems.map(formatProblem);
}

/** A cluster policy with these limit lines (each `- {...}` at column 9, from line 6). */
const cluster = (...limits: string[]) =>
  `  - name: a\n    resource: cluster\n    usageLimits:\n      limits:\n${limits.map((l) => `        - ${l}\n`).join('')}`;
const workgroup = (...limits: string[]) =>
  `  - name: w\n    resource: workgroup\n    usageLimits:\n      limits:\n${limits.map((l) => `        - ${l}\n`).join('')}`;

const ISSUE_EXAMPLE = `  - name: analytics-spectrum-budget
    resource: cluster
    match: { tags: { team: analytics } }
    usageLimits:
      limits:
        - { feature: spectrum, amount: 5, period: daily, breachAction: emit-metric }
        - { feature: concurrency-scaling, amount: 120, period: weekly, breachAction: log }
      escalate:                         # on the sum of usage against the declared amount, per period
        - { at: 80%, do: [alert] }
        - { at: 100%, do: [alert, disable-feature] }   # the feature's limit switches to breachAction disable
        - { at: 150%, do: [alert, pause] }             # same guardrails as windows (Multi-AZ never, …)
      budget: per-resource              # or shared: one budget summed over every matched cluster
  - name: serverless-rpu-budget
    resource: workgroup
    match: { tags: { env: dev } }
    usageLimits:
      limits: [{ feature: serverless-compute, amount: 200, period: monthly, breachAction: log }]
      escalate:
        - { at: 90%, do: [alert, { capMaxCapacity: 64 }] }
        - { at: 110%, do: [alert, deactivate] }
`;

describe('usageLimits: the issue example', () => {
  it('validates as written, the Serverless policy included (capMaxCapacity, deactivate)', () => {
    expect(problems(ISSUE_EXAMPLE)).toEqual([]);
    const result = loadPolicySources([{ file: 'p.yml', text: `version: 1\npolicies:\n${ISSUE_EXAMPLE}` }]);
    expect(result.policySet.policies.find((p) => p.name === 'serverless-rpu-budget')?.capability.summary).toBe(
      'usage limits: serverless-compute 200 RPU-hours monthly, log; escalate at 90% (alert, capMaxCapacity), 110% (alert, deactivate)',
    );
  });

  it('accepts a shared budget over workgroups (one budget summed over every matched workgroup)', () => {
    const text = ISSUE_EXAMPLE.replace(
      '        - { at: 110%, do: [alert, deactivate] }',
      '        - { at: 110%, do: [alert, deactivate] }\n      budget: shared',
    );
    expect(problems(text)).toEqual([]);
  });

  it('its cluster limits alone validate and compile', () => {
    const text = `version: 1\npolicies:\n${cluster(
      '{ feature: spectrum, amount: 5, period: daily, breachAction: emit-metric }',
      '{ feature: concurrency-scaling, amount: 120, period: weekly, breachAction: log }',
    )}`;
    const result = loadPolicySources([{ file: 'p.yml', text }]);
    expect(result.problems.map(formatProblem)).toEqual([]);
    expect(result.policySet.policies[0]?.capability.summary).toBe(
      'usage limits: spectrum 5 TB scanned daily, emit-metric; concurrency-scaling 120 minutes weekly, log',
    );
  });
});

describe('usageLimits: AWS rules against the declared set', () => {
  it('refuses a fourth limit on one feature at that limit', () => {
    const four = [1, 2, 3, 4].map((n) => `{ feature: spectrum, amount: ${n}, period: daily }`);
    expect(problems(cluster(...four))).toEqual([
      'p.yml:10:11: a fourth spectrum limit; AWS allows at most 3 limits per feature on a cluster',
    ]);
  });

  it('counts per feature: three spectrum and three concurrency-scaling limits are fine', () => {
    const spectrum = [1, 2, 3].map((n) => `{ feature: spectrum, amount: ${n} }`);
    const scaling = [1, 2, 3].map((n) => `{ feature: concurrency-scaling, amount: ${n} }`);
    expect(problems(cluster(...spectrum, ...scaling))).toEqual([]);
  });

  it('refuses a second disable on one feature at its breachAction, naming the first', () => {
    expect(
      problems(
        cluster(
          '{ feature: spectrum, amount: 1, breachAction: disable }',
          '{ feature: concurrency-scaling, amount: 60, breachAction: disable }',
          '{ feature: spectrum, amount: 2, breachAction: disable }',
        ),
      ),
    ).toEqual([
      'p.yml:9:57: a second spectrum limit with breachAction disable (limits[0] has one); AWS allows one disable per feature; expected log or emit-metric',
    ]);
  });
});

describe('usageLimits: features, amounts, periods and breach actions per service', () => {
  it.each([
    ['spectrum', 'cluster'],
    ['concurrency-scaling', 'cluster'],
    ['cross-region-datasharing', 'cluster'],
    ['serverless-compute', 'workgroup'],
    ['cross-region-datasharing', 'workgroup'],
  ])('accepts feature %s on a %s (schema and rules)', (feature, resource) => {
    const policy = resource === 'cluster' ? cluster : workgroup;
    const found = problems(policy(`{ feature: ${feature}, amount: 5 }`));
    // Workgroups are refused as not built yet, and for nothing else.
    expect(found.filter((p) => !p.includes('not supported yet'))).toEqual([]);
  });

  it('refuses a feature of the other service', () => {
    expect(problems(cluster('{ feature: serverless-compute, amount: 5 }'))).toEqual([
      'p.yml:7:22: feature "serverless-compute" is not a cluster feature; expected one of spectrum, concurrency-scaling, cross-region-datasharing',
    ]);
    expect(problems(workgroup('{ feature: spectrum, amount: 5 }'))).toContain(
      'p.yml:7:22: feature "spectrum" is not a workgroup feature; expected one of serverless-compute, cross-region-datasharing',
    );
  });

  it('refuses an unknown feature', () => {
    expect(problems(cluster('{ feature: extra-compute-for-automatic-optimization, amount: 5 }'))).toEqual([
      'p.yml:7:22: feature "extra-compute-for-automatic-optimization" is not valid; expected one of spectrum, concurrency-scaling, cross-region-datasharing, serverless-compute',
    ]);
  });

  it.each(['0', '-3', '1.5', '"5"'])('refuses amount %s: positive whole numbers only', (amount) => {
    expect(problems(cluster(`{ feature: spectrum, amount: ${amount} }`))).toEqual([
      `p.yml:7:40: amount ${amount === '"5"' ? '"5"' : amount} is not valid; expected a positive whole number (TB, minutes or RPU-hours, by feature)`,
    ]);
  });

  it('refuses a period other than daily, weekly, monthly', () => {
    expect(problems(cluster('{ feature: spectrum, amount: 5, period: hourly }'))).toEqual([
      'p.yml:7:51: period "hourly" is not valid; expected one of daily, weekly, monthly',
    ]);
  });

  it('takes breach actions per service: disable on clusters, deactivate on workgroups', () => {
    expect(problems(cluster('{ feature: spectrum, amount: 5, breachAction: deactivate }'))).toEqual([
      'p.yml:7:57: breachAction "deactivate" is not a cluster breach action; expected one of log, emit-metric, disable',
    ]);
    expect(problems(workgroup('{ feature: serverless-compute, amount: 5, breachAction: disable }'))).toContain(
      'p.yml:7:67: breachAction "disable" is not a workgroup breach action; expected one of log, emit-metric, deactivate',
    );
    expect(problems(cluster('{ feature: spectrum, amount: 5, breachAction: stop }'))).toEqual([
      'p.yml:7:57: breachAction "stop" is not valid; expected one of log, emit-metric, disable, deactivate',
    ]);
  });

  it('refuses a fifth limit on a workgroup', () => {
    const five = [1, 2, 3, 4, 5].map((n) => `{ feature: serverless-compute, amount: ${n} }`);
    expect(problems(workgroup(...five))).toContain(
      'p.yml:11:11: a fifth limit; AWS allows at most 4 usage limits per workgroup',
    );
  });

  it('refuses an empty list and unknown keys', () => {
    expect(problems('  - name: a\n    resource: cluster\n    usageLimits: { limits: [] }\n')).toEqual([
      'p.yml:5:28: limits is empty; expected at least one { feature, amount, period, breachAction }',
    ]);
    expect(problems(cluster('{ feature: spectrum, amount: 5, unit: TB }'))[0]).toBe(
      'p.yml:7:43: unknown key "unit"; expected one of: feature, amount, period, breachAction',
    );
  });
});

describe('usageLimits: escalation grades', () => {
  const grades = (resource: 'cluster' | 'workgroup', feature: string, ...lines: string[]) =>
    `  - name: a\n    resource: ${resource}\n    usageLimits:\n      limits: [{ feature: ${feature}, amount: 5 }]\n      escalate:\n${lines.map((l) => `        - ${l}\n`).join('')}`;

  it('refuses grades out of order and steps the resource does not have', () => {
    const found = problems(
      grades(
        'cluster',
        'spectrum',
        '{ at: 100%, do: [alert] }',
        '{ at: 80%, do: [alert, deactivate, { capMaxCapacity: 64 }] }',
      ),
    );
    expect(found).toEqual([
      'p.yml:9:17: at 80% does not climb above the grade before it (100%); expected grades in increasing order',
      'p.yml:9:34: step deactivate does not apply to a cluster; expected one of alert, disable-feature, pause',
      'p.yml:9:46: step capMaxCapacity does not apply to a cluster; expected one of alert, disable-feature, pause',
    ]);
  });

  it('pause is for clusters only; capMaxCapacity must be a valid max capacity', () => {
    const wg = (...lines: string[]) => problems(grades('workgroup', 'serverless-compute', ...lines));
    expect(wg('{ at: 90%, do: [pause, { capMaxCapacity: 64 }, deactivate] }')).toContain(
      'p.yml:8:27: step pause does not apply to a workgroup; expected one of alert, deactivate, capMaxCapacity',
    );
    expect(wg('{ at: 95%, do: [{ capMaxCapacity: 7 }] }')).toEqual([
      'p.yml:8:45: capMaxCapacity 7 is not valid; expected RPUs: a multiple of 8 from 8 to 5632',
    ]);
  });

  it('refuses an at that is not a percentage', () => {
    expect(problems(grades('cluster', 'spectrum', '{ at: 0.8, do: [alert] }'))).toContain(
      'p.yml:8:17: at 0.8 is not valid; expected a percentage such as 80%',
    );
  });
});
