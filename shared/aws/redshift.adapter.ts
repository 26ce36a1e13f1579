import {
  type Cluster,
  ClusterNotFoundFault,
  DescribeClusterSnapshotsCommand,
  type DescribeClusterSnapshotsCommandInput,
  DescribeClustersCommand,
  DescribeInboundIntegrationsCommand,
  paginateDescribeClusterSnapshots,
  paginateDescribeClusters,
  paginateDescribeIntegrations,
  paginateDescribeUsageLimits,
  type RedshiftClient,
  type Snapshot,
} from '@aws-sdk/client-redshift';
import { isManagedSnapshot, MANAGED_BY, SNAPSHOT_TAGS } from '../domains/snapshots/snapshot-tags.ts';
import { INACTIVE_INTEGRATION } from '../execute/observed.ts';
import type { ActionResult, ResourcePort } from '../execute/ports.ts';
import type {
  ClusterResource,
  IntegrationResource,
  SnapshotResource,
  TargetRef,
  UsageLimitResource,
} from '../policy/decision.ts';
import { parseFleet } from '../policy/fleet.ts';
import { mapClusters, mapIntegrations, mapUsageLimits } from './fleet-mapping.ts';
import { performDeclared } from './perform-declared.ts';
import * as redshiftCommands from './redshift-commands.ts';

/** Cluster snapshots (SDK shape) → engine resources, through the policy engine's own parser. */
export function mapClusterSnapshots(snapshots: readonly Snapshot[]): SnapshotResource[] {
  const { resources } = parseFleet([{ name: 'DescribeClusterSnapshots', json: { Snapshots: snapshots } }], '');
  return resources.filter((r): r is SnapshotResource => r.type === 'snapshot');
}

export { deletionRefusal, snapshotRefusal } from '../domains/snapshots/snapshot-deletion.ts';

/**
 * Provisioned Redshift: the paginated fleet read for the reconcile sweep, the single re-read and the
 * state-changing calls for the executor. Turning SDK `Cluster`s into `ClusterResource`s is the
 * policy engine's job (shared/policy/fleet.ts, via fleet-mapping.ts); tests may inject another.
 */
export type ClusterMapper = (raw: readonly Cluster[]) => ClusterResource[];

/** DescribeClusters accepts 20–100; 100 keeps the sweep at one call per 100 clusters. */
export const FLEET_PAGE_SIZE = 100;

/** Integration statuses that no longer write into the target. */

export class RedshiftAdapter implements ResourcePort {
  /**
   * The Redshift commands the capabilities' action handlers send (`new adapter.commands.X(…)`): they
   * reach the SDK through the adapter, so loading an action declaration loads no SDK client.
   */
  readonly commands = redshiftCommands;
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

  /**
   * Usage limits, one DescribeUsageLimits call per page of 100: without a cluster identifier AWS returns
   * every limit of the account in the Region (API reference), so the sweep never reads per cluster.
   */
  async readUsageLimits(options: { clusterIdentifier?: string } = {}): Promise<UsageLimitResource[]> {
    const input = options.clusterIdentifier === undefined ? {} : { ClusterIdentifier: options.clusterIdentifier };
    const all: UsageLimitResource[] = [];
    for await (const page of paginateDescribeUsageLimits({ client: this.#client, pageSize: FLEET_PAGE_SIZE }, input)) {
      all.push(...mapUsageLimits(page.UsageLimits ?? []));
    }
    return all;
  }

  /** One usage limit by id; null when it does not exist (UsageLimitNotFoundFault). */
  async readUsageLimit(usageLimitId: string): Promise<UsageLimitResource | null> {
    try {
      for await (const page of paginateDescribeUsageLimits({ client: this.#client }, { UsageLimitId: usageLimitId })) {
        const found = mapUsageLimits(page.UsageLimits ?? []).find((l) => l.id === usageLimitId);
        if (found !== undefined) return found;
      }
      return null;
    } catch (error) {
      if ((error as { name?: string }).name === 'UsageLimitNotFoundFault') return null;
      throw error;
    }
  }

  /** Performs a declared action (its handler lives with its capability, shared/domains/<name>/). */
  async perform(action: string, params: Record<string, unknown>): Promise<ActionResult> {
    return performDeclared(action, 'redshift', params, { redshift: this });
  }

  /** The SDK client, for the action handlers of the capabilities. */
  get client(): RedshiftClient {
    return this.#client;
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
