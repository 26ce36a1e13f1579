import { STATEMENT_ENDED } from '../../aws/data-api-statements.ts';
import type { LedgerRecord } from '../../execute/ports.ts';
import type { TrackerDeps } from '../../policy/capability.ts';
import type { DrillSettings } from './drill.prechecks.ts';
import type { DrillState } from './drill-state.ts';

/**
 * The canary: from the moment the failover is accepted (new connections are accepted at once, facts.md
 * §6), one `SYS_*` query at a time through the Redshift Data API — ExecuteStatement, then
 * DescribeStatement on each watcher run (every minute) until it ends; a FAILED or ABORTED one is noted and the next run
 * asks again. The first statement that FINISHED is the time an application could query again (its
 * `UpdatedAt`, when the result was ready). A Data API error is kept as the canary's last error (the
 * drill fails on it only if no query succeeds within maxRecoveryMinutes), never swallowed.
 */
const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error)).slice(0, 300);

export async function canaryStep(
  deps: TrackerDeps,
  settings: DrillSettings,
  failover: LedgerRecord,
  state: DrillState,
  now: Date,
): Promise<DrillState> {
  const canary = state.canary;
  const config = settings.canary;
  if (canary === null || config === null || canary.firstOkAt !== null) return state;
  const api = deps.dataApi;
  // Only the drill watcher holds the Data API client and its permissions (docs/architecture.md, "Failover
  // drills: who watches"): the ingest and sweep steps of the same drill leave the canary to it.
  if (api === undefined) return state;
  let next = canary;
  if (next.pending !== null) {
    try {
      const statement = await api.describe(next.pending.id);
      if (statement.status === 'FINISHED') {
        const firstOkAt = statement.updatedAt ?? now.toISOString();
        return { ...state, canary: { ...next, pending: null, firstOkAt } };
      }
      if (!STATEMENT_ENDED.includes(statement.status)) return state;
      next = { ...next, pending: null, lastError: `${statement.status}: ${statement.error ?? 'no error text'}` };
    } catch (error) {
      deps.logger.warn('canary DescribeStatement failed', { cluster: failover.target.id, error: errorText(error) });
      next = { ...next, pending: null, lastError: `DescribeStatement: ${errorText(error)}` };
    }
  }
  const attempt = next.attempts + 1;
  try {
    const { id } = await api.execute({
      clusterIdentifier: failover.target.id,
      database: config.database,
      secretArn: config.secretArn,
      sql: config.sql,
      statementName: `autopilot-drill-${failover.target.id}`.slice(0, 500),
      clientToken: `${state.failoverKey.slice(0, 48)}-${attempt}`,
    });
    return { ...state, canary: { ...next, attempts: attempt, pending: { id, submittedAt: now.toISOString() } } };
  } catch (error) {
    deps.logger.warn('canary ExecuteStatement failed', { cluster: failover.target.id, error: errorText(error) });
    return { ...state, canary: { ...next, attempts: attempt, lastError: `ExecuteStatement: ${errorText(error)}` } };
  }
}
