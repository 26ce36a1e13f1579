#!/usr/bin/env node
/**
 * Builds the command line into dist/cli/ (esbuild: one ESM bundle split per command, minified, the
 * dependencies inlined) so `autopilot` runs plain JavaScript: no transpiling at run time, no
 * per-package module resolution or CommonJS export scanning for the AWS SDK's many small modules.
 * Runs at `npm ci`/`npm install` (the `prepare` script); bin/autopilot.mjs rebuilds when a source is
 * newer than the bundle, so a developer's edit is never run stale.
 */
import { mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const CLI_OUT = join(ROOT, 'dist/cli');
export const CLI_ENTRY = join(CLI_OUT, 'main.js');
/** What the bundle is built from: a change to any of these makes it stale. */
const SOURCES = ['shared', 'package-lock.json'];

function newestMtime(path) {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (stat === undefined) return 0;
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

/** True when dist/cli is missing or older than a source file (a checkout or an edit since the build). */
export function cliIsStale() {
  const built = statSync(join(CLI_OUT, 'built'), { throwIfNoEntry: false });
  if (built === undefined) return true;
  return SOURCES.some((source) => newestMtime(join(ROOT, source)) > built.mtimeMs);
}

export async function buildCli() {
  const { build } = await import('esbuild');
  rmSync(CLI_OUT, { recursive: true, force: true });
  mkdirSync(CLI_OUT, { recursive: true });
  const { metafile } = await build({
    entryPoints: { main: join(ROOT, 'shared/cli/main.ts') },
    outdir: CLI_OUT,
    absWorkingDir: ROOT,
    bundle: true,
    splitting: true,
    minify: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    logLevel: 'error',
    // What each chunk holds and imports (dist/cli/meta.json): test/integration/cli-bundle.test.ts checks
    // from it that `--help` loads no command and `validate` loads no AWS SDK client.
    metafile: true,
    // The SDK's CommonJS modules call require(); an ESM bundle gets one from createRequire.
    banner: {
      js: "import{createRequire as __autopilotRequire}from'node:module';const require=__autopilotRequire(import.meta.url);",
    },
  });
  writeFileSync(join(CLI_OUT, 'meta.json'), JSON.stringify(metafile));
  writeFileSync(join(CLI_OUT, 'built'), `${new Date().toISOString()}\n`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await buildCli();
}
