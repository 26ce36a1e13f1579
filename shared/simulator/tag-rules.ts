/** Tag filters and limits shared by every taggable resource (clusters, snapshots, usage limits). */
import type { Tag } from '@aws-sdk/client-redshift';
import { MESSAGES } from './aws-errors.ts';
import type { ProvisionedContext } from './provisioned-context.ts';

/** The TagKeys/TagValues filter of the Describe* calls: no filter matches everything. */
export function sameTags(
  tags: readonly Tag[] | undefined,
  keys: readonly string[] | undefined,
  values: readonly string[] | undefined,
): boolean {
  if ((keys === undefined || keys.length === 0) && (values === undefined || values.length === 0)) return true;
  return (tags ?? []).some(
    (t) =>
      (keys === undefined || keys.length === 0 || keys.includes(t.Key ?? '')) &&
      (values === undefined || values.length === 0 || values.includes(t.Value ?? '')),
  );
}

export function validateTags(ctx: ProvisionedContext, tags: readonly Tag[], existing: number): void {
  for (const t of tags) {
    const key = t.Key ?? '';
    if (key.length < 1 || key.length > 128 || key.toLowerCase().startsWith('aws:') || (t.Value ?? '').length > 256) {
      ctx.fault('InvalidTagFault', MESSAGES.invalidTag);
    }
  }
  // 50 tags per resource (guide L28181).
  if (existing + tags.length > 50) ctx.fault('TagLimitExceededFault', MESSAGES.tagLimit);
}
