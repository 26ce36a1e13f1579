import { paginateDescribeClusterSnapshots, ResumeClusterCommand } from '@aws-sdk/client-redshift';
import type { AppDeps } from '../../../shared/app/deps.ts';
import { DEFAULT_DECISION_MAX_AGE_SECONDS } from '../../../shared/app/env-deps.ts';
import { createDecisionBatchRunner } from '../../../shared/app/execute.use-case.ts';
import type { AwsClients } from '../../../shared/aws/client-factory.ts';
import { DynamoLedger } from '../../../shared/aws/ledger.adapter.ts';
import { Notifier } from '../../../shared/aws/notifier.adapter.ts';
import { RedshiftAdapter } from '../../../shared/aws/redshift.adapter.ts';
import { BREAKER_DEFAULTS } from '../../../shared/execute/circuit-breaker.ts';
import type { LedgerRecord, ResourcePort } from '../../../shared/execute/ports.ts';
import { decide } from '../../../shared/policy/decide.ts';
import type { Decision } from '../../../shared/policy/decision.ts';
import { loadPolicySources } from '../../../shared/policy/policy-loader.ts';
import type { ReceivedAlert } from '../acting.env.ts';
import {
  clientsFor,
  clusterStatuses,
  createClusters,
  createLedgerTable,
  resetMoto,
  tightRetries,
} from './aws-setup.ts';
import { FaultProxy, type FaultRule, type GateAnswer, type ProxiedRequest } from './fault-proxy.ts';
import { LambdaSqsPoller, QUEUE, VirtualClock } from './poller.ts';

/**
 * The fault suite's harness: a fresh moto account per run (300 tagged clusters), the fault proxy in
 * front of it, and the executor function's real wiring (createDecisionBatchRunner → AppExecutor →
 * processDecisionBatch, DynamoDB ledger and SNS/EventBridge notifier, all through the proxy) driven by
 * the Lambda SQS poller stand-in on a virtual clock.
 */
export const FLEET = { total: 300, due: 90 } as const;
export const DUE_AT = '2026-12-07T18:00:00.000Z';
const OPT_IN = { key: 'autopilot:managed', value: 'true' } as const;

export interface GateEntry {
  operation: string;
  cluster: string;
  invocationId: string;
  attempt: number;
  /** The cluster's status when the attempt reached the proxy. */
  status: string;
  forwarded: boolean;
}

/** Operations whose target state the gate checks: the states AWS accepts them in, and the state they leave. */
const STATE_CHECKED: Record<string, { allowed: readonly string[]; after: string }> = {
  PauseCluster: { allowed: ['available'], after: 'paused' },
  ResumeCluster: { allowed: ['paused'], after: 'available' },
};

export interface FaultEnv {
  endpoint: string;
  direct: AwsClients;
  proxied: AwsClients;
  proxy: FaultProxy;
  gateLog: GateEntry[];
  /** The gate's view of every cluster's status (only the proxied calls change it during a run). */
  states: Map<string, string>;
  tableName: string;
  topicArn: string;
  stop(): Promise<void>;
}

/**
 * moto's PauseCluster/ResumeCluster change the state whatever it was; AWS refuses a pause of a cluster
 * that is not `available` (InvalidClusterState). The gate keeps each cluster's status — read from moto
 * before the run; during it only the proxied calls change it, and moto applies them at once — decides
 * inside Redshift's serialized turn, logs what it saw and answers the refusal AWS would give.
 */
function stateGate(states: Map<string, string>, log: GateEntry[]) {
  return async (request: ProxiedRequest): Promise<GateAnswer | null> => {
    const rule = STATE_CHECKED[request.operation];
    if (request.service !== 'redshift' || rule === undefined) return null;
    const cluster = String(request.params.ClusterIdentifier ?? '');
    const status = states.get(cluster) ?? 'missing';
    const forward = rule.allowed.includes(status);
    log.push({
      operation: request.operation,
      cluster,
      invocationId: request.invocationId,
      attempt: request.attempt,
      status,
      forwarded: forward,
    });
    if (forward) {
      states.set(cluster, rule.after);
      return { forward, observed: status };
    }
    const message = `You can't ${request.operation} cluster ${cluster} because it is ${status} (needs ${rule.allowed.join(' or ')})`;
    return { forward, observed: status, refusal: { status: 400, code: 'InvalidClusterState', message } };
  };
}

/** The fleet, once per file: clusters straight in moto, grouped by their tags. */
export async function createFleet(
  endpoint: string,
  ids: readonly string[],
  tags: (id: string) => Record<string, string>,
) {
  await resetMoto(endpoint);
  const direct = clientsFor(endpoint);
  const groups = new Map<string, string[]>();
  for (const id of ids) {
    const key = JSON.stringify(tags(id));
    groups.set(key, [...(groups.get(key) ?? []), id]);
  }
  for (const [key, members] of groups) await createClusters(direct, members, JSON.parse(key) as Record<string, string>);
}

/**
 * One run: every cluster back to `available` (straight in moto), a fresh ledger table and alert topic,
 * and a fault proxy seeded for the run (no rules until `drive` sets them).
 */
export async function createFaultEnv(endpoint: string, seed: number): Promise<FaultEnv> {
  const direct = clientsFor(endpoint);
  const states = await clusterStatuses(direct);
  const paused = [...states].filter(([, status]) => status === 'paused').map(([id]) => id);
  for (let i = 0; i < paused.length; i += 10) {
    await Promise.all(
      paused.slice(i, i + 10).map((id) => direct.redshift.send(new ResumeClusterCommand({ ClusterIdentifier: id }))),
    );
  }
  for (const id of paused) states.set(id, 'available');
  const gateLog: GateEntry[] = [];
  // DynamoDB exchanges on one item run one at a time: moto evaluates a ConditionExpression and writes in
  // two steps across threads (commit a7113ae); DynamoDB is atomic per item. Redshift's state-checked calls too.
  // Alerts and events are answered by the proxy and read from it (SNS and EventBridge are not under test).
  const proxy = new FaultProxy({
    target: endpoint,
    seed,
    serialize: (r) =>
      r.service === 'dynamodb'
        ? itemOf(r)
        : r.service === 'redshift' && r.operation in STATE_CHECKED
          ? 'redshift'
          : null,
    sink: ['sns.Publish', 'events.PutEvents'],
    gate: stateGate(states, gateLog),
  });
  const proxied = clientsFor(await proxy.start(), tightRetries(3));
  const tableName = `ledger-faults-${seed}-${Date.now()}`;
  await createLedgerTable(direct, tableName);
  return {
    endpoint,
    direct,
    proxied,
    proxy,
    gateLog,
    states,
    tableName,
    topicArn: 'arn:aws:sns:us-east-1:123456789012:autopilot-alerts',
    stop: () => proxy.stop(),
  };
}

export interface LogLine {
  level: 'info' | 'warn' | 'error';
  message: string;
  extra: Record<string, unknown>;
}

function collectingLogger(lines: LogLine[]) {
  const at =
    (level: LogLine['level']) =>
    (message: string, ...extra: Record<string, unknown>[]) => {
      if (level !== 'info') lines.push({ level, message, extra: Object.assign({}, ...extra) });
    };
  return { info: at('info'), warn: at('warn'), error: at('error'), debug: () => undefined };
}
const noEmf = {
  singleMetric: () => ({ addDimension: () => undefined, addMetric: () => undefined }),
};

/** The item a DynamoDB request writes or reads (table, pk, sk), the unit moto must not interleave. */
function itemOf(request: ProxiedRequest): string {
  const p = request.params as {
    TableName?: string;
    Key?: Record<string, { S?: string }>;
    Item?: Record<string, { S?: string }>;
  };
  const k = p.Key ?? p.Item;
  return k === undefined ? `dynamodb:${request.operation}` : `dynamodb:${p.TableName}:${k.pk?.S}:${k.sk?.S}`;
}

/** An SNS Publish (query form) as the subscriber reads it: subject, message, message attributes. */
function alertOf(request: ProxiedRequest): ReceivedAlert {
  const p = request.params as Record<string, string>;
  const attributes: Record<string, string> = {};
  for (let i = 1; p[`MessageAttributes.entry.${i}.Name`] !== undefined; i += 1) {
    attributes[p[`MessageAttributes.entry.${i}.Name`] as string] =
      p[`MessageAttributes.entry.${i}.Value.StringValue`] ?? '';
  }
  return { subject: p.Subject ?? '', message: p.Message ?? '', attributes };
}

const SNAPSHOT_POLICY = `version: 1
policies:
  - name: nightly
    resource: cluster
    match: { tags: { backup: gold } }
    snapshots: { schedule: "cron(0 2 * * ? *)", timezone: UTC, retain: { daily: 2 } }
`;

/**
 * The policies deployed with the executor: it acts only on what one of them decided (issue 22), so the
 * decisions the scenarios send come from these — the pause window, the workgroup capacity window and
 * the nightly snapshots. No `match`: they select every opted-in cluster and workgroup, as the
 * policySelects guardrail checks on each re-read.
 */
const DEPLOYED_POLICIES = `version: 1
policies:
  - name: office-hours
    resource: cluster
    window: { timezone: UTC, running: ["Mon-Fri 08:00-18:00"] }
  - name: wg-capacity
    resource: workgroup
    window: { timezone: UTC, running: ["Mon-Fri 07:00-19:00"], runningBaseCapacity: 128, pausedBaseCapacity: 8 }
`;

/** The default opt-in tag (autopilot:managed=true) is the harness's OPT_IN. */
function deployedPolicies() {
  const loaded = loadPolicySources([
    { file: 'deployed.yml', text: DEPLOYED_POLICIES },
    { file: 'snapshots.yml', text: SNAPSHOT_POLICY },
  ]);
  const errors = loaded.problems.filter((p) => p.severity === 'error');
  if (errors.length > 0) throw new Error(`fault harness policies: ${errors.map((p) => p.message).join('; ')}`);
  return loaded.policySet;
}

/** One executor container as execute.use-case.ts builds it, over the proxied clients and the virtual clock. */
export function runnerFor(env: FaultEnv, clock: VirtualClock, logs: LogLine[], workgroup?: ResourcePort) {
  const deps = {
    config: {
      region: 'us-east-1',
      stage: 'faults',
      alertTopicArn: env.topicArn,
      decisionQueueUrl: 'in-process',
      ledgerTableName: env.tableName,
      maxReceiveCount: QUEUE.maxReceiveCount,
      breaker: { ...BREAKER_DEFAULTS },
      accounts: null,
      decisionMaxAgeSeconds: DEFAULT_DECISION_MAX_AGE_SECONDS,
      decisionDlqUrl: null,
    },
    policies: deployedPolicies(),
    ledger: new DynamoLedger(env.proxied.dynamodb, env.tableName, () => clock.now()),
    notifier: new Notifier(env.proxied, env.topicArn),
    resources: {
      cluster: new RedshiftAdapter(env.proxied.redshift),
      ...(workgroup === undefined ? {} : { workgroup }),
    },
    clock,
    observability: { logger: collectingLogger(logs), metrics: noEmf },
  };
  // The members the executor's use case reads; the reconcile-side members (fleet, queue) are not used.
  return createDecisionBatchRunner(deps as unknown as AppDeps);
}

export function pauseDecision(clusterId: string): Decision {
  return {
    at: DUE_AT,
    policy: 'office-hours',
    action: 'PauseCluster',
    target: { type: 'cluster', id: clusterId, region: 'us-east-1' },
    params: { ClusterIdentifier: clusterId },
    reason: 'outside window office-hours (Mon–Fri 08:00–18:00 UTC)',
    idempotencyKey: `office-hours/PauseCluster/cluster:${clusterId}/2026-12-07T18:00Z`,
    mode: 'act',
    guard: { optInTag: { ...OPT_IN }, allowZeroEtlTarget: false, maxResources: null },
  };
}

export interface DriveOptions {
  seed: number;
  consumers: number;
  crashAfterActRate: number;
  /** The same decisions sent again by later sweeps: inside SQS's 5-minute deduplication window and after it. */
  duplicateSweeps: boolean;
  rules: readonly FaultRule[];
  /** Where the virtual clock starts (default: 5 s after the pause decisions are due). */
  startIso?: string;
  /** Serverless workgroups (the simulator; moto has none), and what follows the virtual clock. */
  workgroups?: { port: ResourcePort; onClock: (ms: number) => void };
}

export interface DriveResult {
  statuses: Map<string, string>;
  ledger: Map<string, LedgerRecord>;
  alerts: ReceivedAlert[];
  /** Idempotency keys of the messages in the DLQ. */
  deadLettered: string[];
  virtualMs: number;
  crashes: number;
  /** Message id → idempotency key, for the log lines that name only the message. */
  keyOfMessage: Map<string, string>;
  /** The executor's warnings and errors (the function's log). */
  logs: LogLine[];
}

/** Sends the decisions the way reconcile does, drains the queue through the runners under faults, reads back. */
export async function drive(
  env: FaultEnv,
  decisions: readonly Decision[],
  options: DriveOptions,
): Promise<DriveResult> {
  const clock = new VirtualClock(options.startIso ?? '2026-12-07T18:00:05.000Z', options.workgroups?.onClock);
  const poller = new LambdaSqsPoller(clock, {
    consumers: options.consumers,
    crashAfterActRate: options.crashAfterActRate,
    seed: options.seed,
  });
  const t0 = clock.ms();
  poller.sweepAt(t0, decisions);
  if (options.duplicateSweeps) {
    poller.sweepAt(t0 + 60_000, decisions);
    poller.sweepAt(t0 + 6 * 60_000, decisions);
  }
  const logs: LogLine[] = [];
  const runners = Array.from({ length: options.consumers }, () =>
    runnerFor(env, clock, logs, options.workgroups?.port),
  );
  env.proxy.setRules(options.rules);
  const stats = await poller.drain(runners);
  env.proxy.setRules([]);
  const ledger = new DynamoLedger(env.direct.dynamodb, env.tableName);
  const records = await ledger.getMany(decisions.map((d) => d.idempotencyKey));
  return {
    statuses: await clusterStatuses(env.direct),
    ledger: new Map(records.map((r) => [r.target.id, r])),
    alerts: env.proxy.published.filter((p) => p.operation === 'Publish').map(alertOf),
    deadLettered: poller.queue.deadLetters.map((m) => (JSON.parse(m.body) as Decision).idempotencyKey),
    virtualMs: stats.virtualMs,
    crashes: stats.crashes,
    keyOfMessage: poller.keyOfMessage,
    logs,
  };
}

/** The snapshot slot decisions decide() makes at `nowIso` for the fleet in moto (the sweep's read). */
export async function snapshotDecisions(env: FaultEnv, nowIso: string): Promise<Decision[]> {
  const adapter = new RedshiftAdapter(env.direct.redshift);
  const resources = [...(await adapter.readFleet()), ...(await adapter.readSnapshots())];
  const { policySet } = loadPolicySources([{ file: 'snapshots.yml', text: SNAPSHOT_POLICY }]);
  const { decisions } = decide({
    policies: policySet,
    fleet: { readAt: nowIso, resources },
    trigger: { kind: 'tick', at: nowIso },
    now: nowIso,
    ledger: { entries: [] },
  });
  return decisions.filter((d) => d.action === 'CreateClusterSnapshot');
}

/** Snapshot identifiers per cluster, straight from moto. */
export async function snapshotsByCluster(env: FaultEnv): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for await (const page of paginateDescribeClusterSnapshots({ client: env.direct.redshift }, {})) {
    for (const s of page.Snapshots ?? []) {
      const id = s.ClusterIdentifier ?? '?';
      out.set(id, [...(out.get(id) ?? []), s.SnapshotIdentifier ?? '?']);
    }
  }
  return out;
}
