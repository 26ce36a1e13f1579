import type { CliIo } from '../../shared/cli/io.ts';

export interface FakeIo extends CliIo {
  out: () => string;
  err: () => string;
}

/** An in-memory CliIo: captures what a command prints; stdin and the clock are given. */
export function fakeIo(options: { stdin?: string; cwd?: string; now?: string } = {}): FakeIo {
  let out = '';
  let err = '';
  return {
    stdout: (text) => {
      out += text;
    },
    stderr: (text) => {
      err += text;
    },
    readStdin: async () => options.stdin ?? '',
    cwd: options.cwd ?? process.cwd(),
    now: () => new Date(options.now ?? '2026-11-25T09:00:00Z'),
    out: () => out,
    err: () => err,
  };
}
