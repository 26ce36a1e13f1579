/**
 * The bench's cold-start and command-line sections alone (bench/sections/bundles.ts, bench/sections/cli.ts),
 * with a before/after measured alternately in the same rounds:
 *
 *   git archive <commit> | tar -x -C /tmp/before && ln -s "$PWD/node_modules" /tmp/before/node_modules
 *   (cd /tmp/before && node scripts/build-cli.mjs && npx serverless package --package /tmp/before-pkg \
 *      --stage dev --region us-east-1 --param=policies=examples/policies)
 *   BENCH_ZIPS_BEFORE=/tmp/before-pkg BENCH_CLI_BEFORE=/tmp/before npx tsx scripts/bench-cold-start.ts [--rounds N]
 *
 * Prints JSON: zips, cold imports (process − empty node, medians), the CLI figures; `uptime` before and after.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { readBudgets } from '../bench/lib/functions.ts';
import { benchBundles } from '../bench/sections/bundles.ts';
import { benchCli } from '../bench/sections/cli.ts';
import { packageService, REPO_ROOT } from '../test/helpers/template.ts';

const at = process.argv.indexOf('--rounds');
const rounds = at < 0 ? 9 : Number(process.argv[at + 1]);
const uptime = () => execFileSync('uptime', { encoding: 'utf8' }).trim();
const loadBefore = uptime();
const service = await packageService();
const bundles = await benchBundles(service, readBudgets(join(REPO_ROOT, 'bench/budgets.json')), rounds, 1);
const loadBetween = uptime();
const cli = await benchCli(REPO_ROOT, rounds);
const summary = {
  rounds,
  load: [loadBefore, loadBetween, uptime()],
  baselineNodeMs: bundles.baselineNodeMs,
  functions: bundles.functions.map((f) => ({
    name: f.name,
    zipBytes: f.zipBytes,
    bundleBytes: f.bundleBytes,
    coldImportMs: f.coldImportMs,
    overNodeMs: f.coldProcessOverheadMs,
  })),
  before: bundles.before,
  cli: { ...cli, runs: undefined },
  cliRuns: cli.runs,
};
process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
