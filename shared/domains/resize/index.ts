import type { CapabilityRegistration } from '../../policy/capability.ts';
import { RESIZE_ACTIONS, resizeAllowed } from './resize.actions.ts';
import { compileResize } from './resize.capability.ts';
import { resizeSchema } from './resize.schema.ts';
import { resizeTracker } from './resize-tracker.ts';

/**
 * Resize scheduling (issue 15): a cluster's node count follows its policy's default and windows,
 * reconciled on every sweep, elastic within the limits (classic only with allowClassic), checked again by
 * the executor on the re-read cluster. `snapshotBefore: true` and `grow` are checked and refused as not
 * supported yet.
 */
export const resizeCapability: CapabilityRegistration = {
  keys: ['resize'],
  name: 'resize',
  supported: true,
  resources: ['cluster'],
  schemas: { resize: resizeSchema },
  compile: compileResize,
  actions: RESIZE_ACTIONS,
  guardrails: [resizeAllowed],
  tracker: resizeTracker,
};
