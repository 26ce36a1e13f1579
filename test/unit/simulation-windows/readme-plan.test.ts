import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { command as plan } from '../../../shared/cli/commands/plan.command.ts';
import { fakeIo } from '../../helpers/cli.ts';

/**
 * The README's "Pause/resume windows" section shows `plan` output for the week in which summer time
 * ends in Berlin: every line it shows (all but the `…` elisions) must be what `plan` prints today.
 */
const ROOT = path.resolve(import.meta.dirname, '../../..');

function readmeSample(): { args: string[]; lines: string[] } {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Pause/resume windows'), readme.indexOf('## Event sources'));
  const sh = /```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
  const text = /```text\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
  const args = sh
    .replace(/\\\n/g, ' ')
    .trim()
    .split(/\s+/)
    .slice(sh.trim().split(/\s+/).indexOf('plan') + 1);
  return { args, lines: text.split('\n').filter((l) => l.trim() !== '' && l.trim() !== '…') };
}

describe('README: the savings `plan` shows for a window', () => {
  it('matches the output of plan for the documented command', async () => {
    const { args, lines } = readmeSample();
    expect(args).toContain('--from');
    expect(lines.length).toBeGreaterThan(8);
    const io = fakeIo({ cwd: ROOT });

    const code = await plan.run(args, io);

    expect(code).toBe(0);
    const printed = io.out().split('\n');
    for (const line of lines) expect(printed).toContain(line);
    expect(printed).toContain('Savings: 665.0 node-hours paused over the period');
  });
});
