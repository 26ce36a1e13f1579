import type { Consumed, UsageReader } from '../aws/cloudwatch-usage.ts';
import { withLimits } from '../aws/fleet-mapping.ts';
import type { RedshiftAdapter } from '../aws/redshift.adapter.ts';
import type { RedshiftServerlessAdapter } from '../aws/redshift-serverless.adapter.ts';
import { LIMIT_TAGS, MANAGED_BY } from '../domains/usage-limits/usage-limit-tags.ts';
import { TransientAwsError } from '../errors.ts';
import type { NormalizedEvent } from '../events/normalized-event.ts';
import { classifyAwsError } from '../execute/classify-error.ts';
import type { ClusterResource, FleetResource, UnreadPart, UsageLimitResource } from '../policy/decision.ts';
import type { FleetRead, FleetReader } from './deps.ts';

/**
 * FleetReader over the SDK adapters. The sweep reads everything page by page (snapshots included); an event reads only its
 * resource (one Describe). A zero-ETL integration event needs the integration and its target cluster,
 * which DescribeClusters cannot find by namespace ARN: it takes the whole fleet, cached for a short
 * while per container so a burst of integration events costs one read.
 *
 * The sweep isolates the readers the provisioned fleet does not need: when the zero-ETL integrations
 * or Redshift Serverless cannot be read (an emulator without the API, a Region without Serverless,
 * AccessDenied), the read returns the rest with the failed part in `unread`, and decide() skips what
 * depends on it. Clusters and their snapshots are the fleet itself: their failure fails the sweep.
 */
export const FLEET_CACHE_MS = 60_000;

/** The readers the sweep may lose one at a time, with what each would have read. */
export const ISOLATED_READERS = {
  integrations: {
    reader: 'zero-ETL integrations',
    operations: ['redshift:DescribeIntegrations'],
    types: ['integration'],
    impact:
      'which clusters are zero-ETL targets is unknown, so no cluster is paused unless its policy sets pauseZeroEtlTargets: true; resumes, snapshots and Serverless are decided as usual',
  },
  serverless: {
    reader: 'Redshift Serverless',
    operations: [
      'redshift-serverless:ListWorkgroups',
      'redshift-serverless:ListTagsForResource',
      'redshift-serverless:ListSnapshots',
    ],
    types: ['workgroup', 'namespace', 'snapshot'],
    impact:
      'policies of workgroups decide nothing and snapshot tracking (deadline checks, in-progress polls) waits; provisioned clusters are decided as usual',
  },
  limits: {
    reader: 'usage limits',
    operations: ['redshift:DescribeUsageLimits'],
    types: ['usage-limit'],
    impact:
      'usage-limit policies decide nothing for clusters this sweep (no limit is created, modified or deleted); everything else is decided as usual',
  },
  usage: {
    reader: 'usage-limit consumption',
    operations: ['cloudwatch:GetMetricData'],
    types: [],
    impact:
      'usage-limit escalation decides no grade this sweep (no usage alert, disable or pause; nothing undone early); limits are kept in place and everything else is decided as usual',
  },
} as const satisfies Record<string, Omit<UnreadPart, 'reason' | 'transient'>>;

type Isolated = keyof typeof ISOLATED_READERS;

/**
 * The usage read's interval: every third 5-minute sweep (the sweeps of the 5-minute buckets 0, 3, 6, …
 * since the epoch, i.e. at :00, :15, :30 and :45 UTC). GetMetricData bills each metric requested, so
 * reading every sweep would triple the cost (docs/policy-language.md, usage limits: cost).
 */
export const USAGE_READ_EVERY_MS = 15 * 60_000;
const SWEEP_BUCKET_MS = 5 * 60_000;

export function usageReadDue(nowMs: number): boolean {
  return Math.floor(nowMs / SWEEP_BUCKET_MS) % (USAGE_READ_EVERY_MS / SWEEP_BUCKET_MS) === 0;
}

/** Autopilot's own limits: the ones whose consumption escalation compares (a person's limits are never read). */
function managedLimits(limits: readonly UsageLimitResource[]): UsageLimitResource[] {
  return limits.filter((l) => l.tags[LIMIT_TAGS.managedBy] === MANAGED_BY);
}

/** The clusters with their limits' consumption and the read's time (new objects). */
function withUsage(clusters: readonly FleetResource[], consumed: Map<string, Consumed>, at: string): FleetResource[] {
  return clusters.map((c) => {
    if (c.type !== 'cluster' || c.limits === undefined) return c;
    const limits = c.limits.map((l) => (consumed.has(l.id) ? { ...l, consumed: consumed.get(l.id) ?? null } : l));
    return { ...c, limits, usageReadAt: at } satisfies ClusterResource;
  });
}

export class AwsFleetReader implements FleetReader {
  readonly #redshift: RedshiftAdapter;
  readonly #serverless: RedshiftServerlessAdapter;
  readonly #now: () => number;
  readonly #readLimits: boolean;
  readonly #usage: UsageReader | null;
  #cache: { at: number; resources: Promise<FleetResource[]> } | null = null;

  /**
   * `options.limits`: read the clusters' usage limits in the sweep (one account-wide DescribeUsageLimits
   * listing). Off unless asked: a deployment whose policies keep no limits needs neither the call nor
   * its permission, and an emulator without the API (moto) would report the reader failing every sweep.
   * `options.usage`: read autopilot's limits' consumption with the limits, every USAGE_READ_EVERY_MS.
   */
  constructor(
    redshift: RedshiftAdapter,
    serverless: RedshiftServerlessAdapter,
    now: () => number = Date.now,
    options: { limits?: boolean; usage?: UsageReader | null } = {},
  ) {
    this.#redshift = redshift;
    this.#serverless = serverless;
    this.#now = now;
    this.#readLimits = options.limits === true;
    this.#usage = options.usage ?? null;
  }

  /**
   * The sweep's fleet: the resources policies act on and autopilot's own snapshots, which retention,
   * retries, the in-progress guard and deadlines decide from. Snapshots are listed page by page and
   * filtered by AWS on the managed-by tag (DescribeClusterSnapshots TagKeys/TagValues), never per
   * cluster; Serverless names that cannot be autopilot's are not even tag-read. Serverless workgroups
   * and snapshots are one part: snapshot decisions for a workgroup need both.
   */
  async readAll(): Promise<FleetRead> {
    const unread: UnreadPart[] = [];
    const [bare, limits, clusterSnapshots, integrations, serverless] = await Promise.all([
      this.#redshift.readFleet(),
      this.#readLimits ? this.#isolatedOrNull('limits', () => this.#redshift.readUsageLimits(), unread) : null,
      this.#redshift.readSnapshots({ managedOnly: true }),
      this.#isolated('integrations', () => this.#redshift.readIntegrations(), unread),
      this.#isolated(
        'serverless',
        async () => {
          const [workgroups, snapshots] = await Promise.all([
            this.#serverless.readFleet(),
            this.#serverless.readSnapshots({ managedOnly: true }),
          ]);
          return [...workgroups, ...snapshots];
        },
        unread,
      ),
    ]);
    // Every cluster carries its usage limits (one account-wide read); unread, they stay absent and decide() skips.
    const limited = limits === null ? bare : withLimits(bare, limits);
    const clusters = limits === null ? limited : await this.#withUsage(limited, limits, unread);
    const workgroups = serverless.filter((r) => r.type !== 'snapshot');
    const serverlessSnapshots = serverless.filter((r) => r.type === 'snapshot');
    unread.sort((a, b) => (a.reader < b.reader ? -1 : a.reader > b.reader ? 1 : 0));
    return {
      resources: [...clusters, ...integrations, ...workgroups, ...clusterSnapshots, ...serverlessSnapshots],
      unread,
    };
  }

  /** The consumption of autopilot's limits when a usage reader is given and the read is due (isolated). */
  async #withUsage(
    clusters: FleetResource[],
    limits: readonly UsageLimitResource[],
    unread: UnreadPart[],
  ): Promise<FleetResource[]> {
    const nowMs = this.#now();
    const reader = this.#usage;
    if (reader === null || !usageReadDue(nowMs)) return clusters;
    const at = new Date(nowMs);
    const consumed = await this.#isolatedOrNull('usage', () => reader.readConsumed(managedLimits(limits), at), unread);
    return consumed === null ? clusters : withUsage(clusters, consumed, at.toISOString());
  }

  /** One isolated reader: its resources, or none and its failure, classified, in `unread`. */
  async #isolated<T extends FleetResource>(
    name: Isolated,
    read: () => Promise<T[]>,
    unread: UnreadPart[],
  ): Promise<T[]> {
    return (await this.#isolatedOrNull(name, read, unread)) ?? [];
  }

  /** An isolated reader of something other than resources: its value, or null and its failure in `unread`. */
  async #isolatedOrNull<T>(name: Isolated, read: () => Promise<T>, unread: UnreadPart[]): Promise<T | null> {
    const part = ISOLATED_READERS[name];
    try {
      return await read();
    } catch (error) {
      const classified = classifyAwsError(error, part.operations.join(' / '));
      unread.push({ ...part, reason: classified.message, transient: classified instanceof TransientAwsError });
      return null;
    }
  }

  /** An integration event's slice: its integration and the clusters (a Serverless failure only loses workgroups). */
  async #readResources(): Promise<FleetResource[]> {
    const [clusters, integrations, workgroups] = await Promise.all([
      this.#redshift.readFleet(),
      this.#redshift.readIntegrations(),
      this.#isolated('serverless', () => this.#serverless.readFleet(), []),
    ]);
    return [...clusters, ...integrations, ...workgroups];
  }

  async readFor(event: NormalizedEvent): Promise<FleetResource[]> {
    const { type, id } = event.resource;
    switch (type) {
      case 'cluster': {
        const cluster = await this.#redshift.read({ type, id });
        if (cluster === null) return [];
        if (!this.#readLimits) return [cluster];
        // The cluster's own limits (one DescribeUsageLimits by identifier); unread, they stay absent.
        const limits = await this.#isolatedOrNull(
          'limits',
          () => this.#redshift.readUsageLimits({ clusterIdentifier: id }),
          [],
        );
        return limits === null ? [cluster] : withLimits([cluster], limits);
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

/** One (account, Region) of a hub and its reader (an AwsFleetReader over that target's clients). */
export interface TargetReader {
  location: { account: string; region: string };
  reader: FleetReader;
}

/** The unread part of a target the sweep could not read at all (its role, its token, its endpoint). */
export function targetPart(location: { account: string; region: string }): Omit<UnreadPart, 'reason' | 'transient'> {
  return {
    reader: `account ${location.account} in ${location.region}`,
    operations: ['sts:AssumeRole', 'redshift:DescribeClusters'],
    // The location's snapshots are missing too: the trackers wait (they would take them for gone).
    types: ['snapshot'],
    impact: `nothing in account ${location.account}, Region ${location.region} is decided or acted on this sweep; every other account and Region is read and decided as usual`,
  };
}

/** The reader names one target's failures may carry (its own and its isolated readers'), for recovery alerts. */
export function targetReaderNames(location: { account: string; region: string }): string[] {
  return [
    targetPart(location).reader,
    ...Object.values(ISOLATED_READERS).map((r) => `${r.reader} in ${location.account}/${location.region}`),
  ];
}

const sameResource = (r: FleetResource) =>
  r.type === 'snapshot' ? `snapshot:${r.service}:${r.id}` : `${r.type}:${r.id}`;

/**
 * The hub's sweep: every (account, Region) read by its own reader, `concurrency` at a time. A target that
 * cannot be read (AccessDenied on AssumeRole, a missing role, an expired token after the refresh) is one
 * unread part of its own and stops nothing else; an isolated reader failing inside a target is that
 * target's part (`Redshift Serverless in 111111111111/eu-west-1`), never a fleet-wide one: a Region without
 * Serverless does not stop the workgroups of the others. Each resource carries its account and Region.
 *
 * One name in two targets is read in both: decisions about a target other than the hub's own carry its
 * account and Region in their keys (shared/policy/key-scope.ts), and the engine finds such a resource by
 * ARN. A snapshot name in two targets is still withheld and reported once (docs/multi-account.md).
 */
export class FanOutFleetReader implements FleetReader {
  readonly #targets: readonly TargetReader[];
  readonly #concurrency: number;

  constructor(targets: readonly TargetReader[], concurrency: number) {
    this.#targets = targets;
    this.#concurrency = Math.max(1, concurrency);
  }

  async readAll(): Promise<FleetRead> {
    const reads = await inPool(this.#targets, this.#concurrency, (t) => this.#readOne(t));
    const unread = reads.flatMap((r) => r.unread);
    const byName = new Map<string, { location: string; resource: FleetResource }[]>();
    for (const read of reads)
      for (const resource of read.resources) {
        const name = sameResource(resource);
        byName.set(name, [...(byName.get(name) ?? []), { location: read.location, resource }]);
      }
    const resources: FleetResource[] = [];
    for (const [name, found] of byName) {
      // One name in two targets is decided in each (its keys carry the location, shared/policy/key-scope.ts);
      // snapshots are still withheld: the trackers know a snapshot by its name.
      if (found.length === 1 || found[0]?.resource.type !== 'snapshot') resources.push(...found.map((f) => f.resource));
      else
        unread.push(
          duplicatePart(
            name,
            found.map((f) => f.location),
          ),
        );
    }
    const checked = knownZeroEtl(reads, resources);
    const all = unread.map((p) => (p.types.includes('integration') ? { ...p, checked } : p));
    all.sort((a, b) => (a.reader < b.reader ? -1 : a.reader > b.reader ? 1 : 0));
    return { resources, unread: all };
  }

  /** Every reader name this hub's failures may carry: the outage records a recovery closes. */
  readerNames(): string[] {
    return this.#targets.flatMap((t) => targetReaderNames(t.location));
  }

  async #readOne(target: TargetReader): Promise<LocatedRead> {
    const { account, region } = target.location;
    const location = `${account}/${region}`;
    try {
      const read = await target.reader.readAll();
      return {
        location,
        resources: read.resources.map((r) => located(r, account, region)),
        unread: read.unread.map((p) => ({
          ...p,
          reader: `${p.reader} in ${location}`,
          // Per target, an unread part holds back only the trackers (snapshots) and the zero-ETL checks (merged below).
          types: p.types.filter((t) => t === 'snapshot' || t === 'integration'),
        })),
        integrationsRead: !read.unread.some((p) => p.types.includes('integration')),
      };
    } catch (error) {
      const classified = classifyAwsError(error, 'sts:AssumeRole / redshift:DescribeClusters');
      const part = targetPart(target.location);
      const transient = classified instanceof TransientAwsError;
      return {
        location,
        resources: [],
        unread: [{ ...part, reason: classified.message, transient }],
        integrationsRead: true,
      };
    }
  }

  /** An event's slice, read in the event's account and Region (the first target when the event names none). */
  async readFor(event: NormalizedEvent): Promise<FleetResource[]> {
    const target =
      this.#targets.find((t) => t.location.account === event.account && t.location.region === event.region) ??
      (event.account === null && event.region === null ? this.#targets[0] : undefined);
    if (target === undefined) return [];
    const resources = await target.reader.readFor(event);
    return resources.map((r) => located(r, target.location.account, target.location.region));
  }
}

interface LocatedRead extends FleetRead {
  location: string;
  integrationsRead: boolean;
}

function located(r: FleetResource, account: string, region: string): FleetResource {
  if (r.account !== null && r.region !== null) return r;
  const at = { ...r, account: r.account ?? account, region: r.region ?? region };
  // A cluster read without its namespace ARN gets the ARN of where it was read (as parseFleet builds it):
  // decisions carry target.arn, and the executor routes by it — without one it would act in the hub.
  return at.type === 'cluster' && at.arn === null
    ? { ...at, arn: `arn:aws:redshift:${at.region}:${at.account}:cluster:${at.id}` }
    : at;
}

function duplicatePart(name: string, locations: string[]): UnreadPart {
  const [type, ...rest] = name.split(':');
  const id = rest.at(-1) ?? name;
  return {
    reader: `${type} ${id} in ${locations.length} targets`,
    operations: [],
    types: [],
    impact: `${type} ${id} exists in ${locations.join(', ')}: the snapshot trackers know a snapshot by its name, so none of them is tracked until the names differ`,
    reason: `the same ${type} name in ${locations.join(' and ')}`,
    transient: false,
  };
}

/**
 * Zero-ETL status across targets: where a target could not read its integrations, its clusters are
 * unknown (and not paused); every cluster of a target that read them is known. decide() reads this as
 * the integration part's `checked` (as it reads checkOneByOne's answers), so one target's failure never
 * holds back the pauses of the others.
 */
function knownZeroEtl(reads: readonly LocatedRead[], resources: readonly FleetResource[]): Record<string, boolean> {
  const known = new Set(reads.filter((r) => r.integrationsRead).map((r) => r.location));
  const targets = new Set(resources.flatMap((r) => (r.type === 'integration' ? [r.targetArn] : [])));
  const checked: Record<string, boolean> = {};
  // A name in two targets is keyed with its location (`cluster/<id>@<account>/<region>`, decide.ts reads it first).
  const names = new Map<string, number>();
  for (const r of resources) if (r.type === 'cluster') names.set(r.id, (names.get(r.id) ?? 0) + 1);
  for (const r of resources) {
    if (r.type !== 'cluster' || !known.has(`${r.account}/${r.region}`)) continue;
    const key = (names.get(r.id) ?? 0) > 1 ? `cluster/${r.id}@${r.account}/${r.region}` : `cluster/${r.id}`;
    checked[key] = r.namespaceArn !== null && targets.has(r.namespaceArn);
  }
  return checked;
}

/** `work` over `items`, at most `limit` at a time, results in the items' order. */
export async function inPool<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
