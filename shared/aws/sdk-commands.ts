/**
 * The SDK commands of the action handlers, loaded on first use: `new (await redshiftCommands()).PauseClusterCommand(…)`.
 * A dynamic import per service so that importing an action declaration loads no SDK client (the command
 * line's validate and plan, the registry in every function); Node caches the module after the first call.
 */
export const redshiftCommands = () => import('./redshift-commands.ts');
export const serverlessCommands = () => import('./serverless-commands.ts');
