/**
 * In-process SQS, SNS and EventBridge behind the real SDK v3 clients, the way the simulator answers
 * Redshift: one `initialize`-step middleware returns the service's output (or throws the SDK's own
 * exception) before serialization, signing, retries or HTTP. The project's adapters
 * (`DecisionQueue`, `Notifier`) run unchanged against them.
 */
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { InvalidParameterException, NotFoundException, type SNSClient } from '@aws-sdk/client-sns';
import {
  EmptyBatchRequest,
  QueueDoesNotExist,
  type SendMessageBatchRequest,
  type SendMessageRequest,
  type SQSClient,
  TooManyEntriesInBatchRequest,
} from '@aws-sdk/client-sqs';
import type { Prng } from '../simulator/prng.ts';
import type { VirtualClock } from '../simulator/virtual-clock.ts';
import { type FifoQueue, SQS_FIFO } from './fifo-queue.ts';

type AnyClient = SQSClient | SNSClient | EventBridgeClient | CloudWatchClient;
export type ServiceCall = (operation: string, input: Record<string, unknown>) => object;

const MIDDLEWARE_NAME = 'redshiftAutopilotSimulation';

export class UnsupportedOperationError extends Error {
  override name = 'SimulationUnsupportedOperationError';
}

/** Answer every command of `client` with `call`. Returns a function that detaches it. */
export function attachService(client: AnyClient, call: ServiceCall, requestIds: Prng): () => void {
  const stack = client.middlewareStack as unknown as {
    add: (mw: unknown, options: object) => void;
    remove: (name: string) => boolean;
  };
  const middleware =
    (_next: unknown, context: { commandName?: string }) => async (args: { input: Record<string, unknown> }) => {
      const operation = (context.commandName ?? '').replace(/Command$/, '');
      const output = call(operation, args.input);
      return {
        output: {
          ...output,
          $metadata: { httpStatusCode: 200, requestId: requestIds.uuid(), attempts: 1, totalRetryDelay: 0 },
        },
        response: { statusCode: 200, headers: {} },
      };
    };
  stack.add(middleware, { step: 'initialize', priority: 'high', name: MIDDLEWARE_NAME, override: true });
  return () => {
    stack.remove(MIDDLEWARE_NAME);
  };
}

const meta = { $metadata: {} } as const;

/** SQS: SendMessage / SendMessageBatch into FIFO queues known by URL. */
export class SqsService {
  private readonly queues = new Map<string, FifoQueue>();
  /** Called after messages were accepted, so the Lambda poller can wake up. */
  onSend: (queue: FifoQueue) => void = () => {};

  constructor(private readonly clock: VirtualClock) {}

  addQueue(url: string, queue: FifoQueue): void {
    this.queues.set(url, queue);
  }

  readonly call: ServiceCall = (operation, input) => {
    const url = String(input.QueueUrl ?? '');
    const queue = this.queues.get(url);
    if (queue === undefined) {
      throw new QueueDoesNotExist({ message: 'The specified queue does not exist.', ...meta });
    }
    const now = this.clock.nowMs();
    if (operation === 'SendMessageBatch') {
      const entries = (input as unknown as SendMessageBatchRequest).Entries ?? [];
      if (entries.length === 0)
        throw new EmptyBatchRequest({
          message: 'There should be at least one SendMessageBatchRequestEntry in the request.',
          ...meta,
        });
      if (entries.length > SQS_FIFO.maxBatch)
        throw new TooManyEntriesInBatchRequest({
          message: `Maximum number of entries per request are ${SQS_FIFO.maxBatch}. You have sent ${entries.length}.`,
          ...meta,
        });
      const outcomes = queue.send(entries, now);
      if (outcomes.some((o) => o.ok && !o.duplicate)) this.onSend(queue);
      return {
        Successful: outcomes.flatMap((o) =>
          o.ok ? [{ Id: o.id, MessageId: o.messageId, MD5OfMessageBody: '', SequenceNumber: o.sequenceNumber }] : [],
        ),
        Failed: outcomes.flatMap((o) =>
          o.ok ? [] : [{ Id: o.id, Code: o.code, Message: o.message, SenderFault: o.senderFault }],
        ),
      };
    }
    if (operation === 'SendMessage') {
      const m = input as unknown as SendMessageRequest;
      const [outcome] = queue.send([{ Id: 'single', ...m }], now);
      if (outcome === undefined || !outcome.ok) {
        throw new InvalidParameterException({
          message: outcome?.ok === false ? outcome.message : 'send failed',
          ...meta,
        });
      }
      if (!outcome.duplicate) this.onSend(queue);
      return { MessageId: outcome.messageId, SequenceNumber: outcome.sequenceNumber, MD5OfMessageBody: '' };
    }
    throw new UnsupportedOperationError(`SQS ${operation} is not simulated`);
  };
}

export interface PublishedAlert {
  at: string;
  topicArn: string;
  subject: string | null;
  message: string;
  attributes: Record<string, string>;
  messageId: string;
}

/** SNS: Publish to known topics; every message is kept with its attributes, as a subscriber would see it. */
export class SnsService {
  readonly published: PublishedAlert[] = [];
  private readonly topics = new Set<string>();
  onPublish: (alert: PublishedAlert) => void = () => {};

  constructor(
    private readonly clock: VirtualClock,
    private readonly ids: Prng,
  ) {}

  addTopic(arn: string): void {
    this.topics.add(arn);
  }

  readonly call: ServiceCall = (operation, input) => {
    if (operation !== 'Publish') throw new UnsupportedOperationError(`SNS ${operation} is not simulated`);
    const topicArn = String(input.TopicArn ?? '');
    if (!this.topics.has(topicArn)) throw new NotFoundException({ message: 'Topic does not exist', ...meta });
    const subject = typeof input.Subject === 'string' ? input.Subject : null;
    // SNS: "Subjects must be ASCII text that begins with a letter, number, or punctuation mark;
    // must not include line breaks or control characters; and must be less than 100 characters long."
    if (subject !== null && (subject.length >= 100 || /[^\x20-\x7e]/.test(subject))) {
      throw new InvalidParameterException({ message: 'Invalid parameter: Subject', ...meta });
    }
    const message = String(input.Message ?? '');
    if (message.length === 0)
      throw new InvalidParameterException({ message: 'Invalid parameter: Empty message', ...meta });
    const attributes: Record<string, string> = {};
    for (const [key, value] of Object.entries(
      (input.MessageAttributes ?? {}) as Record<string, { StringValue?: string }>,
    )) {
      if (value.StringValue === undefined || value.StringValue === '') {
        throw new InvalidParameterException({
          message: `Invalid parameter: The message attribute '${key}' must contain non-empty message attribute value for message attribute type 'String'.`,
          ...meta,
        });
      }
      attributes[key] = value.StringValue;
    }
    const alert: PublishedAlert = {
      at: this.clock.now().toISOString(),
      topicArn,
      subject,
      message,
      attributes,
      messageId: this.ids.uuid(),
    };
    this.published.push(alert);
    this.onPublish(alert);
    return { MessageId: alert.messageId };
  };
}

export interface BusEvent {
  at: string;
  source: string;
  detailType: string;
  bus: string;
  resources: string[];
  detail: unknown;
  id: string;
}

/** EventBridge: PutEvents onto buses; every entry is kept (the `Autopilot Action` outcome events). */
export class EventBridgeService {
  readonly events: BusEvent[] = [];
  onEvent: (event: BusEvent) => void = () => {};

  constructor(
    private readonly clock: VirtualClock,
    private readonly ids: Prng,
  ) {}

  readonly call: ServiceCall = (operation, input) => {
    if (operation !== 'PutEvents') throw new UnsupportedOperationError(`EventBridge ${operation} is not simulated`);
    const entries = (input.Entries ?? []) as {
      Source?: string;
      DetailType?: string;
      Detail?: string;
      EventBusName?: string;
      Resources?: string[];
    }[];
    const results = entries.map((entry) => {
      let detail: unknown;
      try {
        detail = JSON.parse(entry.Detail ?? '');
      } catch {
        return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
      }
      const event: BusEvent = {
        at: this.clock.now().toISOString(),
        source: entry.Source ?? '',
        detailType: entry.DetailType ?? '',
        bus: entry.EventBusName ?? 'default',
        resources: entry.Resources ?? [],
        detail,
        id: this.ids.uuid(),
      };
      this.events.push(event);
      this.onEvent(event);
      return { EventId: event.id };
    });
    return { FailedEntryCount: results.filter((r) => 'ErrorCode' in r).length, Entries: results };
  };
}
