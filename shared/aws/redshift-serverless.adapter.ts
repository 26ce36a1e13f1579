import {
  GetWorkgroupCommand,
  ListTagsForResourceCommand,
  paginateListWorkgroups,
  type RedshiftServerlessClient,
  UpdateWorkgroupCommand,
  type UpdateWorkgroupCommandInput,
  type Workgroup,
} from '@aws-sdk/client-redshift-serverless';
import { ConfigurationError } from '../errors.ts';
import type { ActionResult, ResourcePort } from '../execute/ports.ts';
import type { ClusterResource, TargetRef, WorkgroupResource } from '../policy/decision.ts';
import { mapWorkgroups } from './fleet-mapping.ts';

/**
 * Redshift Serverless workgroups. ListWorkgroups carries no tags, so tags are a second call per
 * workgroup (ListTagsForResource); the account quota is 25 workgroups, so this stays small.
 * The mapper is the policy engine's (shared/policy/fleet.ts via fleet-mapping.ts).
 */
export type WorkgroupMapper = (
  items: readonly { workgroup: Workgroup; tags: Record<string, string> }[],
) => WorkgroupResource[];

/** ListWorkgroups allows up to 100 per page. */
export const WORKGROUP_PAGE_SIZE = 100;

export class RedshiftServerlessAdapter implements ResourcePort {
  readonly #client: RedshiftServerlessClient;
  readonly #map: WorkgroupMapper;

  constructor(client: RedshiftServerlessClient, mapWorkgroup: WorkgroupMapper = mapWorkgroups) {
    this.#client = client;
    this.#map = mapWorkgroup;
  }

  async listWorkgroups(): Promise<Workgroup[]> {
    const all: Workgroup[] = [];
    for await (const page of paginateListWorkgroups({ client: this.#client, pageSize: WORKGROUP_PAGE_SIZE }, {})) {
      all.push(...(page.workgroups ?? []));
    }
    return all;
  }

  async tagsOf(arn: string | undefined): Promise<Record<string, string>> {
    if (arn === undefined) return {};
    const out = await this.#client.send(new ListTagsForResourceCommand({ resourceArn: arn }));
    return Object.fromEntries((out.tags ?? []).map((t) => [t.key ?? '', t.value ?? '']));
  }

  async readFleet(): Promise<WorkgroupResource[]> {
    const workgroups = await this.listWorkgroups();
    const items = await Promise.all(
      workgroups.map(async (workgroup) => ({ workgroup, tags: await this.tagsOf(workgroup.workgroupArn) })),
    );
    return this.#map(items);
  }

  async read(target: TargetRef): Promise<WorkgroupResource | null> {
    try {
      const out = await this.#client.send(new GetWorkgroupCommand({ workgroupName: target.id }));
      if (out.workgroup === undefined) return null;
      const tags = await this.tagsOf(out.workgroup.workgroupArn);
      return this.#map([{ workgroup: out.workgroup, tags }])[0] ?? null;
    } catch (error) {
      if ((error as { name?: string }).name === 'ResourceNotFoundException') return null;
      throw error;
    }
  }

  async perform(action: string, params: Record<string, unknown>): Promise<ActionResult> {
    if (action !== 'UpdateWorkgroup')
      throw new ConfigurationError(`RedshiftServerlessAdapter cannot perform ${action}`);
    const out = await this.#client.send(new UpdateWorkgroupCommand(params as unknown as UpdateWorkgroupCommandInput));
    return { afterState: out.workgroup?.status ?? null };
  }

  /** Pause does not exist for Serverless; zero-ETL only matters before a pause. */
  async isZeroEtlTarget(_resource: ClusterResource): Promise<boolean> {
    return false;
  }
}
