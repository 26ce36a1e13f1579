import { type CliCommand, UsageError } from '../io.ts';
import { runSimulate } from './simulate.command.ts';

/**
 * `npm start`: simulate the coming week of the example policies against the example fleet with the
 * real handlers on a virtual clock, print the timeline and write the HTML report. Starts at the next
 * full hour (UTC), so two runs within the same hour print the same week.
 */
export const EXAMPLE_POLICIES = 'examples/policies/example.yml';
export const EXAMPLE_FLEET = [
  'examples/fleet/fleet.json',
  'examples/fleet/integrations.json',
  'examples/fleet/workgroups.json',
];
export const START_REPORT = 'reports/autopilot-week.html';
export const START_SEED = '1';

const HOUR_MS = 3_600_000;
const WEEK_MS = 7 * 24 * HOUR_MS;

export function startPeriod(now: Date): { from: string; to: string } {
  const from = Math.ceil(now.getTime() / HOUR_MS) * HOUR_MS;
  return { from: new Date(from).toISOString(), to: new Date(from + WEEK_MS).toISOString() };
}

export const command: CliCommand = {
  usage: 'autopilot start',
  run: async (args, io) => {
    if (args.length > 0) throw new UsageError('start takes no arguments');
    const { from, to } = startPeriod(io.now());
    const { reportPath } = await runSimulate(
      {
        policies: [EXAMPLE_POLICIES],
        fleet: [...EXAMPLE_FLEET],
        events: null,
        from,
        to,
        seed: START_SEED,
        json: false,
        report: START_REPORT,
        duplicateRate: 0,
        reorderRate: 0,
      },
      io,
    );
    io.stdout(
      `\nOpen ${reportPath ?? START_REPORT} in a browser for the chart. Run your own policies with:\n` +
        `  npm run --silent autopilot -- simulate --policies <file> --fleet <aws-cli-output.json> --from ${from} --to ${to}\n`,
    );
    return 0;
  },
};
