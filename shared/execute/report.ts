import { locationOfTarget } from '../aws/targets.ts';
import type { TargetRef } from '../policy/decision.ts';
import type { ActionEventDetail, Alert, LedgerRecord, OutcomeKind, Severity } from './ports.ts';

/**
 * Alert and event formatting: a subject an operator can read on a phone, a body that says what,
 * why, which policy, before → after and where to look, and attributes subscribers filter on.
 */

/** SNS: Subject must be ASCII, no line breaks, under 100 characters. */
export const SUBJECT_MAX = 99;

const SEVERITY_BY_OUTCOME: Record<OutcomeKind, Severity> = {
  succeeded: 'INFO',
  'in-progress': 'INFO',
  'dry-run': 'INFO',
  frozen: 'INFO',
  skipped: 'WARNING',
  retrying: 'WARNING',
  failed: 'ERROR',
  'breaker-open': 'ERROR',
  refused: 'ERROR',
};

export const HEADLINE: Record<OutcomeKind, string> = {
  succeeded: 'done',
  'in-progress': 'started',
  'dry-run': 'DRY RUN, would have run',
  frozen: 'FROZEN, would have run',
  skipped: 'skipped',
  retrying: 'failed, will retry',
  failed: 'FAILED',
  'breaker-open': 'circuit breaker open',
  refused: 'REFUSED, no deployed policy decided it',
};

export function severityOf(outcome: OutcomeKind): Severity {
  return SEVERITY_BY_OUTCOME[outcome];
}

/** Printable ASCII only, one line, at most `SUBJECT_MAX` characters (an ellipsis marks a cut). */
export function safeSubject(text: string): string {
  const ascii = text
    .normalize('NFKD')
    .replace(/[^\x20-\x7e]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  const subject = ascii.length > SUBJECT_MAX ? `${ascii.slice(0, SUBJECT_MAX - 3)}...` : ascii;
  return subject.length > 0 ? subject : 'autopilot';
}

export function consoleLink(target: TargetRef, region: string): string {
  const base = `https://${region}.console.aws.amazon.com/redshiftv2/home?region=${region}`;
  const id = encodeURIComponent(target.id);
  switch (target.type) {
    case 'cluster':
      return `${base}#cluster-details?cluster=${id}`;
    case 'workgroup':
      return `${base}#serverless-workgroup-details?workgroup=${id}`;
    case 'namespace':
      return `${base}#serverless-namespace-details?namespace=${id}`;
    case 'snapshot':
      return `${base}#snapshot-details?snapshot=${id}`;
    default:
      return `${base}#dashboard`;
  }
}

export function stateLine(record: LedgerRecord): string {
  const before = record.beforeState ?? '?';
  if (record.status === 'dry-run' || record.status === 'skipped') return `${before} (unchanged)`;
  const after = record.afterState ?? '?';
  const expected =
    record.status === 'in-progress' && record.expectedState !== null ? ` (until ${record.expectedState})` : '';
  return `${before} -> ${after}${expected}`;
}

export function outcomeAlert(record: LedgerRecord, outcome: OutcomeKind, region: string): Alert {
  const resource = `${record.target.type}/${record.target.id}`;
  const subject = safeSubject(
    `[autopilot] ${record.action} ${record.target.id}: ${HEADLINE[outcome]} (${record.policy})`,
  );
  const lines = [
    `What:    ${record.action} on ${record.target.type} ${record.target.id}: ${HEADLINE[outcome]}`,
    `Where:   account ${locationOfTarget(record.target).account ?? 'of this deployment'}, Region ${record.target.region ?? locationOfTarget(record.target).region ?? region}`,
    `Why:     ${record.reason}`,
    `Policy:  ${record.policy}`,
    `State:   ${stateLine(record)}`,
  ];
  if (record.outcomeReason !== null) lines.push(`Outcome: ${record.outcomeReason}`);
  if (record.error !== null) lines.push(`Error:   ${record.error.name}: ${record.error.message}`);
  lines.push(
    `When:    ${record.updatedAt} (due ${record.decisionAt})`,
    `Key:     ${record.idempotencyKey}`,
    `Console: ${consoleLink(record.target, record.target.region ?? region)}`,
  );
  return {
    subject,
    body: lines.join('\n'),
    attributes: {
      severity: severityOf(outcome),
      policy: record.policy,
      resource,
      action: record.action,
      outcome,
    },
  };
}

export interface BreakerReport {
  runId: string;
  attempted: number;
  failed: number;
  deferredFrom: string;
  lastError: string;
  at: string;
}

export function breakerAlert(report: BreakerReport): Alert {
  return {
    subject: safeSubject(`[autopilot] circuit breaker open: ${report.failed}/${report.attempted} actions failed`),
    body: [
      `What:    the executor stopped acting for this run after ${report.failed} of ${report.attempted} actions failed.`,
      `Why:     too many failures in one run usually means throttling, an outage or missing permissions;`,
      `         acting on would make it worse.`,
      `Next:    the remaining decisions (from ${report.deferredFrom} on) are deferred: SQS delivers them again`,
      `         after the visibility timeout, nothing is dropped. Messages that keep failing reach the DLQ.`,
      `Last error: ${report.lastError}`,
      `Run:     ${report.runId} at ${report.at}`,
    ].join('\n'),
    attributes: { severity: 'ERROR', policy: '-', resource: '-', action: '-', outcome: 'breaker-open' },
  };
}

export function actionEvent(record: LedgerRecord, outcome: OutcomeKind): ActionEventDetail {
  return {
    outcome,
    severity: severityOf(outcome),
    policy: record.policy,
    action: record.action,
    target: record.target,
    idempotencyKey: record.idempotencyKey,
    reason: record.reason,
    outcomeReason: record.outcomeReason,
    beforeState: record.beforeState,
    afterState: record.afterState,
    error: record.error,
    at: record.updatedAt,
  };
}
