/**
 * Before/after, alternately in one run: `tsx bench/compare.ts [--revert <commit>…] [--base <ref>] [--rounds N]`.
 * Two git worktrees in the temp directory — "after" at HEAD, "before" at `--base` (default HEAD) with the
 * `--revert` commits reverted (`--days N`: simulated days, default 1; `--figures engine|day`, default both) — each given this checkout's bench/ (same fixtures and measuring code) and
 * node_modules. Round after round, one child process per side and figure, alternating which side goes
 * first, so drift on a shared machine hits both alike. Figures: decide() over the first 30,000 items of
 * the engine stream (fresh policies, one replay) and one simulated day of the 1,000-cluster fleet
 * through shared/simulation. Prints medians and after/before ratios; writes bench/compare.json.
 */
import { execFile, execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../test/helpers/template.ts';
import { median, round } from './lib/stats.ts';

const run = promisify(execFile);
const args = process.argv.slice(2);
const valuesOf = (flag: string) =>
  args.flatMap((a, i) => (a === flag && args[i + 1] !== undefined ? [args[i + 1]] : []));
const reverts = valuesOf('--revert') as string[];
const base = valuesOf('--base')[0] ?? 'HEAD';
const rounds = Number(valuesOf('--rounds')[0] ?? 3);
const days = valuesOf('--days')[0] ?? '1';
/** `--figures engine` (or `day`): only those figures, e.g. to compare decide() alone in less time. */
const figures = (valuesOf('--figures')[0]?.split(',') ?? ['engine', 'day']) as Figure[];
const MARK = '__COMPARE__';

const git = (cwd: string, ...a: string[]) =>
  execFileSync('git', a, { cwd, stdio: ['ignore', 'pipe', 'pipe'] }).toString();

function worktree(ref: string, revert: readonly string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'autopilot-compare-'));
  git(REPO_ROOT, 'worktree', 'add', '--detach', dir, ref);
  for (const commit of revert)
    git(dir, '-c', 'user.name=bench', '-c', 'user.email=bench@localhost', 'revert', '--no-edit', commit);
  rmSync(join(dir, 'bench'), { recursive: true, force: true });
  cpSync(join(REPO_ROOT, 'bench'), join(dir, 'bench'), { recursive: true });
  if (!existsSync(join(dir, 'node_modules'))) symlinkSync(join(REPO_ROOT, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}

type Figure = 'engine' | 'day';
async function child(dir: string, figure: Figure): Promise<Record<string, number>> {
  const { stdout } = await run(
    process.execPath,
    ['--import', 'tsx', join(dir, 'bench/compare-child.ts'), figure, days],
    {
      cwd: dir,
      env: { PATH: process.env.PATH ?? '', AWS_REGION: 'us-east-1' },
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  const line = stdout.split('\n').find((l) => l.startsWith(MARK));
  if (line === undefined) throw new Error(`compare child printed no result:\n${stdout.slice(-2000)}`);
  return JSON.parse(line.slice(MARK.length)) as Record<string, number>;
}

const sides = { before: worktree(base, reverts), after: worktree('HEAD', []) } as const;
const samples: Record<string, Record<string, number>[]> = {};
try {
  for (let r = 0; r < rounds; r++) {
    for (const figure of figures) {
      const order = r % 2 === 0 ? (['before', 'after'] as const) : (['after', 'before'] as const);
      for (const side of order) {
        process.stderr.write(`[compare] round ${r + 1}/${rounds} ${figure} ${side}\n`);
        const key = `${figure}:${side}`;
        samples[key] = [...(samples[key] ?? []), await child(sides[side], figure)];
      }
    }
  }
} finally {
  for (const dir of Object.values(sides)) {
    git(REPO_ROOT, 'worktree', 'remove', '--force', dir);
  }
}

const med = (key: string, field: string) => median((samples[key] ?? []).map((s) => s[field] ?? Number.NaN));
const rows: { figure: string; before: number; after: number; ratio: number; runs: string }[] = [];
const add = (figure: string, key: Figure, field: string, higherIsBetter: boolean) => {
  const before = med(`${key}:before`, field);
  const after = med(`${key}:after`, field);
  const runs = ['before', 'after']
    .map(
      (side) => `${side} ${(samples[`${key}:${side}`] ?? []).map((s) => round(s[field] ?? Number.NaN, 2)).join(', ')}`,
    )
    .join('; ');
  rows.push({
    figure,
    before: round(before, 4),
    after: round(after, 4),
    ratio: round(higherIsBetter ? after / before : before / after, 2),
    runs,
  });
};
/**
 * What each side decided must be the same: counts, and for the engine the digest of every output. A
 * difference is printed and makes the run fail: a faster engine that decides otherwise is not faster.
 */
const EQUAL: Record<Figure, readonly string[]> = {
  engine: ['decisions', 'skips', 'outputDigest'],
  day: ['decisions', 'executed'],
};
const differences = figures.flatMap((figure) =>
  EQUAL[figure].flatMap((field) => {
    const values = new Set(
      ['before', 'after'].flatMap((side) => (samples[`${figure}:${side}`] ?? []).map((s) => s[field])),
    );
    return values.size > 1 ? [`${figure} ${field}: ${[...values].join(' ≠ ')}`] : [];
  }),
);
if (figures.includes('engine')) {
  add('decide() throughput, 30,000 items (items/s)', 'engine', 'throughputPerSec', true);
  add('decide() throughput per CPU second, 30,000 items (items/s)', 'engine', 'cpuThroughputPerSec', true);
  add('decide() p99, all items (ms)', 'engine', 'p99Ms', false);
  add('decide() event p50 (ms)', 'engine', 'eventP50Ms', false);
  add('decide() tick p50 (ms)', 'engine', 'tickP50Ms', false);
}
if (figures.includes('day')) {
  add(`simulated ${days} day(s), 1,000 clusters: wall (ms)`, 'day', 'wallMs', false);
  add(`simulated ${days} day(s), 1,000 clusters: per tick (ms)`, 'day', 'msPerTick', false);
}
writeFileSync(
  join(REPO_ROOT, 'bench/compare.json'),
  `${JSON.stringify({ generatedAt: new Date().toISOString(), base, reverts, rounds, figures, rows, differences, samples }, null, 2)}\n`,
);
process.stdout.write(
  `${rows.map((r) => `${r.figure}: before ${r.before}, after ${r.after}, ${r.ratio}× better (${r.runs})`).join('\n')}\n`,
);
process.stdout.write(
  differences.length === 0
    ? 'outputs equal on both sides in every round\n'
    : `OUTPUTS DIFFER:\n${differences.join('\n')}\n`,
);
if (differences.length > 0) process.exitCode = 1;
