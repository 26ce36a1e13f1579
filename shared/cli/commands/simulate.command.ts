import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseTargets } from '../../aws/targets.ts';
import { ConfigurationError } from '../../errors.ts';
import type { FleetResource, FleetSnapshot } from '../../policy/decision.ts';
import { parseFleet } from '../../policy/fleet.ts';
import { loadPoliciesOrThrow } from '../../policy/policy-loader.ts';
import { renderReport, reportContext } from '../../report/html-report.ts';
import type { FleetFile } from '../../simulation/fleet-seed.ts';
import { realHandlers } from '../../simulation/real-handlers.ts';
import { Simulation, type SimulationResult } from '../../simulation/simulation.ts';
import { formatSummary, formatTimeline } from '../../simulation/timeline-text.ts';
import { parseOptions, parseTime, SHARED_OPTIONS } from '../args.ts';
import { payloadsOf, readEventFile } from '../event-file.ts';
import { type CliCommand, type CliIo, UsageError } from '../io.ts';
import { fleetSpec } from './plan.command.ts';

/** A simulated period longer than this is almost certainly a typo in --to. */
export const MAX_SIMULATED_DAYS = 92;
const DAY_MS = 86_400_000;

export interface SimulateOptions {
  policies: string[];
  fleet: string[];
  events: string | null;
  from: string;
  to: string;
  seed: string;
  json: boolean;
  report: string | null;
  duplicateRate: number;
  reorderRate: number;
  /** A hub's targets file (docs/multi-account.md): each target simulated as its own account. */
  targets?: string | null;
}

function rate(text: string, flag: string): number {
  const value = Number(text);
  if (!(value >= 0 && value <= 1)) throw new UsageError(`${flag} must be a probability from 0 to 1, got "${text}"`);
  return value;
}

const SIMULATE_OPTIONS = {
  ...SHARED_OPTIONS,
  seed: { type: 'string' },
  report: { type: 'string' },
  'duplicate-rate': { type: 'string' },
  'reorder-rate': { type: 'string' },
  targets: { type: 'string' },
} as const;

/** `--policies` and `--fleet` take the values up to the next `--flag` (and may be repeated). */
export function parseSimulateArgs(args: readonly string[]): SimulateOptions {
  const values = parseOptions(args, SIMULATE_OPTIONS);
  const seed = values.seed ?? '1';
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(seed)) throw new UsageError(`--seed "${seed}" must be a number or a short word`);
  const duplicateRate = values['duplicate-rate'] === undefined ? 0 : rate(values['duplicate-rate'], '--duplicate-rate');
  const reorderRate = values['reorder-rate'] === undefined ? 0 : rate(values['reorder-rate'], '--reorder-rate');
  const policies = values.policies ?? [];
  const fleet = values.fleet ?? [];
  if (policies.length === 0) throw new UsageError('--policies is required');
  if (fleet.length === 0) throw new UsageError('--fleet is required');
  if (values.from === undefined || values.to === undefined) throw new UsageError('--from and --to are required');
  return {
    policies,
    fleet,
    events: values.events ?? null,
    from: values.from,
    to: values.to,
    seed,
    json: values.json ?? false,
    report: values.report ?? null,
    duplicateRate,
    reorderRate,
    targets: values.targets ?? null,
  };
}

/** `--fleet [ACCOUNT/REGION=]file` (as plan takes it): the file, read in that target's account and Region. */
async function readFleet(specs: readonly string[], cwd: string): Promise<FleetFile[]> {
  const out: FleetFile[] = [];
  for (const spec of specs) {
    const { file, ...location } = fleetSpec(spec);
    const text = await readFile(path.resolve(cwd, file), 'utf8').catch((error: unknown) => {
      throw new ConfigurationError(`${file}: cannot read fleet file`, { cause: error });
    });
    try {
      out.push({ name: file, json: JSON.parse(text) as unknown, ...location });
    } catch (error) {
      throw new ConfigurationError(`${file}: not JSON (${(error as Error).message}); expected AWS CLI output`, {
        cause: error,
      });
    }
  }
  return out;
}

export interface SimulatedTargets {
  targets: { account: string; region: string }[];
  concurrency?: number;
}

/**
 * The hub's targets: the targets file's (account, Region) pairs, each a simulated account. Every fleet
 * file of a hub names its target (`--fleet ACCOUNT/REGION=file`) and that target is in the file. Without
 * a targets file, the locations the fleet files name are the targets.
 */
async function readTargets(file: string | null, fleet: readonly FleetFile[], cwd: string): Promise<SimulatedTargets> {
  if (file === null) return { targets: [] };
  const text = await readFile(path.resolve(cwd, file), 'utf8').catch((error: unknown) => {
    throw new ConfigurationError(`${file}: cannot read the targets file (${(error as Error).message})`);
  });
  const hub = parseTargets(text, file);
  const targets = hub.locations.map(({ account, region }) => ({ account, region }));
  const known = targets.map((t) => `${t.account}/${t.region}`);
  for (const f of fleet) {
    if (f.account === undefined) {
      throw new UsageError(
        `--fleet ${f.name}: with --targets every fleet file names its target; expected ACCOUNT/REGION=${f.name} with one of ${known.join(', ')}`,
      );
    }
    const key = `${f.account}/${f.region}`;
    if (!known.includes(key))
      throw new UsageError(
        `--fleet ${key}=${f.name}: ${key} is not a target in ${file}; expected one of ${known.join(', ')}`,
      );
  }
  return { targets, concurrency: hub.concurrency };
}

export interface SimulateOutcome {
  result: SimulationResult;
  reportPath: string | null;
}

/**
 * Creates the report's folder one level at a time (a recursive mkdir under /proc never returns in
 * Node) and checks the file can be written, before anything is simulated.
 */
async function prepareReportPath(file: string): Promise<string> {
  const missing: string[] = [];
  let dir = path.dirname(file);
  while (!existsSync(dir) && path.dirname(dir) !== dir) {
    missing.unshift(dir);
    dir = path.dirname(dir);
  }
  try {
    for (const d of missing) await mkdir(d);
    await writeFile(file, '', { flag: 'a' });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new ConfigurationError(
      `--report ${file}: cannot write there (${code}); expected a path in a writable folder`,
    );
  }
  return file;
}

export async function runSimulate(options: SimulateOptions, io: CliIo): Promise<SimulateOutcome> {
  const from = parseTime(options.from, '--from');
  const to = parseTime(options.to, '--to');
  if (to <= from) throw new UsageError('--to must be after --from');
  if (to - from > MAX_SIMULATED_DAYS * DAY_MS)
    throw new UsageError(`--from .. --to spans more than ${MAX_SIMULATED_DAYS} days`);
  // The SDK's Node-version notice is about a future SDK release, not about this run.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  // A report that cannot be written fails now, not after a long simulation.
  const reportPath = options.report === null ? null : await prepareReportPath(path.resolve(io.cwd, options.report));
  // A schedule that never fires from the period's start on is an error here too, as in validate.
  const policySet = await loadPoliciesOrThrow(options.policies, io.cwd, { now: from });
  const fleetFiles = await readFleet(options.fleet, io.cwd);
  const hub = await readTargets(options.targets ?? null, fleetFiles, io.cwd);
  // The engine's own parser first: a malformed fleet file is reported with its name, as `plan` does.
  const startFleet: FleetSnapshot = parseFleet(fleetFiles, new Date(from).toISOString());
  const events = options.events === null ? [] : payloadsOf(await readEventFile(options.events, io.cwd));
  const simulation = new Simulation({
    policies: policySet,
    fleet: fleetFiles,
    from,
    to,
    seed: options.seed,
    events,
    delivery: { duplicateRate: options.duplicateRate, reorderRate: options.reorderRate },
    handlers: realHandlers,
    ...hub,
  });
  const result = await simulation.run();

  if (options.json) {
    const lines = [...result.records, result.summary].map((r) => JSON.stringify(r));
    io.stdout(`${lines.join('\n')}\n`);
  } else {
    io.stdout(formatTimeline(result.records, { zoneOf: (r) => simulation.zoneFor(r) }));
    io.stdout(`\n${formatSummary(result.summary)}`);
  }

  if (reportPath !== null) {
    const context = reportContext(policySet.policies, startFleet.resources as FleetResource[], from, to, result.usage);
    const html = renderReport({
      title: 'redshift-autopilot simulation',
      from,
      to,
      records: result.records,
      summary: result.summary,
      resources: result.resources,
      ...context,
      sources: [
        ...options.policies,
        ...options.fleet,
        ...(options.targets == null ? [] : [options.targets]),
        ...(options.events === null ? [] : [options.events]),
      ],
    });
    await writeFile(reportPath, html, 'utf8');
    // With --json, stdout stays machine-readable.
    (options.json ? io.stderr : io.stdout)(`report written to ${reportPath}\n`);
  }
  return { result, reportPath };
}

export const command: CliCommand = {
  usage:
    'autopilot simulate --policies <file|dir>... --fleet [<account>/<region>=]<aws-cli-output.json>... [--targets <targets.json>] [--events <events file>] --from <ISO time> --to <ISO time> [--seed <n>] [--json] [--report <out.html>] [--duplicate-rate <0..1>] [--reorder-rate <0..1>]',
  run: async (args, io) => {
    await runSimulate(parseSimulateArgs(args), io);
    return 0;
  },
};
