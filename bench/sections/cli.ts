import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { buildCli, cliIsStale } from '../../scripts/build-cli.mjs';
import { median, round } from '../lib/stats.ts';

/**
 * `autopilot validate examples/policies` as a user runs it (a fresh process each time), beside an
 * empty node process and the same command through tsx (how bin ran before the bundle), measured
 * alternately — empty, bundle, tsx, empty, … — so a noisy neighbour slows all three alike.
 */
export interface CliResult {
  repeats: number;
  emptyNodeMs: number;
  bundleMs: number;
  tsxMs: number;
  /** bundle − empty node: what the command itself costs. */
  overEmptyMs: number;
  runs: { emptyNode: number[]; bundle: number[]; tsx: number[]; before?: number[] };
  /**
   * With BENCH_CLI_BEFORE=<checkout> (another checkout of the project, e.g. `git archive <commit> | tar -x`,
   * its node_modules linked and its dist/cli built): the same command through that checkout's bin, in
   * the same rotation — a before/after measured alternately.
   */
  beforeMs?: number;
}

function wallMs(root: string, args: readonly string[]): number {
  const start = performance.now();
  const run = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8' });
  const ms = performance.now() - start;
  if (run.status !== 0) throw new Error(`bench cli: ${args.join(' ')} exited ${run.status}: ${run.stderr}`);
  return ms;
}

export async function benchCli(root: string, repeats: number): Promise<CliResult> {
  if (cliIsStale()) await buildCli();
  const command = ['validate', 'examples/policies'];
  const variants = {
    emptyNode: ['-e', '0'],
    bundle: [join(root, 'bin/autopilot.mjs'), ...command],
    tsx: ['--import', 'tsx', join(root, 'bench/lib/cli-through-tsx.ts'), ...command],
  };
  const before = process.env.BENCH_CLI_BEFORE;
  if (before !== undefined) Object.assign(variants, { before: [join(before, 'bin/autopilot.mjs'), ...command] });
  const runs: CliResult['runs'] = {
    emptyNode: [],
    bundle: [],
    tsx: [],
    ...(before === undefined ? {} : { before: [] }),
  };
  for (const args of Object.values(variants)) wallMs(root, args); // warm the file cache
  for (let r = 0; r < repeats; r++) {
    for (const [name, args] of Object.entries(variants))
      runs[name as keyof typeof runs]?.push(round(wallMs(root, args), 1));
  }
  const emptyNodeMs = round(median(runs.emptyNode), 1);
  const bundleMs = round(median(runs.bundle), 1);
  return {
    repeats,
    emptyNodeMs,
    bundleMs,
    tsxMs: round(median(runs.tsx), 1),
    overEmptyMs: round(bundleMs - emptyNodeMs, 1),
    runs,
    ...(runs.before === undefined ? {} : { beforeMs: round(median(runs.before), 1) }),
  };
}
