import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigurationError, PolicyValidationError } from '../errors.ts';
import {
  compilePackagedPolicies,
  type PackagedPolicies,
  packagedPoliciesProblem,
} from '../policy/packaged-policies.ts';
import type { PolicySet } from '../policy/policy-loader.ts';
import { registry } from '../policy/registry.ts';

/**
 * The policies a function runs with: POLICY_PATH names the JSON the packaging wrote
 * (scripts/packaged-policies.cjs: the policies folder validated and compiled, `dist/policies/….json`,
 * copied into every zip). Read once per cold start and compiled with the registry — no YAML parser
 * and no policy schema in the bundle (shared/policy/packaged-policies.ts). A file that is missing or
 * not compiled policies fails the init, loudly, as an invalid policy did when the YAML was read here.
 */
export function loadPackagedPoliciesSync(policyPath: string, cwd: string): PolicySet {
  const file = path.resolve(cwd, policyPath);
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === undefined ? `not JSON (${(error as Error).message})` : `cannot read (${code})`;
    throw new ConfigurationError(
      `POLICY_PATH ${policyPath}: ${why}; expected the compiled policies serverless package writes`,
      { cause: error },
    );
  }
  const problem = packagedPoliciesProblem(data);
  if (problem !== null) throw new ConfigurationError(`POLICY_PATH ${policyPath}: ${problem}`);
  const { policies, files, problems } = compilePackagedPolicies(data as PackagedPolicies, registry.capabilities);
  const errors = problems.filter((p) => p.severity === 'error');
  if (errors.length > 0) throw new PolicyValidationError(errors);
  return { policies, files };
}
