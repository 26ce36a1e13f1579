#!/usr/bin/env node
// The `autopilot` command line. Runs the TypeScript sources directly through tsx, so no build step
// is needed inside the repo (`npm run --silent autopilot -- <command> ...`) or after `npm install -g`.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../shared/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
