import { type CliCommand, UsageError } from '../io.ts';
import { runPlan } from './plan.command.ts';

/**
 * `npm start`, for now: plan the coming 7 days of the example policies against the example fleet.
 * The simulator (real handlers, virtual clock) replaces this when it lands.
 */
export const EXAMPLE_POLICIES = 'infra/policies/example.yml';
export const EXAMPLE_FLEET = [
  'infra/examples/fleet.json',
  'infra/examples/integrations.json',
  'infra/examples/workgroups.json',
];

export const command: CliCommand = {
  summary: 'plan the next 7 days of the example policies against the example fleet',
  usage: 'autopilot start',
  run: async (args, io) => {
    if (args.length > 0) throw new UsageError('start takes no arguments');
    return runPlan(
      {
        policies: [EXAMPLE_POLICIES],
        fleet: [...EXAMPLE_FLEET],
        events: null,
        from: null,
        to: null,
        tickMinutes: 5,
        json: false,
      },
      io,
    );
  },
};
