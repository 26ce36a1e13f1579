import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { locationOfTarget } from '../../aws/targets.ts';
import { ConfigurationError } from '../../errors.ts';
import type { FleetSnapshot } from '../../policy/decision.ts';
import { parseFleet } from '../../policy/fleet.ts';
import { plan } from '../../policy/plan.ts';
import { formatPlanTable } from '../../policy/plan-report.ts';
import { loadPoliciesOrThrow } from '../../policy/policy-loader.ts';
import { parseOptions, parseTime, SHARED_OPTIONS } from '../args.ts';
import { eventsOf, readEventFile } from '../event-file.ts';
import { type CliCommand, type CliIo, UsageError } from '../io.ts';

const DAY_MS = 86_400_000;

export interface PlanOptions {
  policies: string[];
  fleet: string[];
  events: string | null;
  from: string | null;
  to: string | null;
  tickMinutes: number;
  json: boolean;
}

const PLAN_OPTIONS = { ...SHARED_OPTIONS, tick: { type: 'string' } } as const;

/** `--policies` and `--fleet` take the values up to the next `--flag` (and may be repeated). */
export function parsePlanArgs(args: readonly string[]): PlanOptions {
  const values = parseOptions(args, PLAN_OPTIONS);
  let tickMinutes = 5;
  if (values.tick !== undefined) {
    tickMinutes = Number(values.tick);
    if (!Number.isInteger(tickMinutes) || tickMinutes < 1 || tickMinutes > 1440)
      throw new UsageError('--tick must be whole minutes from 1 to 1440');
  }
  const options: PlanOptions = {
    policies: values.policies ?? [],
    fleet: values.fleet ?? [],
    events: values.events ?? null,
    from: values.from ?? null,
    to: values.to ?? null,
    tickMinutes,
    json: values.json ?? false,
  };
  if (options.policies.length === 0) throw new UsageError('--policies is required');
  if (options.fleet.length === 0) throw new UsageError('--fleet is required');
  return options;
}

/** `--fleet [ACCOUNT/REGION=]file`: AWS CLI output read in that account and Region (issue 18). */
export function fleetSpec(spec: string): { file: string; account?: string; region?: string } {
  const m = /^(\d{12})\/([a-z]{2}(?:-[a-z]+)+-\d{1,2})=(.+)$/.exec(spec);
  if (m === null && /^[^=]*\/[^=]*=/.test(spec))
    throw new UsageError(`--fleet ${spec}: expected ACCOUNT/REGION=file such as 111111111111/eu-west-1=clusters.json`);
  return m === null ? { file: spec } : { account: m[1] as string, region: m[2] as string, file: m[3] as string };
}

export async function readFleetFiles(specs: readonly string[], cwd: string, readAt: string): Promise<FleetSnapshot> {
  const documents = [];
  for (const spec of specs) {
    const { file, ...location } = fleetSpec(spec);
    let text: string;
    try {
      text = await readFile(path.resolve(cwd, file), 'utf8');
    } catch (error) {
      throw new ConfigurationError(`${file}: cannot read fleet file`, { cause: error });
    }
    try {
      documents.push({ name: file, json: JSON.parse(text) as unknown, ...location });
    } catch (error) {
      throw new ConfigurationError(`${file}: not JSON (${(error as Error).message}); expected AWS CLI output`, {
        cause: error,
      });
    }
  }
  return parseFleet(documents, readAt);
}

export async function runPlan(options: PlanOptions, io: CliIo): Promise<number> {
  const tickMs = options.tickMinutes * 60_000;
  const from =
    options.from === null ? Math.ceil(io.now().getTime() / tickMs) * tickMs : parseTime(options.from, '--from');
  const to = options.to === null ? from + 7 * DAY_MS : parseTime(options.to, '--to');
  if (to <= from) throw new UsageError('--to must be after --from');
  // A schedule that never fires from the period's start on is an error here too, as in validate.
  const policySet = await loadPoliciesOrThrow(options.policies, io.cwd, { now: from });
  const fleet = await readFleetFiles(options.fleet, io.cwd, new Date(from).toISOString());
  const events = options.events === null ? [] : eventsOf(await readEventFile(options.events, io.cwd));
  const result = plan({ policies: policySet, fleet, events, from, to, tickMs });
  if (options.json) {
    const lines = [...result.decisions, ...result.skips]
      .map((entry) => ({ entry, at: entry.at }))
      .sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0))
      .map(({ entry }) => JSON.stringify({ ...entry, ...locationOfTarget(entry.target) }));
    io.stdout(lines.length > 0 ? `${lines.join('\n')}\n` : '');
  } else {
    io.stdout(formatPlanTable(result, policySet.policies, { from, to, tickMs }));
  }
  return 0;
}

export const command: CliCommand = {
  usage:
    'autopilot plan --policies <file|dir>... --fleet [<account>/<region>=]<aws-cli-output.json>... [--events <events file>] [--from <ISO time> --to <ISO time> [--tick <minutes>]] [--json]',
  run: async (args, io) => runPlan(parsePlanArgs(args), io),
};
