import { drillWatcherStatements } from '../domains/failover-drill/drill-iam.ts';
import { DEFAULT_OPT_IN_TAG } from '../policy/policy-loader.ts';
import { parseOptInTag } from '../policy/targeting.ts';
import type { Statement } from './executor-iam.ts';
import { packagedPolicies } from './packaged-iam.ts';

/**
 * Package time: the drill watcher's statements (serverless.yml watchDrills reads
 * infra/iam/drill-watcher-statements.cjs) from the same packaged, validated policies as the executor's:
 * the canary's ExecuteStatement on clusters carrying a drill policy's opt-in tag, its secrets only.
 */
export async function packagedDrillWatcherStatements(options: {
  policies: string;
  capabilities: readonly string[];
  cwd: string;
}): Promise<Statement[]> {
  const policies = await packagedPolicies(options);
  const fallback = parseOptInTag(DEFAULT_OPT_IN_TAG) ?? { key: 'autopilot:managed', value: 'true' };
  return drillWatcherStatements(policies, fallback);
}
