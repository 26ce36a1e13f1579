import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { type PolicyProblem, PolicyValidationError } from '../errors.ts';
import { catalogEvents } from '../events/catalog.ts';
import type { CapabilityRegistration, CompiledPolicy } from './capability.ts';
import { collectCalendars } from './loader/calendars.ts';
import { compilePolicies } from './loader/compile-policy.ts';
import { type ParsedFile, type PolicySource, parsePolicyFile } from './loader/structure.ts';
import { type PackagedPolicies, packParsedFiles } from './packaged-policies.ts';
import { buildPolicySchema } from './policy.schema.ts';
import { registry } from './registry.ts';

/**
 * Loads policy files: YAML with node positions → zod (strict) → cross-references → compiled
 * policies. Every problem is reported as `file:line:col: message` (1-based), all at once.
 * Compilation happens here, once, so decide() never re-parses windows or schedules.
 * The stages live in ./loader/; this module is the public entry.
 */

export { DEFAULT_OPT_IN_TAG } from './loader/compile-policy.ts';
export type { PolicySource } from './loader/structure.ts';

export interface PolicySet {
  policies: readonly CompiledPolicy[];
  files: readonly string[];
}

export interface LoadResult {
  policySet: PolicySet;
  /** Errors and warnings, ordered by file, line, column. */
  problems: PolicyProblem[];
}

export interface LoadOptions {
  /** Event ids the catalog knows; when absent, event ids are checked by pattern only. */
  knownEventIds?: ReadonlySet<string> | null;
  registrations?: readonly CapabilityRegistration[];
  /**
   * Now, for the checks that depend on it (a schedule that fires only in the past). Given by validate,
   * plan and packaging; not at cold start, where a policy that stopped firing must not stop the function.
   */
  now?: number;
}

let catalogIds: ReadonlySet<string> | undefined;
/** Event ids from the project's copy of the Redshift event catalog (shared/events). */
export function catalogEventIds(): ReadonlySet<string> {
  catalogIds ??= new Set(catalogEvents().map((e) => e.id));
  return catalogIds;
}

export function loadPolicySources(sources: readonly PolicySource[], options: LoadOptions = {}): LoadResult {
  const { policies, problems } = runStages(sources, options);
  return { policySet: { policies, files: sources.map((s) => s.file) }, problems };
}

/**
 * Package time: the same stages, and the parsed set as the JSON Lambda reads (./packaged-policies.ts).
 * Pack only a set without errors: a policy with a problem is left out of `packed`.
 */
export function packPolicySources(
  source: string,
  sources: readonly PolicySource[],
  options: LoadOptions = {},
): { packed: PackagedPolicies; problems: PolicyProblem[] } {
  const { parsed, problems } = runStages(sources, options);
  return {
    packed: packParsedFiles(
      source,
      sources.map((s) => s.file),
      parsed,
    ),
    problems,
  };
}

function runStages(sources: readonly PolicySource[], options: LoadOptions) {
  // Read at each load: capabilities registered after import (a deployment's own, a test's toy) count.
  const registrations = options.registrations ?? registry.capabilities;
  const knownEventIds = options.knownEventIds === undefined ? catalogEventIds() : options.knownEventIds;
  const policySchema = buildPolicySchema(registrations);
  // Problems are collected in stage order and then sorted stably, so equal positions keep that order.
  const problems: PolicyProblem[] = [];
  const parsed: ParsedFile[] = [];
  for (const source of sources) {
    const file = parsePolicyFile(source, policySchema, problems);
    if (file !== null) parsed.push(file);
  }
  const calendar = collectCalendars(parsed, problems);
  const policies = compilePolicies(parsed, { registrations, knownEventIds, calendar, now: options.now }, problems);
  return { parsed, policies, problems: inFileOrder(problems) };
}

/** By file, line, column; stable, so problems at one position keep the order the stages found them in. */
function inFileOrder(problems: PolicyProblem[]): PolicyProblem[] {
  return problems.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.col - b.col));
}

/** Expand files and folders (`.yml`/`.yaml`, sorted) and read them; unreadable paths become problems. */
export async function readPolicySources(
  paths: readonly string[],
  cwd: string,
): Promise<{ sources: PolicySource[]; problems: PolicyProblem[] }> {
  const sources: PolicySource[] = [];
  const problems: PolicyProblem[] = [];
  for (const given of paths) {
    const absolute = path.resolve(cwd, given);
    try {
      const info = await stat(absolute);
      const files = info.isDirectory()
        ? (await readdir(absolute))
            .filter((name) => /\.ya?ml$/.test(name))
            .sort()
            .map((name) => path.join(given, name))
        : [given];
      if (files.length === 0) {
        problems.push({
          file: given,
          line: 1,
          col: 1,
          message: 'folder has no .yml or .yaml files; expected policy files',
          severity: 'error',
        });
      }
      // Bytes, not text: the loader checks they are UTF-8 and names the first byte that is not.
      for (const file of files) sources.push({ file, text: await readFile(path.resolve(cwd, file)) });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      problems.push({
        file: given,
        line: 1,
        col: 1,
        message: `cannot read (${code ?? 'error'}); expected a policy file or folder`,
        severity: 'error',
      });
    }
  }
  return { sources, problems };
}

export async function loadPolicyPaths(
  paths: readonly string[],
  cwd: string,
  options: LoadOptions = {},
): Promise<LoadResult> {
  const { sources, problems } = await readPolicySources(paths, cwd);
  const result = loadPolicySources(sources, options);
  return { policySet: result.policySet, problems: inFileOrder([...problems, ...result.problems]) };
}

/** For runtime callers (handlers, plan): a policy set, or a PolicyValidationError with every problem. */
export async function loadPoliciesOrThrow(
  paths: readonly string[],
  cwd: string,
  options: LoadOptions = {},
): Promise<PolicySet> {
  const result = await loadPolicyPaths(paths, cwd, options);
  const errors = result.problems.filter((p) => p.severity === 'error');
  if (errors.length > 0) throw new PolicyValidationError(errors);
  return result.policySet;
}

export function formatProblem(p: PolicyProblem): string {
  return `${p.file}:${p.line}:${p.col}: ${p.severity === 'warning' ? 'warning: ' : ''}${p.message}`;
}
