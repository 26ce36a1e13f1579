import type { Cluster, ClusterNode, Snapshot, Tag } from '@aws-sdk/client-redshift';
import { multiAzProblems } from './multi-az-rules.ts';
import type { Prng } from './prng.ts';

/**
 * The cluster status table (shared/execute/cluster-statuses.json, from the Management Guide) plus the
 * statuses the API shows outside it (`pausing`, `resuming`, `relocating`), each with the
 * `ClusterAvailabilityStatus` the API reports next to it.
 *
 * Recorded (test/fixtures/api): available → Available, pausing → Modifying, paused → Paused,
 * resuming → Modifying. The rest follows the API reference's definitions of the availability values
 * (Available; Unavailable = not available for queries; Maintenance; Modifying = intermittently
 * available because the cluster is being changed; Failed): statuses that start with "available"
 * keep serving reads and writes, so they report Available.
 */
export const CLUSTER_AVAILABILITY = {
  available: 'Available',
  'available, prep-for-resize': 'Available',
  'available, resize-cleanup': 'Available',
  'cancelling-resize': 'Unavailable',
  creating: 'Unavailable',
  deleting: 'Unavailable',
  'final-snapshot': 'Unavailable',
  'hardware-failure': 'Failed',
  'incompatible-hsm': 'Failed',
  'incompatible-network': 'Failed',
  'incompatible-parameters': 'Failed',
  'incompatible-restore': 'Failed',
  modifying: 'Modifying',
  paused: 'Paused',
  pausing: 'Modifying',
  rebooting: 'Unavailable',
  relocating: 'Unavailable',
  renaming: 'Unavailable',
  resizing: 'Modifying',
  resuming: 'Modifying',
  'rotating-keys': 'Modifying',
  'storage-full': 'Available',
  'updating-hsm': 'Modifying',
} as const;

export type ClusterStatus = keyof typeof CLUSTER_AVAILABILITY;

export function availabilityOf(status: string): string {
  return (CLUSTER_AVAILABILITY as Record<string, string>)[status] ?? 'Unavailable';
}

/**
 * Elastic resize limits per node type (facts.md §3, guide L3449–3466): how far the node count may
 * grow or shrink in one elastic resize. Unknown node types get the conservative DC2 limits.
 */
export const ELASTIC_RESIZE_LIMITS: Record<string, { grow: number; shrink: number }> = {
  'ra3.16xlarge': { grow: 4, shrink: 4 },
  'ra3.4xlarge': { grow: 4, shrink: 4 },
  'ra3.xlplus': { grow: 2, shrink: 4 },
  'ra3.large': { grow: 2, shrink: 4 },
  'dc2.8xlarge': { grow: 2, shrink: 2 },
  'dc2.large': { grow: 2, shrink: 2 },
};

/**
 * Node counts per cluster by node type (facts.md §3, guide L2847–2871): `create` is the range a
 * cluster can be created with (and a classic resize can reach), `elastic` the most nodes an elastic
 * resize can reach (ra3.xlplus up to 32, L2861; ra3.4xlarge up to 64, L2863); both within the quota of
 * 128 RA3 / DC2 nodes per cluster (L27975, L27977). ra3.large is not in the guide's table: it gets
 * the ra3.xlplus ranges.
 */
export const NODE_COUNT_LIMITS: Record<string, { create: readonly [number, number]; elastic: number }> = {
  'ra3.16xlarge': { create: [2, 128], elastic: 128 },
  'ra3.4xlarge': { create: [2, 32], elastic: 64 },
  'ra3.xlplus': { create: [1, 16], elastic: 32 },
  'ra3.large': { create: [1, 16], elastic: 32 },
  'dc2.8xlarge': { create: [2, 128], elastic: 128 },
  'dc2.large': { create: [1, 32], elastic: 32 },
};

export function nodeCountLimits(nodeType: string): { create: readonly [number, number]; elastic: number } {
  return NODE_COUNT_LIMITS[nodeType] ?? { create: [1, 32], elastic: 32 };
}

/** Managed storage / local disk per node, for TotalStorageCapacityInMegaBytes and default data sizes. */
const STORAGE_MB_PER_NODE: Record<string, number> = {
  'dc2.large': 160 * 1024,
  'dc2.8xlarge': 2560 * 1024,
  'ra3.large': 1024 * 1024 * 8,
  'ra3.xlplus': 1024 * 1024 * 32,
  'ra3.4xlarge': 1024 * 1024 * 128,
  'ra3.16xlarge': 1024 * 1024 * 128,
};

export function storageMbPerNode(nodeType: string): number {
  return STORAGE_MB_PER_NODE[nodeType] ?? 160 * 1024;
}

/** Durations as [min, max] milliseconds; a value inside the range is drawn per operation. */
export interface SimulatorDurations {
  /** "usually takes up to 15 min, depending on cluster size" (guide L3644). */
  pause: readonly [number, number];
  /** "several minutes depending on size" (guide L3659). */
  resume: readonly [number, number];
  /** Elastic resize: snapshot + metadata migration before the nodes change. */
  prepForResize: readonly [number, number];
  /** Elastic resize "about 10 minutes on average" (guide L3402). */
  elasticResize: readonly [number, number];
  /** Background redistribution after an elastic resize (reads/writes work, slower). */
  resizeCleanup: readonly [number, number];
  classicResize: readonly [number, number];
  /** CancelResize of a classic resize: "takes a variable time" (guide L3581–3584). */
  cancelResize: readonly [number, number];
  reboot: readonly [number, number];
  /**
   * A change being applied (`modifying`) of a cluster seeded in that state: the guide gives no duration
   * (L2956 "changes are being applied"); minutes, like a reboot.
   */
  modify: readonly [number, number];
  /** Failover: until the secondary compute is promoted (REDSHIFT-EVENT-3667); see failover-model.ts. */
  failover: readonly [number, number];
  /** Failover: until the new secondary compute in a third AZ is up (REDSHIFT-EVENT-3669). */
  failoverSecondary: readonly [number, number];
  /**
   * Failover: how long after its start new connections (Data API statements) wait. The guide says
   * new connections are accepted at once (L4826): this is the endpoint moving, seconds.
   */
  failoverConnectionBlip: readonly [number, number];
  deleteCluster: readonly [number, number];
  /**
   * Fixed part of a snapshot; the rest is the data to back up / backup rate. Snapshots are
   * incremental (guide L3840–3852): a cluster's first snapshot copies all its data, later ones only
   * what changed since the previous snapshot, so they take minutes.
   */
  snapshotBase: readonly [number, number];
  /** Backup rate per node in MB/s. */
  snapshotRateMbPerSecPerNode: readonly [number, number];
  /** Data a running cluster changes per day, as a fraction of its data (drives incremental sizes). */
  dailyChangeFraction: readonly [number, number];
  workgroupUpdate: readonly [number, number];
  serverlessSnapshot: readonly [number, number];
}

const MIN = 60_000;

export const DEFAULT_DURATIONS: SimulatorDurations = {
  pause: [5 * MIN, 15 * MIN],
  resume: [4 * MIN, 10 * MIN],
  prepForResize: [1 * MIN, 3 * MIN],
  elasticResize: [10 * MIN, 15 * MIN],
  resizeCleanup: [5 * MIN, 15 * MIN],
  classicResize: [2 * 60 * MIN, 6 * 60 * MIN],
  cancelResize: [10 * MIN, 60 * MIN],
  reboot: [2 * MIN, 5 * MIN],
  modify: [2 * MIN, 10 * MIN],
  failover: [1 * MIN, 5 * MIN],
  failoverSecondary: [5 * MIN, 12 * MIN],
  failoverConnectionBlip: [5_000, 45_000],
  deleteCluster: [3 * MIN, 8 * MIN],
  snapshotBase: [30_000, 90_000],
  snapshotRateMbPerSecPerNode: [40, 120],
  dailyChangeFraction: [0.005, 0.03],
  workgroupUpdate: [1 * MIN, 5 * MIN],
  serverlessSnapshot: [1 * MIN, 10 * MIN],
};

/**
 * A duration drawn from `range`, pushed towards its upper end by `sizeFactor` in [0, 1] (bigger
 * clusters pause and resume slower) and jittered by the PRNG.
 */
export function drawDuration(range: readonly [number, number], rng: Prng, sizeFactor = 0.5): number {
  const [min, max] = range;
  const f = Math.min(1, Math.max(0, 0.5 * sizeFactor + 0.5 * rng.next()));
  return Math.round(min + (max - min) * f);
}

/** 0 for one node, 1 for 32 nodes or more. */
export function sizeFactorOf(nodes: number): number {
  return Math.min(1, Math.log2(Math.max(1, nodes)) / 5);
}

export function clusterNodes(count: number, rng: Prng): ClusterNode[] {
  const ip = () => `172.31.${rng.int(0, 255)}.${rng.int(1, 254)}`;
  const publicIp = () => `${rng.int(3, 54)}.${rng.int(0, 255)}.${rng.int(0, 255)}.${rng.int(1, 254)}`;
  if (count <= 1) return [{ NodeRole: 'SHARED', PrivateIPAddress: ip(), PublicIPAddress: publicIp() }];
  const nodes: ClusterNode[] = [{ NodeRole: 'LEADER', PrivateIPAddress: ip(), PublicIPAddress: publicIp() }];
  for (let i = 0; i < count; i++)
    nodes.push({ NodeRole: `COMPUTE-${i}`, PrivateIPAddress: ip(), PublicIPAddress: publicIp() });
  return nodes;
}

const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

/** Start of the next maintenance window after `now` for a `ddd:HH:mm-ddd:HH:mm` window. */
export function nextMaintenanceStart(window: string, now: Date): Date {
  const match = /^([a-z]{3}):(\d{2}):(\d{2})-/.exec(window);
  const day = match === null ? -1 : WEEKDAYS.indexOf(match[1] as (typeof WEEKDAYS)[number]);
  if (match === null || day < 0) return new Date(now.getTime() + 7 * 24 * 3600_000);
  const candidate = new Date(now.getTime());
  candidate.setUTCHours(Number(match[2]), Number(match[3]), 0, 0);
  candidate.setUTCDate(candidate.getUTCDate() + ((day - candidate.getUTCDay() + 7) % 7));
  if (candidate.getTime() <= now.getTime()) candidate.setUTCDate(candidate.getUTCDate() + 7);
  return candidate;
}

export interface NewClusterInput {
  ClusterIdentifier: string;
  NodeType?: string;
  NumberOfNodes?: number;
  Tags?: Tag[];
  MultiAZ?: boolean;
  Encrypted?: boolean;
  AutomatedSnapshotRetentionPeriod?: number;
  ClusterStatus?: string;
  PubliclyAccessible?: boolean;
  AvailabilityZone?: string;
  ClusterCreateTime?: Date;
  DBName?: string;
  MasterUsername?: string;
  /** Endpoint port (default 5439). */
  Port?: number;
  /** An Elastic IP attached to the cluster (ElasticIpStatus `active`). */
  ElasticIp?: string;
  /** Default `default`; a group not seeded is made over AZs a–c of the Region (subnet-groups-model.ts). */
  ClusterSubnetGroupName?: string;
  /** The Multi-AZ secondary's AZ (default: another AZ of the subnet group). */
  SecondaryAvailabilityZone?: string;
  /** `ddd:hh24:mi-ddd:hh24:mi` in UTC (default: a drawn half hour). */
  PreferredMaintenanceWindow?: string;
}

export interface ClusterDefaultsContext {
  region: string;
  account: string;
  endpointSuffix: string;
  now: Date;
  rng: Prng;
  /** The AZs of the cluster's subnet group, when known: its AZs are drawn from them. */
  zones?: readonly string[];
}

/**
 * A full Cluster as DescribeClusters returns it: every field of the recorded response
 * (test/fixtures/api/test_redshift_pause/redshift.DescribeClusters_1.json) except `RestoreStatus`
 * (only clusters restored from a snapshot have it) and `KmsKeyId` (only encrypted ones), plus the
 * fields newer API versions add (ClusterNamespaceArn, MultiAZ, TotalStorageCapacityInMegaBytes …).
 */
export function newCluster(input: NewClusterInput, ctx: ClusterDefaultsContext): Cluster {
  const nodeType = input.NodeType ?? 'ra3.xlplus';
  const nodes = input.NumberOfNodes ?? 2;
  const multiAz = input.MultiAZ === true;
  const encrypted = input.Encrypted ?? (multiAz || nodeType.startsWith('ra3'));
  const status = input.ClusterStatus ?? 'available';
  const zones = ctx.zones ?? ['a', 'b', 'c'].map((s) => `${ctx.region}${s}`);
  const az = input.AvailabilityZone ?? ctx.rng.pick(zones);
  const day = ctx.rng.pick(WEEKDAYS);
  const hour = String(ctx.rng.int(0, 9)).padStart(2, '0');
  const preferredWindow = input.PreferredMaintenanceWindow ?? `${day}:${hour}:00-${day}:${hour}:30`;
  const cluster: Cluster = {
    ClusterIdentifier: input.ClusterIdentifier,
    NodeType: nodeType,
    ClusterStatus: status,
    ClusterAvailabilityStatus: availabilityOf(status),
    MasterUsername: input.MasterUsername ?? 'awsuser',
    DBName: input.DBName ?? 'dev',
    Endpoint: {
      Address: `${input.ClusterIdentifier}.${ctx.endpointSuffix}.${ctx.region}.redshift.amazonaws.com`,
      Port: input.Port ?? 5439,
    },
    ClusterCreateTime: input.ClusterCreateTime ?? new Date(ctx.now.getTime() - ctx.rng.int(30, 900) * 24 * 3600_000),
    AutomatedSnapshotRetentionPeriod: input.AutomatedSnapshotRetentionPeriod ?? 1,
    ManualSnapshotRetentionPeriod: -1,
    ClusterSecurityGroups: [],
    VpcSecurityGroups: [{ VpcSecurityGroupId: `sg-${ctx.rng.hex(17)}`, Status: 'active' }],
    ClusterParameterGroups: [{ ParameterGroupName: 'default.redshift-2.0', ParameterApplyStatus: 'in-sync' }],
    ClusterSubnetGroupName: input.ClusterSubnetGroupName ?? 'default',
    VpcId: `vpc-${ctx.rng.hex(17)}`,
    AvailabilityZone: az,
    PreferredMaintenanceWindow: preferredWindow,
    PendingModifiedValues: {},
    ClusterVersion: '1.0',
    AllowVersionUpgrade: true,
    NumberOfNodes: nodes,
    PubliclyAccessible: input.PubliclyAccessible ?? false,
    Encrypted: encrypted,
    ClusterPublicKey: `ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC${ctx.rng.hex(40)} Amazon-Redshift\n`,
    ClusterNodes: status === 'paused' ? [] : clusterNodes(nodes, ctx.rng),
    ClusterRevisionNumber: String(ctx.rng.int(60_000, 99_999)),
    Tags: (input.Tags ?? []).map((t) => ({ ...t })),
    EnhancedVpcRouting: false,
    IamRoles: [],
    MaintenanceTrackName: 'current',
    ElasticResizeNumberOfNodeOptions: elasticOptions(nodeType, nodes),
    DeferredMaintenanceWindows: [],
    NextMaintenanceWindowStartTime: nextMaintenanceStart(preferredWindow, ctx.now),
    AvailabilityZoneRelocationStatus: 'disabled',
    ClusterNamespaceArn: `arn:aws:redshift:${ctx.region}:${ctx.account}:namespace:${ctx.rng.uuid()}`,
    TotalStorageCapacityInMegaBytes: storageMbPerNode(nodeType) * nodes,
    AquaConfiguration: { AquaStatus: 'disabled', AquaConfigurationStatus: 'auto' },
    IpAddressType: 'ipv4',
    MultiAZ: multiAz ? 'Enabled' : 'Disabled',
  };
  if (encrypted) cluster.KmsKeyId = `arn:aws:kms:${ctx.region}:${ctx.account}:key/${ctx.rng.uuid()}`;
  if (input.ElasticIp !== undefined) cluster.ElasticIpStatus = { ElasticIp: input.ElasticIp, Status: 'active' };
  if (multiAz) {
    const other = input.SecondaryAvailabilityZone ?? zones.find((z) => z !== az) ?? az;
    cluster.MultiAZSecondary = { AvailabilityZone: other, ClusterNodes: clusterNodes(nodes, ctx.rng) };
  }
  return cluster;
}

/**
 * The node counts an elastic resize may reach, as `[a,b,c]` text like the API's
 * ElasticResizeNumberOfNodeOptions. `baseNodes` is the original node count or the one of the last
 * classic resize, which the limits are measured from (guide L3453).
 */
export function elasticOptions(nodeType: string, nodes: number, baseNodes = nodes): string {
  if (nodes <= 1) return '[]';
  const { min, max } = elasticRange(nodeType, baseNodes);
  const options: number[] = [];
  for (let n = min; n <= max; n++) if (n !== nodes) options.push(n);
  return `[${options.join(',')}]`;
}

/**
 * Elastic resize targets of a node type, measured from `baseNodes` (the original or last classic
 * count, guide L3453), within the node type's elastic cap (guide L2861, L2863).
 */
export function elasticRange(nodeType: string, baseNodes: number): { min: number; max: number } {
  const limits = ELASTIC_RESIZE_LIMITS[nodeType] ?? { grow: 2, shrink: 2 };
  const floor = nodeType === 'dc2.large' || nodeType === 'ra3.xlplus' || nodeType === 'ra3.large' ? 1 : 2;
  return {
    min: Math.max(floor, Math.ceil(baseNodes / limits.shrink)),
    max: Math.min(nodeCountLimits(nodeType).elastic, baseNodes * limits.grow),
  };
}

/**
 * Why AWS would refuse this cluster configuration, or undefined. Multi-AZ needs RA3, two nodes per AZ,
 * encryption, a Multi-AZ port and no Elastic IP (facts.md §6, guide L4531–4563, multi-az-rules.ts;
 * the subnet group's three AZs are checked by the clusters model, which knows the groups); automated snapshot retention is 0–35 days, and RA3
 * can't turn automated snapshots off (1–35, guide L3864–3866, L5001).
 */
export function clusterConfigProblem(view: Cluster): string | undefined {
  const id = view.ClusterIdentifier ?? '';
  const nodeType = view.NodeType ?? '';
  const ra3 = nodeType.startsWith('ra3');
  const multiAz = view.MultiAZ === 'Enabled' ? multiAzProblems(view) : [];
  if (multiAz.length > 0) return `${id}: ${multiAz[0]}`;
  const retention = view.AutomatedSnapshotRetentionPeriod;
  if (retention !== undefined && (!Number.isInteger(retention) || retention < (ra3 ? 1 : 0) || retention > 35))
    return `${id}: AutomatedSnapshotRetentionPeriod ${retention} is outside ${ra3 ? '1' : '0'}–35 for ${nodeType} (guide L3866, L5001)`;
  return undefined;
}

/** Fields PauseCluster / ResumeCluster leave out of their Cluster (compare the recorded responses). */
export const ACTION_RESPONSE_OMITS = [
  'ClusterPublicKey',
  'ClusterNodes',
  'ClusterRevisionNumber',
  'RestoreStatus',
] as const;

export function withoutKeys<T extends object>(value: T, keys: readonly string[]): T {
  const copy = { ...value } as Record<string, unknown>;
  for (const k of keys) delete copy[k];
  return copy as T;
}

/** Freeze an API object and everything in it, so handing the same object to many callers is safe. */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value) && !(value instanceof Date)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

export type { Cluster, Snapshot, Tag };
