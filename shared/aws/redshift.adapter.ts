import {
  type Cluster,
  ClusterNotFoundFault,
  CreateClusterSnapshotCommand,
  type CreateClusterSnapshotCommandInput,
  DescribeClustersCommand,
  DescribeInboundIntegrationsCommand,
  PauseClusterCommand,
  type PauseClusterCommandInput,
  paginateDescribeClusters,
  paginateDescribeIntegrations,
  type RedshiftClient,
  ResizeClusterCommand,
  type ResizeClusterCommandInput,
  ResumeClusterCommand,
  type ResumeClusterCommandInput,
} from '@aws-sdk/client-redshift';
import { ConfigurationError } from '../errors.ts';
import type { ActionResult, ResourcePort } from '../execute/ports.ts';
import type { ClusterResource, IntegrationResource, TargetRef } from '../policy/decision.ts';
import { mapClusters, mapIntegrations } from './fleet-mapping.ts';

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
      default:
        throw new ConfigurationError(`RedshiftAdapter cannot perform ${action}`);
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
