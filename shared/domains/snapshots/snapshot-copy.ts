import type { EvaluationEnv, Proposal } from '../../policy/capability.ts';
import type { ClusterResource, TargetRef } from '../../policy/decision.ts';
import type { SnapshotsBlock } from './snapshots.schema.ts';

/**
 * Cross-Region copy (facts.md §4, L3969–3983, L4391–4439; Serverless L2589–2612): one destination at
 * a time for a cluster and for a namespace; a KMS-encrypted cluster copies only with a snapshot copy
 * grant in the destination Region (EnableSnapshotCopy `SnapshotCopyGrantName`). The refusals below are
 * the one rule that decide()'s skips and the executor's fresh-read checks both use.
 */
export type CopyTo = NonNullable<SnapshotsBlock['copyTo']>;

/** Automated snapshot copies are kept 1–35 days (EnableSnapshotCopy RetentionPeriod). */
export const AUTOMATED_COPY_MAX_DAYS = 35;

/** Why copy must not be enabled on this cluster, or null. */
export function copyGrantRefusal(
  cluster: string,
  encrypted: boolean,
  grant: string | undefined,
  region: string | undefined,
): string | null {
  if (!encrypted || grant !== undefined) return null;
  return `cluster ${cluster} is KMS-encrypted and copyTo.snapshotCopyGrant is not set: its snapshots can be copied to ${region ?? 'the destination Region'} only with a snapshot copy grant there; create one (aws redshift create-snapshot-copy-grant --region ${region ?? '<destination>'}) and name it in copyTo.snapshotCopyGrant`;
}

/** Why a namespace must not get a copy configuration to `wanted`, or null: it copies to one destination. */
export function serverlessDestinationRefusal(
  namespace: string,
  existing: readonly { destinationRegion?: string | undefined }[],
  wanted: string,
): string | null {
  const other = existing.find((c) => c.destinationRegion !== undefined && c.destinationRegion !== wanted);
  if (other === undefined) return null;
  return `namespace ${namespace} already copies snapshots to ${other.destinationRegion}, policy wants ${wanted}: a namespace copies to one destination; delete that copy configuration by hand first (aws redshift-serverless delete-snapshot-copy-configuration)`;
}

type Act = (action: string, params: Record<string, unknown>, reason: string, slot: string) => Proposal[];

/** The copy decisions for one source: enable (or configure) copy, then keep its retention at the policy's. */
export function copyProposals(
  copyTo: CopyTo,
  source: { id: string; resource: { type: string }; target: TargetRef },
  env: EvaluationEnv,
): Proposal[] {
  const want = `copy to ${copyTo.region}, copies kept ${copyTo.retainDays} days`;
  const act: Act = (action, params, reason, slot) => {
    if (env.ledger.byKey(env.ledger.keyFor(env.policy.name, source.target, action, slot)) !== undefined) return [];
    return [{ kind: 'act', action, target: source.target, params, reason, slot }];
  };
  // The grant is part of the key: naming one after a refusal asks again.
  const grant = copyTo.snapshotCopyGrant;
  const enableSlot = `copy:${copyTo.region}:${copyTo.retainDays}${grant === undefined ? '' : `:${grant}`}`;
  if (source.resource.type === 'workgroup') {
    return act(
      'CreateSnapshotCopyConfiguration',
      { namespaceName: source.id, destinationRegion: copyTo.region, snapshotRetentionPeriod: copyTo.retainDays },
      want,
      enableSlot,
    );
  }
  return clusterCopyProposals(copyTo, source.resource as ClusterResource, source.target, want, act, enableSlot);
}

function clusterCopyProposals(
  copyTo: CopyTo,
  r: ClusterResource,
  target: TargetRef,
  want: string,
  act: Act,
  enableSlot: string,
): Proposal[] {
  const automatedDays = Math.min(copyTo.retainDays, AUTOMATED_COPY_MAX_DAYS);
  const current = r.snapshotCopy ?? null;
  if (current !== null && current.destinationRegion !== copyTo.region) {
    return [
      {
        kind: 'skip',
        target,
        reason: `snapshot copy goes to ${current.destinationRegion}, policy wants ${copyTo.region}: disable it by hand first (disabling deletes copied automated snapshots)`,
      },
    ];
  }
  if (r.status !== 'available') return [];
  if (current === null) {
    const refusal = copyGrantRefusal(r.id, r.encrypted === true, copyTo.snapshotCopyGrant, copyTo.region);
    if (refusal !== null) return [{ kind: 'skip', target, reason: refusal }];
    return act(
      'EnableSnapshotCopy',
      {
        ClusterIdentifier: r.id,
        DestinationRegion: copyTo.region,
        RetentionPeriod: automatedDays,
        ManualSnapshotRetentionPeriod: copyTo.retainDays,
        ...(copyTo.snapshotCopyGrant === undefined ? {} : { SnapshotCopyGrantName: copyTo.snapshotCopyGrant }),
      },
      want,
      enableSlot,
    );
  }
  const out: Proposal[] = [];
  if (current.manualSnapshotRetentionPeriod !== copyTo.retainDays) {
    out.push(
      ...act(
        'ModifySnapshotCopyRetentionPeriod',
        { ClusterIdentifier: r.id, RetentionPeriod: copyTo.retainDays, Manual: true },
        `${want}; manual copies now kept ${current.manualSnapshotRetentionPeriod ?? '?'} days`,
        `copy-retention:manual:${copyTo.retainDays}`,
      ),
    );
  }
  if (current.retentionPeriod !== automatedDays) {
    out.push(
      ...act(
        'ModifySnapshotCopyRetentionPeriod',
        { ClusterIdentifier: r.id, RetentionPeriod: automatedDays },
        `${want}; automated copies now kept ${current.retentionPeriod ?? '?'} days (at most ${AUTOMATED_COPY_MAX_DAYS})`,
        `copy-retention:automated:${automatedDays}`,
      ),
    );
  }
  return out;
}
