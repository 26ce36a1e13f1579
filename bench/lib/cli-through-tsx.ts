// The command line as bin/autopilot.mjs ran it before the bundle: the TypeScript sources through tsx.
import { main } from '../../shared/cli/main.ts';

process.exitCode = await main(process.argv.slice(2));
