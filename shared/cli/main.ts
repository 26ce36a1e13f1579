import { AutomationError } from '../errors.ts';
import { type CliCommand, type CliIo, processIo, UsageError } from './io.ts';

// Commands are loaded lazily, so `autopilot normalize` does not pay for the simulator's imports.
const COMMANDS: Record<string, () => Promise<{ command: CliCommand }>> = {
  normalize: () => import('./commands/normalize.command.ts'),
  validate: () => import('./commands/validate.command.ts'),
  plan: () => import('./commands/plan.command.ts'),
  simulate: () => import('./commands/simulate.command.ts'),
  start: () => import('./commands/start.command.ts'),
  'explain-actions': () => import('./commands/explain-actions.command.ts'),
  catalog: () => import('./commands/catalog.command.ts'),
};

async function help(write: (text: string) => void): Promise<void> {
  const lines = ['usage: autopilot <command> [options]', '', 'commands:'];
  for (const [name, load] of Object.entries(COMMANDS)) {
    try {
      const { command } = await load();
      lines.push(`  ${name.padEnd(15)} ${command.summary}`);
    } catch {
      // A command that is not built yet is simply not listed.
    }
  }
  write(`${lines.join('\n')}\n`);
}

export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    // Asked for, the help is the result (stdout, exit 0); without a command it is a usage error (stderr, exit 2).
    await help(name === undefined ? io.stderr : io.stdout);
    return name === undefined ? 2 : 0;
  }
  const load = COMMANDS[name];
  if (load === undefined) {
    io.stderr(`autopilot: unknown command '${name}'; try 'autopilot --help'\n`);
    return 2;
  }
  const { command } = await load();
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout(`${command.usage}\n`);
    return 0;
  }
  try {
    return await command.run(args, io);
  } catch (error) {
    // Users get the message, never a stack trace; exit 2 for usage, 1 for everything else.
    if (error instanceof UsageError) {
      io.stderr(`autopilot ${name}: ${error.message}\nusage: ${command.usage}\n`);
      return 2;
    }
    if (error instanceof AutomationError) {
      io.stderr(`${error.message}\n`);
      return 1;
    }
    io.stderr(`autopilot ${name}: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}
