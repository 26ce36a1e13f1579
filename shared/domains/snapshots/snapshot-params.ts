import type { CompiledCapability } from '../../policy/capability.ts';
import { oneOf } from '../../policy/param-check.ts';
import { AUTOMATED_COPY_MAX_DAYS } from './snapshot-copy.ts';
import { snapshotIdRefusal } from './snapshot-id.ts';
import { MANAGED_BY, SNAPSHOT_TAGS } from './snapshot-tags.ts';
import type { SnapshotSettings } from './snapshots.capability.ts';

/**
 * The snapshots capability's answer to the executor (issue 22): would this policy set this parameter?
 * Names are the policy's own snapshot names (for that cluster or namespace), retention the policy's
 * days, tags exactly autopilot's four with this policy's name, copy the policy's Region and days.
 */
export function snapshotParamCheck(
  settings: SnapshotSettings,
  policy: string,
): NonNullable<CompiledCapability['permitsParam']> {
  const copy = settings.block.copyTo;
  const expire = settings.expireAfterDays;
  return (action, key, value, { params }) => {
    switch (key) {
      case 'SnapshotIdentifier': {
        const source = action === 'CreateClusterSnapshot' ? params.ClusterIdentifier : params.SnapshotClusterIdentifier;
        return snapshotIdRefusal(value, policy, typeof source === 'string' ? source : '');
      }
      case 'snapshotName': {
        const ns = params.namespaceName;
        return snapshotIdRefusal(value, policy, action === 'CreateSnapshot' && typeof ns === 'string' ? ns : undefined);
      }
      case 'ManualSnapshotRetentionPeriod':
        return action === 'EnableSnapshotCopy' ? oneOf(key, value, [copy?.retainDays]) : oneOf(key, value, [expire]);
      case 'retentionPeriod':
        return oneOf(key, value, [expire > 0 ? expire : undefined]);
      case 'Tags':
      case 'tags':
        return tagsRefusal(key, value, policy);
      case 'DestinationRegion':
      case 'destinationRegion':
        return oneOf(key, value, [copy?.region]);
      case 'SnapshotCopyGrantName':
        return oneOf(key, value, [copy?.snapshotCopyGrant]);
      case 'RetentionPeriod':
      case 'snapshotRetentionPeriod': {
        const days = copy === undefined ? [] : [copy.retainDays, Math.min(copy.retainDays, AUTOMATED_COPY_MAX_DAYS)];
        return oneOf(key, value, action === 'CreateSnapshotCopyConfiguration' ? [copy?.retainDays] : days);
      }
      case 'Manual':
        return oneOf(key, value, [true]);
      default:
        return `${key} is not a parameter the snapshots policy sets`;
    }
  };
}

/** Exactly autopilot's four tags (Key/Value or key/value), managed-by ours and the policy this one. */
export function tagsRefusal(key: string, value: unknown, policy: string): string | null {
  if (!Array.isArray(value)) return `${key} is not a tag list`;
  const tags = new Map<string, unknown>();
  for (const tag of value as Record<string, unknown>[])
    tags.set(String(tag?.Key ?? tag?.key), tag?.Value ?? tag?.value);
  const keys = Object.values(SNAPSHOT_TAGS);
  const extra = [...tags.keys()].filter((k) => !(keys as string[]).includes(k));
  if (extra.length > 0 || tags.size !== keys.length) {
    return `${key} must be exactly autopilot's tags ${keys.join(', ')}; got ${[...tags.keys()].join(', ') || 'none'}`;
  }
  if (tags.get(SNAPSHOT_TAGS.managedBy) !== MANAGED_BY)
    return `${key}: ${SNAPSHOT_TAGS.managedBy} must be ${MANAGED_BY}`;
  if (tags.get(SNAPSHOT_TAGS.policy) !== policy) return `${key}: ${SNAPSHOT_TAGS.policy} must be ${policy}`;
  return null;
}
