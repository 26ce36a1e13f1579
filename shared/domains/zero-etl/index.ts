import type { CapabilityRegistration } from '../../policy/capability.ts';
import { resumeCluster } from '../windows/window.actions.ts';
import { reactionsCapability as reactionBlock } from './reaction.capability.ts';

/** Reactions (`on`/`do`): `resume-target` resumes a zero-ETL integration's paused target cluster. */
export const reactionsCapability: CapabilityRegistration = { ...reactionBlock, actions: [resumeCluster] };
