import type { CapabilityRegistration } from '../../policy/capability.ts';

/** Not built yet: registered so `validate` rejects `failoverDrill` by name instead of ignoring it. */
export const failoverDrillCapability: CapabilityRegistration = {
  keys: ['failoverDrill'],
  name: 'failoverDrill',
  supported: false,
  resources: ['cluster', 'workgroup'],
};
