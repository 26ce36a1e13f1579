import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { createClients } from '../aws/client-factory.ts';
import { CloudWatchUsageAdapter } from '../aws/cloudwatch-usage.ts';
import { DynamoLedger } from '../aws/ledger.adapter.ts';
import { Notifier } from '../aws/notifier.adapter.ts';
import { DecisionDeadLetters, DecisionQueue } from '../aws/queue.adapter.ts';
import { RedshiftAdapter } from '../aws/redshift.adapter.ts';
import { RedshiftServerlessAdapter } from '../aws/redshift-serverless.adapter.ts';
import { ConfigurationError } from '../errors.ts';
import { BREAKER_DEFAULTS } from '../execute/circuit-breaker.ts';
import { systemClock } from '../execute/ports.ts';
import { createObservability } from '../lambda/observability.ts';
import type { PolicySet } from '../policy/policy-loader.ts';
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
}

export function depsFromEnv(options: EnvDepsOptions): AppDeps {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? env.LAMBDA_TASK_ROOT ?? process.cwd();
  const config = lazy(() => configFromEnv(env));
  const clients = lazy(() => createClients({ region: config().region }));
  const adapters = lazy(() =>
    adapterMembers(
      new RedshiftAdapter(clients().redshift),
      new RedshiftServerlessAdapter(clients().redshiftServerless),
      undefined,
      // The deciding functions read what their policies need; the executor reads resources one by one.
      options.loadPolicies === undefined ? undefined : policies(),
      clients().cloudwatch === undefined
        ? undefined
        : new CloudWatchUsageAdapter(clients().cloudwatch as CloudWatchClient),
    ),
  );
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
