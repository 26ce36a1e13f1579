import { describe, expect, it } from 'vitest';
import { COMMAND_NAMES, loadCommand, main } from '../../../shared/cli/main.ts';
import { fakeIo } from '../../helpers/cli.ts';

describe('autopilot main', () => {
  it('rejects an unknown command with exit 2 and a hint, no stack trace', async () => {
    const io = fakeIo();

    const code = await main(['frobnicate'], io);

    expect(code).toBe(2);
    expect(io.err()).toBe("autopilot: unknown command 'frobnicate'; try 'autopilot --help'\n");
    expect(io.err()).not.toMatch(/\n\s+at /);
  });

  it('lists every command with its summary on --help', async () => {
    const io = fakeIo();

    const code = await main(['--help'], io);

    expect(code).toBe(0);
    expect(io.out()).toMatch(/^usage: autopilot <command>/);
    for (const name of COMMAND_NAMES) expect(io.out()).toMatch(new RegExp(`^ {2}${name} +\\S`, 'm'));
  });

  it('can load every command it lists', { timeout: 60_000 }, async () => {
    for (const name of COMMAND_NAMES) {
      const { command } = (await loadCommand(name)) ?? { command: undefined };
      expect(command?.usage, name).toMatch(new RegExp(`^autopilot ${name}`));
    }
  });

  it('prints usage on stderr and exits 2 when called without a command', async () => {
    const io = fakeIo();

    expect(await main([], io)).toBe(2);
    expect(io.out()).toBe('');
    expect(io.err()).toContain('commands:');
  });
});
