import { AutomationError } from '../errors.ts';
import { type CliCommand, type CliIo, processIo, UsageError } from './io.ts';

// Commands are loaded lazily, so `autopilot normalize` does not pay for the simulator's imports, and
// `--help` loads none of them: each summary lives here, beside the loader.
interface CommandEntry {
  summary: string;
  load: () => Promise<{ command: CliCommand }>;
}

const COMMANDS: Record<string, CommandEntry> = {
  normalize: {
    summary: 'print the normalized event(s) of an ingress payload (file or stdin)',
    load: () => import('./commands/normalize.command.ts'),
  },
  validate: {
    summary: 'check policy files; print file:line:col for every problem',
    load: () => import('./commands/validate.command.ts'),
  },
  plan: {
    summary: 'show what the policies would do to a fleet over a period',
    load: () => import('./commands/plan.command.ts'),
  },
  simulate: {
    summary: 'run the policies against a simulated Redshift fleet on a virtual clock (real handlers, no AWS)',
    load: () => import('./commands/simulate.command.ts'),
  },
  start: {
    summary: 'simulate the coming week of the example policies on the example fleet and write an HTML report',
    load: () => import('./commands/start.command.ts'),
  },
  'explain-actions': {
    summary: 'list every action the capabilities may request: states, guardrails, IAM',
    load: () => import('./commands/explain-actions.command.ts'),
  },
  catalog: {
    summary: 'what the project knows of an event id or pattern, and which policies react to it and how',
    load: () => import('./commands/catalog.command.ts'),
  },
};

/** The command names, for tests that check every command loads. */
export const COMMAND_NAMES = Object.keys(COMMANDS);

export function loadCommand(name: string): Promise<{ command: CliCommand }> | undefined {
  return COMMANDS[name]?.load();
}

function help(write: (text: string) => void): void {
  const lines = ['usage: autopilot <command> [options]', '', 'commands:'];
  for (const [name, { summary }] of Object.entries(COMMANDS)) lines.push(`  ${name.padEnd(15)} ${summary}`);
  write(`${lines.join('\n')}\n`);
}

export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    // Asked for, the help is the result (stdout, exit 0); without a command it is a usage error (stderr, exit 2).
    help(name === undefined ? io.stderr : io.stdout);
    return name === undefined ? 2 : 0;
  }
  const entry = COMMANDS[name];
  if (entry === undefined) {
    io.stderr(`autopilot: unknown command '${name}'; try 'autopilot --help'\n`);
    return 2;
  }
  const { command } = await entry.load();
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
