import type { UsageLimitResource } from '../../policy/decision.ts';

/**
 * Ownership of provisioned usage limits, by tags given at CreateUsageLimit: `managed-by=redshift-autopilot`
 * (the same mark autopilot's snapshots carry), the policy's name, and which declared limit it is
 * (`<feature>#<n>`, the n-th limit of that feature in the policy). A limit without the mark was made by
 * a person: reported, never modified or deleted. The IAM statements condition on the same mark.
 */
export const LIMIT_TAGS = {
  managedBy: 'managed-by',
  policy: 'autopilot:policy',
  limit: 'autopilot:limit',
} as const;

export const MANAGED_BY = 'redshift-autopilot';

export const MADE_BY_AUTOPILOT = { [LIMIT_TAGS.managedBy]: MANAGED_BY } as const;
export const AUTOPILOT_LIMIT_TAG_KEYS: readonly string[] = Object.values(LIMIT_TAGS);

export type Ownership = 'person' | 'this-policy' | 'other-policy';

export function ownership(limit: Pick<UsageLimitResource, 'tags'>, policy: string): Ownership {
  if (limit.tags[LIMIT_TAGS.managedBy] !== MANAGED_BY) return 'person';
  return limit.tags[LIMIT_TAGS.policy] === policy ? 'this-policy' : 'other-policy';
}

/** The tags a created limit carries, in the order the request sends them. */
export function limitTags(policy: string, key: string): { Key: string; Value: string }[] {
  return [
    { Key: LIMIT_TAGS.managedBy, Value: MANAGED_BY },
    { Key: LIMIT_TAGS.policy, Value: policy },
    { Key: LIMIT_TAGS.limit, Value: key },
  ];
}
