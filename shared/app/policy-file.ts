import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { ConfigurationError, PolicyValidationError } from '../errors.ts';
import { catalogEventIds, loadPolicySources, type PolicySet, type PolicySource } from '../policy/policy-loader.ts';
import { loadPackagedPoliciesSync } from './packaged-policy-file.ts';

/**
 * Policies in Lambda: the packaged policies folder (`${param:policies}`, default `policies/`) is
 * validated and compiled at package time into one JSON file copied into every zip
 * (scripts/packaged-policies.cjs, serverless.yml `package.patterns`) and read once per cold start from
 * `POLICY_PATH` by ./packaged-policy-file.ts, which bundles no YAML parser. This module reads the YAML
 * (the packaging step, tools, tests). Why a bundled file and not an SSM parameter: a policy change is
 * then a deployment — reviewed, versioned with the code that interprets it, rolled back with it — the
 * function needs no ssm:GetParameter permission and no network call at init, and the 4 KB (8 KB
 * advanced) parameter limit never bites. A policy that does not validate stops the packaging, with
 * every problem as `file:line:col`, instead of reaching a function.
 */

export function readPolicySourcesSync(policyPath: string, cwd: string): PolicySource[] {
  const absolute = path.resolve(cwd, policyPath);
  let files: string[];
  try {
    files = statSync(absolute).isDirectory()
      ? readdirSync(absolute)
          .filter((name) => /\.ya?ml$/.test(name))
          .sort()
          .map((name) => path.join(absolute, name))
      : [absolute];
  } catch (error) {
    throw new ConfigurationError(`POLICY_PATH ${policyPath}: cannot read (${(error as NodeJS.ErrnoException).code})`, {
      cause: error,
    });
  }
  if (files.length === 0) throw new ConfigurationError(`POLICY_PATH ${policyPath}: no .yml or .yaml files`);
  return files.map((file) => ({ file: path.relative(cwd, file), text: readFileSync(file, 'utf8') }));
}

/**
 * Loads and compiles, or throws PolicyValidationError with every problem (file:line:col). `now` (packaging,
 * not cold start) also refuses schedules that fire only in the past: a policy that stops firing later must
 * not break a running function.
 */
export function loadPolicyFileSync(policyPath: string, cwd: string, options: { now?: number } = {}): PolicySet {
  // POLICY_PATH of a packaged function: the compiled JSON (a function that still loads through here).
  if (policyPath.endsWith('.json')) return loadPackagedPoliciesSync(policyPath, cwd);
  const { policySet, problems } = loadPolicySources(readPolicySourcesSync(policyPath, cwd), {
    knownEventIds: catalogEventIds(),
    ...options,
  });
  const errors = problems.filter((p) => p.severity === 'error');
  if (errors.length > 0) throw new PolicyValidationError(errors);
  return policySet;
}
