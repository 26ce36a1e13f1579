import { CreateTableCommand, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { CreateClusterCommand } from '@aws-sdk/client-redshift';
import { CreateTopicCommand, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
} from '@aws-sdk/client-sqs';
import { type AwsClients, createClients } from '../../shared/aws/client-factory.ts';
import { DynamoLedger, LEDGER_TABLE } from '../../shared/aws/ledger.adapter.ts';
import { Notifier } from '../../shared/aws/notifier.adapter.ts';
import { DecisionQueue } from '../../shared/aws/queue.adapter.ts';
import { RedshiftAdapter } from '../../shared/aws/redshift.adapter.ts';
import type { QueueRecord } from '../../shared/execute/batch-processor.ts';
import { Executor, type ExecutorDeps } from '../../shared/execute/executor.ts';
import { motoClientConfig } from '../helpers/moto.ts';

/**
 * The acting path's AWS resources in moto, created the way infra/acting.yml declares them: the FIFO
 * decision queue with its DLQ, the ledger table (pk/sk, TTL expiresAt), the alert topic, and an SQS
 * subscription on the topic so tests read alerts back exactly as a subscriber would receive them.
 */
export interface ActingEnv {
  clients: AwsClients;
  tableName: string;
  decisionQueueUrl: string;
  decisionDlqUrl: string;
  alertQueueUrl: string;
  topicArn: string;
  /** Every Redshift command the clients sent, by name (counted by SDK middleware). */
  redshiftCalls: string[];
  ledger(): DynamoLedger;
  queue(): DecisionQueue;
  executor(overrides?: Partial<ExecutorDeps>): Executor;
}

export interface ReceivedAlert {
  subject: string;
  message: string;
  attributes: Record<string, string>;
}

export async function createActingEnv(options: { maxAttempts?: number; suffix?: string } = {}): Promise<ActingEnv> {
  const config = motoClientConfig();
  const clients = createClients({
    region: config.region,
    endpoint: config.endpoint,
    credentials: config.credentials,
    maxAttempts: options.maxAttempts ?? 1,
  });
  // DynamoDB applies a ConditionExpression and the write atomically per item; moto_server serves
  // requests on threads and checks-then-writes, so two concurrent conditional PutItems can both
  // succeed there (seen in CI: 2 of 5 racing claims "won"). Serializing the HTTP exchanges restores
  // the per-item atomicity the ledger relies on; the requests are still issued concurrently by the
  // code under test and the condition is still evaluated by moto.
  let dynamoTurn: Promise<unknown> = Promise.resolve();
  clients.dynamodb.middlewareStack.add(
    (next) => async (args) => {
      const mine = dynamoTurn.then(() => next(args));
      dynamoTurn = mine.catch(() => undefined);
      return mine;
    },
    { step: 'deserialize', name: 'serializeForMotoAtomicity', priority: 'low' },
  );
  const suffix = options.suffix ?? 'it';
  const redshiftCalls: string[] = [];
  clients.redshift.middlewareStack.add(
    (next, context) => async (args) => {
      redshiftCalls.push(String(context.commandName ?? '?').replace(/Command$/, ''));
      return next(args);
    },
    { step: 'initialize', name: 'countRedshiftCalls' },
  );

  const dlq = await clients.sqs.send(
    new CreateQueueCommand({ QueueName: `decisions-dlq-${suffix}.fifo`, Attributes: { FifoQueue: 'true' } }),
  );
  const dlqArn = (
    await clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ['QueueArn'] }))
  ).Attributes?.QueueArn;
  const decisions = await clients.sqs.send(
    new CreateQueueCommand({
      QueueName: `decisions-${suffix}.fifo`,
      Attributes: {
        FifoQueue: 'true',
        ContentBasedDeduplication: 'false',
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 5 }),
      },
    }),
  );
  const tableName = `ledger-${suffix}`;
  await clients.dynamodb.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      ...structuredClone(LEDGER_TABLE),
    }),
  );
  await clients.dynamodb.send(
    new UpdateTimeToLiveCommand({
      TableName: tableName,
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    }),
  );
  const topic = await clients.sns.send(new CreateTopicCommand({ Name: `alerts-${suffix}` }));
  const alerts = await clients.sqs.send(new CreateQueueCommand({ QueueName: `alerts-reader-${suffix}` }));
  const alertsArn = (
    await clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: alerts.QueueUrl, AttributeNames: ['QueueArn'] }))
  ).Attributes?.QueueArn;
  await clients.sns.send(new SubscribeCommand({ TopicArn: topic.TopicArn, Protocol: 'sqs', Endpoint: alertsArn }));

  const must = (v: string | undefined, what: string) => {
    if (v === undefined) throw new Error(`moto did not return ${what}`);
    return v;
  };
  const env: ActingEnv = {
    clients,
    tableName,
    decisionQueueUrl: must(decisions.QueueUrl, 'the decision queue url'),
    decisionDlqUrl: must(dlq.QueueUrl, 'the decision DLQ url'),
    alertQueueUrl: must(alerts.QueueUrl, 'the alert queue url'),
    topicArn: must(topic.TopicArn, 'the topic arn'),
    redshiftCalls,
    ledger: () => new DynamoLedger(clients.dynamodb, tableName),
    queue: () => new DecisionQueue(clients.sqs, env.decisionQueueUrl),
    executor: (overrides = {}) =>
      new Executor({
        resources: { cluster: new RedshiftAdapter(clients.redshift) },
        ledger: env.ledger(),
        notifier: new Notifier(clients, env.topicArn),
        region: config.region,
        ...overrides,
      }),
  };
  return env;
}

export async function createTaggedCluster(env: ActingEnv, id: string, tags = { 'autopilot:managed': 'true' }) {
  await env.clients.redshift.send(
    new CreateClusterCommand({
      ClusterIdentifier: id,
      NodeType: 'dc2.large',
      ClusterType: 'single-node',
      MasterUsername: 'awsuser',
      MasterUserPassword: 'Passw0rd-for-tests',
      Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
    }),
  );
}

/** Drains a queue (SQS returns at most 10 per receive). */
async function drain(env: ActingEnv, queueUrl: string, attributeNames = false) {
  const all = [];
  for (let round = 0; round < 20; round += 1) {
    const out = await env.clients.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 0,
        ...(attributeNames ? { MessageSystemAttributeNames: ['All'] } : {}),
      }),
    );
    const messages = out.Messages ?? [];
    if (messages.length === 0) break;
    all.push(...messages);
    await env.clients.sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: messages.map((m, i) => ({ Id: `m${i}`, ReceiptHandle: m.ReceiptHandle })),
      }),
    );
  }
  return all;
}

/** Alerts as an SNS → SQS subscriber receives them (the SNS JSON envelope). */
export async function receiveAlerts(env: ActingEnv): Promise<ReceivedAlert[]> {
  return (await drain(env, env.alertQueueUrl)).map((m) => {
    const envelope = JSON.parse(m.Body ?? '{}') as {
      Subject?: string;
      Message?: string;
      MessageAttributes?: Record<string, { Value: string }>;
    };
    return {
      subject: envelope.Subject ?? '',
      message: envelope.Message ?? '',
      attributes: Object.fromEntries(Object.entries(envelope.MessageAttributes ?? {}).map(([k, v]) => [k, v.Value])),
    };
  });
}

/** Decision messages as Lambda's SQS event source would hand them over. */
export async function receiveDecisionRecords(env: ActingEnv): Promise<QueueRecord[]> {
  return (await drain(env, env.decisionQueueUrl, true)).map((m) => ({
    messageId: m.MessageId ?? '',
    body: m.Body ?? '',
    attributes: {
      ...(m.Attributes?.MessageGroupId === undefined ? {} : { MessageGroupId: m.Attributes.MessageGroupId }),
      ApproximateReceiveCount: m.Attributes?.ApproximateReceiveCount ?? '1',
    },
  }));
}
