import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigurationError } from '../errors.ts';
import { parseTargets } from './targets.ts';

/**
 * The spoke execution roles a hub acts through, read from its targets file (AUTOPILOT_TARGETS_PATH,
 * packaged with every function): the deciding functions need them to recognise the executor's own calls
 * in a spoke account's CloudTrail (`arn:aws:sts::<spoke>:assumed-role/<execution role>/<session>`), so a
 * ResumeCluster the executor made through a spoke is not reported as a manual resume.
 *
 * Read once per container and path (the file ships with the zip and does not change under a running
 * function). No path: a single-account deployment, no spoke roles. A file that does not read or parse is
 * the same configuration error the cold start reports (env-deps' targetsFrom), never an empty list: an
 * empty list would turn every executor resume in a spoke into a "manual resume" alert.
 */
export const TARGETS_PATH_ENV = 'AUTOPILOT_TARGETS_PATH';

const cache = new Map<string, readonly string[]>();

export function spokeExecutionRoleArns(
  env: Record<string, string | undefined> = process.env,
  cwd: string = env.LAMBDA_TASK_ROOT ?? process.cwd(),
): readonly string[] {
  const path = env[TARGETS_PATH_ENV];
  if (path === undefined || path === '') return [];
  const file = resolve(cwd, path);
  const known = cache.get(file);
  if (known !== undefined) return known;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigurationError(
      `${TARGETS_PATH_ENV}=${path}: cannot read it (${(error as Error).message}); expected the targets file packaged with the function`,
    );
  }
  const arns = [
    ...new Set(parseTargets(text, path).locations.flatMap((l) => (l.execute === null ? [] : [l.execute.roleArn]))),
  ];
  cache.set(file, arns);
  return arns;
}
