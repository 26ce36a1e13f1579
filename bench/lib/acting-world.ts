import { CreateTableCommand, DynamoDBClient, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { CreateEventBusCommand, EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { CreateClusterCommand, DescribeClustersCommand, RedshiftClient } from '@aws-sdk/client-redshift';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { type CfnTemplate, refTarget } from '../../test/helpers/template.ts';

/**
 * The acting bench's account in moto: the resources the packaged template declares for the functions
 * under test (every queue, table, topic and event bus their environment references, the executor's
 * event source queue and its redrive target), created from the template's own properties (key schema,
 * indexes, FIFO, visibility timeout, redrive), and the fleet: `clusters` provisioned clusters of which
 * `due` are selected by the bench policy (env=dev) and opted in (autopilot:managed=true); of the rest,
 * 40 % are env=dev without the opt-in tag and 60 % opted in but env=prod.
 */
export const ACCOUNT_ID = '123456789012';
export const REGION = 'us-east-1';
export const OPT_IN = { key: 'autopilot:managed', value: 'true' } as const;
export const SELECTOR = { key: 'env', value: 'dev' } as const;
/** The packaged policies folder of the bench (bench/lib/acting-policies, one window policy). */
export const BENCH_POLICIES = 'bench/lib/acting-policies';

export function clientConfig(endpoint: string, caller: string) {
  return {
    endpoint,
    region: REGION,
    credentials: { accessKeyId: caller, secretAccessKey: 'bench' },
    maxAttempts: 3,
  } as const;
}

export interface FleetSpec {
  clusters: number;
  due: number;
}

export interface ClusterSpec {
  id: string;
  tags: Record<string, string>;
  due: boolean;
}

export function fleetSpec(spec: FleetSpec): ClusterSpec[] {
  const rest = spec.clusters - spec.due;
  const devNotOptedIn = Math.round(rest * 0.4);
  return Array.from({ length: spec.clusters }, (_, i) => {
    const id = `bench-${String(i + 1).padStart(4, '0')}`;
    // Interleaved, so the due clusters are spread over every DescribeClusters page.
    const slot = (i * 7919) % spec.clusters;
    if (slot < spec.due) return { id, due: true, tags: { [SELECTOR.key]: SELECTOR.value, [OPT_IN.key]: OPT_IN.value } };
    if (slot < spec.due + devNotOptedIn) return { id, due: false, tags: { [SELECTOR.key]: SELECTOR.value } };
    return { id, due: false, tags: { [SELECTOR.key]: 'prod', [OPT_IN.key]: OPT_IN.value } };
  });
}

/** 7919 is prime: `(i * 7919) % n` is a permutation for every n it does not divide. */
export function checkSpec(spec: FleetSpec): void {
  if (spec.clusters % 7919 === 0 || spec.due > spec.clusters || spec.due < 0) {
    throw new Error(`acting bench: ${spec.due} due of ${spec.clusters} clusters is not a fleet this bench builds`);
  }
}

export async function createClusters(endpoint: string, spec: FleetSpec, concurrency = 8): Promise<void> {
  checkSpec(spec);
  const redshift = new RedshiftClient(clientConfig(endpoint, 'BENCHSETUP'));
  const clusters = fleetSpec(spec);
  let next = 0;
  const worker = async () => {
    while (next < clusters.length) {
      const c = clusters[next++] as ClusterSpec;
      await redshift.send(
        new CreateClusterCommand({
          ClusterIdentifier: c.id,
          NodeType: 'ra3.xlplus',
          NumberOfNodes: 2,
          MasterUsername: 'admin',
          MasterUserPassword: 'BenchPassw0rd',
          Tags: Object.entries(c.tags).map(([Key, Value]) => ({ Key, Value })),
        }),
      );
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  redshift.destroy();
}

/** Cluster identifier → status, as moto holds them now. */
export async function clusterStatuses(endpoint: string): Promise<Map<string, string>> {
  const redshift = new RedshiftClient(clientConfig(endpoint, 'BENCHCHECK'));
  const out = await redshift.send(new DescribeClustersCommand({}));
  redshift.destroy();
  return new Map((out.Clusters ?? []).map((c) => [c.ClusterIdentifier ?? '?', c.ClusterStatus ?? '?']));
}

// ------------------------------------------------------------------------------------------ template

type Props = Record<string, unknown>;
/** What a Ref / GetAtt of a created resource resolves to. */
interface Created {
  ref: string;
  arn: string;
}

export interface ActingResources {
  byLogicalId: Map<string, Created>;
  /** Logical id of the executor's event source queue. */
  decisionQueueId: string;
  decisionQueueUrl: string;
}

const CREATABLE = ['AWS::SQS::Queue', 'AWS::DynamoDB::Table', 'AWS::SNS::Topic', 'AWS::Events::EventBus'];

function referencedIds(value: unknown, into: Set<string>): void {
  const id = refTarget(value);
  if (id !== null) into.add(id);
  if (value !== null && typeof value === 'object') for (const v of Object.values(value)) referencedIds(v, into);
}

/** Every creatable resource the functions' environments, the event source and redrive policies reference. */
function resourcesToCreate(template: CfnTemplate, functionIds: readonly string[], queueId: string): string[] {
  const ids = new Set<string>([queueId]);
  for (const fn of functionIds) referencedIds(template.Resources[fn]?.Properties?.Environment, ids);
  for (const id of [...ids]) referencedIds(template.Resources[id]?.Properties?.RedrivePolicy, ids);
  const wanted = [...ids].filter((id) => CREATABLE.includes(template.Resources[id]?.Type ?? ''));
  // Queues without a redrive policy first: a redrive target must exist before its source.
  return wanted.sort(
    (a, b) =>
      Number(template.Resources[a]?.Properties?.RedrivePolicy !== undefined) -
      Number(template.Resources[b]?.Properties?.RedrivePolicy !== undefined),
  );
}

/** A template value with its references resolved against what was created (strings only). */
export function resolveValue(value: unknown, created: Map<string, Created>): string | null {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === null || typeof value !== 'object') return null;
  const node = value as Props;
  if (node.Ref === 'AWS::AccountId') return ACCOUNT_ID;
  if (node.Ref === 'AWS::Region') return REGION;
  if (node.Ref === 'AWS::Partition') return 'aws';
  const id = refTarget(value);
  if (id !== null) {
    const found = created.get(id);
    if (found !== undefined) return 'Ref' in node ? found.ref : found.arn;
    // A role or function ARN the code only names (never calls): a well-formed stand-in.
    return `arn:aws:iam::${ACCOUNT_ID}:role/${id}`;
  }
  const join = node['Fn::Join'];
  if (Array.isArray(join) && Array.isArray(join[1])) {
    const parts = (join[1] as unknown[]).map((p) => resolveValue(p, created));
    return parts.includes(null) ? null : parts.join(String(join[0]));
  }
  return null;
}

async function createOne(endpoint: string, id: string, type: string, p: Props, created: Map<string, Created>) {
  const config = clientConfig(endpoint, 'BENCHSETUP');
  if (type === 'AWS::SQS::Queue') {
    const sqs = new SQSClient(config);
    const attributes: Record<string, string> = {};
    for (const key of ['FifoQueue', 'ContentBasedDeduplication', 'VisibilityTimeout', 'MessageRetentionPeriod']) {
      if (p[key] !== undefined) attributes[key] = String(p[key]);
    }
    const redrive = p.RedrivePolicy as Props | undefined;
    if (redrive !== undefined) {
      attributes.RedrivePolicy = JSON.stringify({
        deadLetterTargetArn: resolveValue(redrive.deadLetterTargetArn, created),
        maxReceiveCount: Number(redrive.maxReceiveCount),
      });
    }
    const name = String(p.QueueName ?? `${id}${p.FifoQueue === true ? '.fifo' : ''}`);
    const url = (await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }))).QueueUrl ?? '';
    const q = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }));
    created.set(id, { ref: url, arn: q.Attributes?.QueueArn ?? '' });
  } else if (type === 'AWS::DynamoDB::Table') {
    const dynamodb = new DynamoDBClient(config);
    const name = String(p.TableName ?? id);
    await dynamodb.send(
      new CreateTableCommand({
        TableName: name,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: p.AttributeDefinitions as never,
        KeySchema: p.KeySchema as never,
        ...(p.GlobalSecondaryIndexes === undefined
          ? {}
          : { GlobalSecondaryIndexes: p.GlobalSecondaryIndexes as never }),
        ...(p.LocalSecondaryIndexes === undefined ? {} : { LocalSecondaryIndexes: p.LocalSecondaryIndexes as never }),
      }),
    );
    const ttl = p.TimeToLiveSpecification as { AttributeName?: string; Enabled?: boolean } | undefined;
    if (ttl?.AttributeName !== undefined) {
      await dynamodb.send(
        new UpdateTimeToLiveCommand({
          TableName: name,
          TimeToLiveSpecification: { AttributeName: ttl.AttributeName, Enabled: ttl.Enabled === true },
        }),
      );
    }
    created.set(id, { ref: name, arn: `arn:aws:dynamodb:${REGION}:${ACCOUNT_ID}:table/${name}` });
  } else if (type === 'AWS::SNS::Topic') {
    const sns = new SNSClient(config);
    const arn = (await sns.send(new CreateTopicCommand({ Name: String(p.TopicName ?? id) }))).TopicArn ?? '';
    created.set(id, { ref: arn, arn });
  } else if (type === 'AWS::Events::EventBus') {
    const events = new EventBridgeClient(config);
    const name = String(p.Name ?? id);
    const arn = (await events.send(new CreateEventBusCommand({ Name: name }))).EventBusArn ?? '';
    created.set(id, { ref: name, arn });
  }
}

/** Creates what the functions under test reference (see the file comment); the default event bus is moto's own. */
export async function createActingResources(
  endpoint: string,
  template: CfnTemplate,
  functionIds: readonly string[],
  executorId: string,
): Promise<ActingResources> {
  const mapping = Object.values(template.Resources).find(
    (r) => r.Type === 'AWS::Lambda::EventSourceMapping' && refTarget(r.Properties?.FunctionName) === executorId,
  );
  const queueId = refTarget(mapping?.Properties?.EventSourceArn);
  if (queueId === null) throw new Error(`acting bench: ${executorId} has no SQS event source in the template`);
  const created = new Map<string, Created>();
  for (const id of resourcesToCreate(template, functionIds, queueId)) {
    const resource = template.Resources[id];
    if (resource !== undefined) await createOne(endpoint, id, resource.Type, resource.Properties ?? {}, created);
  }
  return { byLogicalId: created, decisionQueueId: queueId, decisionQueueUrl: created.get(queueId)?.ref ?? '' };
}

/** A function's environment with the template's references resolved to the resources in moto. */
export function functionEnvironment(
  template: CfnTemplate,
  functionId: string,
  resources: ActingResources,
): { env: Record<string, string>; unresolved: string[] } {
  const variables = (template.Resources[functionId]?.Properties?.Environment as { Variables?: Props } | undefined)
    ?.Variables;
  const env: Record<string, string> = {};
  const unresolved: string[] = [];
  for (const [key, value] of Object.entries(variables ?? {})) {
    const resolved = resolveValue(value, resources.byLogicalId);
    if (resolved === null) unresolved.push(key);
    else env[key] = resolved;
  }
  return { env, unresolved };
}
