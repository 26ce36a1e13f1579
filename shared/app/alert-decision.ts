import { randomUUID } from 'node:crypto';
import {
  EXECUTOR_DEFAULTS,
  type ExecuteOptions,
  type ExecutionResult,
  Executor,
  type ExecutorDeps,
  type Run,
} from '../execute/executor.ts';
import { pendingRecord } from '../execute/ledger-record.ts';
import {
  type Alert,
  type LedgerRecord,
  noMetrics,
  type Severity,
  silentLogger,
  systemClock,
} from '../execute/ports.ts';
import { consoleLink, safeSubject } from '../execute/report.ts';
import { ALERT_ACTION, type Decision } from '../policy/decision.ts';

/**
 * A `Publish` decision (ALERT_ACTION) travels the same queue so the ledger claim keeps a duplicated event
 * from alerting twice; this executor publishes it through the notifier (the topic the executor owns) and
 * hands every other action to the guarded Executor unchanged.
 */
export { ALERT_ACTION };

const SEVERITIES: readonly Severity[] = ['INFO', 'WARNING', 'ERROR'];

function stringAttribute(params: Record<string, unknown>, name: string): string | undefined {
  const attributes = params.MessageAttributes as Record<string, { StringValue?: unknown }> | undefined;
  const value = attributes?.[name]?.StringValue;
  return typeof value === 'string' ? value : undefined;
}

export function alertFromDecision(decision: Decision, region: string): Alert {
  const severity = stringAttribute(decision.params, 'severity');
  const subject = typeof decision.params.Subject === 'string' ? decision.params.Subject : decision.reason;
  const message = typeof decision.params.Message === 'string' ? decision.params.Message : '';
  const mode = decision.mode === 'act' ? '' : ` (${decision.mode}: reported only)`;
  return {
    subject: safeSubject(subject),
    body: [
      `${decision.reason}${mode}`,
      `Policy: ${decision.policy}`,
      `Resource: ${decision.target.type} ${decision.target.id}`,
      `Console: ${consoleLink(decision.target, decision.target.region ?? region)}`,
      '',
      message,
    ].join('\n'),
    attributes: {
      severity: SEVERITIES.includes(severity as Severity) ? (severity as Severity) : 'WARNING',
      policy: decision.policy,
      // Same form as the executor's outcome alerts (report.ts), so one subscription filter covers both.
      resource: `${decision.target.type}/${decision.target.id}`,
      action: ALERT_ACTION,
      outcome: 'succeeded',
    },
  };
}

export class AppExecutor extends Executor {
  readonly #deps: ExecutorDeps;

  constructor(deps: ExecutorDeps) {
    super(deps);
    this.#deps = deps;
  }

  override async execute(decision: Decision, run: Run, options: ExecuteOptions = {}): Promise<ExecutionResult> {
    if (decision.action !== ALERT_ACTION) return super.execute(decision, run, options);
    const admitted = await this.admit(decision);
    return 'refused' in admitted ? admitted.refused : this.#publish(admitted.decision);
  }

  async #publish(decision: Decision): Promise<ExecutionResult> {
    const { ledger, notifier } = this.#deps;
    const clock = this.#deps.clock ?? systemClock;
    const logger = this.#deps.logger ?? silentLogger;
    const metrics = this.#deps.metrics ?? noMetrics;
    const now = clock.now();
    const claim = await ledger.claim(
      pendingRecord(decision, now, {
        newToken: this.#deps.newToken ?? randomUUID,
        leaseMs: this.#deps.leaseMs ?? EXECUTOR_DEFAULTS.leaseMs,
      }),
      now,
    );
    if (claim.kind === 'duplicate') {
      metrics.count('duplicates', claim.record?.status ?? 'unknown');
      return { kind: 'duplicate' };
    }
    // Another attempt holds the claim: the message comes back later, never deleted unhandled.
    if (claim.kind === 'busy') return { kind: 'busy' };
    // Publishing is the whole action: a failure goes back to SQS (TransientAwsError via the batch processor).
    await notifier.alert(alertFromDecision(decision, this.#deps.region));
    const at = clock.now().toISOString();
    const record: LedgerRecord = {
      ...claim.record,
      attempts: (claim.previous?.attempts ?? 0) + 1,
      status: 'succeeded',
      outcomeReason: 'alert published',
      updatedAt: at,
      completedAt: at,
    };
    if (!(await ledger.save(record))) return { kind: 'duplicate' };
    metrics.count('actions', ALERT_ACTION);
    logger.info('alert decision published', { idempotencyKey: decision.idempotencyKey, policy: decision.policy });
    return { kind: 'done', outcome: 'succeeded', record };
  }
}
