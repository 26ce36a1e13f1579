import {
  type Cluster,
  ClusterNotFoundFault,
  CreateClusterSnapshotCommand,
  type CreateClusterSnapshotCommandInput,
  DeleteClusterSnapshotCommand,
  DescribeClusterSnapshotsCommand,
  type DescribeClusterSnapshotsCommandInput,
  DescribeClustersCommand,
  DescribeInboundIntegrationsCommand,
  EnableSnapshotCopyCommand,
  type EnableSnapshotCopyCommandInput,
  ModifySnapshotCopyRetentionPeriodCommand,
  type ModifySnapshotCopyRetentionPeriodCommandInput,
  PauseClusterCommand,
  type PauseClusterCommandInput,
  paginateDescribeClusterSnapshots,
  paginateDescribeClusters,
  paginateDescribeIntegrations,
  type RedshiftClient,
  ResizeClusterCommand,
  type ResizeClusterCommandInput,
  ResumeClusterCommand,
  type ResumeClusterCommandInput,
  type Snapshot,
} from '@aws-sdk/client-redshift';
import { isManagedSnapshot, MANAGED_BY, SNAPSHOT_TAGS } from '../domains/snapshots/snapshot-tags.ts';
import { ConfigurationError, ResourceStateConflictError } from '../errors.ts';
import type { ActionResult, ResourcePort } from '../execute/ports.ts';
import type { ClusterResource, IntegrationResource, SnapshotResource, TargetRef } from '../policy/decision.ts';
import { parseFleet } from '../policy/fleet.ts';
import { mapClusters, mapIntegrations } from './fleet-mapping.ts';

/** Cluster snapshots (SDK shape) → engine resources, through the policy engine's own parser. */
export function mapClusterSnapshots(snapshots: readonly Snapshot[]): SnapshotResource[] {
  const { resources } = parseFleet([{ name: 'DescribeClusterSnapshots', json: { Snapshots: snapshots } }], '');
  return resources.filter((r): r is SnapshotResource => r.type === 'snapshot');
}

/** A refusal of our own, before any AWS call: classified like an AWS state conflict (skip and report). */
export function snapshotRefusal(operation: string, message: string): ResourceStateConflictError {
  const cause = Object.assign(new Error(message), { name: 'SnapshotNotDeletable' });
  return new ResourceStateConflictError(`${operation}: ${message}`, { cause });
}

/**
 * The checks every snapshot delete passes at execution time, on a fresh read (decide() checked the same
 * on the fleet it was given): autopilot created it (tag), it is available and manual, and it is not
 * the last good snapshot — the newest available one autopilot made, or the only available one at all.
 */
export function deletionRefusal(target: SnapshotResource | null, siblings: readonly SnapshotResource[]): string | null {
  if (target === null) return null; // not found: the delete itself answers with the AWS fault
  if (!isManagedSnapshot(target.tags)) {
    return `${target.id} has no tag ${SNAPSHOT_TAGS.managedBy}=${MANAGED_BY}: autopilot deletes only what it created`;
  }
  if (target.snapshotType !== 'manual') return `${target.id} is ${target.snapshotType}, not manual`;
  if (target.status !== 'available') return `${target.id} is ${target.status}, not available`;
  const good = siblings.filter((s) => s.status === 'available' && s.id !== target.id);
  if (good.length === 0) return `${target.id} is the last available snapshot of ${target.sourceId}`;
  const newestManaged = siblings
    .filter((s) => s.status === 'available' && isManagedSnapshot(s.tags))
    .sort((a, b) => (b.createdAt ?? '').localeCompare(a.createdAt ?? ''))[0];
  if (newestManaged?.id === target.id) return `${target.id} is the newest available snapshot autopilot made`;
  return null;
}

/**
 * Provisioned Redshift: the paginated fleet read for the reconcile sweep, the single re-read and the
 * state-changing calls for the executor. Turning SDK `Cluster`s into `ClusterResource`s is the
 * policy engine's job (shared/policy/fleet.ts, via fleet-mapping.ts); tests may inject another.
 */
export type ClusterMapper = (raw: readonly Cluster[]) => ClusterResource[];

/** DescribeClusters accepts 20–100; 100 keeps the sweep at one call per 100 clusters. */
export const FLEET_PAGE_SIZE = 100;

/** Integration statuses that no longer write into the target. */
const INACTIVE_INTEGRATION = ['deleting', 'failed'];

export class RedshiftAdapter implements ResourcePort {
  readonly #client: RedshiftClient;
  readonly #map: ClusterMapper;

  constructor(client: RedshiftClient, mapCluster: ClusterMapper = mapClusters) {
    this.#client = client;
    this.#map = mapCluster;
  }

  /** One DescribeClusters call for one cluster; null when it does not exist. Tags are included in the response. */
  async describeCluster(clusterIdentifier: string): Promise<Cluster | null> {
    try {
      const out = await this.#client.send(new DescribeClustersCommand({ ClusterIdentifier: clusterIdentifier }));
      return out.Clusters?.find((c) => c.ClusterIdentifier === clusterIdentifier) ?? null;
    } catch (error) {
      if (error instanceof ClusterNotFoundFault || (error as { name?: string }).name === 'ClusterNotFoundFault') {
        return null;
      }
      throw error;
    }
  }

  async read(target: TargetRef): Promise<ClusterResource | null> {
    const raw = await this.describeCluster(target.id);
    return raw === null ? null : (this.#map([raw])[0] ?? null);
  }

  /** The fleet, one DescribeClusters call per page of 100, tags inside each cluster: no per-cluster reads. */
  async *fleetPages(): AsyncGenerator<ClusterResource[]> {
    for await (const page of paginateDescribeClusters({ client: this.#client, pageSize: FLEET_PAGE_SIZE }, {})) {
      yield this.#map(page.Clusters ?? []);
    }
  }

  async readFleet(): Promise<ClusterResource[]> {
    const all: ClusterResource[] = [];
    for await (const page of this.fleetPages()) all.push(...page);
    return all;
  }

  /** Zero-ETL integrations, paginated, so decide() knows which clusters are targets. */
  async readIntegrations(): Promise<IntegrationResource[]> {
    const all: IntegrationResource[] = [];
    for await (const page of paginateDescribeIntegrations({ client: this.#client, pageSize: FLEET_PAGE_SIZE }, {})) {
      all.push(...mapIntegrations(page.Integrations ?? []));
    }
    return all;
  }

  async perform(action: string, params: Record<string, unknown>): Promise<ActionResult> {
    switch (action) {
      case 'PauseCluster': {
        const out = await this.#client.send(new PauseClusterCommand(params as unknown as PauseClusterCommandInput));
        return { afterState: out.Cluster?.ClusterStatus ?? null };
      }
      case 'ResumeCluster': {
        const out = await this.#client.send(new ResumeClusterCommand(params as unknown as ResumeClusterCommandInput));
        return { afterState: out.Cluster?.ClusterStatus ?? null };
      }
      case 'ResizeCluster': {
        const out = await this.#client.send(new ResizeClusterCommand(params as unknown as ResizeClusterCommandInput));
        return { afterState: out.Cluster?.ClusterStatus ?? null };
      }
      case 'CreateClusterSnapshot': {
        const out = await this.#client.send(
          new CreateClusterSnapshotCommand(params as unknown as CreateClusterSnapshotCommandInput),
        );
        const id = out.Snapshot?.SnapshotIdentifier;
        return { afterState: out.Snapshot?.Status ?? null, ...(id === undefined ? {} : { createdId: id }) };
      }
      case 'DeleteClusterSnapshot':
        return this.#deleteSnapshot(params);
      case 'EnableSnapshotCopy':
        return this.#enableSnapshotCopy(params as unknown as EnableSnapshotCopyCommandInput);
      case 'ModifySnapshotCopyRetentionPeriod': {
        const out = await this.#client.send(
          new ModifySnapshotCopyRetentionPeriodCommand(
            params as unknown as ModifySnapshotCopyRetentionPeriodCommandInput,
          ),
        );
        return { afterState: out.Cluster?.ClusterStatus ?? null };
      }
      default:
        throw new ConfigurationError(`RedshiftAdapter cannot perform ${action}`);
    }
  }

  /**
   * Snapshots for the fleet, one DescribeClusterSnapshots call per page of 100. `managedOnly` (the
   * sweep) asks AWS for autopilot's tag only; plan and tests may read everything.
   */
  async readSnapshots(
    options: { clusterIdentifier?: string; managedOnly?: boolean } = {},
  ): Promise<SnapshotResource[]> {
    const input: DescribeClusterSnapshotsCommandInput = {};
    if (options.clusterIdentifier !== undefined) input.ClusterIdentifier = options.clusterIdentifier;
    if (options.managedOnly === true) {
      input.TagKeys = [SNAPSHOT_TAGS.managedBy];
      input.TagValues = [MANAGED_BY];
    }
    const all: SnapshotResource[] = [];
    for await (const page of paginateDescribeClusterSnapshots(
      { client: this.#client, pageSize: FLEET_PAGE_SIZE },
      input,
    )) {
      all.push(...mapClusterSnapshots(page.Snapshots ?? []));
    }
    return options.managedOnly === true ? all.filter((s) => isManagedSnapshot(s.tags)) : all;
  }

  /** One snapshot by id (the sweep polls in-progress ones); null when it does not exist. */
  async readSnapshot(snapshotIdentifier: string): Promise<SnapshotResource | null> {
    try {
      const out = await this.#client.send(
        new DescribeClusterSnapshotsCommand({ SnapshotIdentifier: snapshotIdentifier }),
      );
      return mapClusterSnapshots(out.Snapshots ?? []).find((s) => s.id === snapshotIdentifier) ?? null;
    } catch (error) {
      if ((error as { name?: string }).name === 'ClusterSnapshotNotFoundFault') return null;
      throw error;
    }
  }

  async #deleteSnapshot(params: Record<string, unknown>): Promise<ActionResult> {
    const id = String(params.SnapshotIdentifier ?? '');
    const cluster = String(params.SnapshotClusterIdentifier ?? '');
    const target = await this.readSnapshot(id);
    const siblings = target === null ? [] : await this.readSnapshots({ clusterIdentifier: cluster });
    if (target !== null && target.sourceId !== cluster) {
      throw snapshotRefusal('DeleteClusterSnapshot', `${id} belongs to ${target.sourceId}, not ${cluster}`);
    }
    const refusal = deletionRefusal(target, siblings);
    if (refusal !== null) throw snapshotRefusal('DeleteClusterSnapshot', refusal);
    const out = await this.#client.send(
      new DeleteClusterSnapshotCommand({ SnapshotIdentifier: id, SnapshotClusterIdentifier: cluster }),
    );
    return { afterState: out.Snapshot?.Status ?? 'deleted' };
  }

  /** Enable, or — when copy to that Region is already on — bring both retention periods to the wanted values. */
  async #enableSnapshotCopy(input: EnableSnapshotCopyCommandInput): Promise<ActionResult> {
    try {
      const out = await this.#client.send(new EnableSnapshotCopyCommand(input));
      return { afterState: out.Cluster?.ClusterStatus ?? null };
    } catch (error) {
      if ((error as { name?: string }).name !== 'SnapshotCopyAlreadyEnabledFault') throw error;
      const cluster = await this.describeCluster(input.ClusterIdentifier ?? '');
      const current = cluster?.ClusterSnapshotCopyStatus?.DestinationRegion;
      if (current !== input.DestinationRegion) {
        throw new ResourceStateConflictError(
          `EnableSnapshotCopy: copy already goes to ${current ?? '?'}, not ${input.DestinationRegion}`,
          { cause: error },
        );
      }
      if (input.ManualSnapshotRetentionPeriod !== undefined) {
        await this.#client.send(
          new ModifySnapshotCopyRetentionPeriodCommand({
            ClusterIdentifier: input.ClusterIdentifier,
            RetentionPeriod: input.ManualSnapshotRetentionPeriod,
            Manual: true,
          }),
        );
      }
      const out = await this.#client.send(
        new ModifySnapshotCopyRetentionPeriodCommand({
          ClusterIdentifier: input.ClusterIdentifier,
          RetentionPeriod: input.RetentionPeriod ?? 7,
        }),
      );
      return { afterState: out.Cluster?.ClusterStatus ?? null };
    }
  }

  /**
   * Integrations write into a cluster's namespace; DescribeInboundIntegrations filtered by that
   * namespace ARN answers in one call. A cluster without a namespace ARN cannot be a target.
   */
  async isZeroEtlTarget(resource: ClusterResource): Promise<boolean> {
    if (resource.namespaceArn === null) return false;
    const out = await this.#client.send(new DescribeInboundIntegrationsCommand({ TargetArn: resource.namespaceArn }));
    return (out.InboundIntegrations ?? []).some((i) => !INACTIVE_INTEGRATION.includes(i.Status ?? ''));
  }
}
