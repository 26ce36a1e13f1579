import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { RedshiftClient } from '@aws-sdk/client-redshift';
import { RedshiftServerlessClient } from '@aws-sdk/client-redshift-serverless';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { EXPIRED_CREDENTIALS_ERRORS } from '../execute/classify-error.ts';
import type { TargetCredentials } from './target-credentials.ts';
import type { SpokeRole } from './targets.ts';

/**
 * One set of SDK v3 clients per cold start, injected into adapters. Handlers never import `@aws-sdk/*`:
 * they call `createClients()` once at module scope and pass the result down.
 */
export interface ClientOptions {
  region: string;
  /** Only for moto / LocalStack; never set in Lambda. */
  endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /**
   * Total attempts per call, including the first. The SDK's `standard` retry mode backs off
   * exponentially with full jitter and retries throttling, 5xx and network errors only; what still
   * fails after these attempts becomes a TransientAwsError and SQS redelivers the message later.
   */
  maxAttempts?: number;
  /** Only for tests: an HTTP handler standing in for the network (real signing and parsing). */
  requestHandler?: unknown;
}

export const CLIENT_DEFAULTS = {
  retryMode: 'standard',
  maxAttempts: 3,
} as const;

export interface AwsClients {
  redshift: RedshiftClient;
  redshiftServerless: RedshiftServerlessClient;
  dynamodb: DynamoDBClient;
  sqs: SQSClient;
  sns: SNSClient;
  eventBridge: EventBridgeClient;
  /** The sweep's usage read (GetMetricData on UsageLimitConsumed), for usage-limit escalation. */
  cloudwatch?: CloudWatchClient;
}

export function clientConfig(options: ClientOptions) {
  return {
    region: options.region,
    retryMode: CLIENT_DEFAULTS.retryMode,
    maxAttempts: options.maxAttempts ?? CLIENT_DEFAULTS.maxAttempts,
    ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
    ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
    ...(options.requestHandler === undefined ? {} : { requestHandler: options.requestHandler as never }),
  };
}

export function createClients(options: ClientOptions): AwsClients {
  const config = clientConfig(options);
  return {
    redshift: refreshingCredentials(new RedshiftClient(config)),
    redshiftServerless: refreshingCredentials(new RedshiftServerlessClient(config)),
    dynamodb: refreshingCredentials(new DynamoDBClient(config)),
    sqs: refreshingCredentials(new SQSClient(config)),
    sns: refreshingCredentials(new SNSClient(config)),
    eventBridge: refreshingCredentials(new EventBridgeClient(config)),
    cloudwatch: refreshingCredentials(new CloudWatchClient(config)),
  };
}

/** AWS refused the request because the credentials (a session token) have expired. */
export function isExpiredCredentialsError(error: unknown): boolean {
  const name = (error as { name?: unknown } | null)?.name;
  return typeof name === 'string' && (EXPIRED_CREDENTIALS_ERRORS as readonly string[]).includes(name);
}

type CredentialsProvider = (options?: { forceRefresh?: boolean }) => Promise<unknown>;
interface RefreshableClient {
  send(...args: unknown[]): Promise<unknown>;
  config: { credentials: CredentialsProvider };
}

/**
 * A client whose calls, when AWS answers ExpiredToken, refresh the credentials and try once more.
 * The client's credentials are a memoized provider (the default chain, or the given ones): it
 * re-reads them on its own only when they carry an `expiration` within five minutes. Credentials
 * without one (environment variables, a profile's static session) or a clock AWS disagrees with
 * would be reused as they are on every retry, so the same client would fail the same way; a
 * `forceRefresh` makes the chain read them again. The request was refused at authentication, so
 * nothing ran: calling again is safe. If it still fails, the error goes up, and the executor's
 * classifier treats it as transient (SQS redelivers later; the next call refreshes again).
 */
export function refreshingCredentials<T extends object>(client: T): T {
  const target = client as unknown as RefreshableClient;
  // Looked up at call time, so a test double on the class prototype (aws-sdk-client-mock) is what runs.
  const send = (args: unknown[]) => (Object.getPrototypeOf(target) as RefreshableClient).send.apply(target, args);
  target.send = async (...args: unknown[]) => {
    if (typeof args.at(-1) === 'function') return send(args);
    try {
      return await send(args);
    } catch (error) {
      if (!isExpiredCredentialsError(error)) throw error;
      // A refresh that fails leaves the original answer to report (transient: a later retry refreshes again).
      const refreshed = await target.config.credentials({ forceRefresh: true }).then(
        () => true,
        () => false,
      );
      if (!refreshed) throw error;
      return send(args);
    }
  };
  return client;
}

/** The clients the hub uses inside one spoke (account, Region): the fleet read, the actions, the usage read. */
export type TargetClients = Pick<AwsClients, 'redshift' | 'redshiftServerless'> & { cloudwatch: CloudWatchClient };

/**
 * Per-target SDK clients, one set per (account, Region, role), built on first use and kept for the
 * container's life. A role of null is the function's own credentials (the hub's own account). The
 * credentials come from the role's one cached provider (target-credentials.ts), so every Region of an
 * account shares one AssumeRole; each client still refreshes once on ExpiredToken (refreshingCredentials).
 */
export class TargetClientFactory {
  readonly #clients = new Map<string, TargetClients>();
  readonly #base: Omit<ClientOptions, 'region' | 'credentials'>;
  readonly #credentials: TargetCredentials;
  /** The hub's own credentials for a target without a role (moto only; Lambda uses the default chain). */
  readonly #own: ClientOptions['credentials'];

  constructor(
    credentials: TargetCredentials,
    base: Omit<ClientOptions, 'region' | 'credentials'> = {},
    own?: ClientOptions['credentials'],
  ) {
    this.#credentials = credentials;
    this.#base = base;
    this.#own = own;
  }

  clientsFor(location: { account: string; region: string }, role: SpokeRole | null): TargetClients {
    const key = `${location.account}/${location.region}/${role?.roleArn ?? 'own'}`;
    let clients = this.#clients.get(key);
    if (clients === undefined) {
      const config = {
        ...clientConfig({ ...this.#base, region: location.region }),
        ...(role === null
          ? this.#own === undefined
            ? {}
            : { credentials: this.#own }
          : { credentials: this.#credentials.providerFor(role) }),
      };
      clients = {
        redshift: refreshingCredentials(new RedshiftClient(config)),
        redshiftServerless: refreshingCredentials(new RedshiftServerlessClient(config)),
        cloudwatch: refreshingCredentials(new CloudWatchClient(config)),
      };
      this.#clients.set(key, clients);
    }
    return clients;
  }

  /** How many client sets exist (tests: one per (account, Region, role)). */
  get size(): number {
    return this.#clients.size;
  }
}
