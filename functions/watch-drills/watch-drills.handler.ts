import type { AppDeps } from '../../shared/app/deps.ts';
import { depsFromEnv } from '../../shared/app/env-deps.ts';
import { loadPackagedPoliciesSync } from '../../shared/app/packaged-policy-file.ts';
import { createDataApi } from '../../shared/aws/data-api.adapter.ts';
import { runDrillWatcher, type WatchResult } from '../../shared/domains/failover-drill/drill-watcher.ts';
import { observe } from '../../shared/lambda/observability.ts';
import type { TrackerDeps } from '../../shared/policy/capability.ts';

/**
 * The failover drill watcher: an EventBridge schedule every minute (serverless.yml, watchDrills). With no
 * drill in flight it makes one ledger query and returns; while a drill runs it steps it — the cluster's
 * status and AZs, the canary's statement through the Redshift Data API, the verdict and the report —
 * so the drill's figures are good to a minute (the sweep alone: five). It decides nothing and sends no
 * decision; it writes only the drill's own ledger records.
 */
export function createWatchDrillsHandler(deps: AppDeps) {
  return observe<unknown, WatchResult>(deps.observability, () => {
    const trackerDeps: TrackerDeps = {
      ledger: deps.ledger,
      notifier: deps.notifier,
      clock: deps.clock,
      region: deps.config.region,
      policies: deps.policies.policies,
      logger: deps.observability.logger,
      resources: deps.resources,
      ...(deps.dataApi === undefined ? {} : { dataApi: deps.dataApi }),
    };
    return runDrillWatcher(trackerDeps);
  });
}

export const handler = createWatchDrillsHandler(
  depsFromEnv({
    service: 'watch-drills',
    loadPolicies: loadPackagedPoliciesSync,
    dataApi: ({ region }) => createDataApi({ region }),
  }),
);
