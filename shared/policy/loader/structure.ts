import { LineCounter, type Node, parseDocument } from 'yaml';
import type { z } from 'zod';
import type { PolicyProblem } from '../../errors.ts';
import { type CalendarBlock, calendarSchema, documentSchema, type PolicyBlock } from '../policy.schema.ts';
import { type Issue, problemsFromIssues } from './schema-issues.ts';
import type { FileContext } from './yaml-positions.ts';

/**
 * One policy file's structure: YAML syntax, then the document (version, defaults, calendars,
 * policies), then each calendar and each policy on its own, so one bad policy does not hide the
 * problems of the others. Cross-file checks (calendar names, policy names) come later.
 */

export interface PolicySource {
  file: string;
  text: string;
}

export interface ParsedFile {
  ctx: FileContext;
  defaults: { timezone?: string | undefined; dryRun?: boolean | undefined; optInTag?: string | undefined };
  calendars: { name: string; block: CalendarBlock }[];
  policies: { index: number; block: PolicyBlock }[];
}

function syntaxProblems(source: PolicySource, doc: ReturnType<typeof parseDocument>, lineCounter: LineCounter) {
  return doc.errors.map((error): PolicyProblem => {
    const { line, col } = lineCounter.linePos(error.pos[0]);
    const text = error.message.split('\n')[0] ?? error.message;
    return {
      file: source.file,
      line,
      col,
      message: `YAML syntax error: ${text}; expected valid YAML`,
      severity: 'error',
    };
  });
}

/** Parse one file; problems go to `problems` in file order. Null when the document is unusable. */
export function parsePolicyFile(
  source: PolicySource,
  policySchema: z.ZodType,
  problems: PolicyProblem[],
): ParsedFile | null {
  const lineCounter = new LineCounter();
  const doc = parseDocument(source.text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const ctx: FileContext = { file: source.file, lineCounter, root: doc.contents as Node | null };
  if (doc.errors.length > 0) {
    problems.push(...syntaxProblems(source, doc, lineCounter));
    return null;
  }
  const data: unknown = doc.toJS();
  if (data === null || data === undefined) {
    problems.push({
      file: source.file,
      line: 1,
      col: 1,
      message: 'file is empty; expected version: 1 and a list of policies',
      severity: 'error',
    });
    return null;
  }
  const top = documentSchema.safeParse(data);
  if (!top.success) {
    problems.push(...problemsFromIssues(ctx, documentSchema, data, [], top.error.issues as unknown as Issue[]));
    return null;
  }
  const file: ParsedFile = { ctx, defaults: top.data.defaults ?? {}, calendars: [], policies: [] };
  for (const [name, raw] of Object.entries(top.data.calendars ?? {})) {
    const result = calendarSchema.safeParse(raw);
    if (result.success) file.calendars.push({ name, block: result.data });
    else
      problems.push(
        ...problemsFromIssues(ctx, calendarSchema, raw, ['calendars', name], result.error.issues as unknown as Issue[]),
      );
  }
  for (const [index, raw] of (top.data.policies ?? []).entries()) {
    const result = policySchema.safeParse(raw);
    if (result.success) file.policies.push({ index, block: result.data as PolicyBlock });
    else
      problems.push(
        ...problemsFromIssues(ctx, policySchema, raw, ['policies', index], result.error.issues as unknown as Issue[]),
      );
  }
  return file;
}
