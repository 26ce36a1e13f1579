import type { ResourceType } from '../events/normalized-event.ts';

/**
 * The contract between the policy engine (`decide()`, pure) and the acting path (queue → executor →
 * ledger → report). Decisions are data: they say what to call and why; the executor decides nothing
 * new except re-checking guardrails against the state it re-reads.
 */

/** A resource as the engine sees it, read from Describe* calls (or the AWS CLI's JSON output). */
export interface ClusterResource {
  type: 'cluster';
  id: string;
  arn: string | null;
  region: string | null;
  account: string | null;
  /** `ClusterStatus`, lower-case as AWS returns it (`available`, `paused`, `resizing`, …). */
  status: string;
  /** `ClusterAvailabilityStatus` (`Available`, `Unavailable`, `Maintenance`, `Modifying`, `Failed`). */
  availabilityStatus: string | null;
  tags: Record<string, string>;
  nodeType: string;
  numberOfNodes: number;
  multiAz: boolean;
  /** 0 means automated snapshots are off. */
  automatedSnapshotRetentionPeriod: number;
  /** Namespace ARN of the cluster; zero-ETL integrations target it. */
  namespaceArn: string | null;
  /** `ClusterSnapshotCopyStatus`: cross-Region snapshot copy, when enabled (absent when not read). */
  snapshotCopy?: SnapshotCopyStatus | null;
  /** `Encrypted`: present (true) only for an encrypted cluster; its snapshots copy only with a grant. */
  encrypted?: true;
  /**
   * `ElasticResizeNumberOfNodeOptions`: the node counts an elastic resize may reach now, as AWS counts them
   * from the original node count or the last classic resize (guide L3453); absent when not read.
   */
  elasticResizeOptions?: readonly number[];
  /**
   * The cluster's usage limits (`DescribeUsageLimits`, read account-wide once per sweep); absent when
   * they were not read (an event's single-cluster read, a fleet file without them, a failed read).
   */
  limits?: readonly UsageLimitResource[];
  /**
   * When the sweep read its limits' consumption (CloudWatch `UsageLimitConsumed`, one batched
   * GetMetricData for the fleet); absent when usage was not read this sweep (not asked, not due, failed).
   */
  usageReadAt?: string;
  /**
   * Multi-AZ details (failover drills, issue 16), each absent when the read did not carry it: `AvailabilityZone`
   * (the primary's), `MultiAZSecondary.AvailabilityZone` (null: Multi-AZ without secondary compute now),
   * `Endpoint.Port`, `ElasticIpStatus.ElasticIp`, `ClusterSubnetGroupName`, `PreferredMaintenanceWindow`
   * (`ddd:hh24:mi-ddd:hh24:mi` UTC), and the AZs of its subnet group (DescribeClusterSubnetGroups).
   */
  availabilityZone?: string;
  secondaryAvailabilityZone?: string | null;
  port?: number;
  elasticIp?: string;
  subnetGroupName?: string;
  maintenanceWindow?: string;
  subnetGroupZones?: readonly string[];
}

/** A provisioned usage limit (`DescribeUsageLimits`), as the usage-limits capability compares it. */
export interface UsageLimitResource {
  /** `UsageLimitId`. */
  id: string;
  clusterId: string;
  /** `FeatureType`: `spectrum`, `concurrency-scaling`, `cross-region-datasharing`. */
  feature: string;
  /** `LimitType`: `data-scanned` (TB) or `time` (minutes). */
  limitType: string;
  amount: number;
  /** `daily`, `weekly` or `monthly`. */
  period: string;
  /** `log`, `emit-metric` or `disable`. */
  breachAction: string;
  tags: Record<string, string>;
  /**
   * `UsageLimitConsumed`: what the limit counted in its current period (minutes or TB), as the latest
   * datapoint of the sweep's read says, with the datapoint's time. Absent when usage was not read or the
   * limit is not autopilot's; null when CloudWatch has no recent datapoint for it.
   */
  consumed?: { amount: number; at: string } | null;
}

export interface SnapshotCopyStatus {
  destinationRegion: string;
  /** Days copied automated snapshots are kept. */
  retentionPeriod: number | null;
  /** Days copied manual snapshots are kept (-1 = until deleted). */
  manualSnapshotRetentionPeriod: number | null;
}

export interface WorkgroupResource {
  type: 'workgroup';
  id: string;
  arn: string | null;
  region: string | null;
  account: string | null;
  status: string;
  tags: Record<string, string>;
  namespaceName: string | null;
  baseCapacity: number;
  maxCapacity: number | null;
  /** The workgroup's usage limits (ListUsageLimits), when the sweep reads them; `clusterId` is the workgroup name. */
  limits?: readonly UsageLimitResource[];
  /** When the limits' consumption was read (ISO), if this read included it. */
  usageReadAt?: string;
  /** RPU-hours per UTC day (`2026-11-30`) of this period, when a fleet file carried ComputeSeconds (plan's grades). */
  rpuHoursByDay?: Readonly<Record<string, number>>;
}

export interface NamespaceResource {
  type: 'namespace';
  id: string;
  arn: string | null;
  region: string | null;
  account: string | null;
  status: string;
  tags: Record<string, string>;
}

export interface IntegrationResource {
  type: 'integration';
  id: string;
  arn: string | null;
  region: string | null;
  account: string | null;
  status: string;
  tags: Record<string, string>;
  sourceArn: string;
  targetArn: string;
}

/**
 * A provisioned cluster snapshot (`describe-cluster-snapshots`) or a Serverless namespace snapshot
 * (`list-snapshots`). Capabilities never select it as a policy resource; the snapshots capability reads
 * it to know what exists (retention, retries, in-progress checks).
 */
export interface SnapshotResource {
  type: 'snapshot';
  /** `SnapshotIdentifier` / `snapshotName`. */
  id: string;
  arn: string | null;
  region: string | null;
  account: string | null;
  /** Lower-case: `creating`, `available`, `failed`, `deleted`, `copying`, `cancelled`. */
  status: string;
  tags: Record<string, string>;
  service: 'redshift' | 'redshift-serverless';
  /** Cluster identifier (provisioned) or namespace name (Serverless). */
  sourceId: string;
  /** `manual` or `automated` (Serverless snapshots are all manual). */
  snapshotType: string;
  /** ISO 8601 UTC `SnapshotCreateTime`, null when not reported. */
  createdAt: string | null;
}

export type FleetResource =
  | ClusterResource
  | WorkgroupResource
  | NamespaceResource
  | IntegrationResource
  | SnapshotResource;

/**
 * A part of the fleet the read could not get (an emulator without the API, a Region without
 * Serverless, AccessDenied): what it would have held, and why it is missing. decide() skips what
 * depends on it instead of deciding as if it were empty.
 */
export interface UnreadPart {
  /** The reader that failed, as alerts and logs name it (`zero-ETL integrations`, `Redshift Serverless`). */
  reader: string;
  /** The API operations it calls (`redshift:DescribeIntegrations`). */
  operations: readonly string[];
  /** The resource types it would have read; none of them is in `resources`. */
  types: readonly ResourceType[];
  /** What the sweep cannot decide without it, in an alert's words. */
  impact: string;
  /** The classified error: `redshift:DescribeIntegrations: AccessDeniedException: …`. */
  reason: string;
  /** Throttling, 5xx or network, after the SDK's retries; otherwise someone must act (IAM, Region, endpoint). */
  transient: boolean;
  /**
   * Resources the part was asked about one by one instead (`cluster/dev-etl` → true when the resource
   * holds something of the part: the cluster is the target of a zero-ETL integration). What is not
   * here stays unknown.
   */
  checked?: Readonly<Record<string, boolean>>;
}

export interface FleetSnapshot {
  /** ISO 8601 UTC time the fleet was read. */
  readAt: string;
  resources: FleetResource[];
  /** Parts the read could not get; absent or empty when the read is complete. */
  unread?: readonly UnreadPart[];
}

export interface TargetRef {
  type: ResourceType;
  id: string;
  arn?: string;
  region?: string;
  /** The account the target lives in (multi-account hubs); absent: the one its ARN names, else the hub's. */
  account?: string;
}

/**
 * Reactions and windows may decide `Publish` (a policy's `do: [alert]`, a notice): a message to the
 * operators' own alert topic, not a call on a resource. The executor publishes it itself
 * (shared/app/alert-decision.ts) and checks it against the deployed policy (shared/policy/authorize.ts).
 */
export const ALERT_ACTION = 'Publish' as const;

/** `act`: call AWS. `dry-run`: record and report "would have", call nothing. `frozen`: same, because of a freeze calendar. */
export type DecisionMode = 'act' | 'dry-run' | 'frozen';

/** What the executor must re-check at execution time, copied from the policy so the message is self-contained. */
export interface DecisionGuard {
  /** The opt-in tag the resource must still carry (`autopilot:managed` = `true`). */
  optInTag: { key: string; value: string };
  /** The policy explicitly allows pausing a zero-ETL integration target. */
  allowZeroEtlTarget: boolean;
  /** The largest number of resources this policy may act on in one run. */
  maxResources: number | null;
}

export interface Decision {
  /** ISO 8601 UTC: when the action is due. */
  at: string;
  policy: string;
  /** The AWS operation name: `PauseCluster`, `ResumeCluster`, `CreateClusterSnapshot`, `UpdateWorkgroup`, … */
  action: string;
  target: TargetRef;
  /** The operation's input, exactly as the SDK command takes it. */
  params: Record<string, unknown>;
  /** Human reason: "outside window Mon-Fri 07:00-19:00 Europe/Berlin; next resume 2026-12-07T06:00Z". */
  reason: string;
  /** Deterministic: same policy, target, action and slot → same key. Used as the SQS dedup id and ledger key. */
  idempotencyKey: string;
  mode: DecisionMode;
  guard: DecisionGuard;
  /**
   * ISO 8601 UTC: when decide() made it (the fleet read's time). `at` may lie well before it — a
   * snapshot retried an hour after its slot is still due at its slot — so the executor bounds a
   * decision's age by this (shared/policy/authorize.ts); absent (an older message): by `at`.
   */
  decidedAt?: string;
  /**
   * Set by the sweep when its run has several decisions of this policy (issue 19): the executor leaves
   * their INFO outcomes to one digest alert per policy and run (shared/execute/digest.ts); warnings and
   * failures are still alerted one by one.
   */
  digest?: string;
  /**
   * The resource as the sweep read it, set when this is the run's only decision for it (issue 19): the
   * executor acts on it without another Describe while it is younger than its bound
   * (shared/execute/observed.ts). `zeroEtlTarget`: whether an active integration writes into it, when
   * the sweep read the integrations.
   */
  observed?: {
    readAt: string;
    resource: ClusterResource | WorkgroupResource | IntegrationResource;
    zeroEtlTarget?: boolean;
  };
}

export interface Skip {
  at: string;
  policy: string;
  target: TargetRef;
  /** `not opted in`, `freeze year-end-freeze`, `maxResources exceeded: 14 > 10`, `status modifying`, … */
  reason: string;
}

/** What the engine may know of earlier actions (from the ledger), passed in so `decide()` stays pure. */
export interface LedgerEntryView {
  idempotencyKey: string;
  policy: string;
  action: string;
  target: TargetRef;
  /** `pending` = accepted, not yet confirmed; `in-progress` = a long-running operation (snapshot, resize, drill). */
  status: 'pending' | 'in-progress' | 'succeeded' | 'failed' | 'skipped' | 'dry-run';
  at: string;
  /** What the call created (the record's createdId): a capability owns what the ledger says it made (untaggable Serverless usage limits). */
  createdId?: string | null;
  /** The decision's parameters as recorded (a step to undo later reads what it replaced). */
  params?: Readonly<Record<string, unknown>>;
}

export interface LedgerView {
  entries: LedgerEntryView[];
}
