import type { PolicyProblem } from '../errors.ts';
import type { CapabilityRegistration, CompiledPolicy } from './capability.ts';
import { collectCalendars } from './loader/calendars.ts';
import { compilePolicies } from './loader/compile-policy.ts';
import type { FileContext, Path } from './loader/positions.ts';
import type { ParsedFile } from './loader/structure.ts';
import type { CalendarBlock, PolicyBlock } from './policy.schema.ts';

/**
 * Policies compiled at package time: the YAML is parsed and checked (schemas, calendars, every
 * capability's compile, schedules that still fire) by the packaging step, which fails on any problem;
 * what passed is written as JSON — each file's defaults, calendars and policy blocks, the blocks as
 * the schemas output them, with each policy's `line:col`. In Lambda, this module turns that JSON into
 * compiled policies with the same compile stages, and loads no YAML parser and no schema: a function
 * bundles neither. The packed blocks went through the schemas, so the compile finds no problem unless
 * the code changed under the file (then it reports them at the policy's recorded position).
 */

export const PACKAGED_POLICIES_FORMAT = 'redshift-autopilot/compiled-policies';
export const PACKAGED_POLICIES_VERSION = 1;

export interface PackagedPolicyFile {
  file: string;
  defaults: ParsedFile['defaults'];
  calendars: { name: string; block: CalendarBlock }[];
  policies: { index: number; line: number; col: number; block: PolicyBlock }[];
}

export interface PackagedPolicies {
  format: typeof PACKAGED_POLICIES_FORMAT;
  version: typeof PACKAGED_POLICIES_VERSION;
  /** The policy folder or file given to the packaging (`--param policies`). */
  source: string;
  /** Every policy file of the set, in load order. */
  files: string[];
  documents: PackagedPolicyFile[];
}

/** Package time: the files that parsed, as JSON-ready data (only whole policies: a broken one is an error). */
export function packParsedFiles(source: string, files: readonly string[], parsed: readonly ParsedFile[]) {
  const documents: PackagedPolicyFile[] = parsed.map((file) => ({
    file: file.ctx.file,
    defaults: file.defaults,
    calendars: file.calendars.filter((c) => !c.broken).map(({ name, block }) => ({ name, block })),
    policies: file.policies
      .filter((p) => p.broken.size === 0 && !p.unknownKeys)
      .map(({ index, block }) => ({ index, ...file.ctx.positionOf(['policies', index], false), block })),
  }));
  const packed: PackagedPolicies = {
    format: PACKAGED_POLICIES_FORMAT,
    version: PACKAGED_POLICIES_VERSION,
    source,
    files: [...files],
    documents,
  };
  return packed;
}

/** Positions recorded at package time: a policy's own `line:col` for anything inside it. */
function packedContext(document: PackagedPolicyFile): FileContext {
  const byIndex = new Map(document.policies.map((p) => [p.index, { line: p.line, col: p.col }]));
  return {
    file: document.file,
    positionOf(at: Path) {
      const index = at[0] === 'policies' ? at[1] : undefined;
      return (typeof index === 'number' ? byIndex.get(index) : undefined) ?? { line: 1, col: 1 };
    },
  };
}

/** Why `data` is not a packaged policy set, or null. A structural check: the content was checked when packed. */
export function packagedPoliciesProblem(data: unknown): string | null {
  const top = data as Partial<PackagedPolicies> | null;
  if (top === null || typeof top !== 'object' || top.format !== PACKAGED_POLICIES_FORMAT)
    return `not a compiled policies file (no "format": "${PACKAGED_POLICIES_FORMAT}")`;
  if (top.version !== PACKAGED_POLICIES_VERSION)
    return `compiled policies version ${JSON.stringify(top.version)}; this code reads version ${PACKAGED_POLICIES_VERSION} (package again)`;
  if (!Array.isArray(top.files) || !Array.isArray(top.documents)) return 'compiled policies without files or documents';
  for (const d of top.documents) {
    if (typeof d?.file !== 'string' || !Array.isArray(d.calendars) || !Array.isArray(d.policies))
      return 'a compiled document without file, calendars or policies';
  }
  return null;
}

/** Lambda: the packed set compiled with `registrations`; problems (none, unless the code changed) as the loader reports them. */
export function compilePackagedPolicies(
  packed: PackagedPolicies,
  registrations: readonly CapabilityRegistration[],
): { policies: CompiledPolicy[]; files: readonly string[]; problems: PolicyProblem[] } {
  const parsed: ParsedFile[] = packed.documents.map((document) => ({
    ctx: packedContext(document),
    defaults: document.defaults,
    calendars: document.calendars.map(({ name, block }) => ({ name, block, broken: false })),
    policies: document.policies.map(({ index, block }) => ({ index, block, broken: new Set(), unknownKeys: false })),
  }));
  const problems: PolicyProblem[] = [];
  const calendar = collectCalendars(parsed, problems);
  // Event ids were checked against the catalog when packed: the catalog is not loaded for it here.
  const policies = compilePolicies(parsed, { registrations, knownEventIds: null, calendar }, problems);
  return { policies, files: packed.files, problems };
}
