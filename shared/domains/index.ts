import type { CapabilityRegistration } from '../policy/capability.ts';
import { failoverDrillCapability } from './failover-drill/index.ts';
import { resizeCapability } from './resize/index.ts';
import { snapshotsCapability } from './snapshots/index.ts';
import { usageLimitsCapability } from './usage-limits/index.ts';
import { windowsCapability } from './windows/index.ts';
import { reactionsCapability } from './zero-etl/index.ts';

/** Every capability the policy language knows, built or not. Adding one is one line here. */
export const CAPABILITIES: readonly CapabilityRegistration[] = [
  windowsCapability,
  snapshotsCapability,
  usageLimitsCapability,
  resizeCapability,
  failoverDrillCapability,
  reactionsCapability,
];
