import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { type PackagedService, REPO_ROOT, refTarget } from '../../test/helpers/template.ts';
import { BARE_CALLER, MARK } from './acting-bare.ts';
import { Container, extractZip } from './acting-containers.ts';
import { type DrainStats, drain } from './acting-poller.ts';
import {
  type ActingResources,
  clientConfig,
  clusterStatuses,
  createActingResources,
  createClusters,
  type FleetSpec,
  fleetSpec,
  functionEnvironment,
  REGION,
} from './acting-world.ts';
import { type PackagedFunction, packagedFunctions } from './functions.ts';
import type { CountingProxy } from './moto-proxy.ts';
import type { MotoServer } from './moto-server.ts';

/**
 * One run of each side of the acting bench against a freshly reset moto (same fleet, same resources):
 * the deployed path (reconcile + executeDecision from their zips, Lambda's poller stood in) and the
 * bare SDK loop. Calls are counted by the proxy per caller — each process signs with its own access
 * key id — so the sweep, the executor, the poller and the bare loop are told apart.
 */
const run = promisify(execFile);
export const CALLERS = { reconcile: 'BENCHRECONCILE', executor: 'BENCHEXECUTOR', poller: 'BENCHPOLLER' } as const;

export interface SideRun {
  wallMs: number;
  /** `service:Operation` → calls, everything the code under test made (not the harness). */
  calls: Record<string, number>;
  /** Calls of the Lambda poller stand-in (deployed side only): SQS receive/delete/visibility. */
  pollerCalls: Record<string, number>;
  /** Calls the proxy answered itself (moto lacks the API), included in `calls`. */
  stubbed: Record<string, number>;
  /** Calls per action, without the sweep's reads, without SQS operations (and the bare loop's describes). */
  callsPerAction: number;
  /** Due clusters moto shows paused afterwards, and clusters paused that were not due. */
  pausedDue: number;
  pausedNotDue: number;
  /** Median ms moto (or the proxy) took per call, by `service:Operation`. */
  motoMsByOperation: Record<string, number>;
  notes: string[];
}

export interface DeployedRun extends SideRun {
  sweepMs: number;
  sweep: Record<string, unknown>;
  drain: Omit<DrainStats, 'receiveLatency' | 'lastDeleteAt'> & {
    receiveMsFirstTenth: number;
    receiveMsLastTenth: number;
  };
  dlqMessages: number;
}

export interface ActingSetup {
  service: PackagedService;
  moto: MotoServer;
  proxy: CountingProxy;
  proxyEndpoint: string;
  taskRoot: string;
  spec: FleetSpec;
  pollers: number;
}

export interface Functions {
  reconcile: PackagedFunction;
  executor: PackagedFunction;
  /** The executor's ScalingConfig.MaximumConcurrency (Lambda's bound on concurrent FIFO batches), or 1. */
  maxConcurrency: number;
}

export function actingFunctions(service: PackagedService): Functions {
  const functions = packagedFunctions(service);
  const reconcile = functions.find((f) => f.trigger === 'schedule' && f.name === 'reconcile');
  const executor = functions.find((f) => f.trigger === 'sqs');
  if (reconcile === undefined || executor === undefined) {
    throw new Error('acting bench: the packaged template has no reconcile function or no SQS-triggered executor');
  }
  const mapping = Object.values(service.template.Resources).find(
    (r) => r.Type === 'AWS::Lambda::EventSourceMapping' && refTarget(r.Properties?.FunctionName) === executor.logicalId,
  );
  const scaling = mapping?.Properties?.ScalingConfig as { MaximumConcurrency?: number } | undefined;
  return { reconcile, executor, maxConcurrency: scaling?.MaximumConcurrency ?? 1 };
}

export function extractFunctions(fns: Functions, root: string): void {
  extractZip(fns.reconcile, root);
  extractZip(fns.executor, root);
}

/** Reset moto, create the template's resources and the fleet; the setup's calls are not counted. */
async function freshAccount(setup: ActingSetup, fns: Functions): Promise<ActingResources> {
  await setup.moto.reset();
  const ids = [fns.reconcile.logicalId, fns.executor.logicalId];
  // Through the proxy: moto builds a queue's URL from the Host it was asked on, and the SQS client sends
  // to the QueueUrl's host (useQueueUrlAsEndpoint), so queues created on moto's port would bypass the count.
  const resources = await createActingResources(
    setup.proxyEndpoint,
    setup.service.template,
    ids,
    fns.executor.logicalId,
  );
  await createClusters(setup.moto.endpoint, setup.spec);
  setup.proxy.take();
  return resources;
}

function lambdaEnv(setup: ActingSetup, fn: PackagedFunction, resources: ActingResources, caller: string) {
  const { env, unresolved } = functionEnvironment(setup.service.template, fn.logicalId, resources);
  return {
    env: {
      ...env,
      PATH: process.env.PATH ?? '',
      AWS_REGION: REGION,
      AWS_DEFAULT_REGION: REGION,
      AWS_ENDPOINT_URL: setup.proxyEndpoint,
      AWS_ACCESS_KEY_ID: caller,
      AWS_SECRET_ACCESS_KEY: 'bench',
      AWS_LAMBDA_FUNCTION_NAME: fn.name,
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256',
    },
    notes: unresolved.map((k) => `${fn.name}: environment variable ${k} left unset (not resolvable in moto)`),
  };
}

const CODE_CALLERS: readonly string[] = [CALLERS.reconcile, CALLERS.executor, BARE_CALLER];
const READ = /^(Describe|List|Get|Query|Scan|BatchGet)/;

interface Tally {
  calls: Record<string, number>;
  pollerCalls: Record<string, number>;
  stubbed: Record<string, number>;
  motoMsByOperation: Record<string, number>;
  /** Calls counted towards calls per action. */
  acting: number;
}

function tally(setup: ActingSetup, sweepCaller: string | null, excludeOps: readonly string[]): Tally {
  const t: Tally = { calls: {}, pollerCalls: {}, stubbed: {}, motoMsByOperation: {}, acting: 0 };
  const ms: Record<string, number[]> = {};
  const add = (map: Record<string, number>, key: string) => {
    map[key] = (map[key] ?? 0) + 1;
  };
  for (const c of setup.proxy.take()) {
    const key = `${c.service}:${c.operation}`;
    ms[key] = [...(ms[key] ?? []), c.ms];
    if (c.caller === CALLERS.poller) {
      add(t.pollerCalls, key);
      continue;
    }
    // The harness's own calls (setup, checks) are not the code under test.
    if (!CODE_CALLERS.includes(c.caller)) continue;
    add(t.calls, key);
    if (c.stubbed) add(t.stubbed, key);
    const sweepRead = c.caller === sweepCaller && READ.test(c.operation);
    if (!sweepRead && c.service !== 'sqs' && !excludeOps.includes(key)) t.acting += 1;
  }
  for (const [key, values] of Object.entries(ms)) {
    const sorted = values.sort((a, b) => a - b);
    t.motoMsByOperation[key] = Math.round((sorted[Math.floor(sorted.length / 2)] ?? 0) * 100) / 100;
  }
  return t;
}

async function verify(setup: ActingSetup): Promise<{ pausedDue: number; pausedNotDue: number }> {
  const statuses = await clusterStatuses(setup.moto.endpoint);
  let pausedDue = 0;
  let pausedNotDue = 0;
  for (const c of fleetSpec(setup.spec)) {
    const paused = statuses.get(c.id) === 'paused' || statuses.get(c.id) === 'pausing';
    if (paused && c.due) pausedDue += 1;
    if (paused && !c.due) pausedNotDue += 1;
  }
  return { pausedDue, pausedNotDue };
}

const tenthMedian = (xs: readonly number[], last: boolean) => {
  const n = Math.max(1, Math.floor(xs.length / 10));
  const part = [...(last ? xs.slice(-n) : xs.slice(0, n))].sort((a, b) => a - b);
  return Math.round((part[Math.floor(part.length / 2)] ?? 0) * 100) / 100;
};

export async function runDeployed(setup: ActingSetup, fns: Functions): Promise<DeployedRun> {
  const resources = await freshAccount(setup, fns);
  const rec = lambdaEnv(setup, fns.reconcile, resources, CALLERS.reconcile);
  const exe = lambdaEnv(setup, fns.executor, resources, CALLERS.executor);
  const reconcile = await Container.start(join(setup.taskRoot, fns.reconcile.name), fns.reconcile, rec.env);
  const executors = await Promise.all(
    Array.from({ length: setup.pollers }, () =>
      Container.start(join(setup.taskRoot, fns.executor.name), fns.executor, exe.env),
    ),
  );
  try {
    const tick = { source: 'autopilot.scheduler', schedule: 'reconcile', scheduledTime: new Date().toISOString() };
    const start = performance.now();
    const sweep = reconcile.invoke(tick);
    const stats = await drain({
      endpoint: setup.proxyEndpoint,
      queueUrl: resources.decisionQueueUrl,
      containers: executors,
      sweepDone: sweep.then((r) => (r.ok ? r : Promise.reject(new Error(r.error)))),
    });
    const swept = await sweep;
    // From the tick to the last batch deleted (or the sweep's end if it sent nothing): the polls that
    // find the queue empty afterwards are the harness's, not the job's.
    const wallMs = Math.max(stats.lastDeleteAt, start + swept.ms) - start;
    const t = tally(setup, CALLERS.reconcile, []);
    const verified = await verify(setup);
    const notes = [...rec.notes, ...exe.notes];
    if (!swept.ok) notes.push(`reconcile threw: ${swept.error ?? '?'}`);
    if (stats.redeliveries > 0 || stats.handlerErrors.length > 0) {
      stats.failureLogs = [...reconcile.problems, ...executors.flatMap((e) => e.problems)].slice(-10);
    }
    const { receiveLatency, lastDeleteAt: _end, ...drainStats } = stats;
    const latencies = receiveLatency.map(([, ms]) => ms);
    return {
      wallMs,
      sweepMs: swept.ms,
      sweep: summary(swept.result),
      calls: t.calls,
      pollerCalls: t.pollerCalls,
      stubbed: t.stubbed,
      motoMsByOperation: t.motoMsByOperation,
      callsPerAction: verified.pausedDue === 0 ? Number.NaN : t.acting / verified.pausedDue,
      ...verified,
      drain: {
        ...drainStats,
        receiveMsFirstTenth: tenthMedian(latencies, false),
        receiveMsLastTenth: tenthMedian(latencies, true),
      },
      dlqMessages: await dlqDepth(setup, resources),
      notes,
    };
  } finally {
    await Promise.all([reconcile.stop(), ...executors.map((e) => e.stop())]);
  }
}

/** Top-level numbers of the reconcile handler's result (decisions, enqueued, skips…). */
function summary(result: unknown): Record<string, unknown> {
  if (result === null || typeof result !== 'object') return {};
  return Object.fromEntries(Object.entries(result).filter(([, v]) => typeof v === 'number'));
}

async function dlqDepth(setup: ActingSetup, resources: ActingResources): Promise<number> {
  const sqs = new SQSClient(clientConfig(setup.moto.endpoint, 'BENCHCHECK'));
  let total = 0;
  for (const [id, created] of resources.byLogicalId) {
    if (id === resources.decisionQueueId || !created.ref.startsWith('http')) continue;
    const out = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: created.ref, AttributeNames: ['ApproximateNumberOfMessages'] }),
    );
    total += Number(out.Attributes?.ApproximateNumberOfMessages ?? 0);
  }
  sqs.destroy();
  return total;
}

export async function runBare(setup: ActingSetup, fns: Functions): Promise<SideRun> {
  await freshAccount(setup, fns);
  const { stdout } = await run(
    process.execPath,
    ['--import', 'tsx', join(REPO_ROOT, 'bench/lib/acting-bare.ts'), setup.proxyEndpoint],
    { cwd: REPO_ROOT, env: { PATH: process.env.PATH ?? '' }, maxBuffer: 16 * 1024 * 1024 },
  );
  const line = stdout.split('\n').find((l) => l.startsWith(MARK));
  if (line === undefined) throw new Error(`bare loop printed no result:\n${stdout.slice(-2000)}`);
  const result = JSON.parse(line.slice(MARK.length)) as { wallMs: number; errors: string[] };
  const t = tally(setup, null, ['redshift:DescribeClusters']);
  const verified = await verify(setup);
  return {
    wallMs: result.wallMs,
    calls: t.calls,
    pollerCalls: t.pollerCalls,
    stubbed: t.stubbed,
    motoMsByOperation: t.motoMsByOperation,
    callsPerAction: verified.pausedDue === 0 ? Number.NaN : t.acting / verified.pausedDue,
    ...verified,
    notes: result.errors.slice(0, 5),
  };
}
