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
