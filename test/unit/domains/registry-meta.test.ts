import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUILT_IN_ACTIONS } from '../../../shared/domains/actions.ts';
import { BUILT_IN_CAPABILITIES } from '../../../shared/domains/index.ts';
import type { ActionSpec } from '../../../shared/execute/action-spec.ts';
import { BASE_GUARDRAILS } from '../../../shared/execute/guardrail-names.ts';
import { EXECUTOR_BASE_STATEMENTS, executorStatements } from '../../../shared/iam/executor-iam.ts';
import { CapabilityRegistry, registry } from '../../../shared/policy/registry.ts';
import { capability as toy } from '../../fixtures/capabilities/toy-reboot/index.ts';

/**
 * PolicyMetaLint's idea for the registry (DESIGN §8): every action declares its permission and every
 * permission belongs to an action; guardrails are named from the one table; and generic code names
 * no action and no capability key — it reads the registry.
 */
const ROOT = join(import.meta.dirname, '..', '..', '..');
/** Where action names and capability keys may appear: the capabilities' own folders and the simulator (it is AWS). */
const OWN_PLACES = ['shared/domains/', 'shared/simulator/'];
/**
 * Words that are a capability key and also a field of an AWS response the generic readers parse:
 * ListSnapshots answers `{ snapshots: [...] }` (Redshift Serverless). Named here per file, with why.
 */
const AWS_FIELDS: Record<string, readonly string[]> = {
  'shared/aws/redshift-serverless.adapter.ts': ['key snapshots'],
  'shared/policy/fleet.ts': ['key snapshots'],
  // ListUsageLimits answers `{ usageLimits: [...] }` (Redshift Serverless): the fleet file `plan` reads.
  'shared/policy/fleet-usage.ts': ['key usageLimits'],
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

/** Code without comments (a comment may name an action to explain a rule; code may not branch on one). */
function codeOf(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
}

/** Every place in `text` that names an action (as a word) or a capability key (as a string or property). */
function namesIn(text: string, actions: readonly string[], keys: readonly string[]): string[] {
  const code = codeOf(text);
  const found: string[] = [];
  for (const action of actions) if (new RegExp(`\\b${action}\\b`).test(code)) found.push(action);
  for (const key of keys) {
    // A string literal, or a property read (`x.key`, not a spread `...key`).
    if (new RegExp(`['"\`]${key}['"\`]|[\\w)\\]]\\.${key}\\b`).test(code)) found.push(`key ${key}`);
  }
  return found;
}

function violations(reg: CapabilityRegistry): string[] {
  const actions = reg.actions().map((a) => a.spec.name);
  // Short keys (`on`, `do`) are ordinary words in code; the longer ones are the capabilities'.
  const keys = reg.capabilities.flatMap((c) => c.keys).filter((k) => k.length > 3);
  const files = [...sourceFiles(join(ROOT, 'shared')), ...sourceFiles(join(ROOT, 'functions'))];
  return files
    .map((file) => relative(ROOT, file))
    .filter((file) => !OWN_PLACES.some((own) => file.startsWith(own)))
    .flatMap((file) =>
      namesIn(readFileSync(join(ROOT, file), 'utf8'), actions, keys)
        .filter((n) => !(AWS_FIELDS[file] ?? []).includes(n))
        .map((n) => `${file}: ${n}`),
    );
}

const grants = (spec: ActionSpec) => spec.permissions.flatMap((p) => p.actions);

describe('registry meta test', () => {
  it('finds an action name or a capability key added to generic code, and ignores comments', () => {
    expect(namesIn("if (d.action === 'PauseCluster') x();", ['PauseCluster'], [])).toEqual(['PauseCluster']);
    expect(namesIn('const w = policy.capability.window;', [], ['window'])).toEqual(['key window']);
    expect(namesIn('// PauseCluster closes with 3619\nconst a = 1;', ['PauseCluster'], ['window'])).toEqual([]);
    expect(namesIn('return [...windows, ...window];', [], ['window'])).toEqual([]);
  });

  it('no AWS action name and no capability key outside shared/domains/<name>/ and the simulator', () => {
    expect(violations(registry)).toEqual([]);
  });

  it.each(registry.actions().map((a) => [a.spec.name, a.spec] as const))(
    '%s is granted by its own permission, conditioned or with the reason it cannot be',
    (name, spec) => {
      const own = spec.permissions.filter((p) => p.actions.includes(`${spec.service}:${name}`));
      expect(own.length, `${name} has no permission for ${spec.service}:${name}`).toBeGreaterThan(0);
      for (const p of spec.permissions) {
        if (p.condition.kind === 'none') expect(p.condition.why.length, `${p.sid} says why`).toBeGreaterThan(3);
      }
    },
  );

  it.each(registry.actions().map((a) => [a.spec.name, a.spec] as const))(
    '%s names guardrails of the one table, the base ones included',
    (_name, spec) => {
      const table = registry.guardrails().map((g) => g.name);
      for (const g of spec.guardrails) expect(table, g).toContain(g);
      for (const g of BASE_GUARDRAILS) expect(spec.guardrails).toContain(g);
    },
  );

  it('every permission of the generated executor role belongs to a declared action (or the base statements)', () => {
    const policies = registry.capabilities
      .filter((c) => c.supported)
      .map((c) => ({
        optInTag: { key: 'autopilot:managed', value: 'true' },
        capability: { key: c.keys[0] ?? '', summary: '' },
      }));
    const statements = executorStatements({ registry, policies }, { key: 'autopilot:managed', value: 'true' });
    const declared = new Set(registry.actions().flatMap((a) => grants(a.spec)));
    const base = new Set(EXECUTOR_BASE_STATEMENTS.flatMap((s) => s.Action as string[]));
    const allowed = statements.filter((s) => s.Effect === 'Allow').flatMap((s) => s.Action as string[]);
    expect(allowed.filter((a) => !declared.has(a) && !base.has(a))).toEqual([]);
    for (const a of registry.actions()) expect(allowed).toContain(`${a.spec.service}:${a.spec.name}`);
  });

  it('fails when an action lacks its permission, or a guardrail it names does not exist', () => {
    const broken = new CapabilityRegistry();
    const spec = toy.actions?.[0];
    if (spec === undefined) throw new Error('toy declares no action');
    broken.register({
      ...toy,
      actions: [{ ...spec, permissions: [], guardrails: [...spec.guardrails, 'noSuchGuardrail'] }],
    });
    const [declared] = broken.actions();
    expect(declared?.spec.permissions.filter((p) => p.actions.includes('redshift:RebootCluster'))).toEqual([]);
    expect(broken.guardrails().map((g) => g.name)).not.toContain('noSuchGuardrail');
  });

  it('holds the same built-in actions in the executor’s list (domains/actions.ts) as in the registrations', () => {
    const declared = new Set(BUILT_IN_CAPABILITIES.flatMap((c) => c.actions ?? []));
    expect(new Set(BUILT_IN_ACTIONS)).toEqual(declared);
  });

  it('refuses a second capability that declares another action under a taken name, or a taken key', () => {
    const reg = new CapabilityRegistry(registry.capabilities);
    const taken = registry.action('PauseCluster');
    if (taken === null) throw new Error('PauseCluster not declared');
    expect(() => reg.register({ ...toy, actions: [{ ...taken }] })).toThrow(/already declared by window/);
    expect(() => reg.register({ ...toy, keys: ['window'] })).toThrow(/already registered by window/);
  });
});
