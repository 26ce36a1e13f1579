import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PolicyValidationError } from '../errors.ts';
import { packagedPolicies } from '../iam/packaged-iam.ts';
import { formatProblem, packPolicySources } from '../policy/policy-loader.ts';
import { readPolicySourcesSync } from './policy-file.ts';

/**
 * Package time (scripts/packaged-policies.cjs): the policies folder validated exactly as the executor's
 * IAM generation validates it (the deployment's extra capabilities registered, schedules that fire
 * only in the past refused; any problem stops the packaging with every `file:line:col: …`), then
 * written as the compiled JSON the functions read (shared/policy/packaged-policies.ts).
 */
export interface PackOptions {
  /** The policies folder or file, relative to `cwd` (`--param policies`). */
  policies: string;
  /** Extra capability modules (`--param capabilities`). */
  capabilities: readonly string[];
  cwd: string;
}

/** Where the compiled file goes, relative to `cwd`: one per policies folder and capability set. */
export function packedPath(options: PackOptions): string {
  const slug = options.policies.replace(/^\.?\/+|\/+$/g, '').replace(/[^A-Za-z0-9._-]+/g, '_') || 'policies';
  const extra =
    options.capabilities.length === 0 ? '' : `+${options.capabilities.join('+').replace(/[^A-Za-z0-9._-]+/g, '_')}`;
  return `dist/policies/${slug}${extra}.json`;
}

/** Validates, compiles and writes; returns the written path relative to `cwd`. */
export async function packPolicies(options: PackOptions): Promise<string> {
  // Registers the extra capabilities and throws on any problem, file:line:col (as for the IAM).
  await packagedPolicies(options);
  const sources = readPolicySourcesSync(options.policies, options.cwd);
  const { packed, problems } = packPolicySources(options.policies, sources, { now: Date.now() });
  const errors = problems.filter((p) => p.severity === 'error');
  if (errors.length > 0) {
    throw new Error(`policies in ${options.policies} do not validate:\n${errors.map(formatProblem).join('\n')}`, {
      cause: new PolicyValidationError(errors),
    });
  }
  const relative = packedPath(options);
  const file = path.resolve(options.cwd, relative);
  mkdirSync(path.dirname(file), { recursive: true });
  // Written whole then renamed: a packaging running beside this one never reads half a file.
  const partial = `${file}.${process.pid}.tmp`;
  writeFileSync(partial, `${JSON.stringify(packed)}\n`);
  renameSync(partial, file);
  return relative;
}
