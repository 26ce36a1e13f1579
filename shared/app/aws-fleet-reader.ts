import type { RedshiftAdapter } from '../aws/redshift.adapter.ts';
import type { RedshiftServerlessAdapter } from '../aws/redshift-serverless.adapter.ts';
import type { NormalizedEvent } from '../events/normalized-event.ts';
import type { FleetResource } from '../policy/decision.ts';
import type { FleetReader } from './deps.ts';

/**
 * FleetReader over the SDK adapters. The sweep reads everything page by page (snapshots included); an event reads only its
 * resource (one Describe). A zero-ETL integration event needs the integration and its target cluster,
 * which DescribeClusters cannot find by namespace ARN: it takes the whole fleet, cached for a short
 * while per container so a burst of integration events costs one read.
 */
export const FLEET_CACHE_MS = 60_000;

export class AwsFleetReader implements FleetReader {
  readonly #redshift: RedshiftAdapter;
  readonly #serverless: RedshiftServerlessAdapter;
  readonly #now: () => number;
  #cache: { at: number; resources: Promise<FleetResource[]> } | null = null;

  constructor(redshift: RedshiftAdapter, serverless: RedshiftServerlessAdapter, now: () => number = Date.now) {
    this.#redshift = redshift;
    this.#serverless = serverless;
    this.#now = now;
  }

  /**
   * The sweep's fleet: the resources policies act on and autopilot's own snapshots, which retention,
   * retries, the in-progress guard and deadlines decide from. Snapshots are listed page by page and
   * filtered by AWS on the managed-by tag (DescribeClusterSnapshots TagKeys/TagValues), never per
   * cluster; Serverless names that cannot be autopilot's are not even tag-read.
   */
  async readAll(): Promise<FleetResource[]> {
    const [resources, clusterSnapshots, serverlessSnapshots] = await Promise.all([
      this.#readResources(),
      this.#redshift.readSnapshots({ managedOnly: true }),
      this.#serverless.readSnapshots({ managedOnly: true }),
    ]);
    return [...resources, ...clusterSnapshots, ...serverlessSnapshots];
  }

  async #readResources(): Promise<FleetResource[]> {
    const [clusters, integrations, workgroups] = await Promise.all([
      this.#redshift.readFleet(),
      this.#redshift.readIntegrations(),
      this.#serverless.readFleet(),
    ]);
    return [...clusters, ...integrations, ...workgroups];
  }

  async readFor(event: NormalizedEvent): Promise<FleetResource[]> {
    const { type, id } = event.resource;
    switch (type) {
      case 'cluster': {
        const cluster = await this.#redshift.read({ type, id });
        return cluster === null ? [] : [cluster];
      }
      case 'workgroup': {
        const workgroup = await this.#serverless.read({ type, id });
        return workgroup === null ? [] : [workgroup];
      }
      case 'integration':
        return this.#cachedAll();
      default:
        // Snapshots, parameter and security groups, namespaces: nothing a policy acts on directly.
        return [];
    }
  }

  /** Integration reactions need clusters and integrations, not snapshot listings. */
  #cachedAll(): Promise<FleetResource[]> {
    const now = this.#now();
    if (this.#cache === null || now - this.#cache.at > FLEET_CACHE_MS) {
      const resources = this.#readResources();
      this.#cache = { at: now, resources };
      // A failed read must not be served from the cache.
      resources.catch(() => {
        if (this.#cache?.resources === resources) this.#cache = null;
      });
    }
    return this.#cache.resources;
  }
}
