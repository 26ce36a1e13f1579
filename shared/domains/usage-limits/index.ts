import type { CapabilityRegistration } from '../../policy/capability.ts';
import { pauseCluster, resumeCluster, updateWorkgroup } from '../windows/window.actions.ts';
import { USAGE_LIMIT_ACTIONS } from './usage-limits.actions.ts';
import { compileUsageLimits } from './usage-limits.capability.ts';
import { gradeAlertTracker } from './usage-limits.grade-alerts.ts';
import { usageLimitsSchema } from './usage-limits.schema.ts';
import { WORKGROUP_LIMIT_ACTIONS } from './workgroup-limits.actions.ts';

/**
 * Usage limits (issue 14): declared limits kept in place on provisioned clusters, by tags; escalation
 * grades on what they consumed (per cluster or a shared budget), undone at the period's boundary.
 * Serverless workgroups' limits are kept in place by the ledger (they have no tags), escalated per
 * workgroup (capMaxCapacity, deactivate) and undone at the boundary.
 */
export const usageLimitsCapability: CapabilityRegistration = {
  keys: ['usageLimits'],
  name: 'usageLimits',
  supported: true,
  resources: ['cluster', 'workgroup'],
  schemas: { usageLimits: usageLimitsSchema },
  compile: compileUsageLimits,
  // A grade's `pause` and its undoing are the windows' PauseCluster / ResumeCluster (declared there, same guardrails).
  // A workgroup grade's capMaxCapacity and its restore are the windows' UpdateWorkgroup (one attribute per call).
  actions: [...USAGE_LIMIT_ACTIONS, ...WORKGROUP_LIMIT_ACTIONS, pauseCluster, resumeCluster, updateWorkgroup],
  // The grades whose only step is their alert: reported by the sweep, once per period and grade.
  tracker: { handles: () => false, create: gradeAlertTracker },
};
