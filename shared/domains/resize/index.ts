import type { CapabilityRegistration } from '../../policy/capability.ts';

/** Not built yet: registered so `validate` rejects `resize` by name instead of ignoring it. */
export const resizeCapability: CapabilityRegistration = {
  keys: ['resize'],
  name: 'resize',
  supported: false,
  resources: ['cluster', 'workgroup'],
};
