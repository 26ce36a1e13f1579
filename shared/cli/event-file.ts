import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ConfigurationError, EventParseError } from '../errors.ts';
import { MAX_INGRESS_BYTES, normalizeDetailed } from '../events/normalize.ts';
import { type NormalizedEvent, NormalizedEventSchema } from '../events/normalized-event.ts';
import { parseInstant } from '../policy/local-time.ts';
import { toIngressPayload } from './event-replay.ts';
import { jsonValues } from './json-values.ts';

/**
 * The one reader of `--events` files, for `plan` and `simulate` alike. Each entry is one of:
 * - a normalized event (what `autopilot normalize` prints), at its own time;
 * - `{"at": "<ISO time with zone>", "payload": <ingress payload>}`, the payload arriving at `at`;
 * - a raw ingress payload (an SNS Lambda event, an EventBridge event, …), at the time it carries.
 * Entries may be one per line, pretty-printed one after another, or the elements of one array.
 * Every entry is checked before anything runs; a bad one is named as file:line.
 */
export interface EventEntry {
  /** `file:line` where the entry starts. */
  origin: string;
  form: 'normalized' | 'timed-payload' | 'payload';
  /** When it arrives (ms). */
  at: number;
  /** What the engine sees (plan); a timed payload's events are read at `at`. */
  events: NormalizedEvent[];
  /** What AWS delivers (simulate); null for a normalized event, which `payloadsOf` rebuilds. */
  payload: unknown;
}

const EXPECTED =
  'one entry per line or JSON value: a normalized event (the output of autopilot normalize), {"at": "<ISO time with zone>", "payload": {...}}, or an SNS/EventBridge payload';

function tooLarge(where: string, payload: unknown): void {
  const bytes = Buffer.byteLength(JSON.stringify(payload), 'utf8');
  if (bytes > MAX_INGRESS_BYTES) {
    throw new ConfigurationError(
      `${where}: payload is ${bytes} bytes; expected at most ${MAX_INGRESS_BYTES} (256 KB, the SNS and EventBridge limit)`,
    );
  }
}

function normalizedEntry(where: string, json: Record<string, unknown>): EventEntry {
  const parsed = NormalizedEventSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.join('.') ?? '';
    throw new ConfigurationError(
      `${where}: not a normalized event (${field === '' ? '' : `${field}: `}${issue?.message ?? ''}); expected the output of autopilot normalize`,
    );
  }
  return { origin: where, form: 'normalized', at: Date.parse(parsed.data.time), events: [parsed.data], payload: null };
}

function timedEntry(where: string, json: Record<string, unknown>): EventEntry {
  const at = typeof json.at === 'string' ? parseInstant(json.at) : null;
  if (at === null || json.payload === undefined || Object.keys(json).some((k) => k !== 'at' && k !== 'payload')) {
    throw new ConfigurationError(
      `${where}: expected {"at": "<ISO time with zone>", "payload": {...}}, e.g. {"at":"2026-12-07T10:00Z","payload":{...}}`,
    );
  }
  tooLarge(where, json.payload);
  try {
    const time = new Date(at).toISOString();
    const { events } = normalizeDetailed(json.payload, { receivedAt: time });
    // `at` is when it arrives: plan reads its events then, as simulate delivers the payload then.
    return {
      origin: where,
      form: 'timed-payload',
      at,
      events: events.map((e) => ({ ...e, time })),
      payload: json.payload,
    };
  } catch (error) {
    if (!(error instanceof EventParseError)) throw error;
    throw new ConfigurationError(`${where}: payload is not a supported ingress shape: ${error.message}`, {
      cause: error,
    });
  }
}

function payloadEntry(where: string, json: Record<string, unknown>): EventEntry {
  tooLarge(where, json);
  let result: ReturnType<typeof normalizeDetailed>;
  try {
    result = normalizeDetailed(json);
  } catch (error) {
    if (!(error instanceof EventParseError)) throw error;
    throw new ConfigurationError(`${where}: ${error.message}; expected ${EXPECTED}`, { cause: error });
  }
  const first = result.events[0];
  if (first === undefined) {
    const why = result.ignored.map((i) => i.reason).join('; ');
    throw new ConfigurationError(
      `${where}: the payload holds no event (${why}), so it has no time; expected {"at": "<ISO time with zone>", "payload": {...}} to deliver it anyway`,
    );
  }
  const at = Math.min(...result.events.map((e) => Date.parse(e.time)));
  return { origin: where, form: 'payload', at, events: result.events, payload: json };
}

/** Reads and checks every entry of an events file. */
export async function readEventFile(file: string, cwd: string): Promise<EventEntry[]> {
  const text = await readFile(path.resolve(cwd, file), 'utf8').catch((error: unknown) => {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new ConfigurationError(`${file}: cannot read events file (${code}); expected a file of events`, {
      cause: error,
    });
  });
  return parseEventText(text, file);
}

export function parseEventText(text: string, file: string): EventEntry[] {
  return jsonValues(text, file, EXPECTED).map(({ value, line }) => {
    const where = `${file}:${line}`;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new ConfigurationError(
        `${where}: ${JSON.stringify(value)?.slice(0, 40)} is not an event; expected ${EXPECTED}`,
      );
    }
    const json = value as Record<string, unknown>;
    if ('at' in json || 'payload' in json) return timedEntry(where, json);
    if ('kind' in json && 'resource' in json) return normalizedEntry(where, json);
    return payloadEntry(where, json);
  });
}

/** What `plan` reads: every event of every entry, in the file's order. */
export function eventsOf(entries: readonly EventEntry[]): NormalizedEvent[] {
  return entries.flatMap((e) => e.events);
}

function same(a: NormalizedEvent, b: NormalizedEvent | undefined): boolean {
  return (
    b !== undefined &&
    a.kind === b.kind &&
    a.eventId === b.eventId &&
    a.resource.type === b.resource.type &&
    a.resource.id === b.resource.id &&
    a.time === b.time
  );
}

/**
 * What `simulate` injects: each entry's payload at its time. A normalized event is rebuilt into the
 * payload AWS would have sent; it must normalize back to the same event, or it is refused.
 */
export function payloadsOf(entries: readonly EventEntry[]): { at: number; payload: unknown; origin: string }[] {
  return entries.map((entry) => {
    if (entry.form !== 'normalized') return { at: entry.at, payload: entry.payload, origin: entry.origin };
    const event = entry.events[0] as NormalizedEvent;
    const payload = toIngressPayload(event);
    let back: NormalizedEvent[] = [];
    try {
      back = payload === null ? [] : normalizeDetailed(payload).events;
    } catch {
      back = [];
    }
    if (payload === null || back.length !== 1 || !same(event, back[0])) {
      throw new ConfigurationError(
        `${entry.origin}: this ${event.kind} of ${event.resource.type} ${event.resource.id} cannot be rebuilt into the payload AWS sends; expected the payload itself, as {"at": "${event.time}", "payload": {...}}`,
      );
    }
    return { at: entry.at, payload, origin: entry.origin };
  });
}
