import { ConfigurationError } from '../../errors.ts';
import type { PermissionSpec } from '../../execute/action-spec.ts';
import { SNAPSHOT_ID_PREFIX } from './snapshot-id.ts';
import { MANAGED_BY, SNAPSHOT_TAGS } from './snapshot-tags.ts';

/**
 * The snapshot actions' IAM, read against the Service Authorization Reference (Amazon Redshift and
 * Amazon Redshift Serverless: "Actions, resources, and condition keys"). What it lists, for the calls
 * autopilot makes:
 * - redshift CreateClusterSnapshot: cluster (aws:ResourceTag) and snapshot* (aws:RequestTag,
 *   aws:ResourceTag, aws:TagKeys); CreateTags: snapshot (the same keys); DeleteClusterSnapshot: cluster
 *   and snapshot* (aws:ResourceTag); EnableSnapshotCopy, ModifySnapshotCopyRetentionPeriod: cluster*
 *   (aws:ResourceTag). The snapshot ARN is `snapshot:${ClusterName}/${SnapshotName}`: it names the
 *   snapshot, so the grant is scoped to autopilot's prefix.
 * - redshift-serverless CreateSnapshot: namespace* and snapshot* (aws:RequestTag, aws:ResourceTag,
 *   aws:TagKeys); TagResource: snapshot (the same keys); DeleteSnapshot: snapshot* (aws:ResourceTag);
 *   CreateSnapshotCopyConfiguration: namespace* (aws:ResourceTag); UpdateSnapshotCopyConfiguration: no
 *   resource type and no condition key ("*"). The namespace and snapshot ARNs are
 *   `namespace/${NamespaceId}` and `snapshot/${SnapshotId}`: ids, not names, so no name prefix can
 *   scope them.
 */
export const SNAPSHOT_ARN = `arn:{partition}:redshift:{region}:{account}:snapshot:*/${SNAPSHOT_ID_PREFIX}*`;
export const NAMESPACE_ARN = 'arn:{partition}:redshift-serverless:{region}:{account}:namespace/*';
export const SERVERLESS_SNAPSHOT_ARN = 'arn:{partition}:redshift-serverless:{region}:{account}:snapshot/*';
const AUTOPILOT_TAG_KEYS = Object.values(SNAPSHOT_TAGS);
const MADE_BY_AUTOPILOT = { [SNAPSHOT_TAGS.managedBy]: MANAGED_BY };

/**
 * The snapshot a create names is new and has no tags yet, so it cannot be conditioned on
 * aws:ResourceTag; the request's tags can. Tags given at create are authorised as CreateTags /
 * TagResource too, so both carry the same condition: every snapshot autopilot makes is tagged
 * managed-by at birth, and only autopilot's tag keys may be set (never the opt-in tag).
 */
export const tagAtCreate = (
  sid: string,
  actions: readonly string[],
  resource: string | readonly string[],
  note: string,
): PermissionSpec => ({
  sid,
  actions,
  resource,
  condition: { kind: 'requestTag', tags: MADE_BY_AUTOPILOT, tagKeys: AUTOPILOT_TAG_KEYS },
  note,
});

/** Retention deletes only what autopilot created; the executor checks the tag and the name on a fresh read too. */
export const deleteOwn = (sid: string, action: string, resource: string, note: string): PermissionSpec => ({
  sid,
  actions: [action],
  resource,
  condition: { kind: 'resourceTag', tags: MADE_BY_AUTOPILOT },
  note,
});

/**
 * Policies opt in the workgroup; the calls below are authorised on its namespace, whose tags are all IAM
 * can check (the reference gives them namespace* with aws:ResourceTag). So the namespace must carry the
 * opt-in tag as well (docs/snapshots.md); the executor's opt-in guardrail checks the workgroup.
 */
export const CHANGE_OPTED_IN_NAMESPACES = (action: string): PermissionSpec => ({
  sid: 'ChangeOnlyOptedInNamespaces',
  actions: [`redshift-serverless:${action}`],
  resource: NAMESPACE_ARN,
  condition: { kind: 'optInTag' },
  note: `Service Authorization Reference (Redshift Serverless): ${action} takes namespace* with aws:ResourceTag/<key>; the namespace must carry the opt-in tag.`,
});

/** A delete first re-reads the snapshot and its siblings (ownership, last good snapshot). */
export const READ_CLUSTER_SNAPSHOTS: PermissionSpec = {
  sid: 'ReadClusterSnapshots',
  actions: ['redshift:DescribeClusterSnapshots'],
  resource: '*',
  condition: {
    kind: 'none',
    why: 'read; the reference gives DescribeClusterSnapshots only the optional cluster resource, so the tag-filtered listing matches "*" alone',
  },
};

export const READ_SERVERLESS_SNAPSHOTS: PermissionSpec[] = [
  {
    sid: 'ReadServerlessSnapshots',
    actions: ['redshift-serverless:ListSnapshots', 'redshift-serverless:GetSnapshot'],
    resource: SERVERLESS_SNAPSHOT_ARN,
    condition: { kind: 'none', why: 'read' },
  },
  {
    sid: 'ReadServerlessSnapshotTags',
    actions: ['redshift-serverless:ListTagsForResource'],
    resource: '*',
    condition: { kind: 'none', why: 'read; the reference lists no snapshot resource type for ListTagsForResource' },
  },
];

export const SERVERLESS_COPY_RETENTION: PermissionSpec = {
  sid: 'ServerlessSnapshotCopyRetention',
  actions: [
    'redshift-serverless:ListSnapshotCopyConfigurations',
    'redshift-serverless:UpdateSnapshotCopyConfiguration',
  ],
  resource: '*',
  condition: {
    kind: 'none',
    why: 'the Service Authorization Reference gives UpdateSnapshotCopyConfiguration no resource type and no condition key (it changes the retention of an existing copy configuration by id); the listing is a read',
  },
};

/**
 * IAM refused a call on a namespace: for these calls the grant holds only when the namespace carries
 * the opt-in tag. Says so, instead of the bare AccessDeniedException.
 */
export function namespaceAccessError(error: unknown, action: string, namespace: string | undefined): unknown {
  const name = (error as { name?: string } | null)?.name ?? '';
  if (name !== 'AccessDeniedException' && name !== 'AccessDenied') return error;
  return new ConfigurationError(
    `${action} on namespace ${namespace ?? '?'}: IAM refused (${name}). The executor may call ${action} only on a namespace that itself carries the policy's opt-in tag (IAM checks the namespace's tags, not the workgroup's): tag namespace ${namespace ?? '?'} as its workgroup is tagged`,
    { cause: error },
  );
}
