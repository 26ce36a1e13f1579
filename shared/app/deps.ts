import { serverlessUsageOf, type UsageReader } from '../aws/cloudwatch-usage.ts';
import type { DataApiPort } from '../aws/data-api.adapter.ts';
import type { RedshiftAdapter } from '../aws/redshift.adapter.ts';
import type { RedshiftServerlessAdapter } from '../aws/redshift-serverless.adapter.ts';
import { withWorkgroupLimits } from '../aws/workgroup-limits-reader.ts';
import type { NormalizedEvent } from '../events/normalized-event.ts';
import type { DeadLetterPort } from '../execute/batch-processor.ts';
import type { BreakerOptions } from '../execute/circuit-breaker.ts';
import type { DigestMessage } from '../execute/digest.ts';
import type { IntegrationPort } from '../execute/integration-port.ts';
import type { Clock, LedgerPort, NotifierPort, ResourcePort } from '../execute/ports.ts';
import type { Observability } from '../lambda/observability.ts';
import type { FleetPart } from '../policy/capability.ts';
import type { Decision, FleetResource, UnreadPart } from '../policy/decision.ts';
import type { PolicySet } from '../policy/policy-loader.ts';
import { AwsFleetReader } from './aws-fleet-reader.ts';

/**
 * Everything a deployed function needs, injected. The Lambda entry points build one `AppDeps` per cold
 * start from the environment (`depsFromEnv()` in env-deps.ts); the simulation, the bench and the tests
 * build theirs in process (`buildInProcessDeps()` in memory-deps.ts) from simulator-attached SDK clients
 * and in-memory ports. Both derive the adapter-backed members with `adapterMembers()`. The use cases
 * in this folder see nothing else: no `process.env`, no `new Date()`, no SDK client construction.
 */

/** The sweep's read: every resource it could read, and the parts it could not (see UnreadPart). */
export interface FleetRead {
  resources: FleetResource[];
  unread: UnreadPart[];
}

/** Reads the fleet as decide() needs it. */
export interface FleetReader {
  /**
   * The whole fleet for the reconcile sweep: DescribeClusters one page of 100 at a time (tags inside),
   * zero-ETL integrations, Serverless workgroups, and autopilot's own snapshots (DescribeClusterSnapshots
   * pages filtered by the managed-by tag; Serverless ListSnapshots). No per-cluster reads. A reader
   * the provisioned fleet does not need (integrations, Serverless) that fails is reported in `unread`
   * instead of failing the read.
   */
  readAll(): Promise<FleetRead>;
  /**
   * The slice one event needs: the event's resource with one Describe call, plus what a reaction needs
   * next to it (for a zero-ETL integration event, the integration and its target cluster). Empty when
   * the resource no longer exists or its type is not something the engine acts on.
   */
  readFor(event: NormalizedEvent): Promise<FleetResource[]>;
}

/** Sends decisions to the FIFO decision queue (group = resource, dedup id = idempotency key). */
export interface DecisionSender {
  /** Decisions, then the run's digest messages (shared/execute/digest.ts), when the sweep made any. */
  send(decisions: readonly Decision[], digests?: readonly DigestMessage[]): Promise<{ sent: number }>;
  /** Shows a received message again after `seconds` (SQS ChangeMessageVisibility); absent: the queue's timeout. */
  later?(receiptHandle: string, seconds: number): Promise<void>;
}

export interface AppConfig {
  /** Region for console links and for decisions that do not name one. */
  readonly region: string;
  readonly stage: string;
  readonly alertTopicArn: string;
  readonly decisionQueueUrl: string;
  readonly ledgerTableName: string;
  /** Must equal the decision queue's redrive `maxReceiveCount` (infra/acting.yml). */
  readonly maxReceiveCount: number;
  /** Per-run circuit breaker of the executor. */
  readonly breaker: BreakerOptions;
  /**
   * The accounts whose events and resources this deployment serves (its own first). An event naming
   * another account is dropped at the door and counted; null: not configured (tests that do not care).
   */
  readonly accounts: readonly string[] | null;
  /** The Regions whose events and resources this deployment serves (a hub's targets'); absent: `region` only. */
  readonly regions?: readonly string[];
  /** Decisions older than this when they reach the executor are refused (decided on a stale fleet). */
  readonly decisionMaxAgeSeconds: number;
  /** Where the executor dead-letters a message it will never act on (malformed, refused), with the reason. */
  readonly decisionDlqUrl: string | null;
}

export interface AppDeps {
  readonly config: AppConfig;
  /**
   * Compiled once per cold start. In Lambda: the policy file bundled into the zip (POLICY_PATH), see
   * env-deps.ts for why it is a file and not an SSM parameter.
   */
  readonly policies: PolicySet;
  readonly fleet: FleetReader;
  readonly queue: DecisionSender;
  /** The executor's dead-letter sender (the decision DLQ), when configured. */
  readonly deadLetters?: DeadLetterPort | undefined;
  readonly ledger: LedgerPort;
  readonly notifier: NotifierPort;
  /** The executor's re-read and state-changing calls, routed by target type. */
  readonly resources: {
    readonly cluster: ResourcePort;
    readonly workgroup?: ResourcePort;
    /** Zero-ETL integrations (a recreate); absent where the deployment wires none (a hub). */
    readonly integration?: IntegrationPort;
  };
  /** The Redshift Data API, for a failover drill's canary query; absent: no canary can run. */
  readonly dataApi?: DataApiPort;
  readonly clock: Clock;
  /** Powertools Logger and Metrics (flushed by the handler middleware after every invocation). */
  readonly observability: Observability;
}

/** Some packaged policy's capability asks the sweep to read this part of the fleet (CompiledCapability.fleetParts). */
export function readsPart(policies: PolicySet | undefined, part: FleetPart): boolean {
  return policies?.policies.some((p) => p.capability.fleetParts?.includes(part) === true) ?? false;
}

/**
 * The members every wiring derives the same way from the two Redshift adapters: the fleet reader and
 * the executor's resource ports. `nowMs` is the reader's clock (its short fleet cache); wall time if omitted.
 */
export function adapterMembers(
  redshift: RedshiftAdapter,
  serverless: RedshiftServerlessAdapter,
  nowMs?: () => number,
  policies?: PolicySet,
  /** The usage reader (CloudWatch); used only when a policy asks for the `usage` part. */
  usage?: UsageReader,
): { fleet: FleetReader; resources: AppDeps['resources'] } {
  const reads = readsPart(policies, 'usage') ? (usage ?? null) : null;
  const limits = readsPart(policies, 'limits');
  const fleet = new AwsFleetReader(redshift, serverless, nowMs, { limits, usage: reads });
  return {
    // Workgroups carry their usage limits (and RPU-hours) only when a policy keeps limits.
    fleet: limits
      ? withWorkgroupLimits(fleet, serverless, { usage: serverlessUsageOf(reads), now: nowMs ?? Date.now })
      : fleet,
    resources: { cluster: redshift, workgroup: serverless },
  };
}
