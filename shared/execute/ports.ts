import type {
  ClusterResource,
  Decision,
  FleetResource,
  IntegrationResource,
  LedgerEntryView,
  TargetRef,
  WorkgroupResource,
} from '../policy/decision.ts';

/**
 * Small ports the acting path depends on. Adapters in `shared/aws/` implement them against the SDK;
 * tests and the simulator implement them in memory. Nothing here knows about Lambda.
 */

/** The resource as re-read at execution time, or null when it no longer exists. */
export type ObservedResource = ClusterResource | WorkgroupResource | IntegrationResource;

export interface ActionResult {
  /** The state AWS reports right after the call (`pausing`, `resuming`, snapshot `creating`, …). */
  afterState: string | null;
  /** Identifier of something the call created (a snapshot id), for later advancing. */
  createdId?: string;
}

/** Re-reads and changes resources. One implementation per service family; the executor routes by target type. */
export interface ResourcePort {
  /** One Describe call; null when the resource does not exist. */
  read(target: TargetRef): Promise<ObservedResource | null>;
  /** Calls the AWS operation named by `action` with `params` exactly as the SDK takes them. */
  perform(action: string, params: Record<string, unknown>, target?: TargetRef): Promise<ActionResult>;
  /** True when a zero-ETL integration writes into this cluster (only asked before a pause). */
  isZeroEtlTarget(resource: ClusterResource): Promise<boolean>;
}

export type LedgerStatus = LedgerEntryView['status'];

export interface LedgerError {
  name: string;
  message: string;
}

/** One action's record, keyed by the decision's idempotency key. */
export interface LedgerRecord {
  idempotencyKey: string;
  policy: string;
  action: string;
  target: TargetRef;
  mode: Decision['mode'];
  params: Record<string, unknown>;
  /** The decision's reason (why the engine wanted this). */
  reason: string;
  /** `Decision.at`: when the action was due; with `policy` it names the run for `maxResources`. */
  decisionAt: string;
  status: LedgerStatus;
  /** A failed record that a redelivery (or a later tick with the same key) may claim again. */
  retryable: boolean;
  attempts: number;
  /** Random per claim; only the claimant may complete the record. */
  claimToken: string;
  /** A `pending` record whose lease has passed belongs to a crashed executor and may be reclaimed. */
  leaseUntil: string;
  /** Why it ended as it did (guardrail refusal, AWS error, "would have"). */
  outcomeReason: string | null;
  beforeState: string | null;
  afterState: string | null;
  /** For `in-progress`: the state that means the operation finished. */
  expectedState: string | null;
  createdId: string | null;
  error: LedgerError | null;
  /** This record's position in its policy's run budget, kept so a retry does not count twice. */
  budgetSlot: number | null;
  claimedAt: string;
  updatedAt: string;
  completedAt: string | null;
  /** The run digest that reports this record's INFO outcome (`Decision.digest`); absent: alerted alone. */
  digest?: string;
}

export type ClaimResult =
  /**
   * This claim owns the key. `previous` is the record it replaced (a retryable failure or skip, an
   * expired pending claim), or null; `recovered`: the write had committed and its answer was lost, so
   * the SDK's retry met our own claim (same token) — still ours.
   */
  | { kind: 'claimed'; record: LedgerRecord; previous: LedgerRecord | null; recovered?: boolean }
  /** Handled for good (or in progress): nothing to do. */
  | { kind: 'duplicate'; record: LedgerRecord | null }
  /** Another attempt holds a live claim: not handled yet, so the message must come back (never deleted). */
  | { kind: 'busy'; record: LedgerRecord };

export interface LedgerPort {
  /**
   * Conditional create keyed by the idempotency key. Succeeds when there is no record, when the
   * record is a retryable failure, or when a `pending` claim's lease has expired.
   */
  claim(record: LedgerRecord, now: Date): Promise<ClaimResult>;
  /** Writes the outcome; only succeeds for the holder of `claimToken`. Returns false when it lost the claim. */
  save(record: LedgerRecord): Promise<boolean>;
  get(idempotencyKey: string): Promise<LedgerRecord | null>;
  getMany(idempotencyKeys: readonly string[]): Promise<LedgerRecord[]>;
  /** Records of long-running operations still `in-progress`. */
  listInFlight(): Promise<LedgerRecord[]>;
  /**
   * Records that a decision due at `at` is about to set `stateKey` of `target`, unless a decision
   * due later already did. Returns null when recorded, or the `at` of the newer decision.
   */
  markLatest(target: TargetRef, stateKey: string, at: string, idempotencyKey: string): Promise<string | null>;
  /**
   * Atomically counts one more action for (policy, run); returns this action's 1-based position.
   * Idempotent per `idempotencyKey`: asked again (an SDK retry of a write whose answer was lost, a
   * redelivery), it returns the same position without counting twice.
   */
  takeBudgetSlot(policy: string, runKey: string, now: Date, idempotencyKey: string): Promise<number>;
  /**
   * True for the first caller of `topic` within `windowMs` of `now` (across every container: a conditional
   * write), false for the others — "alert once per cause". Absent: the caller falls back to its memory.
   */
  firstNotice?(topic: string, now: Date, windowMs: number): Promise<boolean>;
}

/** One conditional write of `LedgerPort.writeMany`: an outcome (`save`) or a latest-decision mark (`markLatest`). */
export type LedgerWrite =
  | { kind: 'save'; record: LedgerRecord }
  | { kind: 'latest'; target: TargetRef; stateKey: string; at: string; idempotencyKey: string };

/** Each write answered as its single form would be (`save` → boolean, `markLatest` → string | null), or its error. */
export type LedgerWriteResult = { ok: true; value: boolean | string | null } | { ok: false; error: unknown };

/**
 * Optional on a ledger: several conditional writes on distinct items in one request (DynamoDB
 * TransactWriteItems). Answers in order; a write whose condition failed answers as its single form.
 */
export interface BatchWritingLedger {
  writeMany(writes: readonly LedgerWrite[]): Promise<LedgerWriteResult[]>;
}

export type Severity = 'INFO' | 'WARNING' | 'ERROR';

export type OutcomeKind =
  | 'succeeded'
  | 'in-progress'
  | 'skipped'
  | 'dry-run'
  | 'frozen'
  | 'failed'
  | 'retrying'
  | 'breaker-open'
  /** No deployed policy decided it (issue 22): not claimed, not acted on, dead-lettered. */
  | 'refused';

/** A readable alert plus the attributes subscribers filter on. */
export interface Alert {
  subject: string;
  body: string;
  attributes: {
    severity: Severity;
    policy: string;
    resource: string;
    action: string;
    outcome: OutcomeKind;
  };
}

/** The `detail` of the `Autopilot Action` EventBridge event. */
export interface ActionEventDetail {
  outcome: OutcomeKind;
  severity: Severity;
  policy: string;
  action: string;
  target: TargetRef;
  idempotencyKey: string;
  reason: string;
  outcomeReason: string | null;
  beforeState: string | null;
  afterState: string | null;
  error: LedgerError | null;
  at: string;
}

export interface NotifierPort {
  alert(alert: Alert): Promise<void>;
  event(detail: ActionEventDetail): Promise<void>;
  /**
   * Another event of autopilot's own on the default bus (source `autopilot`), such as a capability's
   * report (`Autopilot Drill Report`); absent: the notifier puts only `Autopilot Action` events.
   */
  report?(detailType: string, detail: Record<string, unknown>, resources: readonly string[]): Promise<void>;
  /**
   * Holds `event` calls until the returned function is called, which puts them in as few PutEvents
   * requests as the API allows (10 entries each); absent: every event is put at once.
   */
  hold?(): () => Promise<void>;
}

/** Structurally compatible with Powertools Logger. */
export interface LoggerPort {
  info(message: string, ...extra: Record<string, unknown>[]): void;
  warn(message: string, ...extra: Record<string, unknown>[]): void;
  error(message: string, ...extra: Record<string, unknown>[]): void;
}

export type MetricName = 'actions' | 'skips' | 'failures' | 'duplicates' | 'deferred' | 'dryRuns' | 'refused';

/** Counts by reason; the Powertools adapter turns each into an EMF metric with a `reason` dimension. */
export interface MetricsPort {
  count(name: MetricName, reason: string): void;
}

export interface Clock {
  now(): Date;
}

export const silentLogger: LoggerPort = { info() {}, warn() {}, error() {} };
export const noMetrics: MetricsPort = { count() {} };
export const systemClock: Clock = { now: () => new Date() };

export type { FleetResource };
