import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ConfigurationError, EventParseError } from '../../errors.ts';
import { normalize } from '../../events/normalize.ts';
import type { FleetResource, FleetSnapshot } from '../../policy/decision.ts';
import { parseFleet } from '../../policy/fleet.ts';
import { parseInstant } from '../../policy/local-time.ts';
import { loadPoliciesOrThrow } from '../../policy/policy-loader.ts';
import { renderReport, runningWindows } from '../../report/html-report.ts';
import type { FleetFile } from '../../simulation/fleet-seed.ts';
import { realHandlers } from '../../simulation/real-handlers.ts';
import { type InjectedEvent, Simulation, type SimulationResult } from '../../simulation/simulation.ts';
import { formatSummary, formatTimeline } from '../../simulation/timeline-text.ts';
import { parseTime } from '../args.ts';
import { type CliCommand, type CliIo, UsageError } from '../io.ts';

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
}

function rate(text: string, flag: string): number {
  const value = Number(text);
  if (!(value >= 0 && value <= 1)) throw new UsageError(`${flag} must be a probability from 0 to 1, got "${text}"`);
  return value;
}

/** `--flag a b c`: --policies and --fleet take the values up to the next `--flag`. */
export function parseSimulateArgs(args: readonly string[]): SimulateOptions {
  const o: Omit<SimulateOptions, 'from' | 'to'> & { from: string | null; to: string | null } = {
    policies: [],
    fleet: [],
    events: null,
    from: null,
    to: null,
    seed: '1',
    json: false,
    report: null,
    duplicateRate: 0,
    reorderRate: 0,
  };
  let list: 'policies' | 'fleet' | null = null;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    const value = () => {
      const next = args[++i];
      if (next === undefined || next.startsWith('--')) throw new UsageError(`${arg} needs a value`);
      return next;
    };
    if (arg === '--policies' || arg === '--fleet') {
      list = arg === '--policies' ? 'policies' : 'fleet';
      continue;
    }
    if (arg.startsWith('--')) list = null;
    if (arg === '--json') o.json = true;
    else if (arg === '--events') o.events = value();
    else if (arg === '--from') o.from = value();
    else if (arg === '--to') o.to = value();
    else if (arg === '--report') o.report = value();
    else if (arg === '--seed') {
      const seed = value();
      if (!/^[A-Za-z0-9._-]{1,64}$/.test(seed))
        throw new UsageError(`--seed "${seed}" must be a number or a short word`);
      o.seed = seed;
    } else if (arg === '--duplicate-rate') o.duplicateRate = rate(value(), arg);
    else if (arg === '--reorder-rate') o.reorderRate = rate(value(), arg);
    else if (arg.startsWith('--')) throw new UsageError(`unknown option ${arg}`);
    else if (list === null) throw new UsageError(`unexpected argument ${arg}`);
    else o[list].push(arg);
  }
  if (o.policies.length === 0) throw new UsageError('--policies is required');
  if (o.fleet.length === 0) throw new UsageError('--fleet is required');
  if (o.from === null || o.to === null) throw new UsageError('--from and --to are required');
  return { ...o, from: o.from, to: o.to };
}

async function readFleet(files: readonly string[], cwd: string): Promise<FleetFile[]> {
  const out: FleetFile[] = [];
  for (const file of files) {
    const text = await readFile(path.resolve(cwd, file), 'utf8').catch((error: unknown) => {
      throw new ConfigurationError(`${file}: cannot read fleet file`, { cause: error });
    });
    try {
      out.push({ name: file, json: JSON.parse(text) as unknown });
    } catch (error) {
      throw new ConfigurationError(`${file}: not JSON (${(error as Error).message}); expected AWS CLI output`, {
        cause: error,
      });
    }
  }
  return out;
}

/**
 * `--events` lines: `{"at": "<ISO time>", "payload": <any ingress payload>}`. Each payload is checked
 * with the normalizer first, so a bad line is reported as file:line before anything runs.
 */
export async function readInjectedEvents(file: string, cwd: string): Promise<InjectedEvent[]> {
  const text = await readFile(path.resolve(cwd, file), 'utf8').catch((error: unknown) => {
    throw new ConfigurationError(`${file}: cannot read events file`, { cause: error });
  });
  const events: InjectedEvent[] = [];
  for (const [i, line] of text.split('\n').entries()) {
    if (line.trim() === '') continue;
    const where = `${file}:${i + 1}`;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch (error) {
      throw new ConfigurationError(`${where}: not JSON; expected {"at": "<ISO time>", "payload": {...}}`, {
        cause: error,
      });
    }
    const entry = json as { at?: unknown; payload?: unknown };
    const at = typeof entry.at === 'string' ? parseInstant(entry.at) : null;
    if (typeof json !== 'object' || json === null || at === null || entry.payload === undefined) {
      throw new ConfigurationError(
        `${where}: expected {"at": "<ISO time with zone>", "payload": {...}}, e.g. {"at":"2026-12-07T10:00Z","payload":{...}}`,
      );
    }
    try {
      normalize(entry.payload, { receivedAt: new Date(at).toISOString() });
    } catch (error) {
      if (error instanceof EventParseError) {
        throw new ConfigurationError(`${where}: payload is not a supported ingress shape: ${error.message}`, {
          cause: error,
        });
      }
      throw error;
    }
    events.push({ at, payload: entry.payload, origin: where });
  }
  return events;
}

export interface SimulateOutcome {
  result: SimulationResult;
  reportPath: string | null;
}

export async function runSimulate(options: SimulateOptions, io: CliIo): Promise<SimulateOutcome> {
  const from = parseTime(options.from, '--from');
  const to = parseTime(options.to, '--to');
  if (to <= from) throw new UsageError('--to must be after --from');
  if (to - from > MAX_SIMULATED_DAYS * DAY_MS)
    throw new UsageError(`--from .. --to spans more than ${MAX_SIMULATED_DAYS} days`);
  // The SDK's Node-version notice is about a future SDK release, not about this run.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const policySet = await loadPoliciesOrThrow(options.policies, io.cwd);
  const fleetFiles = await readFleet(options.fleet, io.cwd);
  // The engine's own parser first: a malformed fleet file is reported with its name, as `plan` does.
  const startFleet: FleetSnapshot = parseFleet(fleetFiles, new Date(from).toISOString());
  const events = options.events === null ? [] : await readInjectedEvents(options.events, io.cwd);
  const simulation = new Simulation({
    policies: policySet,
    fleet: fleetFiles,
    from,
    to,
    seed: options.seed,
    events,
    delivery: { duplicateRate: options.duplicateRate, reorderRate: options.reorderRate },
    handlers: realHandlers,
  });
  const result = await simulation.run();

  if (options.json) {
    const lines = [...result.records, result.summary].map((r) => JSON.stringify(r));
    io.stdout(`${lines.join('\n')}\n`);
  } else {
    io.stdout(formatTimeline(result.records, { zoneOf: (r) => simulation.zoneFor(r) }));
    io.stdout(`\n${formatSummary(result.summary)}`);
  }

  let reportPath: string | null = null;
  if (options.report !== null) {
    reportPath = path.resolve(io.cwd, options.report);
    const windows = new Map<string, { start: number; end: number; policy: string }[]>();
    for (const resource of startFleet.resources as FleetResource[]) {
      const list = runningWindows(policySet.policies, resource, from, to);
      if (list.length > 0) windows.set(`${resource.type}/${resource.id}`, list);
    }
    const html = renderReport({
      title: 'redshift-autopilot simulation',
      from,
      to,
      records: result.records,
      summary: result.summary,
      resources: result.resources,
      windows,
      sources: [...options.policies, ...options.fleet, ...(options.events === null ? [] : [options.events])],
    });
    await mkdir(path.dirname(reportPath), { recursive: true });
    await writeFile(reportPath, html, 'utf8');
    // With --json, stdout stays machine-readable.
    (options.json ? io.stderr : io.stdout)(`report written to ${reportPath}\n`);
  }
  return { result, reportPath };
}

export const command: CliCommand = {
  summary: 'run the policies against a simulated Redshift fleet on a virtual clock (real handlers, no AWS)',
  usage:
    'autopilot simulate --policies <file|dir>... --fleet <aws-cli-output.json>... [--events <events.jsonl>] --from <ISO time> --to <ISO time> [--seed <n>] [--json] [--report <out.html>] [--duplicate-rate <0..1>] [--reorder-rate <0..1>]',
  run: async (args, io) => {
    await runSimulate(parseSimulateArgs(args), io);
    return 0;
  },
};
