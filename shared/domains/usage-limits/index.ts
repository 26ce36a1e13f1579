import type { CapabilityRegistration } from '../../policy/capability.ts';

/** Not built yet: registered so `validate` rejects `usageLimits` by name instead of ignoring it. */
export const usageLimitsCapability: CapabilityRegistration = {
  keys: ['usageLimits'],
  name: 'usageLimits',
  supported: false,
  resources: ['cluster', 'workgroup'],
};
