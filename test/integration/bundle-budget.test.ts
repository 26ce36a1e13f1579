import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { budgetFor, type PackagedFunction, packagedFunctions, readBudgets } from '../../bench/lib/functions.ts';
import { type PackagedService, packageService, REPO_ROOT, readZip } from '../helpers/template.ts';

// The size budget of every function's zip (bench/budgets.json). Zip size is deterministic for a given
// lockfile and source, so this is a test; timings are not, so they live in `npm run bench` only.

const PACKAGING_TIMEOUT_MS = 180_000;
/** A string only the yaml package's code holds (its core schema's tag prefix). */
const YAML_MARK = 'tag:yaml.org,2002:';
const budgets = readBudgets(join(REPO_ROOT, 'bench/budgets.json'));

let service: PackagedService;
let functions: PackagedFunction[];

beforeAll(async () => {
  service = await packageService();
  functions = packagedFunctions(service);
}, PACKAGING_TIMEOUT_MS);

describe('bundle size budget', () => {
  it('finds every packaged function in the template, each with its zip and handler module', () => {
    // Every zip in the package belongs to a function of the template: none is left unchecked.
    expect(functions.map((f) => f.name).sort()).toEqual(Object.keys(service.zips).sort());
    for (const fn of functions) expect(fn.module).toMatch(/^functions\/.+\.mjs$/);
  });

  it('keeps every function zip within its budget', () => {
    const over = functions
      .filter((fn) => fn.zipBytes > budgetFor(budgets, fn.name))
      .map((fn) => `${fn.name}: ${fn.zipBytes} B > budget ${budgetFor(budgets, fn.name)} B`);
    expect(over).toEqual([]);
  });

  it('ships no YAML parser where the function reads the policies compiled at package time', () => {
    // The handlers that load through loadPackagedPoliciesSync (the executor still loads through
    // loadPolicyFileSync, which reads the YAML too, until its handler switches).
    const compiledOnly = ['ingestEventBridge', 'ingestRedshiftEvent', 'reconcile', 'watchDrills'];
    const withYaml = functions
      .filter((fn) => readZip(fn.zipPath).get(fn.module)?.toString('utf8').includes(YAML_MARK))
      .map((fn) => fn.name);
    expect(compiledOnly.filter((name) => withYaml.includes(name))).toEqual([]);
    expect(functions.map((fn) => fn.name)).toEqual(expect.arrayContaining(compiledOnly));
  });

  it('reports a zip over its budget (the check can fail)', () => {
    const fn = functions[0];
    expect(fn).toBeDefined();
    const tight = { defaultZipBytes: budgets.defaultZipBytes, zipBytes: { [fn?.name ?? '']: (fn?.zipBytes ?? 1) - 1 } };
    expect((fn?.zipBytes ?? 0) > budgetFor(tight, fn?.name ?? '')).toBe(true);
  });
});
