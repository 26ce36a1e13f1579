export { reactionsCapability } from './reaction.capability.ts';
