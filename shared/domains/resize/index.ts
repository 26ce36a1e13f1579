import type { CapabilityRegistration } from '../../policy/capability.ts';
import { createClusterSnapshot } from '../snapshots/snapshot.actions.ts';
import { RESIZE_ACTIONS, resizeAllowed } from './resize.actions.ts';
import { compileResize } from './resize.capability.ts';
import { resizeSchema } from './resize.schema.ts';
import { resizeTracker } from './resize-tracker.ts';

/**
 * Resize scheduling (issue 15): a cluster's node count follows its policy's default and windows,
 * reconciled on every sweep, elastic within the limits (classic only with allowClassic), checked again by
 * the executor on the re-read cluster; with `snapshotBefore: true`, a manual snapshot first (resize-snapshot.ts).
 */
export const resizeCapability: CapabilityRegistration = {
  keys: ['resize'],
  name: 'resize',
  supported: true,
  resources: ['cluster'],
  schemas: { resize: resizeSchema },
  compile: compileResize,
  // snapshotBefore: the snapshots capability's declaration, listed (DESIGN §8: declared once).
  actions: [...RESIZE_ACTIONS, createClusterSnapshot],
  guardrails: [resizeAllowed],
  tracker: resizeTracker,
};
