import { createHash } from 'node:crypto';
import { decide } from '../../shared/policy/decide.ts';
import type { FleetSnapshot, LedgerView } from '../../shared/policy/decision.ts';
import type { PolicySet } from '../../shared/policy/policy-loader.ts';
import type { StreamItem } from '../fixtures/generate.ts';
import { median, percentile, round, since } from '../lib/stats.ts';

/**
 * decide() replaying a stream of normalized events with reconcile ticks interleaved against one fleet
 * snapshot. Each call is timed on its own; the whole replay runs `repeats` times and the figures are
 * those of the median run (by total time). Events and ticks are also reported apart: an event touches
 * one resource, a tick evaluates every policy against the whole fleet.
 *
 * Every replay (and the warm-up) gets freshly compiled policies from `load`, so what compiled
 * schedules remember (aws-schedule.ts) starts empty, as in a new Lambda container, and a replay does
 * not profit from the one before. Events share one snapshot object (a burst decided against one fleet
 * read); every tick gets a snapshot object of its own, as a sweep reads the fleet anew, so caches kept
 * per snapshot (fleet index, selected resources) are rebuilt for each tick.
 */
export interface EngineResult {
  items: number;
  events: number;
  ticks: number;
  policies: number;
  resources: number;
  repeats: number;
  /** Items (events + ticks) per second over the whole replay, median run. */
  throughputPerSec: number;
  /**
   * Items per second of the process's CPU time (user + system, GC threads included) over the same run:
   * on a shared, loaded machine wall time counts the waits for a core; CPU time does not.
   */
  cpuThroughputPerSec: number;
  eventsOnlyPerSec: number;
  p50Ms: number;
  p99Ms: number;
  eventP50Ms: number;
  eventP99Ms: number;
  tickP50Ms: number;
  tickP99Ms: number;
  decisions: number;
  skips: number;
  runTotalsMs: number[];
  /**
   * sha256 of every output of the last replay (decisions, skips, ledger keys, in order), when asked
   * (`digest`): bench/compare.ts checks that both sides decided exactly the same, not only as many.
   */
  outputDigest?: string;
}

export function benchEngine(
  load: () => PolicySet,
  fleet: FleetSnapshot,
  stream: readonly StreamItem[],
  repeats: number,
  digest = false,
): EngineResult {
  const ledger: LedgerView = { entries: [] };
  const runs: {
    total: number;
    cpuMs: number;
    all: number[];
    events: number[];
    ticks: number[];
    decisions: number;
    skips: number;
  }[] = [];
  // Warm-up: JIT and the per-snapshot fleet index (built once per snapshot object, as in a Lambda burst).
  const warm = load();
  for (const item of stream.slice(0, 2_000)) {
    decide({ policies: warm, fleet, trigger: item.trigger, now: item.now, ledger });
  }
  let policyCount = 0;

  for (let r = 0; r < repeats; r++) {
    const policies = load();
    policyCount = policies.policies.length;
    const all = new Array<number>(stream.length);
    const events: number[] = [];
    const ticks: number[] = [];
    let decisions = 0;
    let skips = 0;
    const start = performance.now();
    const cpuStart = process.cpuUsage();
    for (let i = 0; i < stream.length; i++) {
      const item = stream[i] as StreamItem;
      const snapshot = item.trigger.kind === 'tick' ? { ...fleet } : fleet;
      const t = performance.now();
      const out = decide({ policies, fleet: snapshot, trigger: item.trigger, now: item.now, ledger });
      const ms = performance.now() - t;
      all[i] = ms;
      (item.trigger.kind === 'tick' ? ticks : events).push(ms);
      decisions += out.decisions.length;
      skips += out.skips.length;
    }
    const cpu = process.cpuUsage(cpuStart);
    runs.push({ total: since(start), cpuMs: (cpu.user + cpu.system) / 1000, all, events, ticks, decisions, skips });
  }
  // Untimed: one more replay with fresh policies, every output hashed (decide() is deterministic).
  const outputDigest = digest ? digestOf(load(), fleet, stream, ledger) : undefined;
  const totals = runs.map((r) => r.total);
  const mid = runs.find((r) => r.total === median(totals)) ?? (runs[0] as (typeof runs)[number]);
  const eventsMs = mid.events.reduce((a, b) => a + b, 0);
  return {
    items: stream.length,
    events: mid.events.length,
    ticks: mid.ticks.length,
    policies: policyCount,
    resources: fleet.resources.length,
    repeats,
    throughputPerSec: Math.round((stream.length / mid.total) * 1000),
    cpuThroughputPerSec: Math.round((stream.length / mid.cpuMs) * 1000),
    eventsOnlyPerSec: Math.round((mid.events.length / eventsMs) * 1000),
    p50Ms: round(percentile(mid.all, 50), 4),
    p99Ms: round(percentile(mid.all, 99), 4),
    eventP50Ms: round(percentile(mid.events, 50), 4),
    eventP99Ms: round(percentile(mid.events, 99), 4),
    tickP50Ms: round(percentile(mid.ticks, 50), 2),
    tickP99Ms: round(percentile(mid.ticks, 99), 2),
    decisions: mid.decisions,
    skips: mid.skips,
    runTotalsMs: totals.map((t) => round(t, 0)),
    ...(outputDigest === undefined ? {} : { outputDigest }),
  };
}

function digestOf(
  policies: PolicySet,
  fleet: FleetSnapshot,
  stream: readonly StreamItem[],
  ledger: LedgerView,
): string {
  const hash = createHash('sha256');
  for (const item of stream) {
    const snapshot = item.trigger.kind === 'tick' ? { ...fleet } : fleet;
    const out = decide({ policies, fleet: snapshot, trigger: item.trigger, now: item.now, ledger });
    hash.update(JSON.stringify(out)).update('\n');
  }
  return hash.digest('hex');
}
