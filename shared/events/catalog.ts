import wordingsJson from './catalog/eventbridge-wordings.json' with { type: 'json' };
import catalogJson from './catalog/redshift-events.json' with { type: 'json' };
import { SEVERITIES, type Severity } from './normalized-event.ts';

/**
 * The event catalog (catalog/README.md): the 178 documented ids with category, severity and message
 * template, plus the differently worded rows of the guide's EventBridge pages.
 *
 * Nothing is compiled at import: the Lambda cold start only pays for the JSON. Indexes are built on
 * first lookup and each template's regex on its first match.
 */

export const CATALOG_SOURCE_TYPES = [
  'cluster',
  'parameter-group',
  'security-group',
  'snapshot',
  'serverless',
  'integration',
] as const;
export type CatalogSourceType = (typeof CATALOG_SOURCE_TYPES)[number];

export interface CatalogEvent {
  readonly id: string;
  readonly sourceType: CatalogSourceType;
  readonly category: string;
  readonly severity: Severity;
  /** Normalized template, e.g. `Maintenance on cluster {cluster_name} completed at {time_in_utc}.` */
  readonly message: string;
  /** Placeholder names in order of appearance, repeats kept. */
  readonly placeholders: readonly string[];
}

/** A template an event may arrive with: the catalog's own, or an EventBridge page's wording of it. */
export interface EventWording extends CatalogEvent {
  /** False for the ids only the EventBridge pages list (they are not in the catalog). */
  readonly inCatalog: boolean;
}

interface RawEntry {
  id: string;
  sourceType: string;
  category: string;
  severity: string;
  message: string;
  placeholders: string[];
}

function toEntry(raw: RawEntry, file: string): CatalogEvent {
  const sourceType = CATALOG_SOURCE_TYPES.find((t) => t === raw.sourceType);
  const severity = SEVERITIES.find((s) => s === raw.severity);
  // The JSON is ours and checked by tests; this only guards against a bad hand edit.
  if (sourceType === undefined || severity === undefined) {
    throw new Error(`${file}: ${raw.id} has sourceType '${raw.sourceType}' / severity '${raw.severity}'`);
  }
  return {
    id: raw.id,
    sourceType,
    category: raw.category,
    severity,
    message: raw.message,
    placeholders: raw.placeholders,
  };
}

let catalogIndex: Map<string, CatalogEvent> | undefined;
let wordingsBySource: Map<CatalogSourceType, EventWording[]> | undefined;

function index(): Map<string, CatalogEvent> {
  if (catalogIndex === undefined) {
    catalogIndex = new Map();
    for (const raw of catalogJson as RawEntry[]) catalogIndex.set(raw.id, toEntry(raw, 'redshift-events.json'));
  }
  return catalogIndex;
}

/** All 178 catalog events, in guide order. */
export function catalogEvents(): readonly CatalogEvent[] {
  return [...index().values()];
}

/** The catalog entry for an id, or undefined when the catalog does not know it (AWS adds events). */
export function lookupEvent(id: string): CatalogEvent | undefined {
  return index().get(id);
}

/** Every wording of every event of one source type: the catalog's templates first, then the EventBridge pages'. */
export function wordingsFor(sourceType: CatalogSourceType): readonly EventWording[] {
  if (wordingsBySource === undefined) {
    const bySource = new Map<CatalogSourceType, EventWording[]>();
    const add = (w: EventWording) => {
      const list = bySource.get(w.sourceType) ?? [];
      list.push(w);
      bySource.set(w.sourceType, list);
    };
    for (const entry of index().values()) add({ ...entry, inCatalog: true });
    for (const raw of wordingsJson as RawEntry[]) {
      const entry = toEntry(raw, 'eventbridge-wordings.json');
      add({ ...entry, inCatalog: index().has(entry.id) });
    }
    wordingsBySource = bySource;
  }
  return wordingsBySource.get(sourceType) ?? [];
}

/** The wording of an id that only the EventBridge pages list (category and severity come from there). */
export function lookupWording(id: string): EventWording | undefined {
  for (const sourceType of ['integration', 'serverless'] as const) {
    const found = wordingsFor(sourceType).find((w) => w.id === id && !w.inCatalog);
    if (found !== undefined) return found;
  }
  return undefined;
}

/**
 * Names under which a template's values are returned: a repeated placeholder keeps its name the
 * first time and is numbered after (`{value} to {value}` → `value`, `value_2`), see the catalog
 * README "Placeholder name repeated".
 */
export function valueNames(placeholders: readonly string[]): string[] {
  const seen = new Map<string, number>();
  return placeholders.map((name) => {
    const count = (seen.get(name) ?? 0) + 1;
    seen.set(name, count);
    return count === 1 ? name : `${name}_${count}`;
  });
}

// Identifiers (cluster, snapshot, workgroup names, ids, zones, regions…) never contain whitespace; saying so keeps
// `Zero-ETL integration {integration_name} is now ACTIVE.` from also matching the "has been created and is now
// ACTIVE" event with the name swallowing the extra words.
const IDENTIFIER_SUFFIXES = ['_name', '_id', '_key', '_zone', '_region', '_address', '_track'];
const IDENTIFIER_NAMES = new Set(['name', 'hours', 'maximum_number_of_elastic_network_interfaces']);

function valuePattern(name: string): string {
  if (name === 'was_was_not') return '(was(?:\\s+not)?)';
  if (name === 'value') return '([\\s\\S]*?)';
  if (IDENTIFIER_NAMES.has(name) || IDENTIFIER_SUFFIXES.some((suffix) => name.endsWith(suffix))) return '(\\S+?)';
  return '([\\s\\S]+?)';
}

const CLUSTER_WORD = '\u0000';

function literalPattern(literal: string): string {
  return (
    literal
      // Real notifications say "Amazon Redshift cluster 'x'" where the guide says "cluster x", and vice versa.
      .replace(/(?:Amazon Redshift )?\bcluster\b/g, CLUSTER_WORD)
      .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
      // Whitespace differs between the guide and real messages, also before punctuation ("available .").
      .replace(/\s+(?=\\?[.,:;!?)])/g, '')
      .replace(/(\\?[.,:;!?)])/g, '\\s*$1')
      .replace(/\s+/g, '\\s+')
      .replaceAll(CLUSTER_WORD, '(?:Amazon\\s+Redshift\\s+)?cluster')
  );
}

interface CompiledTemplate {
  regex: RegExp;
  names: string[];
  /** Characters of fixed text: when several templates match, the one with more fixed text is the more specific. */
  literalLength: number;
}

const compiled = new Map<string, CompiledTemplate>();

export function compileTemplate(template: string): CompiledTemplate {
  const cached = compiled.get(template);
  if (cached !== undefined) return cached;
  // split with a capture group alternates literal, placeholder, literal, …
  const parts = template.replace(/\.+\s*$/, '').split(/\{([a-z0-9_]+)\}/);
  const placeholders: string[] = [];
  let source = '^\\s*';
  let literalLength = 0;
  for (let i = 0; i < parts.length; i++) {
    let part = parts[i] ?? '';
    if (i % 2 === 1) {
      placeholders.push(part);
      // Quotes around a value are optional both ways: the guide and real messages disagree.
      source += `'?${valuePattern(part)}'?`;
      continue;
    }
    if (i > 0 && part.startsWith("'")) part = part.slice(1);
    if (i < parts.length - 1 && part.endsWith("'")) part = part.slice(0, -1);
    literalLength += part.replace(/\s+/g, '').length;
    source += literalPattern(part);
  }
  // The final period is optional and may be doubled (the guide has "failed at <time>.."); trailing spaces are fine.
  source += '\\s*\\.*\\s*$';
  const result = { regex: new RegExp(source, 'i'), names: valueNames(placeholders), literalLength };
  compiled.set(template, result);
  return result;
}

/** How many templates have been compiled so far (tests check that importing compiles none). */
export function compiledTemplateCount(): number {
  return compiled.size;
}

/** The values of a message written from `template`, or null when the message does not follow it. */
export function matchTemplate(template: string, message: string): Record<string, string> | null {
  const { regex, names } = compileTemplate(template);
  const match = regex.exec(message);
  if (match === null) return null;
  const values: Record<string, string> = {};
  names.forEach((name, i) => {
    values[name] = match[i + 1] ?? '';
  });
  return values;
}

export interface Identification {
  wording: EventWording;
  values: Record<string, string>;
}

/**
 * The one event of a source type whose wording the message follows, or null when none does or when
 * several events are equally plausible (REDSHIFT-EVENT-3010 and -3511 share a text): never a guess.
 * When several match, the template with the most fixed text wins if it is the only one of that length
 * (`failed to complete at {time}.` also matches the longer "… at {time} because it doesn't have
 * enough disk space" event, with the time swallowing the rest).
 */
export function identifyEvent(sourceType: CatalogSourceType, message: string): Identification | null {
  const best = new Map<string, { score: number; found: Identification }>();
  for (const wording of wordingsFor(sourceType)) {
    const values = matchTemplate(wording.message, message);
    if (values === null) continue;
    const score = compileTemplate(wording.message).literalLength;
    const previous = best.get(wording.id);
    if (previous === undefined || score > previous.score) best.set(wording.id, { score, found: { wording, values } });
  }
  const ranked = [...best.values()].sort((a, b) => b.score - a.score);
  const [first, second] = ranked;
  if (first === undefined) return null;
  if (second !== undefined && second.score === first.score) return null;
  return first.found;
}
