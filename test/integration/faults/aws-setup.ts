import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { CreateClusterCommand, DescribeClustersCommand, RedshiftClient } from '@aws-sdk/client-redshift';
import { RedshiftServerlessClient } from '@aws-sdk/client-redshift-serverless';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { RetryErrorInfo, RetryStrategyV2, RetryToken } from '@smithy/types';
import { type AwsClients, clientConfig } from '../../../shared/aws/client-factory.ts';
import { LEDGER_TABLE } from '../../../shared/aws/ledger.adapter.ts';

/**
 * The moto side of the fault suite: SDK clients (straight to moto for setup and read-back; through the
 * fault proxy for the code under test), the ledger table and the fleet of tagged clusters.
 */

/**
 * Tightened for the suite (the production clients use the SDK's standard mode, 3 attempts, jittered
 * backoff from 100 ms — 500 ms for throttling — and a retry quota): the same 3 attempts and the same
 * classification (throttling, 5xx and network errors retried; other 4xx not), but 1 ms between attempts
 * and no retry quota, so hundreds of injected faults cost no wall-clock time and every call gets its
 * three attempts. What a call sees after them is what production would see after its backoff.
 */
export function tightRetries(maxAttempts = 3): RetryStrategyV2 {
  const token = (count: number): RetryToken => ({ getRetryCount: () => count, getRetryDelay: () => 1 });
  return {
    acquireInitialRetryToken: async () => token(0),
    refreshRetryTokenForRetry: async (previous: RetryToken, info: RetryErrorInfo) => {
      const next = previous.getRetryCount() + 1;
      if (info.errorType === 'CLIENT_ERROR' || next >= maxAttempts) throw new Error('no more attempts');
      return token(next);
    },
    recordSuccess: () => undefined,
  };
}

const CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' };

/** All six clients against `endpoint` (moto, or the fault proxy in front of it). */
export function clientsFor(endpoint: string, retryStrategy?: RetryStrategyV2): AwsClients {
  const config = {
    ...clientConfig({ region: 'us-east-1', endpoint, credentials: CREDENTIALS, maxAttempts: 3 }),
    ...(retryStrategy === undefined ? {} : { retryStrategy }),
  };
  return {
    redshift: new RedshiftClient(config),
    redshiftServerless: new RedshiftServerlessClient(config),
    dynamodb: new DynamoDBClient(config),
    sqs: new SQSClient(config),
    sns: new SNSClient(config),
    eventBridge: new EventBridgeClient(config),
  };
}

/** The ledger table as infra/acting.yml declares it (pk/sk strings, on demand). */
export async function createLedgerTable(direct: AwsClients, tableName: string): Promise<void> {
  await direct.dynamodb.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      ...structuredClone(LEDGER_TABLE),
    }),
  );
}

/** Tagged single-node clusters, created straight in moto a few at a time. */
export async function createClusters(direct: AwsClients, ids: readonly string[], tags: Record<string, string>) {
  const Tags = Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
  for (let i = 0; i < ids.length; i += 10) {
    await Promise.all(
      ids.slice(i, i + 10).map((id) =>
        direct.redshift.send(
          new CreateClusterCommand({
            ClusterIdentifier: id,
            NodeType: 'ra3.xlplus',
            ClusterType: 'single-node',
            MasterUsername: 'awsuser',
            MasterUserPassword: 'Passw0rd-for-tests',
            Tags,
          }),
        ),
      ),
    );
  }
}

/** Every cluster's status, straight from moto. */
export async function clusterStatuses(direct: AwsClients): Promise<Map<string, string>> {
  const statuses = new Map<string, string>();
  let marker: string | undefined;
  do {
    const out = await direct.redshift.send(new DescribeClustersCommand({ MaxRecords: 100, Marker: marker }));
    for (const c of out.Clusters ?? []) statuses.set(c.ClusterIdentifier ?? '?', c.ClusterStatus ?? '?');
    marker = out.Marker;
  } while (marker !== undefined && marker !== '');
  return statuses;
}

export async function resetMoto(endpoint: string): Promise<void> {
  const res = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
  if (!res.ok) throw new Error(`moto reset failed: HTTP ${res.status}`);
}
