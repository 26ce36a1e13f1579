import type { CapabilityRegistration } from '../policy/capability.ts';
import { failoverDrillCapability } from './failover-drill/index.ts';
import { resizeCapability } from './resize/index.ts';
import { snapshotsCapability } from './snapshots/index.ts';
import { usageLimitsCapability } from './usage-limits/index.ts';
import { windowsCapability } from './windows/index.ts';
import { reactionsCapability } from './zero-etl/index.ts';

/**
 * The built-in capabilities, built or not; shared/policy/registry.ts registers them. Adding one is one
 * line here. Read the registry (`registry.capabilities`), not this list: it also holds added ones.
 */
export const BUILT_IN_CAPABILITIES: readonly CapabilityRegistration[] = [
  windowsCapability,
  snapshotsCapability,
  usageLimitsCapability,
  resizeCapability,
  failoverDrillCapability,
  reactionsCapability,
];
