import type { CapabilityRegistration } from '../../policy/capability.ts';
import { DRILL_ACTIONS, failoverDrillReady } from './drill.actions.ts';
import { compileDrill } from './drill.capability.ts';
import { failoverDrillSchema } from './drill.schema.ts';
import { drillTracker } from './drill-tracker.ts';

/**
 * Failover drills (issue 16): on a schedule in local time, each eligible Multi-AZ cluster the policy
 * selects is failed over on purpose (FailoverPrimaryCompute) after named pre-checks, one at a time per
 * policy; the tracker follows the recovery by status and events, measures the time to `available` and,
 * with a canary, to the first successful SYS_* query through the Data API, and reports each drill
 * (one SNS alert, one `Autopilot Drill Report` event) with the trend against the previous ones.
 */
export const failoverDrillCapability: CapabilityRegistration = {
  keys: ['failoverDrill'],
  name: 'failoverDrill',
  supported: true,
  resources: ['cluster'],
  schemas: { failoverDrill: failoverDrillSchema },
  compile: compileDrill,
  actions: DRILL_ACTIONS,
  guardrails: [failoverDrillReady],
  tracker: drillTracker,
};
