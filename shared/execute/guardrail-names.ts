/**
 * The guardrail table's names, in evaluation order (shared/execute/guardrails.ts holds the checks). A
 * leaf module so that capability folders can name guardrails in their action declarations without
 * importing the executor.
 */
export const GUARDRAIL_NAMES = [
  'targetMatches',
  'optInTag',
  'policySelects',
  'stateAllowsOperation',
  'notMultiAz',
  'automatedSnapshotsOn',
  'notZeroEtlTarget',
  'notSuperseded',
  'maxResources',
] as const;
export type GuardrailName = (typeof GUARDRAIL_NAMES)[number];

/** Every action passes these: the right resource, still opted in and selected by its policy, in a state the call accepts. */
export const BASE_GUARDRAILS = [
  'targetMatches',
  'optInTag',
  'policySelects',
  'stateAllowsOperation',
] as const satisfies readonly GuardrailName[];
