import type { CapabilityRegistration } from '../../policy/capability.ts';
import { USAGE_LIMIT_ACTIONS } from './usage-limits.actions.ts';
import { compileUsageLimits } from './usage-limits.capability.ts';
import { usageLimitsSchema } from './usage-limits.schema.ts';

/**
 * Usage limits (issue 14): declared limits kept in place on provisioned clusters, by tags. Escalation,
 * shared budgets and Serverless limits are checked by validate and refused as not supported yet.
 */
export const usageLimitsCapability: CapabilityRegistration = {
  keys: ['usageLimits'],
  name: 'usageLimits',
  supported: true,
  resources: ['cluster', 'workgroup'],
  schemas: { usageLimits: usageLimitsSchema },
  compile: compileUsageLimits,
  actions: USAGE_LIMIT_ACTIONS,
};
