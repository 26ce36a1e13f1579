import { randomUUID } from 'node:crypto';
import { type AutomationError, ConfigurationError, ResourceStateConflictError, TransientAwsError } from '../errors.ts';
import type { Authorization } from '../policy/authorize.ts';
import type { ClusterResource, Decision } from '../policy/decision.ts';
import { actionRegistry } from './action-registry.ts';
import type { ActionResult, ActionSpec } from './action-spec.ts';
import { type BreakerOptions, CircuitBreaker } from './circuit-breaker.ts';
import { classifyAwsError, rootErrorName } from './classify-error.ts';
import {
  EXECUTOR_DEFAULTS,
  type ExecuteOptions,
  type ExecutionResult,
  messageOf,
  OUTCOME_WRITE_BACKOFF_MS,
  RETRYABLE_REFUSALS,
  type Run,
} from './executor-result.ts';
import { firstRefusal, type Guardrail, type Refusal } from './guardrails.ts';
import { pendingRecord, saveOrReadBack } from './ledger-record.ts';
import { ObservedReads } from './observed.ts';
import { operationSpec } from './operations.ts';
import {
  type Clock,
  type LedgerPort,
  type LedgerRecord,
  type LoggerPort,
  type MetricsPort,
  type NotifierPort,
  noMetrics,
  type ObservedResource,
  type OutcomeKind,
  type ResourcePort,
  silentLogger,
  systemClock,
} from './ports.ts';
import { RefusalReporter } from './refusal.ts';
import { actionEvent, breakerAlert, outcomeAlert, severityOf } from './report.ts';

export {
  EXECUTOR_DEFAULTS,
  EXECUTOR_TIMEOUT_SECONDS,
  type ExecuteOptions,
  type ExecutionResult,
  leaseFor,
  type Run,
} from './executor-result.ts';

/**
 * The executor use case, per decision: claim the idempotency key in the ledger → re-read the
 * resource (one Describe) → guardrails → call AWS → record the outcome → report. Free of Lambda:
 * the SQS batch processor and the simulator both drive it.
 */
export interface ExecutorDeps {
  /** Routed by the operation's resource type. */
  resources: { cluster: ResourcePort; workgroup?: ResourcePort; integration?: ResourcePort };
  ledger: LedgerPort;
  notifier: NotifierPort;
  /** Region for console links when the target does not name one. */
  region: string;
  logger?: LoggerPort;
  metrics?: MetricsPort;
  clock?: Clock;
  /** Default: the registry's one table, read per decision (capabilities may register more). */
  guardrails?: readonly Guardrail[];
  /** How long a claim protects an attempt that may still be running; default `leaseFor` the function's timeout. */
  leaseMs?: number;
  newToken?: () => string;
  /** Waits between rounds of an outcome write (tests pass a no-op). */
  sleep?: (ms: number) => Promise<void>;
  /**
   * Did a deployed policy decide this (shared/policy/authorize.ts)? Asked before anything is claimed or
   * read; the decision it returns (the policy's mode) is the one executed. Absent: every message is trusted.
   */
  authorize?: (decision: Decision, now: number) => Authorization;
}

export class Executor {
  readonly #deps: Required<Omit<ExecutorDeps, 'resources' | 'guardrails' | 'authorize'>> &
    Pick<ExecutorDeps, 'resources' | 'guardrails' | 'authorize'>;
  readonly #refusals: RefusalReporter;
  readonly #observed = new ObservedReads();
  /** The admitted decision's policy selector, for the `policySelects` guardrail on the re-read resource. */
  readonly #selectors = new WeakMap<Decision, (resource: ObservedResource) => string | null>();

  constructor(deps: ExecutorDeps) {
    this.#deps = {
      logger: silentLogger,
      metrics: noMetrics,
      clock: systemClock,
      leaseMs: EXECUTOR_DEFAULTS.leaseMs,
      newToken: randomUUID,
      sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
      ...deps,
    };
    this.#refusals = new RefusalReporter(this.#deps);
  }

  newRun(breaker: Partial<BreakerOptions> = {}): Run {
    return { id: this.#deps.newToken(), breaker: new CircuitBreaker(breaker) };
  }

  /** The message as its deployed policy decided it (that policy's mode), or the refusal, already reported. */
  async admit(message: Decision): Promise<{ decision: Decision } | { refused: ExecutionResult }> {
    const now = this.#deps.clock.now().getTime();
    const authorized: Authorization = this.#deps.authorize?.(message, now) ?? { ok: true, decision: message };
    if (authorized.ok && authorized.selects !== undefined) this.#selectors.set(authorized.decision, authorized.selects);
    if (authorized.ok) return { decision: authorized.decision };
    await this.#refusals.refuse(message, authorized);
    return { refused: { kind: 'refused', cause: authorized.cause, detail: authorized.detail } };
  }

  async execute(message: Decision, run: Run, options: ExecuteOptions = {}): Promise<ExecutionResult> {
    const admitted = await this.admit(message);
    if ('refused' in admitted) return admitted.refused;
    return this.#execute(admitted.decision, run, options);
  }

  async #execute(decision: Decision, run: Run, options: ExecuteOptions): Promise<ExecutionResult> {
    const { ledger, metrics, logger, clock } = this.#deps;
    if (run.breaker.isOpen) {
      metrics.count('deferred', 'breaker-open');
      logger.warn('deferred: circuit breaker open', { idempotencyKey: decision.idempotencyKey, runId: run.id });
      return { kind: 'deferred' };
    }
    const now = clock.now();
    const claim = await ledger.claim(pendingRecord(decision, now, this.#deps), now);
    if (claim.kind === 'duplicate') {
      metrics.count('duplicates', claim.record?.status ?? 'unknown');
      logger.info('duplicate decision ignored', {
        idempotencyKey: decision.idempotencyKey,
        existingStatus: claim.record?.status ?? null,
      });
      return { kind: 'duplicate' };
    }
    if (claim.kind === 'busy') {
      // Not handled yet: deleting the message now could drop the action if that attempt dies.
      metrics.count('deferred', 'claim-held');
      logger.warn('decision claimed by another attempt; it comes back after the visibility timeout', {
        idempotencyKey: decision.idempotencyKey,
        leaseUntil: claim.record.leaseUntil,
      });
      return { kind: 'busy' };
    }
    const record: LedgerRecord = {
      ...claim.record,
      attempts: (claim.previous?.attempts ?? 0) + 1,
      budgetSlot: claim.previous?.budgetSlot ?? null,
    };
    // A tick retrying a state skip for the same reason stays quiet: one alert per distinct outcome.
    const quiet = claim.previous?.status === 'skipped' ? claim.previous.outcomeReason : null;
    // A pending claim that expired, or a failure after the call: that attempt may have reached AWS.
    // A claim recovered from a lost answer cannot see what it replaced: it checks as if an attempt had acted.
    const earlier =
      claim.previous?.status === 'pending' || claim.previous?.status === 'failed'
        ? claim.previous
        : claim.recovered === true
          ? claim.record
          : null;

    if (decision.mode !== 'act') {
      const outcome = decision.mode === 'dry-run' ? 'dry-run' : 'frozen';
      metrics.count('dryRuns', outcome);
      return this.#finish(record, outcome, {
        status: 'dry-run',
        outcomeReason: `${outcome === 'dry-run' ? 'dry run' : 'freeze'}: would have called ${decision.action}; nothing was called`,
      });
    }

    const operation = operationSpec(decision.action);
    const port = operation === null ? undefined : this.#deps.resources[operation.resourceType];
    if (operation === null || port === undefined) {
      const error = new ConfigurationError(`no executor for ${decision.action} on ${decision.target.type}`);
      return this.#fail(record, run, error, options);
    }
    try {
      return await this.#act(decision, record, operation, port, run, { quiet, earlier });
    } catch (error) {
      const classified = classifyAwsError(error, decision.action);
      if (classified instanceof ResourceStateConflictError) {
        metrics.count('skips', rootErrorName(classified));
        run.breaker.recordSuccess();
        return this.#finish(
          record,
          'skipped',
          {
            status: 'skipped',
            retryable: true,
            outcomeReason: `AWS refused (${rootErrorName(classified)}): state conflict, skipped`,
            error: { name: rootErrorName(classified), message: messageOf(classified) },
          },
          quiet,
        );
      }
      return this.#fail(record, run, classified, options);
    }
  }

  async #act(
    decision: Decision,
    claimed: LedgerRecord,
    operation: ActionSpec,
    port: ResourcePort,
    run: Run,
    context: { quiet: string | null; earlier: LedgerRecord | null },
  ): Promise<ExecutionResult> {
    const { metrics } = this.#deps;
    // The sweep's read while fresh (observed.ts); a retry after an attempt that may have acted reads again.
    const observed = context.earlier === null ? this.#observed.fresh(decision, this.#deps.clock.now()) : null;
    const resource = observed ?? (await port.read(decision.target));
    if (resource === null) {
      metrics.count('skips', 'not-found');
      return this.#finish(claimed, 'skipped', { status: 'skipped', outcomeReason: 'resource not found' });
    }
    let record: LedgerRecord = { ...claimed, beforeState: resource.status };
    // An earlier attempt of this decision may have reached AWS: if the resource shows its result, record it.
    const reached = context.earlier === null ? null : operation.alreadyDone?.(resource, decision.params);
    if (reached !== undefined && reached !== null) {
      const earlier = `an earlier attempt (${context.earlier?.status}) reached AWS`;
      return this.#recordActed(decision, record, operation, { afterState: resource.status }, reached.done, earlier);
    }
    const checked = await this.#guard(decision, record, operation, port, resource, observed !== null);
    record = checked.record;
    if (checked.refusal !== null) {
      metrics.count('skips', checked.refusal.guardrail);
      const { guardrail, reason } = checked.refusal;
      // The state changes by itself (pausing → paused): a later tick may try the same key again.
      const retryable = RETRYABLE_REFUSALS.includes(guardrail);
      const changes = { status: 'skipped' as const, retryable, outcomeReason: `guardrail ${guardrail}: ${reason}` };
      return this.#finish(record, 'skipped', changes, context.quiet);
    }
    this.#observed.noteActed(decision.target, this.#deps.clock.now());
    const performed = await this.#performOrObserve(decision, operation, port);
    run.breaker.recordSuccess();
    metrics.count('actions', decision.action);
    const done = operation.finalState === null || performed.result.afterState === operation.finalState;
    return this.#recordActed(decision, record, operation, performed.result, done, performed.note);
  }

  /** The guardrails on the re-read resource; asking for a budget slot stores it on the record. */
  async #guard(
    decision: Decision,
    claimed: LedgerRecord,
    operation: ActionSpec,
    port: ResourcePort,
    resource: ObservedResource,
    fromSweep: boolean,
  ): Promise<{ record: LedgerRecord; refusal: Refusal | null }> {
    const { ledger, clock } = this.#deps;
    let record = claimed;
    const zeroEtl = fromSweep ? decision.observed?.zeroEtlTarget : undefined;
    const refusal = await firstRefusal(
      {
        decision,
        operation,
        resource,
        facts: {
          isZeroEtlTarget: () =>
            zeroEtl !== undefined
              ? Promise.resolve(zeroEtl)
              : resource.type === 'cluster'
                ? port.isZeroEtlTarget(resource as ClusterResource)
                : Promise.resolve(false),
          supersededBy: () =>
            operation.stateKey === null
              ? Promise.resolve(null)
              : ledger.markLatest(decision.target, operation.stateKey, decision.at, decision.idempotencyKey),
          policySelects: () => this.#selectors.get(decision)?.(resource) ?? null,
          budgetSlot: async () => {
            if (record.budgetSlot === null) {
              const slot = await ledger.takeBudgetSlot(
                decision.policy,
                decision.at,
                clock.now(),
                decision.idempotencyKey,
              );
              record = { ...record, budgetSlot: slot };
            }
            return record.budgetSlot ?? Number.POSITIVE_INFINITY;
          },
        },
      },
      this.#deps.guardrails ?? actionRegistry.guardrails(),
    );
    return { record, refusal };
  }

  /**
   * The call. When it fails in a way that may hide a call AWS took (the SDK retried a request whose
   * answer was lost and AWS refused the repeat as a state conflict, or every retry timed out), the
   * resource is read again: if it shows what was asked for, the call is taken as done.
   */
  async #performOrObserve(
    decision: Decision,
    operation: ActionSpec,
    port: ResourcePort,
  ): Promise<{ result: ActionResult; note: string | null }> {
    try {
      return { result: await port.perform(decision.action, decision.params, decision.target), note: null };
    } catch (error) {
      const classified = classifyAwsError(error, decision.action);
      if (operation.alreadyDone === undefined || classified instanceof ConfigurationError) throw error;
      const after = await port.read(decision.target).catch(() => null);
      const reached = after === null ? null : operation.alreadyDone(after, decision.params);
      if (after === null || reached === null) throw error;
      const note = `AWS answered ${rootErrorName(classified)} to a repeat of a call it had taken`;
      return { result: { afterState: after.status }, note };
    }
  }

  /**
   * Records an action that reached AWS, then reports it. When the outcome cannot be written (after the
   * SDK's retries), the message fails and comes back: the next delivery finds the earlier attempt's
   * result on the resource and records it — the action is not repeated, and nothing is reported twice
   * (the report follows the write).
   */
  async #recordActed(
    decision: Decision,
    record: LedgerRecord,
    operation: ActionSpec,
    result: ActionResult,
    done: boolean,
    note: string | null,
  ): Promise<ExecutionResult> {
    const base = done
      ? `${decision.action} completed`
      : `${decision.action} accepted; waiting for ${operation.finalState}`;
    const changes = {
      status: done ? ('succeeded' as const) : ('in-progress' as const),
      afterState: result.afterState,
      expectedState: operation.finalState,
      createdId: result.createdId ?? null,
      outcomeReason: note === null ? base : `${base} (${note})`,
    };
    // What was done is worth more than another SDK retry budget: a few more rounds, backing off, before
    // the message goes back (each round is the SDK's own retries; the write is idempotent per token).
    let lastError: unknown;
    for (const [round, pause] of OUTCOME_WRITE_BACKOFF_MS.entries()) {
      if (round > 0) await this.#deps.sleep(pause);
      try {
        return await this.#finish(record, changes.status, changes);
      } catch (error) {
        lastError = error;
      }
    }
    this.#deps.metrics.count('failures', 'outcome-write');
    this.#deps.logger.warn('acted, but the outcome could not be written; the next delivery records it', {
      idempotencyKey: decision.idempotencyKey,
      error: String(lastError),
    });
    return { kind: 'retry', error: new TransientAwsError('outcome write failed after acting', { cause: lastError }) };
  }

  /**
   * The message's last delivery ends unfinished (the ledger unreachable, the breaker open, another
   * attempt's claim, an outcome that could not be written): it goes to the DLQ next. One alert says so,
   * built without the ledger, so that no decision reaches the DLQ unreported.
   */
  async reportUnfinished(decision: Decision, why: string): Promise<void> {
    const now = this.#deps.clock.now();
    const record: LedgerRecord = {
      ...pendingRecord(decision, now, this.#deps),
      status: 'failed',
      retryable: true,
      outcomeReason: `not finished on its last delivery (${why}); the message goes to the DLQ — redrive it once the cause is fixed (README, "Dead letters")`,
    };
    this.#deps.metrics.count('failures', 'dead-lettered');
    await this.#safeAlert(outcomeAlert(record, 'failed', this.#deps.region));
  }

  async #fail(
    record: LedgerRecord,
    run: Run,
    error: AutomationError,
    options: ExecuteOptions,
  ): Promise<ExecutionResult> {
    const { metrics, notifier, logger, clock } = this.#deps;
    const name = rootErrorName(error);
    metrics.count('failures', name);
    const opened = run.breaker.recordFailure();
    const transient = error instanceof TransientAwsError;
    const failure = { name, message: messageOf(error) };
    let result: ExecutionResult;
    if (transient && options.finalAttempt !== true) {
      // Retryable: the ledger lets the redelivered message claim the key again.
      await this.#save({
        ...record,
        status: 'failed',
        retryable: true,
        error: failure,
        outcomeReason: 'transient AWS error after SDK retries; SQS will redeliver',
        updatedAt: clock.now().toISOString(),
      });
      logger.warn('transient failure, message will be redelivered', {
        idempotencyKey: record.idempotencyKey,
        error: failure,
      });
      result = { kind: 'retry', error };
    } else {
      const kind = error instanceof ConfigurationError ? 'configuration problem (IAM, credentials or setup)' : 'failed';
      result = await this.#finish(record, 'failed', {
        status: 'failed',
        retryable: transient,
        error: failure,
        outcomeReason: transient ? 'transient AWS error on the final delivery; message goes to the DLQ' : kind,
      });
      if (transient) result = { kind: 'retry', error, alerted: true };
    }
    if (opened && run.breaker.claimAnnouncement()) {
      const stats = run.breaker.stats;
      await this.#safeAlert(
        breakerAlert({
          runId: run.id,
          attempted: stats.attempted,
          failed: stats.failed,
          deferredFrom: record.idempotencyKey,
          lastError: `${failure.name}: ${failure.message}`,
          at: clock.now().toISOString(),
        }),
      );
      await notifier
        .event({
          outcome: 'breaker-open',
          severity: 'ERROR',
          policy: record.policy,
          action: record.action,
          target: record.target,
          idempotencyKey: record.idempotencyKey,
          reason: 'circuit breaker open',
          outcomeReason: `${stats.failed}/${stats.attempted} failed`,
          beforeState: null,
          afterState: null,
          error: failure,
          at: clock.now().toISOString(),
        })
        .catch((e: unknown) => logger.error('event publish failed', { error: String(e) }));
    }
    return result;
  }

  async #finish(
    claimed: LedgerRecord,
    outcome: OutcomeKind,
    changes: Partial<LedgerRecord> & Pick<LedgerRecord, 'status'>,
    /** The previous skip's reason when this claim retries a skip: the same reason again is not re-alerted. */
    quiet: string | null = null,
  ): Promise<ExecutionResult> {
    const at = this.#deps.clock.now().toISOString();
    const terminal = changes.status !== 'in-progress';
    const record: LedgerRecord = {
      ...claimed,
      retryable: false,
      ...changes,
      updatedAt: at,
      completedAt: terminal ? at : null,
    };
    const saved = await this.#save(record);
    if (!saved) {
      // Another executor took the key over after our lease expired; it reports, we stay quiet.
      return { kind: 'duplicate' };
    }
    const repeat = outcome === 'skipped' && quiet !== null && quiet === record.outcomeReason;
    // INFO outcomes of a run with a digest are alerted together by it (digest.ts).
    const digested = record.digest !== undefined && severityOf(outcome) === 'INFO';
    this.#deps.logger.info(repeat ? 'action outcome (unchanged, not re-alerted)' : 'action outcome', {
      outcome,
      idempotencyKey: record.idempotencyKey,
      policy: record.policy,
      action: record.action,
      target: record.target,
      beforeState: record.beforeState,
      afterState: record.afterState,
      outcomeReason: record.outcomeReason,
    });
    if (repeat) return { kind: 'done', outcome, record };
    if (!digested) await this.#safeAlert(outcomeAlert(record, outcome, this.#deps.region));
    await this.#deps.notifier
      .event(actionEvent(record, outcome))
      .catch((e: unknown) => this.#deps.logger.error('event publish failed', { error: String(e) }));
    return { kind: 'done', outcome, record };
  }

  /** The outcome write; a lost answer is read back (ledger-record.ts `saveOrReadBack`). */
  #save(record: LedgerRecord): Promise<boolean> {
    return saveOrReadBack(this.#deps.ledger, record);
  }

  /** A lost alert must not turn a finished action into a retry (that could act twice); log it loudly instead. */
  async #safeAlert(alert: Parameters<NotifierPort['alert']>[0]): Promise<void> {
    try {
      await this.#deps.notifier.alert(alert);
    } catch (error) {
      this.#deps.metrics.count('failures', 'alert-publish');
      this.#deps.logger.error('alert publish failed', { subject: alert.subject, error: String(error) });
    }
  }
}
