import { type Document, type LineCounter, parseAllDocuments, type YAMLError } from 'yaml';
import type { PolicyProblem } from '../../errors.ts';

/**
 * YAML text → one document, with every syntax problem said in the project's words (the library's
 * messages name its own internals: "Unexpected map-value-ind token in YAML stream"). Merge keys (`<<`)
 * are supported: `<<: *base` copies the keys of the anchored mapping, explicit keys win.
 */

export interface YamlRead {
  doc: Document | null;
  problems: PolicyProblem[];
  /** False when the document cannot be trusted past its syntax problems (the schema is not checked). */
  usable: boolean;
}

/** Problems that leave the rest of the document as written (the schema is still checked). */
const SOFT = new Set(['DUPLICATE_KEY']);

const PLAIN = 'expected "key: value" lines and "- " list items, indented with spaces';

function tokenAt(text: string, offset: number): string {
  const rest = text.slice(offset).split('\n')[0] ?? '';
  const token = rest.trim().slice(0, 20);
  return token === '' ? 'the end of the line' : `"${token}"`;
}

function keyAt(text: string, offset: number): string {
  const line = text.slice(offset).split('\n')[0] ?? '';
  return (line.split(':')[0] ?? '').trim().replace(/^["']|["']$/g, '');
}

function missingCharMessage(error: YAMLError): string {
  const quote = /closing (["'])quote/.exec(error.message)?.[1];
  if (quote !== undefined) return `a value opened with ${quote} is not closed; expected a closing ${quote}`;
  return `a list or mapping is not closed; expected matching [ ] and { }`;
}

function badIndentMessage(error: YAMLError): string {
  if (/Flow sequence/.test(error.message)) return 'a [ list is not closed; expected a closing ] on the same item';
  if (/Flow map/.test(error.message)) return 'a { mapping is not closed; expected a closing } on the same item';
  return 'the indentation does not line up; expected the keys of one mapping (and the items of one list) to start in the same column';
}

const FIXED: Record<string, string> = {
  TAB_AS_INDENT: 'a tab is used for indentation; expected spaces',
  BLOCK_AS_IMPLICIT_KEY: `a second "key:" on the line of another key; expected one "key: value" per line (quote a value that contains ": ")`,
  MULTILINE_IMPLICIT_KEY:
    'a key runs over more than one line; expected "key: value" on one line (quote a value that contains ": ")',
  BAD_DQ_ESCAPE: 'an unknown escape (\\) in a double-quoted value; expected \\n, \\t, \\" or \\\\ (or single quotes)',
  KEY_OVER_1024_CHARS: 'a key is longer than 1024 characters; expected a short key',
  MULTIPLE_ANCHORS: 'a value has two anchors (&name); expected at most one',
  MULTIPLE_TAGS: 'a value has two tags (!tag); expected no tags in a policy file',
  ALIAS_PROPS: 'an alias (*name) carries an anchor or a tag; expected a plain *name',
  BAD_PROP_ORDER: 'an anchor or tag follows its value; expected &name before the value',
  BLOCK_IN_FLOW: `indented lines inside [ ] or { }; expected inline items such as [a, b] or { key: value }`,
  NON_STRING_KEY: 'a key is a list or a mapping; expected text keys',
  BAD_DIRECTIVE: 'a % directive; expected none in a policy file',
  BAD_COLLECTION_TYPE: 'a list or mapping carries a tag; expected no tags in a policy file',
  TAG_RESOLVE_FAILED: 'a value does not fit its tag (!!…); expected no tags in a policy file',
};

function messageOf(error: YAMLError, text: string): string {
  const at = error.pos[0];
  switch (error.code) {
    case 'DUPLICATE_KEY':
      return `key "${keyAt(text, at)}" appears twice in one mapping; expected each key once`;
    case 'MISSING_CHAR':
      return missingCharMessage(error);
    case 'BAD_INDENT':
      return badIndentMessage(error);
    case 'BAD_SCALAR_START':
      return `a value starts with "${text.charAt(at)}", which YAML reserves; expected the value in quotes`;
    case 'BAD_ALIAS':
      return `alias ${tokenAt(text, at)} is not valid; expected *name of an anchor &name defined above`;
    case 'UNEXPECTED_TOKEN':
      return `${tokenAt(text, at)} is out of place; ${PLAIN}`;
    default:
      if (error.name === 'YAMLWarning' && FIXED[error.code] === undefined)
        return 'a tag (!…) is not supported; expected plain values without tags';
      return FIXED[error.code] ?? `this YAML cannot be read; ${PLAIN}`;
  }
}

function problemOf(file: string, lineCounter: LineCounter, offset: number, message: string): PolicyProblem {
  const { line, col } = lineCounter.linePos(offset);
  return { file, line: Math.max(line, 1), col, message, severity: 'error' };
}

/** One problem per position: the library reports some mistakes (an unclosed list) more than once. */
function once(problems: PolicyProblem[]): PolicyProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.line}:${p.col}:${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export function readYaml(file: string, text: string, lineCounter: LineCounter): YamlRead {
  const docs = parseAllDocuments(text, { lineCounter, prettyErrors: false, uniqueKeys: true, merge: true });
  const problems: PolicyProblem[] = [];
  const doc = (docs[0] as Document | undefined) ?? null;
  if (docs.length > 1) {
    const second = docs[1] as Document;
    problems.push(
      problemOf(
        file,
        lineCounter,
        second.range?.[0] ?? 0,
        `the file holds ${docs.length} YAML documents (separated by "---"); expected one document per policy file (put each in a file of its own)`,
      ),
    );
  }
  let usable = doc !== null;
  for (const d of docs.slice(0, 1)) {
    for (const error of [...d.errors, ...d.warnings]) {
      problems.push(problemOf(file, lineCounter, error.pos[0], messageOf(error, text)));
      if (!SOFT.has(error.code)) usable = false;
    }
  }
  return { doc, problems: once(problems), usable };
}

/** The document as plain data; an alias without its anchor or an alias bomb is a problem, not a throw. */
export function toData(
  file: string,
  doc: Document,
  lineCounter: LineCounter,
): { data: unknown } | { problem: PolicyProblem } {
  try {
    return { data: doc.toJS({ maxAliasCount: 1_000 }) };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const name = /: (\S+)$/.exec(message)?.[1];
    const what = /Unresolved alias/.test(message)
      ? `alias *${name ?? '…'} names no anchor; expected an anchor &${name ?? 'name'} defined above it`
      : 'aliases expand too far (more than 1,000 copies); expected aliases that copy a few mappings';
    return { problem: problemOf(file, lineCounter, doc.range?.[0] ?? 0, what) };
  }
}
