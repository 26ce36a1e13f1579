import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../../shared/cli/main.ts';
import { fakeIo } from '../../helpers/cli.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');

describe('plan, a policy that does nothing', () => {
  it('says its selector matches nothing in the fleet, instead of only "no actions"', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'plan-')), 'p.yml');
    writeFileSync(
      file,
      [
        'version: 1',
        'defaults: { timezone: Europe/Berlin }',
        'policies:',
        '  - name: nothing-here',
        '    resource: cluster',
        '    match: { tags: { env: nonexistent } }',
        '    window: { running: ["Mon-Fri 07:00-19:00"] }',
        '',
      ].join('\n'),
    );
    const io = fakeIo({ cwd: ROOT });
    const args = ['--fleet', 'examples/fleet/fleet.json', '--from', '2026-12-07T00:00Z', '--to', '2026-12-08T00:00Z'];
    expect(await main(['plan', '--policies', file, ...args], io)).toBe(0);
    expect(io.out()).toContain(
      '  no actions: the selector matches no cluster of the fleet (check match: tags, identifiers, accounts, regions)',
    );
  });

  it('refuses a schedule that never fires from the period on, like validate', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'plan-')), 'p.yml');
    writeFileSync(
      file,
      [
        'version: 1',
        'policies:',
        '  - name: old-snaps',
        '    resource: cluster',
        '    match: { tags: { env: prod } }',
        '    snapshots: { schedule: "cron(0 2 * * ? 2020)", retain: { last: 3 } }',
        '',
      ].join('\n'),
    );
    const io = fakeIo({ cwd: ROOT });
    const args = ['--fleet', 'examples/fleet/fleet.json', '--from', '2026-12-07T00:00Z', '--to', '2026-12-08T00:00Z'];
    expect(await main(['plan', '--policies', file, ...args], io)).toBe(1);
    expect(io.err()).toContain('"cron(0 2 * * ? 2020)" fires only in the past (no time after 2026-12-07T00:00Z)');
  });
});
