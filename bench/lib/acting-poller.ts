import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import type { Container } from './acting-containers.ts';
import { ACCOUNT_ID, clientConfig, REGION } from './acting-world.ts';

/**
 * Lambda's SQS event source mapping over the FIFO decision queue, stood in: `pollers` concurrent
 * consumers (the template's ScalingConfig.MaximumConcurrency), each with its own container, each
 * receiving up to 10 messages with every system attribute (MessageGroupId, ApproximateReceiveCount…),
 * invoking its container with a real-shaped SQSEvent, and deleting (DeleteMessageBatch) what the
 * partial batch response did not report failed.
 *
 * Visibility timeout: a failed item stays in flight for the queue's VisibilityTimeout (360 s in the
 * template) before Lambda sees it again; a benchmark cannot wait that long, so the poller sets the
 * failed items' visibility to 0 (ChangeMessageVisibility) and counts a redelivery — they come back on
 * the next receive, group order kept, and moto's redrive still applies after maxReceiveCount.
 *
 * The pollers run while the sweep sends (Lambda polls all the time); they stop once the sweep is done
 * and the queue shows nothing visible or in flight.
 */
export interface DrainStats {
  invocations: number;
  messages: number;
  redeliveries: number;
  emptyReceives: number;
  /** performance.now() when the last batch was handled and deleted: the job's end (the empty polls after it are not). */
  lastDeleteAt: number;
  handlerErrors: string[];
  /** ChangeMessageVisibility refusals of the stand-in's early redelivery (see the file comment). */
  visibilityErrors: string[];
  /** Items the handler reported failed: its own ERROR/WARN log lines, last ones per container. */
  failureLogs: string[];
  /** Per ReceiveMessage that returned messages: [approximate depth before it, ms]. */
  receiveLatency: [number, number][];
}

const POLLER = 'BENCHPOLLER';

function toRecord(m: Message, queueArn: string): SQSRecord {
  const a = m.Attributes ?? {};
  return {
    messageId: m.MessageId ?? '',
    receiptHandle: m.ReceiptHandle ?? '',
    body: m.Body ?? '',
    attributes: {
      ApproximateReceiveCount: a.ApproximateReceiveCount ?? '1',
      SentTimestamp: a.SentTimestamp ?? String(Date.now()),
      SenderId: a.SenderId ?? ACCOUNT_ID,
      ApproximateFirstReceiveTimestamp: a.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
      ...(a.SequenceNumber === undefined ? {} : { SequenceNumber: a.SequenceNumber }),
      ...(a.MessageGroupId === undefined ? {} : { MessageGroupId: a.MessageGroupId }),
      ...(a.MessageDeduplicationId === undefined ? {} : { MessageDeduplicationId: a.MessageDeduplicationId }),
    },
    messageAttributes: Object.fromEntries(
      Object.entries(m.MessageAttributes ?? {}).map(([k, v]) => [
        k,
        {
          ...(v.StringValue === undefined ? {} : { stringValue: v.StringValue }),
          stringListValues: [],
          binaryListValues: [],
          dataType: v.DataType ?? 'String',
        },
      ]),
    ),
    md5OfBody: m.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: REGION,
  };
}

export async function queueArnOf(sqs: SQSClient, url: string): Promise<string> {
  const out = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }));
  return out.Attributes?.QueueArn ?? '';
}

async function queueCounts(sqs: SQSClient, url: string): Promise<{ visible: number; inFlight: number }> {
  const out = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return {
    visible: Number(out.Attributes?.ApproximateNumberOfMessages ?? 0),
    inFlight: Number(out.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0),
  };
}

export interface DrainInput {
  endpoint: string;
  queueUrl: string;
  containers: readonly Container[];
  /** Resolves when the sweep has finished sending. */
  sweepDone: Promise<unknown>;
}

export async function drain(input: DrainInput): Promise<DrainStats> {
  const sqs = new SQSClient(clientConfig(input.endpoint, POLLER));
  const arn = await queueArnOf(sqs, input.queueUrl);
  const stats: DrainStats = {
    invocations: 0,
    messages: 0,
    redeliveries: 0,
    emptyReceives: 0,
    lastDeleteAt: 0,
    handlerErrors: [],
    visibilityErrors: [],
    failureLogs: [],
    receiveLatency: [],
  };
  let sweeping = true;
  const stop = () => {
    sweeping = false;
  };
  input.sweepDone.then(stop, stop);
  let delivered = 0;
  const poll = async (container: Container) => {
    for (;;) {
      const t = performance.now();
      const out = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: input.queueUrl,
          MaxNumberOfMessages: 10,
          MessageSystemAttributeNames: ['All'],
          MessageAttributeNames: ['All'],
          // Long polling while the sweep may still send (as Lambda's poller does; moto wakes a waiting
          // receive when a message arrives), short once it is done so the drain ends promptly.
          WaitTimeSeconds: sweeping ? 1 : 0,
        }),
      );
      const messages = out.Messages ?? [];
      if (messages.length === 0) {
        stats.emptyReceives += 1;
        if (!sweeping) return;
        continue;
      }
      stats.receiveLatency.push([delivered, performance.now() - t]);
      await consume(sqs, input.queueUrl, container, messages, arn, stats);
      stats.lastDeleteAt = performance.now();
      delivered += messages.length;
    }
  };
  for (;;) {
    await Promise.all(input.containers.map(poll));
    await input.sweepDone.catch(() => undefined);
    const left = await queueCounts(sqs, input.queueUrl);
    if (left.visible === 0 && left.inFlight === 0) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  sqs.destroy();
  return stats;
}

async function consume(
  sqs: SQSClient,
  queueUrl: string,
  container: Container,
  messages: Message[],
  arn: string,
  stats: DrainStats,
): Promise<void> {
  const event: SQSEvent = { Records: messages.map((m) => toRecord(m, arn)) };
  stats.invocations += 1;
  stats.messages += messages.length;
  const reply = await container.invoke(event);
  let failed: Set<string>;
  if (reply.ok) {
    const items = (reply.result as { batchItemFailures?: { itemIdentifier: string }[] } | undefined)?.batchItemFailures;
    failed = new Set((items ?? []).map((f) => f.itemIdentifier));
  } else {
    // A thrown handler fails the whole batch: Lambda deletes nothing.
    stats.handlerErrors.push(reply.error ?? 'unknown');
    failed = new Set(messages.map((m) => m.MessageId ?? ''));
  }
  const done = messages.filter((m) => !failed.has(m.MessageId ?? ''));
  if (done.length > 0) {
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle ?? '' })),
      }),
    );
  }
  for (const m of messages.filter((x) => failed.has(x.MessageId ?? ''))) {
    stats.redeliveries += 1;
    try {
      await sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: queueUrl,
          ReceiptHandle: m.ReceiptHandle ?? '',
          VisibilityTimeout: 0,
        }),
      );
    } catch (error) {
      // Not Lambda's call but the stand-in's shortcut: a message moto no longer holds under this handle
      // (moved to the DLQ by a concurrent receive) simply stays where it is.
      stats.visibilityErrors.push(`${m.MessageId}: ${(error as Error).name}`);
    }
  }
}

/**
 * moto's FIFO queue at depth: a fresh FIFO queue filled with `depth` messages (distinct groups, 10 per
 * SendMessageBatch), then drained by receive-10 + delete-batch; the median ms of the first and the last
 * tenth of the sends and of the receives. Shows how much of a drain is moto's queue, not the code.
 */
export async function fifoDepthProbe(endpoint: string, depth: number) {
  const sqs = new SQSClient(clientConfig(endpoint, 'BENCHPROBE'));
  const url =
    (
      await sqs.send(
        new CreateQueueCommand({
          QueueName: `bench-depth-probe-${Date.now()}.fifo`,
          Attributes: { FifoQueue: 'true' },
        }),
      )
    ).QueueUrl ?? '';
  const sends: number[] = [];
  for (let i = 0; i < depth; i += 10) {
    const t = performance.now();
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: Array.from({ length: Math.min(10, depth - i) }, (_, j) => ({
          Id: String(j),
          MessageBody: `{"probe":${i + j}}`,
          MessageGroupId: `g-${i + j}`,
          MessageDeduplicationId: `d-${i + j}`,
        })),
      }),
    );
    sends.push(performance.now() - t);
  }
  const receives: number[] = [];
  for (;;) {
    const t = performance.now();
    const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }));
    receives.push(performance.now() - t);
    const messages = out.Messages ?? [];
    if (messages.length === 0) break;
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: url,
        Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle ?? '' })),
      }),
    );
  }
  await sqs.send(new DeleteQueueCommand({ QueueUrl: url }));
  sqs.destroy();
  const tenth = (xs: number[], last: boolean) => {
    const n = Math.max(1, Math.floor(xs.length / 10));
    const part = (last ? xs.slice(-n) : xs.slice(0, n)).sort((a, b) => a - b);
    return Math.round((part[Math.floor(part.length / 2)] ?? 0) * 100) / 100;
  };
  return {
    depth,
    sendFirstTenthMs: tenth(sends, false),
    sendLastTenthMs: tenth(sends, true),
    receiveAtFullDepthMs: tenth(receives.slice(0, -1), false),
    receiveNearEmptyMs: tenth(receives.slice(0, -1), true),
  };
}
