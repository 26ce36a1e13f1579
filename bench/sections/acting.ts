import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageService, REPO_ROOT } from '../../test/helpers/template.ts';
import { fifoDepthProbe } from '../lib/acting-poller.ts';
import {
  type ActingSetup,
  actingFunctions,
  type DeployedRun,
  extractFunctions,
  runBare,
  runDeployed,
  type SideRun,
} from '../lib/acting-run.ts';
import { BENCH_POLICIES } from '../lib/acting-world.ts';
import { CountingProxy } from '../lib/moto-proxy.ts';
import { existingMoto, startMoto } from '../lib/moto-server.ts';
import { median, round } from '../lib/stats.ts';

/**
 * The acting path (issue 19): "sweep N clusters and pause the D that are due" against moto_server over
 * real HTTP, the deployed functions from their zips (packaged with bench/lib/acting-policies) against
 * a bare AWS SDK loop, alternately round after round (which side goes first alternates too), each run
 * on a freshly reset moto with the same fleet. See BENCHMARKS.md "Acting path" for how and why.
 */
export interface ActingOptions {
  rounds: number;
  clusters: number;
  due: number;
  /** Concurrent executor containers; default: the template's ScalingConfig.MaximumConcurrency. */
  pollers?: number;
  /** FIFO depth probe sizes (empty: no probe). */
  probeDepths?: readonly number[];
  /** Use this moto_server (reset before every run, not stopped) instead of starting one. */
  motoEndpoint?: string;
  log?: (message: string) => void;
}

export interface ActingResult {
  clusters: number;
  due: number;
  rounds: number;
  pollers: number;
  loadAverage: { before: number[]; after: number[] };
  deployed: { wallMs: number; sweepMs: number; callsPerAction: number; runs: DeployedRun[] };
  bare: { wallMs: number; callsPerAction: number; runs: SideRun[] };
  /** Median over rounds of deployed wall ÷ bare wall of the same round. */
  ratio: number;
  fifoDepth: Awaited<ReturnType<typeof fifoDepthProbe>>[];
  how: string[];
}

/** A content hash of the bench policies, as a packaging parameter: an edited policy repackages. */
function policiesHash(): string {
  const hash = createHash('sha256');
  const dir = join(REPO_ROOT, BENCH_POLICIES);
  for (const name of readdirSync(dir).sort()) hash.update(name).update(readFileSync(join(dir, name)));
  return hash.digest('hex').slice(0, 12);
}

export const packageActing = () => packageService({ policies: BENCH_POLICIES, benchPolicies: policiesHash() });

export async function benchActing(options: ActingOptions): Promise<ActingResult> {
  const log = options.log ?? (() => undefined);
  const loadBefore = loadavg().map((x) => round(x, 2));
  log('acting: packaging with bench/lib/acting-policies (cached per content)…');
  const service = await packageActing();
  const fns = actingFunctions(service);
  const pollers = options.pollers ?? fns.maxConcurrency;
  const moto = options.motoEndpoint === undefined ? await startMoto() : existingMoto(options.motoEndpoint);
  const proxy = new CountingProxy(moto.endpoint);
  const taskRoot = mkdtempSync(join(tmpdir(), 'autopilot-bench-acting-'));
  try {
    const proxyEndpoint = await proxy.start();
    extractFunctions(fns, taskRoot);
    const setup: ActingSetup = {
      service,
      moto,
      proxy,
      proxyEndpoint,
      taskRoot,
      spec: { clusters: options.clusters, due: options.due },
      pollers,
    };
    const deployed: DeployedRun[] = [];
    const bare: SideRun[] = [];
    for (let r = 0; r < options.rounds; r++) {
      const order = r % 2 === 0 ? (['deployed', 'bare'] as const) : (['bare', 'deployed'] as const);
      for (const side of order) {
        log(`acting: round ${r + 1}/${options.rounds} ${side} (${options.clusters} clusters, ${options.due} due)…`);
        if (side === 'deployed') deployed.push(await runDeployed(setup, fns));
        else bare.push(await runBare(setup, fns));
      }
    }
    const fifoDepth = [];
    for (const depth of options.probeDepths ?? []) {
      await moto.reset();
      fifoDepth.push(await fifoDepthProbe(moto.endpoint, depth));
    }
    const ratios = deployed.map((d, i) => d.wallMs / (bare[i]?.wallMs ?? Number.NaN));
    return {
      clusters: options.clusters,
      due: options.due,
      rounds: options.rounds,
      pollers,
      loadAverage: { before: loadBefore, after: loadavg().map((x) => round(x, 2)) },
      deployed: {
        wallMs: round(median(deployed.map((d) => d.wallMs))),
        sweepMs: round(median(deployed.map((d) => d.sweepMs))),
        callsPerAction: round(median(deployed.map((d) => d.callsPerAction))),
        runs: deployed.map(rounded),
      },
      bare: {
        wallMs: round(median(bare.map((b) => b.wallMs))),
        callsPerAction: round(median(bare.map((b) => b.callsPerAction))),
        runs: bare.map(rounded),
      },
      ratio: round(median(ratios)),
      fifoDepth,
      how: HOW,
    };
  } finally {
    await proxy.stop();
    await moto.stop();
    rmSync(taskRoot, { recursive: true, force: true });
  }
}

function rounded<T extends SideRun>(run: T): T {
  return {
    ...run,
    wallMs: round(run.wallMs),
    callsPerAction: round(run.callsPerAction),
    ...('sweepMs' in run ? { sweepMs: round(run.sweepMs as number) } : {}),
  };
}

const HOW = [
  'moto_server on a free 127.0.0.1 port, reset before every run; a counting proxy in front names each call by the signing access key id (one per process), service and operation',
  'DescribeClusters: moto answers every cluster in one page; the proxy serves its answer in pages of MaxRecords (100) with a Marker, so both sides make the calls AWS would make',
  'DescribeIntegrations and every Redshift Serverless call: absent from moto, answered by the proxy with an empty list (Serverless non-list calls: ResourceNotFoundException); counted like any call',
  'DescribeClusterSnapshots: moto ignores its tag filter; the bench creates no snapshots, so the answer is empty either way',
  "Lambda's FIFO poller: N concurrent consumers (the template's MaximumConcurrency), receive 10 with all attributes, real-shaped SQSEvent, DeleteMessageBatch of the successes; failed items are made visible again at once (ChangeMessageVisibility 0) instead of after the 360 s visibility timeout, and counted as redeliveries",
  'containers: one child node process per container, the handler imported from its extracted zip before the clock starts; the first call (clients, policies) is inside the clock',
  'calls per action: every call of the code under test except the sweep’s reads (Describe/List/Get/Query/Scan) and SQS operations, divided by the due clusters moto shows paused; bare loop: every call but DescribeClusters',
];

function table(rows: string[][]): string {
  const widths = (rows[0] ?? []).map((_c, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  const rule = `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`;
  return [line(rows[0] ?? []), rule, ...rows.slice(1).map(line)].join('\n');
}

/** The section's table and notes, as bench/run.ts prints them. */
export function actingReport(result: ActingResult): string {
  const d = result.deployed.runs[0];
  const b = result.bare.runs[0];
  const rows = [
    ['side', 'wall (median)', 'per round', 'calls per action', 'paused due / not due'],
    [
      `deployed (sweep ${result.deployed.sweepMs} ms, ${result.pollers} pollers)`,
      `${result.deployed.wallMs} ms`,
      result.deployed.runs.map((r) => Math.round(r.wallMs)).join(', '),
      String(result.deployed.callsPerAction),
      d === undefined ? '' : `${d.pausedDue} / ${d.pausedNotDue}`,
    ],
    [
      'bare SDK loop',
      `${result.bare.wallMs} ms`,
      result.bare.runs.map((r) => Math.round(r.wallMs)).join(', '),
      String(result.bare.callsPerAction),
      b === undefined ? '' : `${b.pausedDue} / ${b.pausedNotDue}`,
    ],
  ];
  const ops = [...new Set([...Object.keys(d?.calls ?? {}), ...Object.keys(b?.calls ?? {})])].sort();
  const calls = [
    ['operation (first round)', 'deployed', 'bare', 'moto ms (median, deployed)'],
    ...ops.map((op) => [
      op + (d?.stubbed[op] === undefined ? '' : ' (proxy)'),
      String(d?.calls[op] ?? ''),
      String(b?.calls[op] ?? ''),
      String(d?.motoMsByOperation[op] ?? ''),
    ]),
  ];
  const failed = [...result.deployed.runs, ...result.bare.runs].filter(
    (r) => r.pausedDue !== result.due || r.pausedNotDue !== 0,
  );
  return [
    ...(failed.length === 0
      ? []
      : [
          `JOB NOT DONE in ${failed.length} run(s): paused ${failed.map((r) => `${r.pausedDue}/${result.due}`).join(', ')}; ${failed.flatMap((r) => r.notes).join('; ')}`,
          '',
        ]),
    `${result.clusters} clusters, ${result.due} due; ${result.rounds} rounds, alternating`,
    '',
    table(rows),
    '',
    table(calls),
    '',
    ...actingNotes(result),
  ].join('\n');
}

const fmtCalls = (calls: Record<string, number>) =>
  Object.entries(calls)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([op, n]) => `${op} ${n}`)
    .join(', ');

export function actingNotes(result: ActingResult): string[] {
  const d = result.deployed.runs[0];
  const lines = [
    `ratio deployed ÷ bare (median of the rounds' ratios): ${result.ratio}×; load average ${result.loadAverage.before.join(' ')} → ${result.loadAverage.after.join(' ')}`,
  ];
  if (d !== undefined) {
    lines.push(
      `deployed, first round: sweep ${JSON.stringify(d.sweep)}`,
      `poller: ${fmtCalls(d.pollerCalls)}; ${d.drain.invocations} invocations, ${d.drain.redeliveries} redeliveries, ${d.drain.handlerErrors.length} handler errors, DLQ ${d.dlqMessages}; ReceiveMessage ${d.drain.receiveMsFirstTenth} ms (first tenth) → ${d.drain.receiveMsLastTenth} ms (last tenth)`,
    );
    for (const note of d.notes) lines.push(`note: ${note}`);
  }
  for (const p of result.fifoDepth) {
    lines.push(
      `moto FIFO at depth ${p.depth}: SendMessageBatch ${p.sendFirstTenthMs} → ${p.sendLastTenthMs} ms; ReceiveMessage ${p.receiveAtFullDepthMs} ms full → ${p.receiveNearEmptyMs} ms near empty`,
    );
  }
  return lines;
}
