import { runSweep } from '../../shared/app/reconcile.use-case.ts';
import type { PolicySet } from '../../shared/policy/policy-loader.ts';
import type { FleetSpec } from '../fixtures/generate.ts';
import { benchDeps } from '../lib/app-deps.ts';
import { median, round, since } from '../lib/stats.ts';
import { buildWorld } from '../lib/world.ts';

/**
 * The reconcile sweep as the reconcile function runs it (shared/app runSweep: AwsFleetReader over the
 * real SDK clients → decide() for the tick → ledger → queue), against the simulator. Wall time is the
 * median of `repeats` sweeps; each starts from an empty ledger, so every sweep does the same work.
 */
export interface SweepResult {
  clusters: number;
  workgroups: number;
  integrations: number;
  repeats: number;
  wallMs: number;
  wallMsRuns: number[];
  callsByOperation: Record<string, number>;
  describeClustersCalls: number;
  /** ceil(clusters / 100): one DescribeClusters per page of 100. */
  expectedDescribeClustersCalls: number;
  resources: number;
  decisions: number;
  enqueued: number;
  skips: number;
}

export async function benchSweep(spec: FleetSpec, policies: PolicySet, repeats: number): Promise<SweepResult> {
  const world = buildWorld(spec, Date.parse('2026-12-07T18:05:00Z'));
  const runs: number[] = [];
  let calls: Record<string, number> = {};
  let report: Awaited<ReturnType<typeof runSweep>> | undefined;
  // Warm-up sweep (JIT, SDK middleware stacks resolved): not counted.
  await runSweep(benchDeps(world, policies, 'reconcile'));
  for (let r = 0; r < repeats; r++) {
    const deps = benchDeps(world, policies, 'reconcile');
    world.resetCallCounts();
    const start = performance.now();
    report = await runSweep(deps);
    runs.push(since(start));
    calls = world.callCounts();
  }
  return {
    clusters: spec.clusters.length,
    workgroups: spec.workgroups.length,
    integrations: spec.integrations.length,
    repeats,
    wallMs: round(median(runs), 1),
    wallMsRuns: runs.map((r) => round(r, 1)),
    callsByOperation: calls,
    describeClustersCalls: calls.DescribeClusters ?? 0,
    expectedDescribeClustersCalls: Math.ceil(spec.clusters.length / 100),
    resources: report?.resources ?? 0,
    decisions: report?.decisions ?? 0,
    enqueued: report?.enqueued ?? 0,
    skips: report?.skips ?? 0,
  };
}
