import { describe, expect, it } from 'vitest';
import { analyzeConflicts } from '../../../shared/policy/conflicts.ts';
import { formatProblem, loadPolicySources } from '../../../shared/policy/policy-loader.ts';

/** The problems `validate` prints for one document (`now` given, as validate gives it). */
function problems(text: string, now = Date.parse('2026-03-01T00:00:00Z')): string[] {
  return loadPolicySources([{ file: 'p.yml', text }], { now }).problems.map(formatProblem);
}

/** A cluster policy whose resize block is `body` (its lines at column 7, from line 6). */
const resize = (body: string) => `version: 1\npolicies:\n  - name: a\n    resource: cluster\n    resize:\n${body}`;

const ISSUE_EXAMPLE = `version: 1
policies:
  - name: finance-month-end
    resource: cluster
    match: { tags: { team: finance } }
    resize:
      timezone: Europe/Berlin
      default: { nodes: 4 }
      windows:
        - { from: "cron(0 16 L * ? *)", to: "cron(0 6 1 * ? *)", nodes: 8 }   # last day 16:00 → the 1st 06:00
        - { running: ["Mon 06:00-12:00"], nodes: 6 }                             # the same window spec as \`window\`
      allowClassic: false           # refuse (with the reason) rather than fall back to classic
      snapshotBefore: true          # a manual snapshot first, tagged and kept per the snapshot rules
      grow: { onAlarm: "{cluster}-disk-high", step: 2, max: 12, cooldown: 6h }
`;

describe('resize: the issue example', () => {
  it('validates exactly as written, and compiles with both windows, the snapshot and the growth in its summary', () => {
    expect(problems(ISSUE_EXAMPLE)).toEqual([]);
    const result = loadPolicySources([{ file: 'p.yml', text: ISSUE_EXAMPLE }], {
      now: Date.parse('2026-03-01T00:00:00Z'),
    });
    expect(result.problems.map(formatProblem)).toEqual([]);
    expect(result.policySet.policies[0]?.capability.summary).toBe(
      'resize to 4 nodes, 8 in cron(0 16 L * ? *) → cron(0 6 1 * ? *); 6 in Mon 06:00-12:00 Europe/Berlin (Europe/Berlin); a snapshot before each resize; grows by 2 up to 12 on alarm {cluster}-disk-high, at most every 360 min, until the next boundary',
    );
  });
});

describe('resize: node counts', () => {
  it.each([
    [
      '1.5',
      'p.yml:6:25: 1.5 nodes is not valid; expected a whole number of nodes from 1 to 128 (nodes per cluster, guide L27975)',
    ],
    [
      '0',
      'p.yml:6:25: 0 nodes is not valid; expected a whole number of nodes from 1 to 128 (nodes per cluster, guide L27975)',
    ],
    [
      '129',
      'p.yml:6:25: 129 nodes is not valid; expected a whole number of nodes from 1 to 128 (nodes per cluster, guide L27975)',
    ],
    ['"4"', 'p.yml:6:25: "4" is not a number; expected a whole number of nodes from 1 to 128'],
  ])('default nodes %s is refused', (nodes, message) => {
    expect(problems(resize(`      default: { nodes: ${nodes} }\n`))).toEqual([message]);
  });

  it('warns about a window that sets the default size', () => {
    expect(
      problems(
        resize('      default: { nodes: 4 }\n      windows:\n        - { running: ["Mon 06:00-12:00"], nodes: 4 }\n'),
      ),
    ).toEqual([
      'p.yml:8:50: warning: window sets 4 nodes, the default size: it changes nothing; expected a size other than default.nodes',
    ]);
  });

  it('warns when the sizes lie further apart than any elastic resize reaches, unless classic is allowed', () => {
    const body = '      default: { nodes: 2 }\n      windows:\n        - { running: ["Mon 06:00-12:00"], nodes: 16 }\n';
    expect(problems(resize(body))).toEqual([
      'p.yml:5:5: warning: sizes range from 2 to 16 nodes: no node type resizes elastically beyond 4x its baseline (guide L3449–3466), so some resizes will be refused; expected sizes within 4x of each other, or allowClassic: true',
    ]);
    expect(problems(resize(`${body}      allowClassic: true\n`))).toEqual([]);
  });
});

describe('resize: windows', () => {
  const win = (w: string) => resize(`      default: { nodes: 4 }\n      windows:\n        - ${w}\n`);

  it('refuses a cron that is not AWS cron, at the expression', () => {
    expect(problems(win('{ from: "cron(0 16 L * ? *)", to: "cron(0 61 1 * ? *)", nodes: 8 }'))).toEqual([
      'p.yml:8:45: "cron(0 61 1 * ? *)" is not a valid schedule: Hours value "61" is out of range; expected 0-23',
    ]);
  });

  it('refuses a pair that fires only in the past', () => {
    expect(problems(win('{ from: "cron(0 16 L * ? 2020)", to: "cron(0 6 1 * ? 2020)", nodes: 8 }'))).toEqual([
      'p.yml:8:19: "cron(0 16 L * ? 2020)" fires only in the past (no time after 2026-03-01T00:00Z); expected a schedule that fires again, e.g. a Year field of * or one still to come',
      'p.yml:8:48: "cron(0 6 1 * ? 2020)" fires only in the past (no time after 2026-03-01T00:00Z); expected a schedule that fires again, e.g. a Year field of * or one still to come',
    ]);
  });

  it('refuses a from without a to, a to equal to its from, and both forms in one window', () => {
    expect(problems(win('{ from: "cron(0 16 L * ? *)", nodes: 8 }'))).toEqual([
      'p.yml:8:11: window has no to; expected { from: "cron(…)", to: "cron(…)", nodes: N } or { running: ["Mon 06:00-12:00"], nodes: N }',
    ]);
    expect(problems(win('{ from: "cron(0 16 L * ? *)", to: "cron(0 16 L * ? *)", nodes: 8 }'))).toEqual([
      'p.yml:8:45: to is the same schedule as from (cron(0 16 L * ? *)): the window would never open; expected the time it ends',
    ]);
    expect(problems(win('{ running: ["Mon 06:00-12:00"], from: "cron(0 6 1 * ? *)", nodes: 8 }'))).toEqual([
      'p.yml:8:11: a window has either from/to or running, not both; expected { from: "cron(…)", to: "cron(…)", nodes: N } or { running: ["Mon 06:00-12:00"], nodes: N }',
    ]);
  });

  it('reads running ranges with the window spec of `window`', () => {
    expect(problems(win('{ running: ["Mon 6-12"], nodes: 8 }'))).toEqual([
      'p.yml:8:23: "6" is not a start time in window "Mon 6-12"; expected HH:MM from 00:00 to 23:59',
    ]);
  });
});

describe('resize: switches, snapshotBefore and grow', () => {
  it('takes booleans for allowClassic and snapshotBefore; snapshotBefore: false is accepted', () => {
    expect(problems(resize('      default: { nodes: 4 }\n      allowClassic: yes\n'))).toEqual([
      'p.yml:7:21: allowClassic is "yes"; expected true or false',
    ]);
    expect(problems(resize('      default: { nodes: 4 }\n      snapshotBefore: 1\n'))).toEqual([
      'p.yml:7:23: snapshotBefore is number 1; expected true or false',
    ]);
    expect(problems(resize('      default: { nodes: 4 }\n      snapshotBefore: false\n'))).toEqual([]);
  });

  it('checks grow: cooldown a duration, max at least the default', () => {
    expect(
      problems(resize('      default: { nodes: 4 }\n      grow: { onAlarm: x, step: 2, max: 8, cooldown: 6 hours }\n')),
    ).toEqual(['p.yml:7:54: "6 hours" is not a duration; expected minutes or hours such as 15m, 2h or 1h30m']);
    expect(
      problems(resize('      default: { nodes: 4 }\n      grow: { onAlarm: x, step: 2, max: 3, cooldown: 6h }\n')),
    ).toEqual(['p.yml:7:41: grow.max 3 is below default.nodes 4; expected a maximum of at least 4']);
  });

  it('applies to clusters only', () => {
    const text =
      'version: 1\npolicies:\n  - name: w\n    resource: workgroup\n    resize:\n      default: { nodes: 4 }\n';
    expect(problems(text)).toEqual([
      'p.yml:4:15: resize does not apply to resource: workgroup; expected resource: cluster',
    ]);
  });
});

describe('resize: validate flags a resize boundary inside another policy’s paused time', () => {
  const doc = (running: string) => `version: 1
policies:
  - name: office-hours
    resource: cluster
    match: { tags: { team: finance } }
    window: { running: ["${running}"], timezone: Europe/Berlin }
  - name: finance-resize
    resource: cluster
    match: { tags: { team: finance } }
    resize:
      timezone: Europe/Berlin
      default: { nodes: 4 }
      windows:
        - { running: ["Mon 06:00-12:00"], nodes: 6 }
`;
  const conflicts = (running: string) => {
    const from = Date.parse('2026-03-02T00:00:00Z');
    const { policySet } = loadPolicySources([{ file: 'p.yml', text: doc(running) }], { now: from });
    return analyzeConflicts(policySet.policies, null, from).map((p) => `${p.line}:${p.col}: ${p.message}`);
  };

  it('warns when the window pauses the cluster at 06:00 Monday, when the resize is due', () => {
    expect(conflicts('Mon-Fri 07:00-19:00')).toEqual([
      '7:5: resize policy "finance-resize" (p.yml:7:5) has 2 slot(s) in the next 14 days while window policy "office-hours" (p.yml:3:5) keeps clusters both may select paused, first 2026-03-02T05:00Z; a paused cluster takes no resize (guide L3640); expected slots inside the running window',
    ]);
  });

  it('is quiet when the cluster runs at every resize boundary', () => {
    expect(conflicts('Mon-Fri 05:00-19:00')).toEqual([]);
  });
});
