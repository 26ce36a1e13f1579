import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseOptions, SHARED_OPTIONS } from '../../../shared/cli/args.ts';
import { parsePlanArgs } from '../../../shared/cli/commands/plan.command.ts';
import { parseSimulateArgs } from '../../../shared/cli/commands/simulate.command.ts';
import { UsageError } from '../../../shared/cli/io.ts';
import { main } from '../../../shared/cli/main.ts';
import { fakeIo } from '../../helpers/cli.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const REQUIRED = ['--policies', 'p.yml', '--fleet', 'f.json', '--from', '2026-12-07', '--to', '2026-12-08'];

async function run(argv: string[]) {
  const io = fakeIo({ cwd: ROOT });
  const code = await main(argv, io);
  return { code, out: io.out(), err: io.err() };
}

describe('the plan/simulate option parser', () => {
  it('reads --fleet repeated, as a list, or both, in order', () => {
    // Act
    const plan = parsePlanArgs(['--policies', 'p.yml', '--fleet', 'a.json', '--fleet', 'b.json', 'c.json']);
    const simulate = parseSimulateArgs([...REQUIRED, '--fleet', 'g.json', '--policies', 'q.yml', 'r.yml']);
    // Assess
    expect(plan.fleet).toEqual(['a.json', 'b.json', 'c.json']);
    expect(simulate.fleet).toEqual(['f.json', 'g.json']);
    expect(simulate.policies).toEqual(['p.yml', 'q.yml', 'r.yml']);
  });

  it('keeps a list item that starts with a single dash as a value, and takes --flag=value', () => {
    const values = parseOptions(['--fleet', '-odd.json', '--events=e.jsonl', '--json'], SHARED_OPTIONS);
    expect(values).toEqual({ fleet: ['-odd.json'], events: 'e.jsonl', json: true });
  });

  it.each([
    [['--verbose'], 'unknown option --verbose; expected one of --policies, --fleet, --events, --from, --to, --json'],
    [['-v'], 'unknown option -v; expected one of'],
    [['--'], 'unknown option --; expected one of'],
    [['--events'], '--events needs a value; expected --events <value>'],
    [['--events', '--json'], '--events needs a value; expected --events <value>'],
    [['--events', '-x'], '--events needs a value; expected --events <value>, or --events=-x'],
    [['--json=yes'], '--json takes no value; expected --json alone'],
    [['--json', 'stray'], 'unexpected argument stray; expected it after --policies or --fleet'],
  ])('turns parseArgs errors into a UsageError in the CLI words (%#)', (args, message) => {
    expect(() => parseOptions(args, SHARED_OPTIONS)).toThrow(UsageError);
    expect(() => parseOptions(args, SHARED_OPTIONS)).toThrow(message);
  });

  it.each([
    ['plan', ['--policies', 'p.yml', '--fleet', 'f.json', '--seed', '7'], 'unknown option --seed; expected one of'],
    ['simulate', [...REQUIRED, '--tick', '5'], 'unknown option --tick; expected one of'],
    ['plan', ['--policies', 'p.yml', '--fleet', 'f.json', '--tick'], '--tick needs a value'],
    ['simulate', [...REQUIRED, '--report'], '--report needs a value'],
  ])('%s: exits 2 with one line naming the problem, then the usage', async (name, args, message) => {
    // Act
    const { code, out, err } = await run([name, ...args]);
    // Assess
    expect(code).toBe(2);
    expect(out).toBe('');
    const [first, second] = err.split('\n');
    expect(first).toMatch(new RegExp(`^autopilot ${name}: ${message.replace(/[.*+?^${}()|[\]-]/g, '\\$&')}`));
    expect(second).toMatch(new RegExp(`^usage: autopilot ${name} `));
  });
});
