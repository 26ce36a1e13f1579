import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadPolicyFileSync } from '../app/policy-file.ts';
import { PolicyValidationError } from '../errors.ts';
import type { CapabilityRegistration } from '../policy/capability.ts';
import { DEFAULT_OPT_IN_TAG, formatProblem } from '../policy/policy-loader.ts';
import { registry } from '../policy/registry.ts';
import { parseOptInTag } from '../policy/targeting.ts';
import { executorStatements, type Statement } from './executor-iam.ts';

/**
 * Package time: registers the deployment's extra capabilities (modules exporting a
 * `CapabilityRegistration` as `capability`), loads the policies that will be bundled and returns the
 * executor's statements. A policy that does not validate stops packaging with every problem as
 * `file:line:col: …`, so an invalid policy never reaches Lambda.
 */
export async function packagedExecutorStatements(options: PackagedOptions): Promise<Statement[]> {
  const policies = await packagedPolicies(options);
  const fallback = parseOptInTag(DEFAULT_OPT_IN_TAG) ?? { key: 'autopilot:managed', value: 'true' };
  return executorStatements({ registry, policies }, fallback);
}

export interface PackagedOptions {
  policies: string;
  capabilities: readonly string[];
  cwd: string;
}

/** Extra capability modules registered in this process (the executor's and the drill watcher's IAM both load them). */
const registered = new Set<string>();

/** The packaged policies, compiled with the deployment's extra capabilities; stops on any problem. */
export async function packagedPolicies(
  options: PackagedOptions,
): Promise<ReturnType<typeof loadPolicyFileSync>['policies']> {
  for (const modulePath of options.capabilities) {
    const resolved = path.resolve(options.cwd, modulePath);
    if (registered.has(resolved)) continue;
    registered.add(resolved);
    const mod = (await import(pathToFileURL(resolved).href)) as {
      capability?: CapabilityRegistration;
    };
    if (mod.capability === undefined) throw new Error(`${modulePath}: exports no \`capability\` registration`);
    registry.register(mod.capability);
  }
  if (!hasPolicyFiles(path.resolve(options.cwd, options.policies))) {
    throw new Error(
      `no policy files (*.yml) in ${options.policies}: write your policies there (see policies/README.md), or package the examples with --param policies=examples/policies`,
    );
  }
  let policies: ReturnType<typeof loadPolicyFileSync>['policies'];
  try {
    policies = loadPolicyFileSync(options.policies, options.cwd, { now: Date.now() }).policies;
  } catch (error) {
    if (error instanceof PolicyValidationError) {
      throw new Error(
        `policies in ${options.policies} do not validate:\n${error.problems.map(formatProblem).join('\n')}`,
      );
    }
    throw error;
  }
  return policies;
}

/** A policy file, or a folder holding at least one `.yml`/`.yaml` file. */
function hasPolicyFiles(where: string): boolean {
  try {
    return statSync(where).isDirectory() ? readdirSync(where).some((n) => /\.ya?ml$/.test(n)) : true;
  } catch {
    return false;
  }
}
