import { readFile } from 'node:fs/promises';
import path from 'node:path';
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

export async function readFleetFiles(files: readonly string[], cwd: string, readAt: string): Promise<FleetSnapshot> {
  const documents = [];
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(path.resolve(cwd, file), 'utf8');
    } catch (error) {
      throw new ConfigurationError(`${file}: cannot read fleet file`, { cause: error });
    }
    try {
      documents.push({ name: file, json: JSON.parse(text) as unknown });
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
      .map(({ entry }) => JSON.stringify(entry));
    io.stdout(lines.length > 0 ? `${lines.join('\n')}\n` : '');
  } else {
    io.stdout(formatPlanTable(result, policySet.policies, { from, to, tickMs }));
  }
  return 0;
}

export const command: CliCommand = {
  summary: 'show what the policies would do to a fleet over a period',
  usage:
    'autopilot plan --policies <file|dir>... --fleet <aws-cli-output.json>... [--events <events file>] [--from <ISO time> --to <ISO time> [--tick <minutes>]] [--json]',
  run: async (args, io) => runPlan(parsePlanArgs(args), io),
};
