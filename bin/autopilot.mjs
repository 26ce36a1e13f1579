#!/usr/bin/env node
// The `autopilot` command line: runs the bundle scripts/build-cli.mjs writes to dist/cli (built at
// `npm ci`), rebuilt first when a source file is newer than it. Plain JavaScript at run time: no tsx.
import module from 'node:module';

// Node ≥ 22.1 keeps V8's compiled code of the bundle's chunks on disk (the OS temp folder) and reuses it on
// the next run: most of a run's time is compiling ~1 MB of JavaScript. Node 20 has no such cache: a no-op.
module.enableCompileCache?.();
const bundle = new URL('../dist/cli/main.js', import.meta.url);
const builder = new URL('../scripts/build-cli.mjs', import.meta.url);
try {
  const { cliIsStale, buildCli } = await import(builder.href);
  if (cliIsStale()) await buildCli();
} catch (error) {
  // An installed package ships dist/ without the build script's toolchain (esbuild): run what is there.
  if (error?.code !== 'ERR_MODULE_NOT_FOUND') throw error;
}
const { main } = await import(bundle.href);
process.exitCode = await main(process.argv.slice(2));
