import type { Authorization, RefusalCause } from '../policy/authorize.ts';
import type { Decision } from '../policy/decision.ts';
import type { Alert, Clock, LedgerPort, LoggerPort, MetricsPort, NotifierPort } from './ports.ts';
import { safeSubject } from './report.ts';

/**
 * What the executor does with a decision no deployed policy decided (issue 22): nothing is claimed, read
 * or called. It is logged and counted every time (metric `refused`, dimension = cause), and alerted once
 * per cause a day across every executor container (a ledger notice row), so a flood of forged or stale
 * messages pages once; the batch processor dead-letters each message with its reason.
 */
export const REFUSAL_ALERT_WINDOW_MS = 24 * 3_600_000;

/** What to do, per cause: a stale decision is housekeeping, the others mean the queue got a message it should not have. */
const NEXT: Record<RefusalCause, string> = {
  stale:
    'Nothing, if you just redrove the decision DLQ or the executor was down: the sweep has decided again on a fresh read. If it repeats, look for a stuck queue (ApproximateAgeOfOldestMessage).',
  'not-yet-due': 'Check the clocks of whatever sent it: the deciding functions never send a decision due later.',
  'unknown-policy': forged('names a policy that is not deployed'),
  'action-not-in-policy': forged('asks for an action its policy never requests'),
  'param-not-declared': forged('carries a parameter the action does not declare'),
  'param-not-in-policy': forged('carries a value its policy would not set'),
  'guard-mismatch': forged("claims guards that are not its policy's"),
};

function forged(what: string): string {
  return `The message ${what}. A deploy that changed policies while decisions were queued explains one; otherwise someone sent it. Only the deciding functions' roles (and the redrive role the README names) may send to the decision queue: check CloudTrail for SendMessage on it. The message is in the decision DLQ with this reason.`;
}

export interface RefusalDeps {
  ledger: LedgerPort;
  notifier: NotifierPort;
  logger: LoggerPort;
  metrics: MetricsPort;
  clock: Clock;
}

export class RefusalReporter {
  readonly #deps: RefusalDeps;
  /** Fallback when the ledger has no notice rows (or cannot be reached): once per cause per container. */
  readonly #noticed = new Map<string, number>();

  constructor(deps: RefusalDeps) {
    this.#deps = deps;
  }

  async refuse(decision: Decision, refusal: Extract<Authorization, { ok: false }>): Promise<void> {
    const { logger, metrics, clock } = this.#deps;
    metrics.count('refused', refusal.cause);
    logger.error('decision refused: no deployed policy decided it', {
      cause: refusal.cause,
      detail: refusal.detail,
      policy: decision.policy,
      action: decision.action,
      target: decision.target,
      idempotencyKey: decision.idempotencyKey,
    });
    if (!(await this.#first(refusal.cause, clock.now()))) return;
    try {
      await this.#deps.notifier.alert(refusalAlert(decision, refusal));
    } catch (error) {
      metrics.count('failures', 'alert-publish');
      logger.error('alert publish failed', { cause: refusal.cause, error: String(error) });
    }
  }

  async #first(cause: RefusalCause, now: Date): Promise<boolean> {
    const topic = `refused#${cause}`;
    if (this.#deps.ledger.firstNotice !== undefined) {
      try {
        return await this.#deps.ledger.firstNotice(topic, now, REFUSAL_ALERT_WINDOW_MS);
      } catch (error) {
        this.#deps.logger.warn('notice row unreachable; deduplicating refusals per container', {
          error: String(error),
        });
      }
    }
    const until = this.#noticed.get(topic);
    if (until !== undefined && until > now.getTime()) return false;
    this.#noticed.set(topic, now.getTime() + REFUSAL_ALERT_WINDOW_MS);
    return true;
  }
}

export function refusalAlert(decision: Decision, refusal: Extract<Authorization, { ok: false }>): Alert {
  const target = `${decision.target.type} ${decision.target.id}`;
  return {
    subject: safeSubject(`[autopilot] decision refused (${refusal.cause}): ${decision.action} ${decision.target.id}`),
    body: [
      `What:    the executor refused a decision from the queue: ${decision.action} on ${target}. Nothing was called.`,
      `Why:     ${refusal.cause}: ${refusal.detail}`,
      `Claims:  policy ${JSON.stringify(decision.policy)}, decided at ${decision.at}, key ${decision.idempotencyKey}`,
      `Next:    ${NEXT[refusal.cause]}`,
      `Repeats: further refusals for this cause in the next 24 h are logged and counted (metric refused, cause=${refusal.cause}), not alerted.`,
    ].join('\n'),
    attributes: {
      severity: refusal.cause === 'stale' ? 'WARNING' : 'ERROR',
      policy: decision.policy,
      resource: `${decision.target.type}/${decision.target.id}`,
      action: decision.action,
      outcome: 'refused',
    },
  };
}
