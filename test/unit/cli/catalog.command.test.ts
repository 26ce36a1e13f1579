import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../shared/cli/main.ts';
import { normalize } from '../../../shared/events/normalize.ts';
import { fakeIo } from '../../helpers/cli.ts';
import { loadEventFixtureText } from '../../helpers/fixtures.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');

/** The zero-ETL resume reaction, as the README writes it. */
const RESUME = `version: 1
defaults: { timezone: UTC, optInTag: "autopilot:managed=true" }
policies:
  - name: zero-etl-target-resume
    resource: integration
    on: { events: [REDSHIFT-INTEGRATION-EVENT-0018, REDSHIFT-INTEGRATION-EVENT-0019] }
    do: [resume-target, alert]
`;

/** A window that pauses zero-ETL targets on purpose outside 01:00–02:00 UTC (the fake clock says 09:00). */
const WINDOW = `version: 1
policies:
  - name: night-etl-only
    resource: cluster
    match: { tags: { env: etl } }
    window:
      running: ["Mon-Sun 01:00-02:00"]
      timezone: UTC
      pauseZeroEtlTargets: true
`;

let dir: string;
let withWindow: string;
beforeAll(async () => {
  // Loading the command, the policy loader and the capability registry is the slow part: once, here.
  await import('../../../shared/cli/commands/catalog.command.ts');
  await import('../../../shared/policy/policy-loader.ts');
  dir = mkdtempSync(path.join(tmpdir(), 'catalog-'));
  writeFileSync(path.join(dir, 'policies.yml'), RESUME);
  withWindow = mkdtempSync(path.join(tmpdir(), 'catalog-window-'));
  writeFileSync(path.join(withWindow, 'policies.yml'), RESUME);
  writeFileSync(path.join(withWindow, 'window.yml'), WINDOW);
}, 60_000);

async function catalog(...args: string[]) {
  const io = fakeIo({ cwd: ROOT, now: '2026-11-25T09:00:00Z' });
  const code = await main(['catalog', ...args], io);
  return { code, out: io.out(), err: io.err() };
}

describe('autopilot catalog <id> --policies', () => {
  it('0019: category, severity, both wordings, the EventBridge envelope, the example, and the policy that resumes the target', async () => {
    const { code, out, err } = await catalog('REDSHIFT-INTEGRATION-EVENT-0019', '--policies', dir);

    expect(err).toBe('');
    expect(code).toBe(0);
    expect(out).toContain('REDSHIFT-INTEGRATION-EVENT-0019  WARNING  Operation  (integration)');
    expect(out).toContain('  message:    Target Amazon Redshift cluster is being paused. Resume the cluster');
    expect(out).toContain('  EventBridge wording: Target Amazon Redshift cluster is paused.');
    expect(out).toContain('source aws.redshift, detail-type "Redshift Integration Operation"');
    expect(out).toMatch(
      /zero-etl-target-resume \(.*policies\.yml:4\):\n {6}ResumeCluster on cluster\/example-target: REDSHIFT-INTEGRATION-EVENT-0019 at .*needs its target running/,
    );
    expect(out).not.toContain('night-etl-only');
  });

  it('a window that pauses the target on purpose expects 0019: the reaction does not resume it', async () => {
    const { code, out } = await catalog('REDSHIFT-INTEGRATION-EVENT-0019', '--policies', withWindow);

    expect(code).toBe(0);
    expect(out).toMatch(
      /night-etl-only \(.*window\.yml:3\):\n {6}expects it: zero-ETL target example-target is paused on purpose/,
    );
    expect(out).toMatch(/zero-etl-target-resume \(.*policies\.yml:4\):\n/);
    expect(out).not.toContain('ResumeCluster');
  });

  it('the same with the id after --policies, and with the example policies file', async () => {
    const after = await catalog('--policies', 'examples/policies/example.yml', 'REDSHIFT-INTEGRATION-EVENT-0019');

    expect(after.code).toBe(0);
    expect(after.out).toMatch(/zero-etl-target-resume \(examples\/policies\/example\.yml:\d+\):\n {6}ResumeCluster/);
  });

  it('an id no policy reacts to says so', async () => {
    const { code, out } = await catalog('REDSHIFT-INTEGRATION-EVENT-0013', '--policies', dir);

    expect(code).toBe(0);
    expect(out).toContain(`  policies (${dir}): none reacts to it`);
  });
});

describe('autopilot catalog --unhandled', () => {
  it('--unhandled lists the ids nothing in the folder reacts to, and counts them on stderr', async () => {
    const { code, out, err } = await catalog('--policies', dir, '--unhandled');
    const ids = out
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => l.split(' ')[0]);

    expect(code).toBe(0);
    expect(ids).toContain('REDSHIFT-INTEGRATION-EVENT-0000');
    expect(ids).toContain('REDSHIFT-EVENT-3619');
    expect(ids).not.toContain('REDSHIFT-INTEGRATION-EVENT-0018');
    expect(ids).not.toContain('REDSHIFT-INTEGRATION-EVENT-0019');
    expect(err).toBe(`${ids.length} of ${ids.length + 2} ids: no policy of ${dir} reacts to them\n`);
  });

  it('a policy that only skips an event (a cluster policy on an integration event) leaves it unhandled, and says why', async () => {
    const skipping = mkdtempSync(path.join(tmpdir(), 'catalog-skip-'));
    writeFileSync(
      path.join(skipping, 'p.yml'),
      'version: 1\npolicies:\n  - name: cluster-errors\n    resource: cluster\n    on: { severities: [ERROR] }\n    do: [alert]\n',
    );

    const detail = await catalog('REDSHIFT-INTEGRATION-EVENT-0007', '--policies', skipping);
    const unhandled = await catalog('REDSHIFT-INTEGRATION-EVENT-0007', '--policies', skipping, '--unhandled');
    const cluster = await catalog('REDSHIFT-EVENT-3668', '--policies', skipping, '--unhandled');

    expect(detail.out).toMatch(/cluster-errors \(.*p\.yml:3\):\n {6}skip integration\//);
    expect(unhandled.out).toMatch(/^REDSHIFT-INTEGRATION-EVENT-0007 /);
    expect(cluster.out).toBe('');
    expect(cluster.err).toBe(`0 of 1 ids: no policy of ${skipping} reacts to them\n`);
  });

  it('--unhandled over a pattern, as JSON lines', async () => {
    const { code, out } = await catalog('REDSHIFT-INTEGRATION-EVENT-00*', '--policies', dir, '--unhandled', '--json');
    const rows = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: string });

    expect(code).toBe(0);
    expect(rows.map((r) => r.id)).not.toContain('REDSHIFT-INTEGRATION-EVENT-0019');
    expect(rows.map((r) => r.id)).toContain('REDSHIFT-INTEGRATION-EVENT-0007');
    expect(rows.every((r) => r.id.startsWith('REDSHIFT-INTEGRATION-EVENT-00'))).toBe(true);
  });
});

describe('autopilot catalog examples', () => {
  it('every id known (catalog and EventBridge pages) has an example that normalizes back to it', async () => {
    const { code, out } = await catalog('--json');
    const rows = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: string; example: unknown; normalized: { eventId: string } });

    expect(code).toBe(0);
    expect(rows).toHaveLength(196);
    expect(rows.filter((r) => r.id.startsWith('REDSHIFT-INTEGRATION-EVENT-'))).toHaveLength(27);
    for (const row of rows) {
      expect(row.normalized.eventId, row.id).toBe(row.id);
      expect(normalize(row.example)[0]?.eventId, row.id).toBe(row.id);
    }
  });

  it('zero-ETL examples carry the captured event detail keys; cluster examples the recorded SNS record keys', async () => {
    const captured = JSON.parse(
      loadEventFixtureText('eventbridge-aws.redshift-integration-monitoring.CAPTURED-PARTIAL.json'),
    ) as { source: string; detail: object };
    const recorded = JSON.parse(
      loadEventFixtureText('sns-lambda-event-redshift-event-notification-REDSHIFT-EVENT-2004.json'),
    ) as { Records: { Sns: Record<string, unknown> & { Message: string } }[] };
    const zeroEtl = JSON.parse((await catalog('REDSHIFT-INTEGRATION-EVENT-1001', '--json')).out) as {
      example: { source: string; detail: object };
      envelope: { summary: string };
    };
    const cluster = JSON.parse((await catalog('REDSHIFT-EVENT-2004', '--json')).out) as {
      example: { Records: { Sns: Record<string, unknown> & { Message: string } }[] };
    };

    expect(zeroEtl.example.source).toBe(captured.source);
    expect(Object.keys(zeroEtl.example.detail).sort()).toEqual(Object.keys(captured.detail).sort());
    expect(zeroEtl.envelope.summary).toContain('"Redshift Integration Configuration"');
    const [real] = recorded.Records;
    const [built] = cluster.example.Records;
    expect(Object.keys(built?.Sns ?? {}).sort()).toEqual(Object.keys(real?.Sns ?? {}).sort());
    expect(Object.keys(JSON.parse(built?.Sns.Message ?? '{}')).sort()).toEqual(
      Object.keys(JSON.parse(real?.Sns.Message ?? '{}')).sort(),
    );
  });

  it('a glob and a /regex/ select ids; without --policies each line is the entry alone', async () => {
    const glob = await catalog('redshift-integration-event-100?');
    const regex = await catalog('/INTEGRATION-EVENT-00(0[6-7]|1[24])$/');

    expect(
      glob.out
        .trim()
        .split('\n')
        .map((l) => l.split(' ')[0]),
    ).toEqual(['1000', '1001', '1002', '1003', '1004', '1005', '1006'].map((n) => `REDSHIFT-INTEGRATION-EVENT-${n}`));
    expect(
      regex.out
        .trim()
        .split('\n')
        .map((l) => l.split(' ')[0]),
    ).toEqual(['0006', '0007', '0012', '0014'].map((n) => `REDSHIFT-INTEGRATION-EVENT-${n}`));
  });
});

describe('autopilot catalog usage errors', () => {
  it('an unknown id names the closest known ids, exit 2', async () => {
    const { code, err } = await catalog('REDSHIFT-INTEGRATION-EVENT-0099');

    expect(code).toBe(2);
    expect(err).toContain(
      'autopilot catalog: unknown event id REDSHIFT-INTEGRATION-EVENT-0099; the closest known ids are REDSHIFT-INTEGRATION-EVENT-0009, REDSHIFT-INTEGRATION-EVENT-0019, REDSHIFT-INTEGRATION-EVENT-0000',
    );
    expect(err).toContain('usage: autopilot catalog');
  });

  it('a pattern matching nothing, a broken regex, --unhandled without --policies, an unknown option', async () => {
    expect((await catalog('REDSHIFT-NOPE-*')).err).toContain('no event id matches REDSHIFT-NOPE-*');
    expect((await catalog('/REDSHIFT-(/')).err).toContain('/REDSHIFT-(/ is not a regular expression');
    expect((await catalog('--unhandled')).err).toContain('--unhandled needs --policies');
    const unknown = await catalog('REDSHIFT-EVENT-2004', '--fleet', 'x.json');
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain('unknown option --fleet');
  });

  it('a policy folder that does not validate stops with its file:line:col errors, exit 1', async () => {
    const bad = mkdtempSync(path.join(tmpdir(), 'catalog-bad-'));
    writeFileSync(
      path.join(bad, 'p.yml'),
      'version: 1\npolicies:\n  - name: x\n    resource: integration\n    on: { events: [REDSHIFT-INTEGRATION-EVENT-9999] }\n    do: [alert]\n',
    );

    const { code, err } = await catalog('REDSHIFT-INTEGRATION-EVENT-0019', '--policies', bad);

    expect(code).toBe(1);
    expect(err).toMatch(/p\.yml:5:\d+: unknown event id "REDSHIFT-INTEGRATION-EVENT-9999"/);
    expect(readFileSync(path.join(bad, 'p.yml'), 'utf8')).toContain('9999');
  });
});

describe('the README catalog commands, as written', () => {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const commands = [...readme.matchAll(/^npm run --silent autopilot -- (catalog .*)$/gm)].map((m) =>
    [...(m[1] ?? '').matchAll(/'([^']*)'|(\S+)/g)].map((a) => a[1] ?? a[2] ?? ''),
  );

  it('there are two, and each runs: 0019 names the reacting policy, the pattern lists the unhandled ids', async () => {
    expect(commands).toHaveLength(2);
    const [one, unhandled] = await Promise.all(commands.map((args) => catalog(...args.slice(1))));

    expect(one?.code).toBe(0);
    expect(one?.out).toMatch(
      /zero-etl-target-resume \(examples\/policies\/example\.yml:\d+\):\n {6}ResumeCluster on cluster\/example-target/,
    );
    expect(unhandled?.code).toBe(0);
    expect(unhandled?.out).toContain('REDSHIFT-INTEGRATION-EVENT-1001');
    expect(unhandled?.out).not.toContain('REDSHIFT-INTEGRATION-EVENT-0019');
  });
});
