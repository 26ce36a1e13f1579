import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { RedshiftClient } from '@aws-sdk/client-redshift';
import { RedshiftServerlessClient } from '@aws-sdk/client-redshift-serverless';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';

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
}

export function clientConfig(options: ClientOptions) {
  return {
    region: options.region,
    retryMode: CLIENT_DEFAULTS.retryMode,
    maxAttempts: options.maxAttempts ?? CLIENT_DEFAULTS.maxAttempts,
    ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
    ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
  };
}

export function createClients(options: ClientOptions): AwsClients {
  const config = clientConfig(options);
  return {
    redshift: new RedshiftClient(config),
    redshiftServerless: new RedshiftServerlessClient(config),
    dynamodb: new DynamoDBClient(config),
    sqs: new SQSClient(config),
    sns: new SNSClient(config),
    eventBridge: new EventBridgeClient(config),
  };
}
