import type { CapabilityRegistration } from '../../policy/capability.ts';
import { WINDOW_ACTIONS } from './window.actions.ts';
import { windowsCapability as windowBlock } from './window.capability.ts';

/** Windows: the `window` block and the actions it requests (pause, resume, workgroup capacity). */
export const windowsCapability: CapabilityRegistration = {
  ...windowBlock,
  actions: WINDOW_ACTIONS,
  documentWarnings(block, defaults) {
    if (block.timezone !== undefined || defaults.timezone !== undefined) return [];
    return [
      {
        path: ['window'],
        atKey: true,
        severity: 'warning',
        message:
          'window has no timezone and defaults has none; it is read in UTC (set window.timezone or defaults.timezone)',
      },
    ];
  },
};
