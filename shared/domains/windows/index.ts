export { windowsCapability } from './window.capability.ts';
