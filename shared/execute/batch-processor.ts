import { TransientAwsError } from '../errors.ts';
import type { BreakerOptions } from './circuit-breaker.ts';
import { parseDecisionMessage } from './decision-message.schema.ts';
import { type DigestMessage, parseDigestMessage } from './digest.ts';
import type { ExecutionResult, Executor, Run } from './executor.ts';
import { type LoggerPort, silentLogger } from './ports.ts';

/**
 * Drives the executor from an SQS FIFO batch and answers with Lambda's partial batch response.
 * Structural types only (no `aws-lambda` import): the handler passes `event.Records` as they are.
 *
 * FIFO rule: messages of one group must be processed in order, so after the first failure in a
 * group every later message of that group is reported failed too, without being attempted. Other
 * groups carry on — concurrently: each group is a lane, the lanes run at once (the batch holds at most
 * ten messages, Lambda's FIFO maximum), so a batch takes as long as its slowest group, not the sum.
 * When the run's circuit breaker opens, everything not yet done is deferred.
 */
export interface QueueRecord {
  messageId: string;
  /** Lambda's SQS records carry it; a message shown again sooner (a waiting digest) needs it. */
  receiptHandle?: string;
  body: string;
  attributes: { MessageGroupId?: string | undefined; ApproximateReceiveCount?: string | undefined };
}

export interface BatchResponse {
  batchItemFailures: { itemIdentifier: string }[];
}

/**
 * Where a message the executor will never act on goes at once, with its reason (instead of five
 * receives that hold up its FIFO group): the decision DLQ, where an operator reads or redrives it.
 */
export interface DeadLetterPort {
  put(record: QueueRecord, reason: string): Promise<void>;
}

export interface BatchOptions {
  /** Malformed and refused messages are sent here and acknowledged; absent: malformed ones fail until the queue's redrive moves them. */
  deadLetter?: DeadLetterPort;
  /** The queue's redrive maxReceiveCount: at that receive a transient failure is alerted (it goes to the DLQ next). */
  maxReceiveCount?: number;
  breaker?: Partial<BreakerOptions>;
  logger?: LoggerPort;
  /** Message groups processed at once (default: all of the batch's); 1 = one message after another. */
  concurrency?: number;
  /** Reports a run digest message (digest.ts); absent: a digest message is malformed input. */
  digest?: (message: DigestMessage, finalAttempt: boolean) => Promise<'sent' | 'nothing' | 'retry'>;
  /** A waiting digest comes back after this many seconds instead of the queue's visibility timeout. */
  digestRetry?: { seconds: number; later(receiptHandle: string, seconds: number): Promise<void> };
  /** Told when each execution begins and ends (the coalescing ledger's barrier). */
  session?: { enter(): void; leave(): void };
}

export interface BatchReport extends BatchResponse {
  results: {
    messageId: string;
    result:
      | ExecutionResult
      | { kind: 'invalid'; reason: string }
      | { kind: 'blocked-by-group' }
      | { kind: 'digest'; answer: 'sent' | 'nothing' | 'retry' };
  }[];
}

function unfinishedWhy(result: ExecutionResult): string {
  if (result.kind === 'deferred') return 'circuit breaker open';
  if (result.kind === 'busy') return 'another attempt still held its claim';
  return result.kind === 'retry' ? result.error.message : result.kind;
}

export async function processDecisionBatch(
  records: readonly QueueRecord[],
  executor: Executor,
  options: BatchOptions = {},
): Promise<BatchReport> {
  const run = executor.newRun(options.breaker);
  // One lane per message group, in the batch's order; lanes run concurrently (issue 19).
  const lanes = new Map<string, number[]>();
  records.forEach((record, index) => {
    const lane = record.attributes.MessageGroupId ?? `\u0000${index}`;
    lanes.set(lane, [...(lanes.get(lane) ?? []), index]);
  });
  const outcomes: { result: ItemResult; failed: boolean }[] = new Array(records.length);
  // Digests last: they report the outcomes of the actions delivered with them.
  const isDigest = (indexes: number[]) => parseDigestSafe((records[indexes[0] ?? 0] as QueueRecord).body) !== null;
  const actionLanes = [...lanes.values()].filter((l) => !isDigest(l));
  const digestLanes = [...lanes.values()].filter(isDigest);
  const worker = async (queue: number[][]) => {
    for (let indexes = queue.shift(); indexes !== undefined; indexes = queue.shift()) {
      let blocked = false;
      for (const index of indexes) {
        const record = records[index] as QueueRecord;
        const outcome = blocked
          ? { result: { kind: 'blocked-by-group' } as const, failed: true }
          : await processOne(record, executor, run, options);
        // FIFO: after the first failure in a group, its later messages wait for the redelivery.
        if (outcome.failed && record.attributes.MessageGroupId !== undefined) blocked = true;
        outcomes[index] = outcome;
      }
    }
  };
  for (const queue of [actionLanes, digestLanes]) {
    const width = Math.max(1, Math.min(options.concurrency ?? records.length, queue.length));
    await Promise.all(Array.from({ length: width }, () => worker(queue)));
  }
  return {
    batchItemFailures: records.filter((_, i) => outcomes[i]?.failed).map((r) => ({ itemIdentifier: r.messageId })),
    results: records.map((r, i) => ({
      messageId: r.messageId,
      result: (outcomes[i] as { result: ItemResult }).result,
    })),
  };
}

type ItemResult = BatchReport['results'][number]['result'];

async function processOne(
  record: QueueRecord,
  executor: Executor,
  run: Run,
  options: BatchOptions,
): Promise<{ result: ItemResult; failed: boolean }> {
  const logger = options.logger ?? silentLogger;
  const receiveCount = Number(record.attributes.ApproximateReceiveCount ?? '1');
  const finalAttempt = options.maxReceiveCount !== undefined && receiveCount >= options.maxReceiveCount;
  const digest = parseDigestSafe(record.body);
  if (digest !== null && options.digest !== undefined) {
    const answer = await options.digest(digest, finalAttempt).catch((error: unknown) => {
      logger.error('digest failed; it comes back', { messageId: record.messageId, error: String(error) });
      return 'retry' as const;
    });
    if (answer === 'retry' && options.digestRetry !== undefined && record.receiptHandle !== undefined) {
      await options.digestRetry.later(record.receiptHandle, options.digestRetry.seconds).catch((error: unknown) => {
        // Not worse than before: it comes back after the visibility timeout.
        logger.warn('digest not shown sooner', { messageId: record.messageId, error: String(error) });
      });
    }
    return { result: { kind: 'digest', answer }, failed: answer === 'retry' };
  }
  let decision: ReturnType<typeof parseDecisionMessage>;
  try {
    decision = parseDecisionMessage(record.body);
  } catch (error) {
    // Never dropped: dead-lettered now with the reason, or (no DLQ port, or it failed) failed until redrive moves it.
    const reason = `malformed decision message: ${invalidReason(error)}`;
    logger.error('invalid decision message', { messageId: record.messageId, error: reason });
    return { result: { kind: 'invalid', reason }, failed: !(await deadLettered(record, reason, options, logger)) };
  }
  let result: ExecutionResult;
  options.session?.enter();
  try {
    result = await executor.execute(decision, run, { finalAttempt });
  } catch (error) {
    // Ledger or other infrastructure failure before or after acting: let SQS redeliver; the ledger
    // claim keeps a redelivery from acting twice.
    logger.error('executor failed', { messageId: record.messageId, error: String(error) });
    result = { kind: 'retry', error: new TransientAwsError('executor failed before finishing', { cause: error }) };
  } finally {
    options.session?.leave();
  }
  if (result.kind === 'refused') {
    const reason = `refused (${result.cause}): ${result.detail}`;
    return { result, failed: !(await deadLettered(record, reason, options, logger)) };
  }
  // Not handled yet (a transient failure, the breaker, another attempt's live claim): it must come back.
  if (result.kind === 'retry' || result.kind === 'deferred' || result.kind === 'busy') {
    if (finalAttempt && !(result.kind === 'retry' && result.alerted === true)) {
      await executor.reportUnfinished(decision, unfinishedWhy(result));
    }
    return { result, failed: true };
  }
  return { result, failed: false };
}

/** One line: what zod or JSON.parse found wrong. */
function invalidReason(error: unknown): string {
  const issues = (error as { issues?: { path: (string | number)[]; message: string }[] }).issues;
  if (Array.isArray(issues)) return issues.map((i) => `${i.path.join('.') || '(message)'}: ${i.message}`).join('; ');
  return error instanceof Error ? error.message : String(error);
}

/** True when the message is safely in the DLQ (so it can be acknowledged). */
async function deadLettered(
  record: QueueRecord,
  reason: string,
  options: BatchOptions,
  logger: LoggerPort,
): Promise<boolean> {
  if (options.deadLetter === undefined) return false;
  try {
    await options.deadLetter.put(record, reason);
    return true;
  } catch (error) {
    logger.error('dead-lettering failed; the message comes back', {
      messageId: record.messageId,
      error: String(error),
    });
    return false;
  }
}

/** A digest message, or null for anything else (a malformed digest is left to the decision parser's error). */
function parseDigestSafe(body: string): DigestMessage | null {
  try {
    return parseDigestMessage(body);
  } catch {
    return null;
  }
}
