import { runSweep } from '../../shared/app/reconcile.use-case.ts';
import { Executor } from '../../shared/execute/executor.ts';
import type { PolicySet } from '../../shared/policy/policy-loader.ts';
import type { FleetFile } from '../../shared/simulation/fleet-seed.ts';
import { realHandlers } from '../../shared/simulation/real-handlers.ts';
import { Simulation } from '../../shared/simulation/simulation.ts';
import type { FleetSpec } from '../fixtures/generate.ts';
import { benchDeps } from '../lib/app-deps.ts';
import { round, since } from '../lib/stats.ts';
import type { World } from '../lib/world.ts';

/**
 * A simulated week, driven directly (shared/simulation had not landed when this was written): the
 * virtual clock advances in 5-minute reconcile ticks (the schedule of serverless.yml); each tick runs
 * the reconcile sweep (shared/app runSweep over the simulator-attached SDK clients) and then the
 * executor on every decision it enqueued, in order, sharing one in-memory ledger. Simulator timers
 * (pausing → paused, resuming → available, snapshots) fire as the clock passes them. Events the
 * simulator emits are not fed back: the sweep alone converges the fleet.
 */
export interface WeekResult {
  label: string;
  driver: string;
  resources: number;
  simulatedDays: number;
  ticks: number;
  wallMs: number;
  msPerTick: number;
  decisions: number;
  executed: number;
  outcomes: Record<string, number>;
  callsByOperation: Record<string, number>;
}

const TICK_MS = 5 * 60_000;
const DAY_MS = 86_400_000;

export async function benchWeek(label: string, world: World, policies: PolicySet, days = 7): Promise<WeekResult> {
  const deps = benchDeps(world, policies, 'simulation');
  const executor = new Executor({
    resources: deps.resources,
    ledger: deps.ledger,
    notifier: deps.notifier,
    region: deps.config.region,
    clock: deps.clock,
  });
  const start = world.sim.clock.nowMs();
  const end = start + days * DAY_MS;
  const outcomes: Record<string, number> = {};
  let ticks = 0;
  let decisions = 0;
  let executed = 0;
  world.resetCallCounts();
  const t0 = performance.now();
  for (let at = start; at < end; at += TICK_MS) {
    world.sim.clock.advanceTo(at);
    deps.sent.length = 0;
    const report = await runSweep(deps);
    ticks++;
    decisions += report.decisions;
    const run = executor.newRun();
    for (const decision of deps.sent) {
      const result = await executor.execute(decision, run);
      executed++;
      const key = result.kind === 'done' ? result.outcome : result.kind;
      outcomes[key] = (outcomes[key] ?? 0) + 1;
    }
  }
  const wallMs = since(t0);
  return {
    label,
    driver: 'direct: simulator + runSweep (decide + reconcile) + Executor, 5-minute ticks',
    resources: (await world.readFleet()).length,
    simulatedDays: days,
    ticks,
    wallMs: round(wallMs, 0),
    msPerTick: round(wallMs / ticks, 2),
    decisions,
    executed,
    outcomes,
    callsByOperation: world.callCounts(),
  };
}

/** The 1,000-cluster fleet as the AWS CLI would print it, for the simulation's fleet files. */
export function fleetFiles(spec: FleetSpec): FleetFile[] {
  return [
    { name: 'bench-clusters.json', json: { Clusters: spec.clusters } },
    {
      name: 'bench-workgroups.json',
      json: {
        workgroups: spec.workgroups.map((wg) => ({
          workgroupName: wg.workgroupName,
          namespaceName: wg.namespaceName,
          baseCapacity: wg.baseCapacity,
          status: 'AVAILABLE',
          tags: Object.entries(wg.tags).map(([key, value]) => ({ key, value })),
        })),
      },
    },
  ];
}

/**
 * A simulated period through shared/simulation (`Simulation`, the harness of `npm start`): the real
 * handler factories over simulator-backed SDK clients, SQS FIFO poller, SNS/EventBridge delivery of the
 * events the simulator emits, 5-minute reconcile ticks, skips observed (one extra decide() per tick).
 */
export async function benchSimulation(
  label: string,
  files: readonly FleetFile[],
  policies: PolicySet,
  from: number,
  days: number,
): Promise<WeekResult> {
  const t0 = performance.now();
  const result = await new Simulation({
    policies,
    fleet: files,
    from,
    to: from + days * DAY_MS,
    seed: 'bench',
    handlers: realHandlers,
  }).run();
  const wallMs = since(t0);
  const ticks = Math.ceil((days * DAY_MS) / TICK_MS);
  const t = result.summary.totals;
  const outcomes: Record<string, number> = {
    actions: t.actions,
    'dry-runs': t.dryRuns,
    skips: t.skips,
    failures: t.failures,
    'invocation errors': result.summary.invocationErrors,
  };
  return {
    label,
    driver: 'shared/simulation Simulation + realHandlers (the deployed handler factories), 5-minute ticks',
    resources: result.resources.length,
    simulatedDays: days,
    ticks,
    wallMs: round(wallMs, 0),
    msPerTick: round(wallMs / ticks, 2),
    decisions: t.actions + t.dryRuns,
    /** executeDecision invocations (SQS batches). */
    executed: result.deliveries.filter((d) => d.fn === 'executeDecision').length,
    outcomes,
    callsByOperation: Object.fromEntries(Object.entries(result.apiCalls).sort(([a], [b]) => a.localeCompare(b))),
  };
}
