import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { type AwsClients, createClients, TargetClientFactory } from '../aws/client-factory.ts';
import { CloudWatchUsageAdapter } from '../aws/cloudwatch-usage.ts';
import type { DataApiPort } from '../aws/data-api.adapter.ts';
import { IntegrationAdapter } from '../aws/integration.adapter.ts';
import { DynamoLedger } from '../aws/ledger.adapter.ts';
import { Notifier } from '../aws/notifier.adapter.ts';
import { DecisionDeadLetters, DecisionQueue } from '../aws/queue.adapter.ts';
import { RedshiftAdapter } from '../aws/redshift.adapter.ts';
import { RedshiftServerlessAdapter } from '../aws/redshift-serverless.adapter.ts';
import { sdkAssumeRole, TargetCredentials } from '../aws/target-credentials.ts';
import { type HubTargets, parseTargets, type TargetLocation } from '../aws/targets.ts';
import { ConfigurationError } from '../errors.ts';
import { BREAKER_DEFAULTS } from '../execute/circuit-breaker.ts';
import { type ResourcePort, systemClock } from '../execute/ports.ts';
import { TargetRoutedPort } from '../execute/target-ports.ts';
import { createObservability } from '../lambda/observability.ts';
import type { PolicySet } from '../policy/policy-loader.ts';
import { FanOutFleetReader } from './aws-fleet-reader.ts';
import { type AppConfig, type AppDeps, adapterMembers } from './deps.ts';

/**
 * The Lambda wiring: AppDeps from the environment serverless.yml sets. Importing a handler module must
 * not need AWS or a policy file (the simulation harness imports the factories), so every member is
 * built on first use and kept for the container's life: constructing SDK clients makes no call, and
 * the policy file is read once. `warm()` touches the members that can fail at init so a broken policy
 * or a missing variable fails the cold start instead of the first event.
 */
export const ENV = {
  region: 'AWS_REGION',
  stage: 'AUTOPILOT_STAGE',
  alertTopicArn: 'ALERT_TOPIC_ARN',
  decisionQueueUrl: 'DECISION_QUEUE_URL',
  ledgerTableName: 'LEDGER_TABLE_NAME',
  maxReceiveCount: 'DECISION_MAX_RECEIVE_COUNT',
  breakerFailureShare: 'BREAKER_FAILURE_SHARE',
  breakerMinFailures: 'BREAKER_MIN_FAILURES',
  policyPath: 'POLICY_PATH',
  accountId: 'AUTOPILOT_ACCOUNT_ID',
  decisionMaxAgeSeconds: 'DECISION_MAX_AGE_SECONDS',
  decisionDlqUrl: 'DECISION_DLQ_URL',
  service: 'POWERTOOLS_SERVICE_NAME',
  /** A hub's targets file (shared/aws/targets.ts), relative to the task root; unset: this account and Region only. */
  targetsPath: 'AUTOPILOT_TARGETS_PATH',
} as const;

/** POLICY_PATH when unset: the folder serverless.yml copies into every zip (package.patterns). */
export const POLICY_PATH_DEFAULT = 'policies' as const;

/**
 * Decisions older than this are refused by the executor: the queue's own redeliveries span at most
 * maxReceiveCount x visibility timeout (5 x 360 s = 30 min); a decision older than that came back from the
 * DLQ or was held back, and the sweep (every 5 minutes) has long since decided again on a fresher read.
 */
export const DEFAULT_DECISION_MAX_AGE_SECONDS = 2_700;

/** The queue's redrive maxReceiveCount in infra/acting.yml. */
export const DEFAULT_MAX_RECEIVE_COUNT = 5;

type Env = Readonly<Record<string, string | undefined>>;

function required(env: Env, name: string): string {
  const value = env[name];
  if (value === undefined || value === '') throw new ConfigurationError(`environment variable ${name} is not set`);
  return value;
}

function numberFrom(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value)) throw new ConfigurationError(`environment variable ${name}=${raw} is not a number`);
  return value;
}

export function configFromEnv(env: Env): AppConfig {
  return {
    region: env[ENV.region] ?? 'us-east-1',
    stage: env[ENV.stage] ?? 'dev',
    alertTopicArn: required(env, ENV.alertTopicArn),
    decisionQueueUrl: required(env, ENV.decisionQueueUrl),
    ledgerTableName: required(env, ENV.ledgerTableName),
    maxReceiveCount: numberFrom(env, ENV.maxReceiveCount, DEFAULT_MAX_RECEIVE_COUNT),
    breaker: {
      failureShare: numberFrom(env, ENV.breakerFailureShare, BREAKER_DEFAULTS.failureShare),
      minFailures: numberFrom(env, ENV.breakerMinFailures, BREAKER_DEFAULTS.minFailures),
    },
    accounts: accountsFrom(env[ENV.accountId]),
    decisionMaxAgeSeconds: numberFrom(env, ENV.decisionMaxAgeSeconds, DEFAULT_DECISION_MAX_AGE_SECONDS),
    decisionDlqUrl: env[ENV.decisionDlqUrl] || null,
  };
}

/** `AUTOPILOT_ACCOUNT_ID`: the deployment's account, optionally followed by more (comma-separated). */
function accountsFrom(raw: string | undefined): readonly string[] | null {
  const accounts = (raw ?? '')
    .split(',')
    .map((a) => a.trim())
    .filter((a) => a !== '');
  for (const account of accounts) {
    if (!/^\d{12}$/.test(account))
      throw new ConfigurationError(`AUTOPILOT_ACCOUNT_ID: ${account} is not a 12-digit account id`);
  }
  return accounts.length === 0 ? null : accounts;
}

function lazy<T>(build: () => T): () => T {
  let built: { value: T } | undefined;
  return () => {
    built ??= { value: build() };
    return built.value;
  };
}

export interface EnvDepsOptions {
  /** Log/metric service name when POWERTOOLS_SERVICE_NAME is not set. */
  service: string;
  env?: Env;
  /** Where POLICY_PATH is resolved; the task root in Lambda. */
  cwd?: string;
  /**
   * Reads and compiles POLICY_PATH (`loadPolicyFileSync` from policy-file.ts). Injected rather than
   * imported so the executor, which acts on decisions and never decides, does not bundle the policy
   * engine (YAML parser, time zones, cron): without it, `deps.policies` is a configuration error.
   */
  loadPolicies?: (policyPath: string, cwd: string) => PolicySet;
  /**
   * Builds the Redshift Data API port (`createDataApi` from data-api.adapter.ts) for the function that
   * runs a failover drill's canary, the drill watcher. Injected like `loadPolicies` so only that
   * function bundles the RedshiftDataClient and holds the Data API and secret permissions; built on
   * first use. Without it `deps.dataApi` is absent and the tracker leaves the canary to the watcher.
   */
  dataApi?: (options: { region: string }) => DataApiPort;
}

export function depsFromEnv(options: EnvDepsOptions): AppDeps {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? env.LAMBDA_TASK_ROOT ?? process.cwd();
  const targets = lazy(() => targetsFrom(env, cwd));
  const config = lazy(() => withTargets(configFromEnv(env), targets()));
  const clients = lazy(() => createClients({ region: config().region }));
  // The deciding functions read what their policies need; the executor reads resources one by one.
  const policiesIfDeciding = () => (options.loadPolicies === undefined ? undefined : policies());
  const adapters = lazy(() => {
    const hub = targets();
    if (hub !== null) {
      const service = env[ENV.service] ?? options.service;
      return hubMembers(hub, clients(), config(), policiesIfDeciding(), `autopilot-${config().stage}-${service}`, {
        executes: options.loadPolicies === undefined,
      });
    }
    const members = adapterMembers(
      new RedshiftAdapter(clients().redshift),
      new RedshiftServerlessAdapter(clients().redshiftServerless),
      undefined,
      policiesIfDeciding(),
      clients().cloudwatch === undefined
        ? undefined
        : new CloudWatchUsageAdapter(clients().cloudwatch as CloudWatchClient),
    );
    // Zero-ETL integrations of this account (a recreate); a hub wires none yet.
    return {
      ...members,
      resources: { ...members.resources, integration: new IntegrationAdapter(clients().redshift, ledger()) },
    };
  });
  const queue = lazy(() => new DecisionQueue(clients().sqs, config().decisionQueueUrl));
  const deadLetters = lazy(() => {
    const url = config().decisionDlqUrl;
    return url === null ? undefined : new DecisionDeadLetters(clients().sqs, url);
  });
  const ledger = lazy(() => new DynamoLedger(clients().dynamodb, config().ledgerTableName));
  const notifier = lazy(() => new Notifier(clients(), config().alertTopicArn));
  const policies = lazy(() => {
    if (options.loadPolicies === undefined) {
      throw new ConfigurationError(`${options.service} decides nothing and loads no policies`);
    }
    return options.loadPolicies(env[ENV.policyPath] ?? POLICY_PATH_DEFAULT, cwd);
  });
  const observability = lazy(() => createObservability({ service: env[ENV.service] ?? options.service }));
  const deps: AppDeps = {
    get config() {
      return config();
    },
    get policies() {
      return policies();
    },
    get fleet() {
      return adapters().fleet;
    },
    get queue() {
      return queue();
    },
    get ledger() {
      return ledger();
    },
    get deadLetters() {
      return deadLetters();
    },
    get notifier() {
      return notifier();
    },
    get resources() {
      return adapters().resources;
    },
    clock: systemClock,
    get observability() {
      return observability();
    },
  };
  const buildDataApi = options.dataApi;
  if (buildDataApi !== undefined) {
    const dataApi = lazy(() => buildDataApi({ region: config().region }));
    Object.defineProperty(deps, 'dataApi', { get: dataApi, enumerable: true });
  }
  if (inLambda(env)) warm(deps, options.loadPolicies !== undefined);
  return deps;
}

/** Builds what can fail at init (configuration, policy file). Called at module scope only inside Lambda. */
export function warm(deps: AppDeps, withPolicies: boolean): void {
  void deps.config;
  if (withPolicies) void deps.policies;
}

/** True inside the Lambda runtime (never in tests or the simulator). */
export function inLambda(env: Env = process.env): boolean {
  return env.AWS_LAMBDA_FUNCTION_NAME !== undefined && env.LAMBDA_TASK_ROOT !== undefined;
}

/** The targets file a hub packages (AUTOPILOT_TARGETS_PATH), or null for a single-account deployment. */
export function targetsFrom(env: Env, cwd: string): HubTargets | null {
  const path = env[ENV.targetsPath];
  if (path === undefined || path === '') return null;
  let text: string;
  try {
    text = readFileSync(resolve(cwd, path), 'utf8');
  } catch (error) {
    throw new ConfigurationError(
      `${ENV.targetsPath}=${path}: cannot read it (${(error as Error).message}); expected the targets file packaged with the function`,
    );
  }
  return parseTargets(text, path);
}

/** A hub serves its own account and Region and every target's (events from them are not dropped). */
function withTargets(config: AppConfig, hub: HubTargets | null): AppConfig {
  if (hub === null) return config;
  const accounts = [...new Set([...(config.accounts ?? []), ...hub.locations.map((l) => l.account)])];
  const regions = [...new Set([config.region, ...hub.locations.map((l) => l.region)])];
  return { ...config, accounts, regions };
}

/**
 * A hub's fleet reader and resource ports: per (account, Region), the adapters over that target's clients
 * (the spoke's read role for the deciding functions, its execution role for the executor), the sweep
 * fanned out over all of them, and the executor's calls routed by each decision's target. A target
 * without a role, and a decision naming no account, use the function's own clients.
 */
export function hubMembers(
  hub: HubTargets,
  own: AwsClients,
  config: AppConfig,
  policies: PolicySet | undefined,
  sessionName: string,
  options: { executes: boolean; factory?: TargetClientFactory },
): { fleet: AppDeps['fleet']; resources: AppDeps['resources'] } {
  const factory =
    options.factory ??
    new TargetClientFactory(new TargetCredentials({ assume: sdkAssumeRole({ region: config.region }), sessionName }));
  const roleOf = (l: TargetLocation) => (options.executes ? l.execute : l.read);
  const members = new Map<string, ReturnType<typeof adapterMembers>>();
  const membersOf = (l: TargetLocation) => {
    const key = `${l.account}/${l.region}`;
    let found = members.get(key);
    if (found === undefined) {
      const role = roleOf(l);
      const c = role === null && l.region === config.region ? own : factory.clientsFor(l, role);
      found = adapterMembers(
        new RedshiftAdapter(c.redshift),
        new RedshiftServerlessAdapter(c.redshiftServerless),
        undefined,
        policies,
        c.cloudwatch === undefined ? undefined : new CloudWatchUsageAdapter(c.cloudwatch),
      );
      members.set(key, found);
    }
    return found;
  };
  const home = adapterMembers(new RedshiftAdapter(own.redshift), new RedshiftServerlessAdapter(own.redshiftServerless));
  const portFor = (type: 'cluster' | 'workgroup') => (location: { account: string; region: string } | null) => {
    if (location === null) return home.resources[type];
    const l = hub.locations.find((t) => t.account === location.account && t.region === location.region);
    return l === undefined ? undefined : (membersOf(l).resources[type] as ResourcePort | undefined);
  };
  return {
    fleet: new FanOutFleetReader(
      hub.locations.map((l) => ({ location: l, reader: membersOf(l).fleet })),
      hub.concurrency,
    ),
    resources: {
      cluster: new TargetRoutedPort(portFor('cluster')),
      workgroup: new TargetRoutedPort(portFor('workgroup')),
    },
  };
}
