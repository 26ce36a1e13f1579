import { parseInstant } from '../policy/local-time.ts';
import { UsageError } from './io.ts';

/** `--from`/`--to` values: a date (midnight UTC) or an ISO 8601 instant with a zone. */
export function parseTime(text: string, flag: string): number {
  const ms = /^\d{4}-\d{2}-\d{2}$/.test(text) ? Date.parse(`${text}T00:00:00Z`) : parseInstant(text);
  if (ms === null || Number.isNaN(ms))
    throw new UsageError(`${flag} "${text}" is not a time; expected ISO 8601 with a zone, e.g. 2026-12-07T00:00Z`);
  return ms;
}
