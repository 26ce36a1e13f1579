import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { type PackagedService, REPO_ROOT, readZip } from '../../test/helpers/template.ts';
import {
  type Budgets,
  budgetFor,
  type PackagedFunction,
  packagedFunctions,
  type TriggerKind,
} from '../lib/functions.ts';
import { median, round } from '../lib/stats.ts';

/**
 * Per function: zip size, cold import of the bundle in a fresh `node` process, first invocation; and
 * where the cold import goes (esbuild metafile bytes by package, and cold imports of the pieces).
 * Every timing is a fresh process; bundles and the empty-node baseline are measured alternately, round
 * after round, so drift on a shared machine hits them alike.
 */
const run = promisify(execFile);
const MARK = '__BENCH__';

export interface FunctionResult {
  name: string;
  trigger: TriggerKind;
  zipBytes: number;
  budgetBytes: number;
  bundleBytes: number;
  /** Median of `performance.now()` around `await import(bundle)` inside the fresh process. */
  coldImportMs: number;
  /** Median of (process wall time − empty-node wall time), measured alternately. */
  coldProcessOverheadMs: number;
  /**
   * Median time of the first handler call in a fresh process: the handler built by its factory
   * (`create<Name>Handler(deps)`) over simulator-backed deps (example fleet and policies), sources
   * loaded through tsx. The second call is shown for contrast.
   */
  firstInvokeMs: number | null;
  secondInvokeMs: number | null;
  /** AWS calls (simulator) of the first + second invocation. */
  invokeCalls: Record<string, number>;
  firstInvokeNote: string;
  /** Output bytes per package in the bundle (largest first). */
  bytesByPackage: Record<string, number>;
}

export interface PieceResult {
  piece: string;
  what: string;
  bundleBytes: number;
  coldImportMs: number;
}

export interface BundlesResult {
  rounds: number;
  baselineNodeMs: number;
  functions: FunctionResult[];
  pieces: PieceResult[];
  /**
   * With BENCH_ZIPS_BEFORE=<a packaged service folder> (`serverless package --package <dir>` of another
   * checkout): its zips cold-imported in the same rounds, alternately with these — a before/after.
   */
  before?: { name: string; zipBytes: number; coldImportMs: number; coldProcessOverheadMs: number }[];
}

/** A folder `serverless package --package` wrote: its template and zips. */
function packagedFolder(dir: string): PackagedService {
  const templatePath = join(dir, 'cloudformation-template-update-stack.json');
  const zips: Record<string, string> = {};
  for (const name of readdirSync(dir)) if (name.endsWith('.zip')) zips[name.slice(0, -'.zip'.length)] = join(dir, name);
  return { dir, templatePath, template: JSON.parse(readFileSync(templatePath, 'utf8')), zips };
}

/** The other package's functions, extracted under `dir/before/`, as targets keyed `before:<name>`. */
function beforeTargets(beforeDir: string, dir: string): { targets: ImportTarget[]; functions: PackagedFunction[] } {
  const functions = packagedFunctions(packagedFolder(beforeDir));
  const targets = functions.map((fn) => {
    const root = join(dir, 'before', fn.name);
    for (const [path, data] of readZip(fn.zipPath)) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), data);
    }
    return { key: `before:${fn.name}`, file: join(root, fn.module), fn, env: lambdaEnv(fn, root) };
  });
  return { targets, functions };
}

function payloadFor(trigger: TriggerKind): { payload: unknown; note: string } {
  const fixture = (name: string) => JSON.parse(readFileSync(join(REPO_ROOT, 'test/fixtures/events', name), 'utf8'));
  switch (trigger) {
    case 'sns':
      return {
        payload: fixture('sns-lambda-event-redshift-event-notification-REDSHIFT-EVENT-2004.json'),
        note: 'real SNS event (REDSHIFT-EVENT-2004)',
      };
    case 'eventbridge':
      return {
        payload: fixture('eventbridge-aws.cloudwatch-alarm-state-change-single-metric.json'),
        note: 'real EventBridge alarm state change',
      };
    case 'schedule':
      return {
        payload: { source: 'autopilot.scheduler', schedule: 'reconcile', scheduledTime: '2026-12-07T09:05:00Z' },
        note: 'scheduler tick',
      };
    case 'sqs':
      return { payload: { Records: [] }, note: 'empty SQS batch' };
    default:
      return { payload: {}, note: 'no known trigger: empty object' };
  }
}

/** Cold import of one module in a fresh node process, timed inside the process. */
function childScript(file: string): string {
  return `const t0 = performance.now();
await import(${JSON.stringify(pathToFileURL(file).href)});
const imp = performance.now() - t0;
process.stdout.write('\\n${MARK}' + JSON.stringify({ imp }) + '\\n');`;
}

interface ChildResult {
  wallMs: number;
  imp: number;
}

async function runChild(script: string, env: Record<string, string>): Promise<ChildResult> {
  const start = performance.now();
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
    env: { PATH: process.env.PATH ?? '', ...env },
    maxBuffer: 16 * 1024 * 1024,
  });
  const wallMs = performance.now() - start;
  const line = stdout.split('\n').find((l) => l.startsWith(MARK));
  if (line === undefined) throw new Error(`bench child printed no result:\n${stdout.slice(-2000)}`);
  return { wallMs, ...(JSON.parse(line.slice(MARK.length)) as Omit<ChildResult, 'wallMs'>) };
}

interface InvokeResult {
  factory: string | null;
  firstMs?: number;
  secondMs?: number;
  firstError?: string;
  calls?: Record<string, number>;
}

async function firstInvoke(fn: PackagedFunction, payload: unknown): Promise<InvokeResult> {
  const { stdout } = await run(
    process.execPath,
    ['--import', 'tsx', join(REPO_ROOT, 'bench/first-invoke.ts'), fn.sourceEntry, JSON.stringify(payload), fn.name],
    {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? '', AWS_REGION: 'us-east-1', POWERTOOLS_LOG_LEVEL: 'INFO' },
      maxBuffer: 16 * 1024 * 1024,
    },
  );
  const line = stdout.split('\n').find((l) => l.startsWith(MARK));
  if (line === undefined) throw new Error(`first-invoke child printed no result:\n${stdout.slice(-2000)}`);
  return JSON.parse(line.slice(MARK.length)) as InvokeResult;
}

async function baselineMs(): Promise<number> {
  const start = performance.now();
  await run(process.execPath, ['--input-type=module', '-e', '0'], { env: { PATH: process.env.PATH ?? '' } });
  return performance.now() - start;
}

/** The esbuild options serverless-esbuild used (from the packaged serverless-state.json). */
function esbuildOptions(service: PackagedService) {
  const state = JSON.parse(readFileSync(join(service.dir, 'serverless-state.json'), 'utf8')) as {
    service: { custom: { esbuild: Record<string, unknown> } };
  };
  const o = state.service.custom.esbuild as {
    format: 'esm';
    platform: 'node';
    target: string;
    minify: boolean;
    mainFields: string[];
    external: string[];
    banner?: { js?: string };
  };
  return {
    bundle: true,
    write: false,
    metafile: true,
    format: o.format,
    platform: o.platform,
    target: o.target,
    minify: o.minify,
    mainFields: o.mainFields,
    external: o.external,
    ...(o.banner?.js === undefined ? {} : { banner: { js: o.banner.js } }),
    absWorkingDir: REPO_ROOT,
    logLevel: 'silent' as const,
  };
}

function packageOf(input: string): string {
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
  if (m?.[1] !== undefined) return m[1];
  return input.startsWith('shared/') || input.startsWith('functions/') ? '(project)' : '(other)';
}

async function buildPiece(
  service: PackagedService,
  entry: { file: string } | { contents: string },
): Promise<{ code: string; bytesByPackage: Record<string, number> }> {
  const result = await build({
    ...esbuildOptions(service),
    ...('file' in entry
      ? { entryPoints: [join(REPO_ROOT, entry.file)] }
      : { stdin: { contents: entry.contents, resolveDir: REPO_ROOT, loader: 'ts' as const } }),
    outfile: 'bench-out.mjs',
  });
  const code = result.outputFiles?.[0]?.text ?? '';
  const bytes: Record<string, number> = {};
  for (const output of Object.values(result.metafile?.outputs ?? {})) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const pkg = packageOf(input);
      bytes[pkg] = (bytes[pkg] ?? 0) + bytesInOutput;
    }
  }
  const sorted = Object.fromEntries(Object.entries(bytes).sort(([, a], [, b]) => b - a));
  return { code, bytesByPackage: sorted };
}

/** Pieces whose cold import is measured next to the functions: where the import time goes. */
const PIECES = [
  {
    piece: 'zod',
    what: "import { z } from 'zod' (the whole classic API, as `z.` usage keeps it)",
    entry: { contents: "import { z } from 'zod'; (globalThis as Record<string, unknown>).__bench = z;" },
  },
  {
    piece: 'zod/mini',
    what: "import * as z from 'zod/mini' (the tree-shakable functional API)",
    entry: { contents: "import * as z from 'zod/mini'; (globalThis as Record<string, unknown>).__bench = z;" },
  },
  {
    piece: 'zod schema',
    what: 'one small object schema (string, optional number, enum array, union, record) with classic `z.`',
    entry: {
      contents:
        "import { z } from 'zod'; (globalThis as Record<string, unknown>).__bench = z.object({ a: z.string(), b: z.number().optional(), c: z.array(z.enum(['x', 'y'])), d: z.union([z.string(), z.null()]), e: z.record(z.string(), z.string()) });",
    },
  },
  {
    piece: 'zod/mini schema',
    what: 'the same schema with named zod/mini imports (what a migration would tree-shake to)',
    entry: {
      contents:
        "import { array, enum as zenum, null as znull, number, object, optional, record, string, union } from 'zod/mini'; (globalThis as Record<string, unknown>).__bench = object({ a: string(), b: optional(number()), c: array(zenum(['x', 'y'])), d: union([string(), znull()]), e: record(string(), string()) });",
    },
  },
  {
    piece: 'parse path',
    what: 'shared/events/normalize.ts: zod + every ingress schema built at module scope + catalog JSON',
    entry: { file: 'shared/events/normalize.ts' },
  },
  {
    piece: 'observability',
    what: 'shared/lambda/observability.ts: Powertools Logger + Metrics + middy',
    entry: { file: 'shared/lambda/observability.ts' },
  },
] as const;

/** One module to cold-import: a function bundle (with its Lambda environment) or a piece. */
interface ImportTarget {
  key: string;
  file: string;
  fn?: PackagedFunction;
  env: Record<string, string>;
}

interface Prepared {
  targets: ImportTarget[];
  /** Output bytes per package, by function name. */
  analysis: Map<string, Record<string, number>>;
  /** Bundle bytes, by function name or piece. */
  bundleBytes: Map<string, number>;
  /** First-invocation payload notes, by function name. */
  notes: Map<string, string>;
}

/**
 * The environment a function sees in Lambda, pointed at no AWS endpoint. LAMBDA_TASK_ROOT (the extracted
 * zip) makes the handler module do its Lambda init at import — configuration and the packaged policies
 * read and compiled (shared/app/env-deps.ts `warm`) — so the cold import is what Lambda's init phase
 * runs; the template's references get well-formed stand-ins, which that init checks.
 */
function lambdaEnv(fn: PackagedFunction, taskRoot: string): Record<string, string> {
  return {
    ...fn.environment,
    AUTOPILOT_ACCOUNT_ID: '123456789012',
    ALERT_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:bench-alerts',
    DECISION_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/bench-decisions.fifo',
    LEDGER_TABLE_NAME: 'bench-ledger',
    AUTOPILOT_EXECUTOR_ROLE_ARN: 'arn:aws:iam::123456789012:role/bench-executor',
    LAMBDA_TASK_ROOT: taskRoot,
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_LAMBDA_FUNCTION_NAME: fn.name,
    AWS_ACCESS_KEY_ID: 'AKIDBENCH',
    AWS_SECRET_ACCESS_KEY: 'bench',
    // Whatever a handler might call goes nowhere: the bench talks to no AWS endpoint.
    AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
  };
}

/** Each bundle extracted as Lambda would (its own directory, no node_modules), plus the pieces. */
async function prepareTargets(service: PackagedService, functions: PackagedFunction[], dir: string): Promise<Prepared> {
  const targets: ImportTarget[] = [];
  const analysis = new Map<string, Record<string, number>>();
  const bundleBytes = new Map<string, number>();
  const notes = new Map<string, string>();
  for (const fn of functions) {
    const files = readZip(fn.zipPath);
    for (const [path, data] of files) {
      mkdirSync(dirname(join(dir, fn.name, path)), { recursive: true });
      writeFileSync(join(dir, fn.name, path), data);
    }
    bundleBytes.set(fn.name, files.get(fn.module)?.length ?? 0);
    notes.set(fn.name, payloadFor(fn.trigger).note);
    analysis.set(fn.name, (await buildPiece(service, { file: fn.sourceEntry })).bytesByPackage);
    targets.push({ key: fn.name, file: join(dir, fn.name, fn.module), fn, env: lambdaEnv(fn, join(dir, fn.name)) });
  }
  for (const piece of PIECES) {
    const { code } = await buildPiece(service, piece.entry);
    const file = join(dir, 'pieces', `${piece.piece.replace(/\W+/g, '-')}.mjs`);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, code);
    bundleBytes.set(piece.piece, Buffer.byteLength(code));
    targets.push({ key: piece.piece, file, env: {} });
  }
  return { targets, analysis, bundleBytes, notes };
}

/** rounds × (baseline, every target), alternating, so drift hits bundles and baseline alike. */
async function measureColdImports(
  targets: ImportTarget[],
  rounds: number,
): Promise<{ samples: Map<string, ChildResult[]>; baseline: number }> {
  const samples = new Map<string, ChildResult[]>();
  const baselines: number[] = [];
  for (let r = 0; r < rounds; r++) {
    baselines.push(await baselineMs());
    for (const t of targets) {
      const script = childScript(t.file);
      const result = await runChild(script, t.env);
      samples.set(t.key, [...(samples.get(t.key) ?? []), result]);
    }
  }
  return { samples, baseline: median(baselines) };
}

async function measureFirstInvokes(
  functions: PackagedFunction[],
  invokeRounds: number,
): Promise<Map<string, InvokeResult[]>> {
  const invokes = new Map<string, InvokeResult[]>();
  for (let r = 0; r < invokeRounds; r++) {
    for (const fn of functions) {
      const result = await firstInvoke(fn, payloadFor(fn.trigger).payload);
      invokes.set(fn.name, [...(invokes.get(fn.name) ?? []), result]);
    }
  }
  return invokes;
}

function functionResult(
  fn: PackagedFunction,
  budgets: Budgets,
  prepared: Prepared,
  samples: ChildResult[],
  inv: InvokeResult[],
  baseline: number,
): FunctionResult {
  const errors = [...new Set(inv.map((x) => x.firstError).filter((e): e is string => e !== undefined))];
  const firsts = inv.map((x) => x.firstMs).filter((x): x is number => x !== undefined);
  const seconds = inv.map((x) => x.secondMs).filter((x): x is number => x !== undefined);
  const factory = inv[0]?.factory ?? null;
  return {
    name: fn.name,
    trigger: fn.trigger,
    zipBytes: fn.zipBytes,
    budgetBytes: budgetFor(budgets, fn.name),
    bundleBytes: prepared.bundleBytes.get(fn.name) ?? 0,
    coldImportMs: round(median(samples.map((x) => x.imp))),
    coldProcessOverheadMs: round(median(samples.map((x) => x.wallMs)) - baseline),
    firstInvokeMs: firsts.length === 0 ? null : round(median(firsts)),
    secondInvokeMs: seconds.length === 0 ? null : round(median(seconds)),
    invokeCalls: inv[0]?.calls ?? {},
    firstInvokeNote:
      (factory === null
        ? 'no create<Name>Handler factory exported: not invoked'
        : `${factory}(simulator deps), ${prepared.notes.get(fn.name) ?? ''}`) +
      (errors.length > 0 ? `; handler threw: ${errors.join(' | ')}` : ''),
    bytesByPackage: prepared.analysis.get(fn.name) ?? {},
  };
}

export async function benchBundles(
  service: PackagedService,
  budgets: Budgets,
  rounds: number,
  invokeRounds: number,
): Promise<BundlesResult> {
  const functions = packagedFunctions(service);
  const dir = mkdtempSync(join(tmpdir(), 'autopilot-bench-bundles-'));
  try {
    const prepared = await prepareTargets(service, functions, dir);
    const beforeDir = process.env.BENCH_ZIPS_BEFORE;
    const before = beforeDir === undefined ? null : beforeTargets(beforeDir, dir);
    const { samples, baseline } = await measureColdImports([...prepared.targets, ...(before?.targets ?? [])], rounds);
    const invokes = await measureFirstInvokes(functions, invokeRounds);
    const fnResults: FunctionResult[] = functions.map((fn) =>
      functionResult(fn, budgets, prepared, samples.get(fn.name) ?? [], invokes.get(fn.name) ?? [], baseline),
    );
    const pieces: PieceResult[] = PIECES.map((p) => ({
      piece: p.piece,
      what: p.what,
      bundleBytes: prepared.bundleBytes.get(p.piece) ?? 0,
      coldImportMs: round(median((samples.get(p.piece) ?? []).map((x) => x.imp))),
    }));
    const beforeResults = before?.functions.map((fn) => {
      const runs = samples.get(`before:${fn.name}`) ?? [];
      return {
        name: fn.name,
        zipBytes: fn.zipBytes,
        coldImportMs: round(median(runs.map((x) => x.imp))),
        coldProcessOverheadMs: round(median(runs.map((x) => x.wallMs)) - baseline),
      };
    });
    return {
      rounds,
      baselineNodeMs: round(baseline),
      functions: fnResults,
      pieces,
      ...(beforeResults === undefined ? {} : { before: beforeResults }),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
