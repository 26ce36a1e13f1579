/** What a command may touch: its output streams and the process's working directory. Tests pass fakes. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  readStdin: () => Promise<string>;
  cwd: string;
  /** Wall clock, only read at the edge (the engine itself never reads a clock). */
  now: () => Date;
}

export interface CliCommand {
  usage: string;
  /** Returns the process exit code. */
  run: (args: string[], io: CliIo) => Promise<number>;
}

export class UsageError extends Error {
  override name = 'UsageError';
}

export function processIo(): CliIo {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    },
    cwd: process.cwd(),
    now: () => new Date(),
  };
}
