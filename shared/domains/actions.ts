import type { ActionSpec } from '../execute/action-spec.ts';
import { DRILL_ACTIONS } from './failover-drill/drill.actions.ts';
import { RESIZE_ACTIONS } from './resize/resize.actions.ts';
import { SNAPSHOT_ACTIONS } from './snapshots/snapshot.actions.ts';
import { USAGE_LIMIT_ACTIONS } from './usage-limits/usage-limits.actions.ts';
import { WORKGROUP_LIMIT_ACTIONS } from './usage-limits/workgroup-limits.actions.ts';
import { WINDOW_ACTIONS } from './windows/window.actions.ts';
import { ZERO_ETL_ACTIONS } from './zero-etl/integration-actions.ts';

/**
 * The built-in capabilities' action declarations alone, without their policy compilers: the executor
 * loads these (shared/execute/action-registry.ts) and so does not bundle the policy engine (zod
 * schemas, luxon, croner: ~45 KB of zip). The registrations in index.ts list the same declarations; the
 * registry meta test checks that both lists hold the same actions.
 */
export const BUILT_IN_ACTIONS: readonly ActionSpec[] = [
  ...WINDOW_ACTIONS,
  ...SNAPSHOT_ACTIONS,
  ...USAGE_LIMIT_ACTIONS,
  ...WORKGROUP_LIMIT_ACTIONS,
  ...RESIZE_ACTIONS,
  ...DRILL_ACTIONS,
  ...ZERO_ETL_ACTIONS,
];
