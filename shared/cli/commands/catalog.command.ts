import type { CompiledPolicy } from '../../policy/capability.ts';
import { loadPoliciesOrThrow } from '../../policy/policy-loader.ts';
import { parseOptions } from '../args.ts';
import { type CatalogEntry, catalogEntries, envelopeOf, examplePayload } from '../catalog-examples.ts';
import { exampleEvent, type PolicyReaction, reactionsTo } from '../catalog-reactions.ts';
import { type CliCommand, type CliIo, UsageError } from '../io.ts';

/**
 * `autopilot catalog [id|pattern] [--policies P]… [--unhandled] [--json]`: what the project knows of an
 * event id (category, severity, message, the envelope it arrives in, an example payload and what it
 * normalizes to) and, with `--policies`, what each policy of the folder does with it — asked of the
 * compiled policies themselves. `--unhandled` lists the ids no policy reacts to (no call, no policy expecting
 * it; a policy that only skips the event leaves it unhandled).
 */
const OPTIONS = {
  policies: { type: 'string', multiple: true },
  unhandled: { type: 'boolean' },
  json: { type: 'boolean' },
} as const;

const USAGE = 'autopilot catalog [<event id>|<glob>|/<regex>/] [--policies <file|dir>]... [--unhandled] [--json]';

interface CatalogOptions {
  selector: string | null;
  policies: string[];
  unhandled: boolean;
  json: boolean;
}

const looksLikeSelector = (text: string) => /^redshift-/i.test(text) || /[*?]/.test(text) || /^\/.+\/i?$/.test(text);

/** The id or pattern comes first (or anywhere a list value looks like one: `--policies P REDSHIFT-…`). */
export function parseCatalogArgs(args: readonly string[]): CatalogOptions {
  const rest = [...args];
  let selector: string | null = null;
  if (rest[0] !== undefined && !rest[0].startsWith('-')) selector = rest.shift() ?? null;
  const values = parseOptions(rest, OPTIONS);
  const policies: string[] = [];
  for (const item of values.policies ?? []) {
    if (selector === null && looksLikeSelector(item)) selector = item;
    else policies.push(item);
  }
  if (values.unhandled === true && policies.length === 0)
    throw new UsageError('--unhandled needs --policies; expected --policies <file|dir> --unhandled');
  return { selector, policies, unhandled: values.unhandled ?? false, json: values.json ?? false };
}

/** Levenshtein distance, for the closest ids to an unknown one. */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(
        (previous[j] ?? 0) + 1,
        (row[j - 1] ?? 0) + 1,
        (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = row;
  }
  return previous[b.length] ?? 0;
}

function selectorRegExp(selector: string): RegExp | null {
  const regex = /^\/(.+)\/(i?)$/.exec(selector);
  if (regex !== null) {
    try {
      return new RegExp(regex[1] ?? '', 'i');
    } catch (error) {
      throw new UsageError(
        `${selector} is not a regular expression (${(error as Error).message}); expected /REDSHIFT-INTEGRATION-EVENT-00(0[6-9]|1[24])/`,
      );
    }
  }
  if (!/[*?]/.test(selector)) return null;
  const body = selector
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replaceAll('*', '.*')
    .replaceAll('?', '.');
  return new RegExp(`^${body}$`, 'i');
}

/** The entries an id, glob or /regex/ names; an unknown id or an empty match is a usage error. */
export function selectEntries(entries: readonly CatalogEntry[], selector: string | null): CatalogEntry[] {
  if (selector === null) return [...entries];
  const pattern = selectorRegExp(selector);
  if (pattern !== null) {
    const found = entries.filter((e) => pattern.test(e.id));
    if (found.length === 0)
      throw new UsageError(`no event id matches ${selector}; expected a pattern such as REDSHIFT-INTEGRATION-EVENT-*`);
    return found;
  }
  const exact = entries.find((e) => e.id === selector.toUpperCase());
  if (exact !== undefined) return [exact];
  const closest = [...entries]
    .map((e) => ({ id: e.id, d: distance(e.id, selector.toUpperCase()) }))
    .sort((a, b) => a.d - b.d || (a.id < b.id ? -1 : 1))
    .slice(0, 3)
    .map((e) => e.id);
  throw new UsageError(`unknown event id ${selector}; the closest known ids are ${closest.join(', ')}`);
}

function reactionLines(reactions: readonly PolicyReaction[], folder: string): string[] {
  if (reactions.length === 0) return [`  policies (${folder}): none reacts to it`];
  const lines = [`  policies (${folder}):`];
  for (const r of reactions) {
    lines.push(`    ${r.policy} (${r.at}):`);
    if (r.expects !== null)
      lines.push(`      expects it: ${r.expects} — decide() skips other policies' reactions to it`);
    for (const c of r.calls) lines.push(`      ${c.action} on ${c.target}: ${c.reason}`);
    for (const s of r.skips) lines.push(`      skip ${s.target}: ${s.reason}`);
  }
  return lines;
}

function detailLines(
  entry: CatalogEntry,
  at: Date,
  reactions: readonly PolicyReaction[] | null,
  folder: string,
): string[] {
  const envelope = envelopeOf(entry);
  const event = exampleEvent(entry, at);
  const lines = [
    `${entry.id}  ${entry.severity}  ${entry.category}  (${entry.sourceType}${entry.inCatalog ? '' : '; only on the EventBridge page, not in the guide table'})`,
    `  message:    ${entry.message}`,
  ];
  if (entry.eventBridgeMessage !== null) lines.push(`  EventBridge wording: ${entry.eventBridgeMessage}`);
  lines.push(`  envelope:   ${envelope.summary}`, `  ingress:    ${envelope.ingress}`);
  lines.push(`  normalized: ${event.kind}, resource ${event.resource.type}/${event.resource.id}`);
  lines.push('  example payload:');
  for (const line of JSON.stringify(examplePayload(entry, at), null, 2).split('\n')) lines.push(`    ${line}`);
  if (reactions !== null) lines.push(...reactionLines(reactions, folder));
  return lines;
}

function briefLine(entry: CatalogEntry, reactions: readonly PolicyReaction[] | null): string {
  const head = `${entry.id.padEnd(36)} ${entry.severity.padEnd(7)} ${entry.category.padEnd(13)} ${entry.message}`;
  if (reactions === null) return head;
  const names = reactions.map((r) => {
    const what = [...r.calls.map((c) => c.action)];
    if (r.expects !== null) what.push('expects it');
    if (r.skips.length > 0) what.push(`${r.skips.length} skipped`);
    return `${r.policy} (${what.join(', ')})`;
  });
  return `${head}\n${''.padEnd(37)}→ ${names.length === 0 ? 'no policy reacts' : names.join('; ')}`;
}

function jsonOf(entry: CatalogEntry, at: Date, reactions: readonly PolicyReaction[] | null) {
  return {
    id: entry.id,
    sourceType: entry.sourceType,
    category: entry.category,
    severity: entry.severity,
    message: entry.message,
    eventBridgeMessage: entry.eventBridgeMessage,
    inCatalog: entry.inCatalog,
    envelope: envelopeOf(entry),
    example: examplePayload(entry, at),
    normalized: exampleEvent(entry, at),
    ...(reactions === null ? {} : { reactions }),
  };
}

async function run(args: string[], io: CliIo): Promise<number> {
  const options = parseCatalogArgs(args);
  const entries = selectEntries(catalogEntries(), options.selector);
  const at = new Date(Math.floor(io.now().getTime() / 1000) * 1000);
  let policies: readonly CompiledPolicy[] | null = null;
  if (options.policies.length > 0)
    policies = (await loadPoliciesOrThrow(options.policies, io.cwd, { now: at.getTime() })).policies;
  const folder = options.policies.join(', ');
  const reactionsOf = (e: CatalogEntry) => (policies === null ? null : reactionsTo(e, policies, at));
  if (options.unhandled) {
    // Handled: some policy calls something, or expects the event; skips alone change nothing.
    const handled = (e: CatalogEntry) => (reactionsOf(e) ?? []).some((r) => r.calls.length > 0 || r.expects !== null);
    const unhandled = entries.filter((e) => !handled(e));
    if (options.json)
      for (const e of unhandled)
        io.stdout(`${JSON.stringify({ id: e.id, severity: e.severity, category: e.category, message: e.message })}\n`);
    else {
      for (const e of unhandled) io.stdout(`${briefLine(e, null)}\n`);
      io.stderr(`${unhandled.length} of ${entries.length} ids: no policy of ${folder} reacts to them\n`);
    }
    return 0;
  }
  if (options.json) {
    for (const e of entries) io.stdout(`${JSON.stringify(jsonOf(e, at, reactionsOf(e)))}\n`);
    return 0;
  }
  const [only] = entries;
  if (entries.length === 1 && only !== undefined) {
    io.stdout(`${detailLines(only, at, reactionsOf(only), folder).join('\n')}\n`);
    return 0;
  }
  for (const e of entries) io.stdout(`${briefLine(e, reactionsOf(e))}\n`);
  return 0;
}

export const command: CliCommand = {
  usage: USAGE,
  run,
};
