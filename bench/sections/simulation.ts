import { runSweep } from '../../shared/app/reconcile.use-case.ts';
import { Executor } from '../../shared/execute/executor.ts';
import type { PolicySet } from '../../shared/policy/policy-loader.ts';
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
