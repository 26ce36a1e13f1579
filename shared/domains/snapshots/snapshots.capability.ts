import { compileSchedule } from '../../policy/aws-schedule.ts';
import type { CapabilityRegistration, CompileContext, CompiledCapability, Proposal } from '../../policy/capability.ts';
import type { ClusterResource, TargetRef } from '../../policy/decision.ts';
import { formatUtcMinute } from '../../policy/local-time.ts';
import { type SnapshotsBlock, snapshotsSchema } from './snapshots.schema.ts';

/**
 * `snapshots`: a manual snapshot (`CreateClusterSnapshot`) at each occurrence of an AWS cron/rate
 * schedule read in the policy's zone. An occurrence is due from its instant for CATCH_UP_MS (a
 * missed sweep still takes it; a very late one does not pile up snapshots). Retention is not built.
 */
const CATCH_UP_MS = 60 * 60_000;

function snapshotIdentifier(cluster: string, policy: string, at: number): string {
  const stamp = new Date(at).toISOString().slice(0, 16).replace(/[-:T]/g, '');
  // Snapshot ids: letters, digits and single hyphens, starting with a letter, at most 255 characters.
  const raw = `${cluster}-${policy}-${stamp}`
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-');
  return (/^[a-z]/.test(raw) ? raw : `s-${raw}`).slice(0, 255).replace(/-$/, '');
}

function compileSnapshots(raw: Record<string, unknown>, ctx: CompileContext): CompiledCapability | null {
  const block = raw.snapshots as SnapshotsBlock;
  const zoneName = block.timezone ?? ctx.zoneName;
  const result = compileSchedule(block.schedule, zoneName);
  if (!result.ok) {
    ctx.problems.push({ path: ['snapshots', 'schedule'], message: result.message });
    return null;
  }
  const schedule = result.schedule;
  return {
    key: 'snapshots',
    summary: `snapshots ${block.schedule} ${zoneName}`,
    reconcile: (resource, _override, env): Proposal[] => {
      if (resource.type !== 'cluster') return [];
      const cluster = resource as ClusterResource;
      const key = `snapshots:${env.policy.name}`;
      let due = env.memo.get(key) as number | null | undefined;
      if (due === undefined) {
        due = schedule.lastAtOrBefore(env.now, env.now - CATCH_UP_MS);
        env.memo.set(key, due);
      }
      if (due === null) return [];
      const target: TargetRef = { type: 'cluster', id: cluster.id };
      if (cluster.arn !== null) target.arn = cluster.arn;
      if (cluster.region !== null) target.region = cluster.region;
      const slot = new Date(due).toISOString();
      if (env.ledger.byKey(env.ledger.keyFor(env.policy.name, target, 'CreateClusterSnapshot', slot)) !== undefined)
        return [];
      if (cluster.status === 'paused') {
        return [
          {
            kind: 'skip',
            target,
            reason: `cluster paused at the ${formatUtcMinute(due)} snapshot; a paused cluster takes no snapshots`,
          },
        ];
      }
      if (cluster.status !== 'available') return [{ kind: 'skip', target, reason: `status ${cluster.status}` }];
      const next = schedule.nextAfter(env.now);
      return [
        {
          kind: 'act',
          action: 'CreateClusterSnapshot',
          target,
          params: {
            SnapshotIdentifier: snapshotIdentifier(cluster.id, env.policy.name, due),
            ClusterIdentifier: cluster.id,
          },
          reason: `schedule ${block.schedule} ${zoneName} due ${formatUtcMinute(due)}${next === null ? '' : `; next ${formatUtcMinute(next)}`}`,
          slot,
          at: due,
        },
      ];
    },
  };
}

export const snapshotsCapability: CapabilityRegistration = {
  keys: ['snapshots'],
  name: 'snapshots',
  supported: true,
  resources: ['cluster'],
  schemas: { snapshots: snapshotsSchema },
  compile: compileSnapshots,
};
