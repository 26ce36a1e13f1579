import type { z } from 'zod';
import type { DataApiPort } from '../aws/data-api.adapter.ts';
import type { PolicyProblem } from '../errors.ts';
import type { NormalizedEvent } from '../events/normalized-event.ts';
import type { ActionSpec } from '../execute/action-spec.ts';
import type { Guardrail } from '../execute/guardrails.ts';
import type { IntegrationPort } from '../execute/integration-port.ts';
import type { Clock, LedgerPort, LedgerRecord, LoggerPort, NotifierPort, ResourcePort } from '../execute/ports.ts';
import type { ScheduleUse } from './aws-schedule.ts';
import type { CompiledCalendar } from './calendar.ts';
import type { Decision, FleetResource, FleetSnapshot, LedgerEntryView, TargetRef } from './decision.ts';
import type { RunningWindow } from './running-window.ts';
import type { CompiledSelector, OptInTag, Override } from './targeting.ts';

/**
 * A capability (window, snapshots, usage limits, …) plugs into the engine here: it declares the YAML
 * keys it owns and their schema, compiles its block once when policies load, and proposes actions
 * when decide() runs. Capabilities not built yet register with `supported: false` so validate rejects
 * them by name instead of accepting and ignoring them.
 */
export const POLICY_RESOURCES = ['cluster', 'workgroup', 'integration'] as const;
export type PolicyResource = (typeof POLICY_RESOURCES)[number];

/** Parts of the fleet a sweep reads only when a policy's capability asks (CompiledCapability.fleetParts). */
export type FleetPart = 'limits' | 'usage';

/** A problem found while compiling a block; `path` is relative to the policy object. */
export interface CompileProblem {
  path: readonly (string | number)[];
  message: string;
  severity?: 'error' | 'warning';
  /** Point at the key rather than the value (e.g. "not supported yet"). */
  atKey?: boolean;
}

export interface CompileContext {
  policyName: string;
  resource: PolicyResource;
  /** The zone the policy reads time in: the block's own, else `defaults.timezone`, else UTC. */
  zoneName: string;
  /** Calendars by name, compiled in the given zone. Undefined when the name is unknown. */
  calendar(name: string, zoneName: string): CompiledCalendar | undefined;
  knownEventId(id: string): boolean;
  problems: CompileProblem[];
}

/** What a capability proposes for one resource; the engine adds mode, guard, idempotency key, order. */
export interface ProposedAction {
  kind: 'act';
  action: string;
  target: TargetRef;
  params: Record<string, unknown>;
  reason: string;
  /** The slot the action belongs to (ISO instant of the boundary, schedule occurrence, event id…). */
  slot: string;
  /** When the action is due; defaults to `now`. */
  at?: number;
  /** The resource the opt-in guard is checked on, when it is not the policy's own resource. */
  actsOn?: FleetResource;
  /** The policy allows acting on a zero-ETL target (copied into the decision's guard). */
  allowZeroEtlTarget?: boolean;
}

export interface ProposedSkip {
  kind: 'skip';
  target: TargetRef;
  reason: string;
}

export type Proposal = ProposedAction | ProposedSkip;

export interface FleetIndex {
  resources: readonly FleetResource[];
  /** Undefined too when a hub's fleet holds that name in two targets (look up by ARN, or `namesakes`). */
  byTypeAndId(type: FleetResource['type'], id: string): FleetResource | undefined;
  /** Every resource of that type and name: more than one only in a hub whose targets share a name (#18). */
  namesakes?(type: FleetResource['type'], id: string): readonly FleetResource[];
  byArn(arn: string): FleetResource | undefined;
  /**
   * Clusters whose namespace is the target of a zero-ETL integration in the fleet. When the
   * integrations could not be read this is false for every cluster not checked one by one, and
   * `zeroEtlUnknown` says why: decide() then skips every action the `notZeroEtlTarget` guardrail
   * protects (a cluster whose zero-ETL status is unknown is not paused), so a capability needs no
   * check of its own.
   */
  isZeroEtlTarget(resource: FleetResource): boolean;
  /** Why the cluster's zero-ETL status is unknown in this fleet read, or null; absent: never unknown. */
  zeroEtlUnknown?(resource: FleetResource): string | null;
  clusterByNamespaceArn(arn: string): FleetResource | undefined;
}

export interface LedgerIndex {
  byKey(idempotencyKey: string): LedgerEntryView | undefined;
  /** Entries still running for a target (resize, snapshot, drill in progress). */
  inProgress(target: TargetRef): readonly LedgerEntryView[];
  keyFor(policy: string, target: TargetRef, action: string, slot: string): string;
}

export interface EvaluationEnv {
  now: number;
  fleet: FleetIndex;
  ledger: LedgerIndex;
  policy: PolicyCore;
  /** Per-decide-call memo for values that depend only on the policy and `now` (window state). */
  memo: Map<string, unknown>;
  /** Every policy of the decide() call: a capability undoing a step asks whether another's window wants the resource paused. */
  policies?: readonly CompiledPolicy[];
}

export interface CompiledCapability {
  key: string;
  /** Desired state: called for every selected, opted-in resource on ticks and on events about it. */
  reconcile?(resource: FleetResource, override: Override, env: EvaluationEnv): Proposal[];
  /** Reactions: called for each event trigger. */
  react?(event: NormalizedEvent, env: EvaluationEnv): Proposal[];
  /**
   * The event is the expected consequence of this capability's own desired state (a zero-ETL target
   * paused on purpose says REDSHIFT-INTEGRATION-EVENT-0019): returns why, and decide() turns the other
   * policies' reactions to it into skips with that reason (logged, not acted on, not alerted).
   */
  explainsEvent?(event: NormalizedEvent, env: EvaluationEnv): string | null;
  /**
   * The executor's check of one decision parameter its action declares `policy` (ParamRule): would this
   * policy set `value` for `key` of `action` on that target? Null: yes; otherwise why not, in words. A
   * capability whose actions declare no `policy` parameter need not implement it (absent: every such
   * parameter is refused).
   */
  permitsParam?(
    action: string,
    key: string,
    value: unknown,
    decision: { target: TargetRef; params: Readonly<Record<string, unknown>> },
  ): string | null;
  /**
   * Parts of the fleet the sweep reads only for capabilities that ask (each costs calls and IAM): `limits`,
   * the clusters' usage limits (one account-wide DescribeUsageLimits listing); `usage`, what autopilot's
   * limits consumed (CloudWatch GetMetricData, batched for the fleet; read with `limits`).
   */
  fleetParts?: readonly FleetPart[];
  /** The policy may act on a zero-ETL target (windows' `pauseZeroEtlTargets`): the executor checks the guard against it. */
  allowsZeroEtlTarget?: boolean;
  /** For static conflict analysis and plan output. */
  summary: string;
  /** The schedules it runs on: the loader checks each fires again and not more often than allowed. */
  schedules?: readonly ScheduleUse[];
  /**
   * When the resource should run (a window): the report draws it, conflict analysis checks other
   * policies' action times against it, the simulation memoises skips per segment.
   */
  runningWindow?: RunningWindow;
  /**
   * The times the capability acts on a resource that must be running then (a snapshot schedule):
   * conflict analysis warns when another policy's running window keeps the resource paused.
   */
  needsRunning?: {
    /** What happens then, in the warning's words ("a paused cluster takes no snapshot"). */
    what: string;
    nextAfter(t: number): number | null;
  };
  /**
   * Checks of this policy against the others of the document that only the capability can judge (a
   * failover drill inside another policy's pause or resize window; a drill policy selecting clusters
   * that cannot be Multi-AZ, with a fleet): `validate` adds them to the conflict analysis.
   */
  clashes?(
    self: CompiledPolicy,
    policies: readonly CompiledPolicy[],
    fleet: FleetSnapshot | null,
    from: number,
  ): PolicyProblem[];
  /**
   * Lines `plan` prints under the policy beyond the period's decisions and skips (a quarterly drill's
   * next slots with their pre-check results, however far they are).
   */
  outlook?(self: CompiledPolicy, fleet: FleetSnapshot, from: number): string[];
  /**
   * The usage budgets the policy holds `resource` to (usage limits): the HTML report draws the resource's
   * consumption against each amount, its grades marked.
   */
  usageBudgets?(resource: FleetResource): readonly UsageBudget[];
}

/** A usage budget as the report draws it: what is measured, the amount, the grades. */
export interface UsageBudget {
  policy: string;
  feature: string;
  /** `TB scanned`, `minutes`, `RPU-hours`. */
  unit: string;
  amount: number;
  period: string;
  /** Grades in increasing order: the percentage of the amount and what the grade does. */
  grades: readonly { percent: number; does: string }[];
  /** One budget summed over every resource the policy selects (the report draws the sum too). */
  shared: boolean;
}

export interface PolicyCore {
  name: string;
  file: string;
  line: number;
  col: number;
  resource: PolicyResource;
  selector: CompiledSelector;
  optInTag: OptInTag;
  maxResources: { count: number } | { percent: number } | null;
  dryRun: boolean;
  zoneName: string;
  freeze: readonly CompiledCalendar[];
}

export interface CompiledPolicy extends PolicyCore {
  capability: CompiledCapability;
}

/** What a capability's tracker may use: the app's ports, never Lambda or the SDK directly. */
export interface TrackerDeps {
  ledger: LedgerPort;
  notifier: NotifierPort;
  clock: Clock;
  region: string;
  policies: readonly CompiledPolicy[];
  logger: LoggerPort;
  resources: {
    readonly cluster: ResourcePort;
    readonly workgroup?: ResourcePort;
    readonly integration?: IntegrationPort;
  };
  /** The Redshift Data API (a failover drill's canary); absent where the deployment has no client for it. */
  dataApi?: DataApiPort;
  /**
   * The decision queue of the deciding function the tracker runs in: a tracker that needs a state change
   * (a recreate's create step) decides it and sends it here, and the executor authorizes and performs it —
   * only the executor's role may write. Absent where the function sends no decisions (the drill watcher).
   */
  queue?: { send(decisions: readonly Decision[]): Promise<{ sent: number }> };
}

export interface Tracker {
  /** Applies an event it handles; returns the ledger record it changed, or null. */
  onEvent(event: NormalizedEvent): Promise<LedgerRecord | null>;
  /** Runs on every sweep's fleet read: `counts` are logged, `failures` counted as metrics by name. */
  sweep(fleet: readonly FleetResource[]): Promise<{ counts: Record<string, number>; failures: Record<string, number> }>;
}

export interface CapabilityRegistration {
  /** The YAML keys the capability owns (`window`; reactions own `on` and `do`). */
  keys: readonly string[];
  /** Human name used in messages. */
  name: string;
  supported: boolean;
  /** Resource types the capability applies to. */
  resources: readonly PolicyResource[];
  /** Schema of each key's value (only for supported capabilities). */
  schemas?: Record<string, z.ZodType>;
  /** Build the runtime form of the block; report problems into ctx.problems with policy-relative paths. */
  compile?(block: Record<string, unknown>, ctx: CompileContext): CompiledCapability | null;
  /**
   * Every AWS action the capability may request (DESIGN §8). An action two capabilities request is
   * declared once, in the folder of the capability it belongs to, and listed by both.
   */
  actions?: readonly ActionSpec[];
  /** Guardrails of the capability's own, added to the one table; its actions name them like the built-ins. */
  guardrails?: readonly Guardrail[];
  /**
   * Watches what the capability's actions started beyond the resource's own state (the snapshots it
   * took): ingest hands it the events it `handles` before deciding, every sweep calls `sweep`.
   */
  tracker?: {
    handles(event: NormalizedEvent): boolean;
    /** The tracker only counts the event (folding repeats): it is still decided and reported like any other. */
    observesOnly?(event: NormalizedEvent): boolean;
    create(deps: TrackerDeps): Tracker;
  };
  /** Warnings about a policy of this capability that depend on the document around it (defaults). */
  documentWarnings?(block: Record<string, unknown>, defaults: { timezone?: string }): CompileProblem[];
}
