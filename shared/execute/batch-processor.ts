import { TransientAwsError } from '../errors.ts';
import type { BreakerOptions } from './circuit-breaker.ts';
import { parseDecisionMessage } from './decision-message.schema.ts';
import type { ExecutionResult, Executor } from './executor.ts';
import { type LoggerPort, silentLogger } from './ports.ts';

/**
 * Drives the executor from an SQS FIFO batch and answers with Lambda's partial batch response.
 * Structural types only (no `aws-lambda` import): the handler passes `event.Records` as they are.
 *
 * FIFO rule: messages of one group must be processed in order, so after the first failure in a
 * group every later message of that group is reported failed too, without being attempted. Other
 * groups carry on. When the run's circuit breaker opens, everything not yet done is deferred.
 */
export interface QueueRecord {
  messageId: string;
  body: string;
  attributes: { MessageGroupId?: string | undefined; ApproximateReceiveCount?: string | undefined };
}

export interface BatchResponse {
  batchItemFailures: { itemIdentifier: string }[];
}

export interface BatchOptions {
  /** The queue's redrive maxReceiveCount: at that receive a transient failure is alerted (it goes to the DLQ next). */
  maxReceiveCount?: number;
  breaker?: Partial<BreakerOptions>;
  logger?: LoggerPort;
}

export interface BatchReport extends BatchResponse {
  results: { messageId: string; result: ExecutionResult | { kind: 'invalid' } | { kind: 'blocked-by-group' } }[];
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
  const logger = options.logger ?? silentLogger;
  const run = executor.newRun(options.breaker);
  const failedGroups = new Set<string>();
  const failures: { itemIdentifier: string }[] = [];
  const results: BatchReport['results'] = [];

  for (const record of records) {
    const group = record.attributes.MessageGroupId ?? null;
    const fail = (result: BatchReport['results'][number]['result']) => {
      failures.push({ itemIdentifier: record.messageId });
      if (group !== null) failedGroups.add(group);
      results.push({ messageId: record.messageId, result });
    };
    if (group !== null && failedGroups.has(group)) {
      fail({ kind: 'blocked-by-group' });
      continue;
    }
    let decision: ReturnType<typeof parseDecisionMessage>;
    try {
      decision = parseDecisionMessage(record.body);
    } catch (error) {
      // Never dropped: failing it sends it to the DLQ after maxReceiveCount with the raw body.
      logger.error('invalid decision message', { messageId: record.messageId, error: String(error) });
      fail({ kind: 'invalid' });
      continue;
    }
    const receiveCount = Number(record.attributes.ApproximateReceiveCount ?? '1');
    const finalAttempt = options.maxReceiveCount !== undefined && receiveCount >= options.maxReceiveCount;
    let result: ExecutionResult;
    try {
      result = await executor.execute(decision, run, { finalAttempt });
    } catch (error) {
      // Ledger or other infrastructure failure before or after acting: let SQS redeliver; the ledger
      // claim keeps a redelivery from acting twice.
      logger.error('executor failed', { messageId: record.messageId, error: String(error) });
      result = { kind: 'retry', error: new TransientAwsError('executor failed before finishing', { cause: error }) };
    }
    // Not handled yet (a transient failure, the breaker, another attempt's live claim): it must come back.
    if (result.kind === 'retry' || result.kind === 'deferred' || result.kind === 'busy') {
      fail(result);
      if (finalAttempt && !(result.kind === 'retry' && result.alerted === true)) {
        await executor.reportUnfinished(decision, unfinishedWhy(result));
      }
    } else results.push({ messageId: record.messageId, result });
  }
  return { batchItemFailures: failures, results };
}
