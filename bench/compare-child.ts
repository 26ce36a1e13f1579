/**
 * One side of bench/compare.ts, in a fresh process inside a worktree: `engine` (decide() over the first
 * 30,000 items of the engine stream, fresh policies, one replay) or `day` (one simulated day of the
 * 1,000-cluster fleet through shared/simulation). Prints one `__COMPARE__{…}` line.
 */
import { generateFleet, generatePolicyYaml, generateStream } from './fixtures/generate.ts';
import { quietly } from './lib/stats.ts';
import { buildWorld, loadPolicies, WORLD_START } from './lib/world.ts';
import { benchEngine } from './sections/engine.ts';
import { benchSimulation, fleetFiles } from './sections/simulation.ts';

const figure = process.argv[2];
const yaml = generatePolicyYaml();
const load = () => loadPolicies('bench/generated-policies.yml', yaml);
const spec = generateFleet(1_000, 200);
let result: Record<string, number>;
if (figure === 'engine') {
  const fleet = { readAt: new Date(WORLD_START).toISOString(), resources: await buildWorld(spec).readFleet() };
  const stream = generateStream(spec, 100_000, 1_000, WORLD_START + 8 * 3_600_000).slice(0, 30_000);
  const r = benchEngine(load, fleet, stream, 1, true);
  result = {
    throughputPerSec: r.throughputPerSec,
    cpuThroughputPerSec: r.cpuThroughputPerSec,
    p99Ms: r.p99Ms,
    eventP50Ms: r.eventP50Ms,
    tickP50Ms: r.tickP50Ms,
    decisions: r.decisions,
    skips: r.skips,
    // The first 12 hex digits of the sha256 of every output, as a number (the result is numbers only).
    outputDigest: Number.parseInt((r.outputDigest ?? '').slice(0, 12), 16),
  };
} else {
  const r = await quietly(() =>
    benchSimulation('day', fleetFiles(spec), load(), WORLD_START, Number(process.argv[3] ?? 1)),
  );
  result = { wallMs: r.wallMs, msPerTick: r.msPerTick, decisions: r.decisions, executed: r.executed, ...r.outcomes };
}
process.stdout.write(`\n__COMPARE__${JSON.stringify(result)}\n`);
