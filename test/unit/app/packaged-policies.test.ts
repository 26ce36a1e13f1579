import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadPackagedPoliciesSync } from '../../../shared/app/packaged-policy-file.ts';
import { loadPolicyFileSync, readPolicySourcesSync } from '../../../shared/app/policy-file.ts';
import { readFleetFiles } from '../../../shared/cli/commands/plan.command.ts';
import { ConfigurationError, PolicyValidationError } from '../../../shared/errors.ts';
import type { CompiledPolicy } from '../../../shared/policy/capability.ts';
import { PACKAGED_POLICIES_FORMAT } from '../../../shared/policy/packaged-policies.ts';
import { plan } from '../../../shared/policy/plan.ts';
import { type PolicySet, packPolicySources } from '../../../shared/policy/policy-loader.ts';
import { registry } from '../../../shared/policy/registry.ts';

// Policies compiled at package time (the JSON every zip carries) must run exactly as the YAML they came
// from: same policies, same positions, same decisions over the example fleet.

const ROOT = join(import.meta.dirname, '..', '..', '..');
const EXAMPLES = 'examples/policies';
const work = mkdtempSync(join(tmpdir(), 'autopilot-packed-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** What a compiled policy is, functions by their source (their closures are compared through plan()). */
function shape(policies: readonly CompiledPolicy[]): string {
  return JSON.stringify(policies, (_key, value) => (typeof value === 'function' ? String(value) : value));
}

function packToFile(name: string, policies: string): string {
  const { packed, problems } = packPolicySources(policies, readPolicySourcesSync(policies, ROOT));
  expect(problems.filter((p) => p.severity === 'error')).toEqual([]);
  const file = join(work, name);
  writeFileSync(file, JSON.stringify(packed));
  return file;
}

async function planOver(policies: PolicySet) {
  const fleet = await readFleetFiles(
    ['examples/fleet/fleet.json', 'examples/fleet/workgroups.json', 'examples/fleet/integrations.json'],
    ROOT,
    '2026-12-07T08:00:00Z',
  );
  const from = Date.parse('2026-12-07T08:00:00Z');
  return plan({ policies, fleet, events: [], from, to: from + 2 * 86_400_000, tickMs: 300_000 });
}

describe('policies compiled at package time', () => {
  it('compile to the same policies, positions and plan as the YAML they were packed from', async () => {
    const fromYaml = loadPolicyFileSync(EXAMPLES, ROOT);
    const fromJson = loadPackagedPoliciesSync(packToFile('examples.json', EXAMPLES), ROOT);
    expect(fromJson.policies.length).toBe(fromYaml.policies.length);
    expect(fromJson.policies.length).toBeGreaterThan(5);
    expect(fromJson.files).toEqual(fromYaml.files);
    expect(fromJson.policies.map((p) => `${p.file}:${p.line}:${p.col} ${p.name}`)).toEqual(
      fromYaml.policies.map((p) => `${p.file}:${p.line}:${p.col} ${p.name}`),
    );
    expect(shape(fromJson.policies)).toBe(shape(fromYaml.policies));
    const [yamlPlan, jsonPlan] = [await planOver(fromYaml), await planOver(fromJson)];
    expect(yamlPlan.decisions.length).toBeGreaterThan(0);
    expect(jsonPlan.decisions).toEqual(yamlPlan.decisions);
    expect(jsonPlan.skips).toEqual(yamlPlan.skips);
  });

  it('are read by loadPolicyFileSync too when POLICY_PATH names the JSON (a function not yet switched)', () => {
    const file = packToFile('via-policy-file.json', EXAMPLES);
    expect(loadPolicyFileSync(file, ROOT).policies.map((p) => p.name)).toEqual(
      loadPackagedPoliciesSync(file, ROOT).policies.map((p) => p.name),
    );
  });

  it('refuse a file that is missing, not JSON, or not compiled policies, naming POLICY_PATH', () => {
    const notJson = join(work, 'not.json');
    writeFileSync(notJson, 'version: 1\n');
    const other = join(work, 'other.json');
    writeFileSync(other, JSON.stringify({ version: 1, policies: [] }));
    const old = join(work, 'old.json');
    writeFileSync(old, JSON.stringify({ format: PACKAGED_POLICIES_FORMAT, version: 0, files: [], documents: [] }));
    expect(() => loadPackagedPoliciesSync('missing.json', work)).toThrow(
      /^POLICY_PATH missing\.json: cannot read \(ENOENT\); expected the compiled policies/,
    );
    expect(() => loadPackagedPoliciesSync(notJson, work)).toThrow(ConfigurationError);
    expect(() => loadPackagedPoliciesSync(notJson, work)).toThrow(/not JSON/);
    expect(() => loadPackagedPoliciesSync(other, work)).toThrow(/not a compiled policies file/);
    expect(() => loadPackagedPoliciesSync(old, work)).toThrow(/version 0; this code reads version 1 \(package again\)/);
  });

  it('report a block the code no longer accepts at the policy it belongs to, file:line:col', () => {
    const file = packToFile('changed.json', EXAMPLES);
    const packed = JSON.parse(readFileSync(file, 'utf8'));
    const first = packed.documents[0].policies[0];
    // As if the capability's key had been renamed since packaging: the block names no known capability.
    const capabilityKeys = new Set(registry.capabilities.flatMap((c) => c.keys));
    const key = Object.keys(first.block).find((k) => capabilityKeys.has(k));
    expect(key).toBeDefined();
    first.block[`${key}Renamed`] = first.block[key as string];
    delete first.block[key as string];
    writeFileSync(file, JSON.stringify(packed));
    let error: unknown;
    try {
      loadPackagedPoliciesSync(file, work);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PolicyValidationError);
    const problem = (error as PolicyValidationError).problems[0];
    expect(problem).toMatchObject({ file: packed.documents[0].file, line: first.line, col: first.col });
    expect(problem?.message).toMatch(/has no capability/);
  });
});
