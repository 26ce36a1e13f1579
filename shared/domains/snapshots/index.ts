export { snapshotsCapability } from './snapshots.capability.ts';
