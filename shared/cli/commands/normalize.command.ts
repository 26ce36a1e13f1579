import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { EventParseError } from '../../errors.ts';
import { normalizeTextDetailed } from '../../events/normalize.ts';
import { type CliCommand, UsageError } from '../io.ts';

/**
 * `autopilot normalize [file|-]`: any supported ingress payload → normalized event JSON.
 *
 * Output: the single event as one JSON object when the input held one event; a JSON array when it
 * held several (an SNS batch) or none (the subscription's test message, whose reason goes to stderr).
 * Errors: one line on stderr naming the input and what is wrong, exit 1, never a stack trace.
 * A payload without a time of its own (a partial capture) is stamped with the current time.
 */
export const command: CliCommand = {
  usage: 'autopilot normalize [event.json|-]',
  async run(args, io) {
    if (args.length > 1) throw new UsageError(`expected at most one input, got ${args.length}`);
    const unknownOption = args.find((a) => a.startsWith('-') && a !== '-');
    if (unknownOption !== undefined) throw new UsageError(`unknown option '${unknownOption}'`);
    const source = args[0] ?? '-';
    const label = source === '-' ? '<stdin>' : source;

    let text: string;
    try {
      text = source === '-' ? await io.readStdin() : await readFile(resolve(io.cwd, source), 'utf8');
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : String(error);
      io.stderr(`autopilot normalize: cannot read ${label}: ${reason}\n`);
      return 1;
    }

    try {
      const { events, ignored } = normalizeTextDetailed(text, { receivedAt: io.now() });
      for (const item of ignored) io.stderr(`${label}: ignored ${item.path}: ${item.reason}\n`);
      io.stdout(`${JSON.stringify(events.length === 1 ? events[0] : events, null, 2)}\n`);
      return 0;
    } catch (error) {
      if (!(error instanceof EventParseError)) throw error;
      io.stderr(`${label}: ${error.message}\n`);
      return 1;
    }
  },
};
