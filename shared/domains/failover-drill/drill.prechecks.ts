import type { CompiledSchedule } from '../../policy/aws-schedule.ts';
import type { CompiledCalendar } from '../../policy/calendar.ts';
import type { EvaluationEnv } from '../../policy/capability.ts';
import type { ClusterResource, TargetRef } from '../../policy/decision.ts';
import { availableRefusal, maintenanceRefusal, multiAzRefusal } from './drill.rules.ts';

/**
 * The drill's pre-checks, each a named rule on the cluster as this read shows it (the executor runs the
 * resource rules again on its own re-read: guardrail `failoverDrillReady`, drill.actions.ts). Run in
 * this order; the first that fails says why the drill does not run. `wait` checks hold the drill
 * inside its slot (another drill of the policy runs: one at a time); every other failure means no
 * drill at this slot, said once, and the next slot tries again.
 */
export interface DrillSettings {
  schedule: CompiledSchedule;
  scheduleText: string;
  zoneName: string;
  maxRecoveryMinutes: number;
  notDuring: readonly CompiledCalendar[];
  canary: { database: string; secretArn: string; sql: string } | null;
  /** How long after its slot a drill may still start (it waits while another drill of the policy runs). */
  startWithinMs: number;
}

export const FAILOVER_ACTION = 'FailoverPrimaryCompute';

export const PRECHECK_NAMES = [
  'multiAzEligible',
  'clusterAvailable',
  'noChangeInProgress',
  'notFrozen',
  'outsideMaintenanceWindow',
  'oneDrillPerPolicy',
] as const;
export type PrecheckName = (typeof PRECHECK_NAMES)[number];

export interface PrecheckResult {
  name: PrecheckName;
  /** Null: passed. */
  reason: string | null;
  /** A failure that waits inside the slot instead of giving the slot up. */
  waits?: boolean;
}

export interface PrecheckInput {
  settings: DrillSettings;
  cluster: ClusterResource;
  target: TargetRef;
  env: EvaluationEnv;
  /** When the drill would start (now in decide(); a future slot in plan's outlook). */
  at: number;
  /** Ledger checks apply (decide()); plan's outlook of a future slot has no ledger to ask. */
  ledger: boolean;
}

/** A tracked change of the cluster (ledger) or a snapshot being taken (fleet read); null: none. */
function changeInProgress({ cluster, target, env }: PrecheckInput): string | null {
  const busy = env.ledger.inProgress(target)[0];
  if (busy !== undefined) {
    const what = busy.action === FAILOVER_ACTION ? 'another failover drill' : busy.action;
    return `${what} by ${busy.policy} in progress (ledger): a drill measures a failover, not another change`;
  }
  const creating = env.fleet.resources.find(
    (r) => r.type === 'snapshot' && r.service === 'redshift' && r.sourceId === cluster.id && r.status === 'creating',
  );
  return creating === undefined ? null : `snapshot ${creating.id} is being taken`;
}

/** The calendars the drill avoids (notDuring) and the policy's freeze, at `at`; null: none covers it. */
export function frozenAt(settings: DrillSettings, env: EvaluationEnv, at: number): string | null {
  for (const calendar of settings.notDuring) {
    const what = calendar.explain(at);
    if (what !== null) return `inside notDuring calendar ${calendar.name} (${what})`;
  }
  for (const calendar of env.policy.freeze) {
    const what = calendar.explain(at);
    if (what !== null) return `inside freeze calendar ${calendar.name} (${what})`;
  }
  return null;
}

/** Another drill of this policy in progress on another cluster, or proposed earlier in this decide() call. */
function otherDrillOfPolicy({ cluster, env }: PrecheckInput): string | null {
  const starting = env.memo.get(startingKey(env)) as string | undefined;
  if (starting !== undefined && starting !== cluster.id) {
    return `the drill of ${starting} starts first (one drill at a time per policy)`;
  }
  for (const r of env.fleet.resources) {
    if (r.type !== 'cluster' || r.id === cluster.id || !env.policy.selector.matches(r)) continue;
    const running = env.ledger
      .inProgress({ type: 'cluster', id: r.id })
      .find((e) => e.action === FAILOVER_ACTION && e.policy === env.policy.name);
    if (running !== undefined) return `the drill of ${r.id} is running (one drill at a time per policy)`;
  }
  return null;
}

export const startingKey = (env: EvaluationEnv) => `failoverDrill:${env.policy.name}:starting`;

type Check = (input: PrecheckInput) => string | null;

const CHECKS: readonly { name: PrecheckName; check: Check; ledger?: boolean; waits?: boolean }[] = [
  { name: 'multiAzEligible', check: ({ cluster }) => multiAzRefusal(cluster) },
  { name: 'clusterAvailable', check: ({ cluster }) => availableRefusal(cluster) },
  { name: 'noChangeInProgress', check: changeInProgress, ledger: true },
  { name: 'notFrozen', check: ({ settings, env, at }) => frozenAt(settings, env, at) },
  {
    name: 'outsideMaintenanceWindow',
    check: ({ settings, cluster, at }) => maintenanceRefusal(cluster, at, settings.maxRecoveryMinutes * 60_000),
  },
  { name: 'oneDrillPerPolicy', check: otherDrillOfPolicy, ledger: true, waits: true },
];

/** Every pre-check's result, in order (plan prints them all). */
export function prechecks(input: PrecheckInput): PrecheckResult[] {
  return CHECKS.filter((c) => input.ledger || c.ledger !== true).map((c) => {
    const reason = c.check(input);
    return c.waits === true && reason !== null ? { name: c.name, reason, waits: true } : { name: c.name, reason };
  });
}

/** The first pre-check that fails, or null when the drill can start. */
export function firstFailure(input: PrecheckInput): PrecheckResult | null {
  for (const c of CHECKS) {
    if (!input.ledger && c.ledger === true) continue;
    const reason = c.check(input);
    if (reason !== null) return c.waits === true ? { name: c.name, reason, waits: true } : { name: c.name, reason };
  }
  return null;
}
