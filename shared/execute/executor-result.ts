import type { TransientAwsError } from '../errors.ts';
import type { RefusalCause } from '../policy/authorize.ts';
import type { CircuitBreaker } from './circuit-breaker.ts';
import type { GuardrailName } from './guardrail-names.ts';
import type { LedgerRecord, OutcomeKind } from './ports.ts';

/** What the executor answers per decision, and the constants of its claim and outcome write. */
export type ExecutionResult =
  /** Finished (acted, skipped, refused, dry-run, failed for good): acknowledge the message. */
  | { kind: 'done'; outcome: OutcomeKind; record: LedgerRecord }
  /** Already handled: acknowledge, do nothing. */
  | { kind: 'duplicate' }
  /** Another attempt holds a live claim on the key: report the message as failed so it comes back. */
  | { kind: 'busy' }
  /** Transient failure: report the message as failed so SQS redelivers it (`alerted`: its last delivery was reported). */
  | { kind: 'retry'; error: TransientAwsError; alerted?: boolean }
  /** The run's breaker is open: not attempted, redeliver later. */
  | { kind: 'deferred' }
  /** No deployed policy decided it (shared/policy/authorize.ts): nothing claimed or called; dead-letter it. */
  | { kind: 'refused'; cause: RefusalCause; detail: string };

export interface Run {
  id: string;
  breaker: CircuitBreaker;
}

export interface ExecuteOptions {
  /** The message will not be delivered again (receive count at the queue's maxReceiveCount): alert a transient failure now. */
  finalAttempt?: boolean;
}

/**
 * A claim protects an attempt only as long as the invocation that made it can still be running: the
 * function's timeout, plus 30 s for clock skew between hosts. The decision queue's visibility timeout is
 * six times the function's timeout (serverless.yml), so a message that comes back always finds an
 * earlier attempt's claim expired and can take it over — nothing waits for a fixed 15-minute lease.
 */
export function leaseFor(functionTimeoutSeconds: number): number {
  return functionTimeoutSeconds * 1000 + 30_000;
}

/** The executor function's timeout (serverless.yml custom.executor.timeoutSeconds). */
export const EXECUTOR_TIMEOUT_SECONDS = 60;

/** Rounds of an outcome write after acting, and the pause before each (the first is immediate). */
export const OUTCOME_WRITE_BACKOFF_MS = [0, 200, 800, 2_000] as const;

export const EXECUTOR_DEFAULTS = { leaseMs: leaseFor(EXECUTOR_TIMEOUT_SECONDS) } as const;

/** Refusals that may pass later for the same decision, because the resource's state moves on. */
export const RETRYABLE_REFUSALS: readonly string[] = ['stateAllowsOperation'] satisfies GuardrailName[];

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
