import { describe, expect, it } from 'vitest';
import { main } from '../../../shared/cli/main.ts';
import { fakeIo } from '../../helpers/cli.ts';

describe('autopilot main', () => {
  it('rejects an unknown command with exit 2 and a hint, no stack trace', async () => {
    const io = fakeIo();

    const code = await main(['frobnicate'], io);

    expect(code).toBe(2);
    expect(io.err()).toBe("autopilot: unknown command 'frobnicate'; try 'autopilot --help'\n");
    expect(io.err()).not.toMatch(/\n\s+at /);
  });

  it('lists the commands it can load on --help', async () => {
    const io = fakeIo();

    const code = await main(['--help'], io);

    expect(code).toBe(0);
    expect(io.out()).toMatch(/^usage: autopilot <command>/);
    expect(io.out()).toMatch(/^ {2}normalize /m);
  });

  it('prints usage on stderr and exits 2 when called without a command', async () => {
    const io = fakeIo();

    expect(await main([], io)).toBe(2);
    expect(io.out()).toBe('');
    expect(io.err()).toContain('commands:');
  });
});
