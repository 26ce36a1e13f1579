import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../test/helpers/template.ts';
import { buildWorldFromCli, loadPolicies, type World } from './world.ts';

/** The example fleet and policies of `npm start` (examples/fleet/*.json, examples/policies/example.yml). */
export const EXAMPLE_FLEET_FILES = ['fleet.json', 'workgroups.json', 'integrations.json'] as const;

export function exampleWorld(start?: number): World {
  const docs = EXAMPLE_FLEET_FILES.map((f) => JSON.parse(readFileSync(join(REPO_ROOT, 'examples/fleet', f), 'utf8')));
  return buildWorldFromCli(docs, start);
}

export function examplePolicies() {
  const file = join(REPO_ROOT, 'examples/policies/example.yml');
  return loadPolicies(file, readFileSync(file, 'utf8'));
}
