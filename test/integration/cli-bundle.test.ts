/**
 * The command line runs from the bundle scripts/build-cli.mjs builds (dist/cli, at `npm ci`), never
 * through tsx, and rebuilds when a source is newer than the bundle.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildCli, CLI_OUT, cliIsStale } from '../../scripts/build-cli.mjs';

const ROOT = join(import.meta.dirname, '../..');

interface Metafile {
  outputs: Record<
    string,
    { entryPoint?: string; imports: { path: string; kind: string }[]; inputs: Record<string, unknown> }
  >;
}

function chunkOf(meta: Metafile, entry: (path: string) => boolean): string {
  const found = Object.entries(meta.outputs).find(([, out]) => out.entryPoint !== undefined && entry(out.entryPoint));
  if (found === undefined) throw new Error('no such entry chunk in dist/cli/meta.json');
  return found[0];
}

/** The source files inside the chunks a chunk loads before it runs: itself and its static imports, transitively. */
function sourcesLoadedBy(meta: Metafile, chunks: readonly string[]): string[] {
  const seen = new Set<string>();
  const visit = (chunk: string) => {
    const out = meta.outputs[chunk];
    if (out === undefined || seen.has(chunk)) return;
    seen.add(chunk);
    for (const imported of out.imports) if (imported.kind === 'import-statement') visit(imported.path);
  };
  for (const chunk of chunks) visit(chunk);
  return [...seen].flatMap((chunk) => Object.keys(meta.outputs[chunk]?.inputs ?? {}));
}
const BIN = join(ROOT, 'bin/autopilot.mjs');

function autopilot(...args: string[]) {
  return spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env } });
}

describe('the autopilot command line', () => {
  beforeAll(async () => {
    if (cliIsStale()) await buildCli();
  }, 120_000);

  it('validates the example policies from the bundle', () => {
    const run = autopilot('validate', 'examples/policies');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^\d+ policies OK$/m);
  });

  it('reports a bad policy file at file:line:col with exit 1', () => {
    const dir = mkdtempSync(join(tmpdir(), 'autopilot-cli-'));
    const file = join(dir, 'bad.yml');
    writeFileSync(file, 'policies:\n  - name: x\n    resource: cluster\n    window: { nope: 1 }\n');
    const run = autopilot('validate', file);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/bad\.yml:\d+:\d+: /);
  });

  it('ships no tsx: neither the bin nor the bundle loads it', () => {
    const files = [
      BIN,
      ...readdirSync(CLI_OUT)
        .filter((f) => f.endsWith('.js'))
        .map((f) => join(CLI_OUT, f)),
    ];
    for (const file of files) expect(readFileSync(file, 'utf8')).not.toMatch(/["']tsx(\/[a-z/]+)?["']/);
  });

  it('loads no command module for --help, and no AWS SDK client for validate (the chunks each statically imports)', () => {
    const meta = JSON.parse(readFileSync(join(CLI_OUT, 'meta.json'), 'utf8')) as Metafile;
    const mainChunk = chunkOf(meta, (entry) => entry.endsWith('shared/cli/main.ts'));
    const validateChunk = chunkOf(meta, (entry) => entry.endsWith('commands/validate.command.ts'));
    const atStart = sourcesLoadedBy(meta, [mainChunk]);
    expect(atStart.some((s) => s.includes('shared/cli/main.ts'))).toBe(true);
    expect(atStart.filter((s) => /\.command\.ts$/.test(s))).toEqual([]);
    const validate = sourcesLoadedBy(meta, [mainChunk, validateChunk]);
    expect(validate.some((s) => s.includes('shared/policy/policy-loader.ts'))).toBe(true);
    expect(validate.some((s) => s.includes('shared/domains/windows/window.actions.ts'))).toBe(true);
    expect(validate.filter((s) => /@aws-sdk\/client-|@smithy\/core/.test(s))).toEqual([]);
    // The check can fail: the whole bundle does hold the clients (simulate, start).
    const all = sourcesLoadedBy(meta, Object.keys(meta.outputs));
    expect(all.some((s) => s.includes('@aws-sdk/client-redshift/'))).toBe(true);
  });

  it('is stale when a source file is newer than the bundle, fresh again when it is not', () => {
    const source = join(ROOT, 'shared/errors.ts');
    const { atime, mtime } = statSync(source);
    expect(cliIsStale()).toBe(false);
    try {
      const later = new Date(Date.now() + 3_600_000);
      utimesSync(source, later, later);
      expect(cliIsStale()).toBe(true);
    } finally {
      utimesSync(source, atime, mtime);
    }
    expect(cliIsStale()).toBe(false);
  });
});
