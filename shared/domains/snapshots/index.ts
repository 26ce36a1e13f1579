import type { CapabilityRegistration } from '../../policy/capability.ts';

/** Not built yet: registered so `validate` rejects `snapshots` by name instead of ignoring it. */
export const snapshotsCapability: CapabilityRegistration = {
  keys: ['snapshots'],
  name: 'snapshots',
  supported: false,
  resources: ['cluster', 'workgroup'],
};
