import {
  GetSnapshotCommand,
  GetUsageLimitCommand,
  GetWorkgroupCommand,
  ListTagsForResourceCommand,
  paginateListSnapshots,
  paginateListUsageLimits,
  paginateListWorkgroups,
  type RedshiftServerlessClient,
  type Snapshot,
  type UsageLimit,
  type Workgroup,
} from '@aws-sdk/client-redshift-serverless';
import { isManagedSnapshot } from '../domains/snapshots/snapshot-tags.ts';
import type { ActionResult, ResourcePort } from '../execute/ports.ts';
import type {
  ClusterResource,
  SnapshotResource,
  TargetRef,
  UsageLimitResource,
  WorkgroupResource,
} from '../policy/decision.ts';
import { parseFleet } from '../policy/fleet.ts';
import { mapWorkgroups } from './fleet-mapping.ts';
import { performDeclared } from './perform-declared.ts';
import * as serverlessCommands from './serverless-commands.ts';

/** Serverless snapshots (SDK shape, with their tags) → engine resources, through the engine's parser. */
export function mapServerlessSnapshots(
  items: readonly { snapshot: Snapshot; tags: Record<string, string> }[],
): SnapshotResource[] {
  const json = {
    snapshots: items.map(({ snapshot, tags }) => ({
      ...snapshot,
      tags: Object.entries(tags).map(([key, value]) => ({ key, value })),
    })),
  };
  const { resources } = parseFleet([{ name: 'ListSnapshots', json }], '');
  return resources.filter((r): r is SnapshotResource => r.type === 'snapshot');
}

/**
 * Redshift Serverless workgroups. ListWorkgroups carries no tags, so tags are a second call per
 * workgroup (ListTagsForResource); the account quota is 25 workgroups, so this stays small.
 * The mapper is the policy engine's (shared/policy/fleet.ts via fleet-mapping.ts).
 */
export type WorkgroupMapper = (
  items: readonly { workgroup: Workgroup; tags: Record<string, string> }[],
) => WorkgroupResource[];

/**
 * Every id autopilot creates ends in the slot's `-yyyymmddhhmm` and an optional `-r<n>` (snapshotId() in
 * shared/domains/snapshots/snapshot-id.ts); a name without that ending was not made by autopilot, so the
 * sweep need not read its tags. Ownership itself is still decided by the tag, never by the name.
 */
const AUTOPILOT_ID_ENDING = /-\d{12}(-r\d+)?$/;

export function couldBeAutopilotSnapshot(name: string | undefined): boolean {
  return name !== undefined && AUTOPILOT_ID_ENDING.test(name);
}

/**
 * A Serverless usage limit (ListUsageLimits / GetUsageLimit) in the engine's form: `clusterId` holds the
 * workgroup's name (the limit names its workgroup by ARN, which carries the workgroup's id, not its name:
 * `nameOf` maps it; unknown, the ARN is kept). The API's usage types are kebab-case already
 * (`serverless-compute`); Serverless limits have no LimitType and no tags.
 */
export function mapServerlessUsageLimit(
  limit: UsageLimit,
  nameOf: (arn: string) => string | undefined,
): UsageLimitResource {
  const arn = limit.resourceArn ?? '';
  return {
    id: limit.usageLimitId ?? '',
    clusterId: nameOf(arn) ?? arn,
    feature: limit.usageType ?? '',
    limitType: '',
    amount: limit.amount ?? 0,
    period: limit.period ?? 'monthly',
    breachAction: limit.breachAction ?? 'log',
    tags: {},
  };
}

/** ListWorkgroups allows up to 100 per page. */
export const WORKGROUP_PAGE_SIZE = 100;

export class RedshiftServerlessAdapter implements ResourcePort {
  /**
   * The Redshift Serverless commands the capabilities' action handlers send (`new adapter.commands.X(…)`): they
   * reach the SDK through the adapter, so loading an action declaration loads no SDK client.
   */
  readonly commands = serverlessCommands;
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

  /**
   * Serverless usage limits, 100 per page: of one workgroup (`resourceArn`, whose name is `workgroupName`),
   * or of the account (no ARN: each mapped to its workgroup's name through `nameOf`).
   */
  async readUsageLimits(
    options: { resourceArn?: string; workgroupName?: string; nameOf?: (arn: string) => string | undefined } = {},
  ): Promise<UsageLimitResource[]> {
    const all: UsageLimit[] = [];
    const input = options.resourceArn === undefined ? {} : { resourceArn: options.resourceArn };
    for await (const { usageLimits: page = [] } of paginateListUsageLimits(
      { client: this.#client, pageSize: 100 },
      input,
    )) {
      all.push(...page);
    }
    const nameOf =
      options.nameOf ?? ((arn: string) => (arn === options.resourceArn ? options.workgroupName : undefined));
    return all.map((l) => mapServerlessUsageLimit(l, nameOf));
  }

  /** One Serverless usage limit by id (GetUsageLimit); null when it does not exist. Its `clusterId` is its workgroup's ARN. */
  async readUsageLimit(usageLimitId: string): Promise<UsageLimitResource | null> {
    try {
      const out = await this.#client.send(new GetUsageLimitCommand({ usageLimitId }));
      return out.usageLimit === undefined ? null : mapServerlessUsageLimit(out.usageLimit, () => undefined);
    } catch (error) {
      if ((error as { name?: string }).name === 'ResourceNotFoundException') return null;
      throw error;
    }
  }

  /**
   * The workgroups with their usage limits attached (one account-wide ListUsageLimits listing, never a
   * call per workgroup). Throws what AWS answers; the caller isolates it.
   */
  async withUsageLimits(workgroups: readonly WorkgroupResource[]): Promise<WorkgroupResource[]> {
    const names = new Map(workgroups.flatMap((w) => (w.arn === null ? [] : [[w.arn, w.id] as const])));
    const limits = await this.readUsageLimits({ nameOf: (arn) => names.get(arn) });
    return workgroups.map((w) => ({ ...w, limits: limits.filter((l) => l.clusterId === w.id) }));
  }

  /** Performs a declared action (its handler lives with its capability, shared/domains/<name>/). */
  async perform(action: string, params: Record<string, unknown>): Promise<ActionResult> {
    return performDeclared(action, 'redshift-serverless', params, { serverless: this });
  }

  /** The SDK client, for the action handlers of the capabilities. */
  get client(): RedshiftServerlessClient {
    return this.#client;
  }

  /**
   * ListSnapshots carries no tags and cannot filter by tag: one ListTagsForResource per snapshot.
   * `managedOnly` (the sweep) reads tags only of snapshots whose name can be one autopilot made, and
   * returns only those tagged as autopilot's, so the sweep's calls grow with autopilot's own snapshots
   * (which retention bounds), not with every snapshot in the account.
   */
  async readSnapshots(options: { namespaceName?: string; managedOnly?: boolean } = {}): Promise<SnapshotResource[]> {
    const snapshots: Snapshot[] = [];
    const input = options.namespaceName === undefined ? {} : { namespaceName: options.namespaceName };
    for await (const page of paginateListSnapshots({ client: this.#client, pageSize: WORKGROUP_PAGE_SIZE }, input)) {
      snapshots.push(...(page.snapshots ?? []));
    }
    const managedOnly = options.managedOnly === true;
    const candidates = managedOnly ? snapshots.filter((s) => couldBeAutopilotSnapshot(s.snapshotName)) : snapshots;
    const items = await Promise.all(
      candidates.map(async (snapshot) => ({ snapshot, tags: await this.tagsOf(snapshot.snapshotArn) })),
    );
    const all = mapServerlessSnapshots(items);
    return managedOnly ? all.filter((s) => isManagedSnapshot(s.tags)) : all;
  }

  async readSnapshot(snapshotName: string): Promise<SnapshotResource | null> {
    try {
      const out = await this.#client.send(new GetSnapshotCommand({ snapshotName }));
      if (out.snapshot === undefined) return null;
      const tags = await this.tagsOf(out.snapshot.snapshotArn);
      return mapServerlessSnapshots([{ snapshot: out.snapshot, tags }])[0] ?? null;
    } catch (error) {
      if ((error as { name?: string }).name === 'ResourceNotFoundException') return null;
      throw error;
    }
  }

  /** Pause does not exist for Serverless; zero-ETL only matters before a pause. */
  async isZeroEtlTarget(_resource: ClusterResource): Promise<boolean> {
    return false;
  }
}
