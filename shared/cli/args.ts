import { type ParseArgsConfig, parseArgs } from 'node:util';
import { parseInstant } from '../policy/local-time.ts';
import { UsageError } from './io.ts';

type OptionTable = NonNullable<ParseArgsConfig['options']>;

/** The options `plan` and `simulate` share; each command spreads its own next to these. */
export const SHARED_OPTIONS = {
  policies: { type: 'string', multiple: true },
  fleet: { type: 'string', multiple: true },
  events: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  json: { type: 'boolean' },
} as const satisfies OptionTable;

/** `--from`/`--to` values: a date (midnight UTC) or an ISO 8601 instant with a zone. */
export function parseTime(text: string, flag: string): number {
  const ms = /^\d{4}-\d{2}-\d{2}$/.test(text) ? Date.parse(`${text}T00:00:00Z`) : parseInstant(text);
  if (ms === null || Number.isNaN(ms))
    throw new UsageError(`${flag} "${text}" is not a time; expected ISO 8601 with a zone, e.g. 2026-12-07T00:00Z`);
  return ms;
}

/**
 * The CLI has always read `--fleet a.json b.json` as a list up to the next `--flag`, which parseArgs
 * does not know; each list item becomes `--fleet=a.json` (inline, so a name starting with `-` stays a
 * value). A list flag with no items adds nothing, so the "is required" check still names it.
 */
function expandLists(args: readonly string[], table: OptionTable): string[] {
  const out: string[] = [];
  let list: string | null = null;
  for (const arg of args) {
    const name = arg.startsWith('--') ? arg.slice(2) : null;
    if (name !== null && Object.hasOwn(table, name) && table[name]?.multiple === true) list = arg;
    else if (name !== null) {
      // parseArgs would take a lone `--` as "positionals follow"; these commands have none.
      if (arg === '--') throw unknownOption(arg, table);
      list = null;
      out.push(arg);
    } else out.push(list === null ? arg : `${list}=${arg}`);
  }
  return out;
}

function unknownOption(flag: string, table: OptionTable): UsageError {
  const known = Object.keys(table).map((name) => `--${name}`);
  return new UsageError(`unknown option ${flag}; expected one of ${known.join(', ')}`);
}

/**
 * parseArgs' own errors are written for developers; this re-reads the argv leniently to find the
 * token it refused and says what is wrong in the CLI's words.
 */
function explain(args: string[], table: OptionTable, cause: unknown): UsageError {
  const { tokens } = parseArgs({ args, options: table, strict: false, allowPositionals: true, tokens: true });
  for (const token of tokens) {
    if (token.kind === 'positional') {
      const lists = Object.keys(table).filter((name) => table[name]?.multiple === true);
      return new UsageError(
        `unexpected argument ${token.value}; expected it after ${lists.map((n) => `--${n}`).join(' or ')}`,
      );
    }
    if (token.kind !== 'option') continue;
    const config = Object.hasOwn(table, token.name) ? table[token.name] : undefined;
    if (config === undefined) return unknownOption(token.rawName, table);
    if (config.type === 'boolean' && token.value !== undefined)
      return new UsageError(`${token.rawName} takes no value; expected ${token.rawName} alone`);
    if (config.type === 'string' && token.value === undefined)
      return new UsageError(`${token.rawName} needs a value; expected ${token.rawName} <value>`);
    if (config.type === 'string' && !token.inlineValue && token.value?.startsWith('-')) {
      const dash = token.value.startsWith('--')
        ? ''
        : `, or ${token.rawName}=${token.value} for a value starting with -`;
      return new UsageError(`${token.rawName} needs a value; expected ${token.rawName} <value>${dash}`);
    }
  }
  return new UsageError(cause instanceof Error ? cause.message : String(cause));
}

/** One parser for the commands' options: strict, no positionals, errors as UsageError (exit 2). */
export function parseOptions<T extends OptionTable>(args: readonly string[], table: T) {
  const expanded = expandLists(args, table);
  try {
    return parseArgs({ args: expanded, options: table, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw explain(expanded, table, error);
  }
}
