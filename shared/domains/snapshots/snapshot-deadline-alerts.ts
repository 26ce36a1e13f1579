import { randomUUID } from 'node:crypto';
import { newLedgerRecord } from '../../execute/ledger-record.ts';
import type { Alert, LedgerRecord } from '../../execute/ports.ts';
import { safeSubject } from '../../execute/report.ts';
import type { TargetRef } from '../../policy/decision.ts';
import { formatUtcMinute } from '../../policy/local-time.ts';
import type { MissedSlot } from './snapshot-deadlines.ts';

/**
 * The verifier's own ledger records and alerts: the watch start per policy, one `SnapshotDeadline`
 * record and alert per missed slot, and one `SnapshotCompletedLate` record and alert when a missed
 * slot's snapshot completes after all.
 */
export const DEADLINE_ACTION = 'SnapshotDeadline';
export const LATE_ACTION = 'SnapshotCompletedLate';

function verifierRecord(
  fields: { key: string; policy: string; action: string; target: TargetRef; params: Record<string, unknown> },
  reason: string,
  decisionAt: string,
  now: Date,
): LedgerRecord {
  return {
    ...newLedgerRecord(
      {
        idempotencyKey: fields.key,
        policy: fields.policy,
        action: fields.action,
        target: fields.target,
        mode: 'act',
        params: fields.params,
        reason,
        decisionAt,
        // A fresh token per claim: a claim meeting its own token counts as its own (an SDK retry), so a
        // token derived from the key would let every sweep claim the same record again.
        claimToken: `${fields.action}:${randomUUID()}`,
        leaseUntil: now.toISOString(),
      },
      now,
    ),
    attempts: 1,
  };
}

export function watchRecord(policy: string, key: string, now: Date): LedgerRecord {
  return verifierRecord(
    { key, policy, action: 'WatchSnapshotPolicy', target: { type: 'schedule', id: policy }, params: {} },
    'first sweep that saw this snapshot policy: slots before it are not reported as missed',
    now.toISOString(),
    now,
  );
}

export function deadlineRecord(missed: MissedSlot, key: string, now: Date): LedgerRecord {
  const record = verifierRecord(
    {
      key,
      policy: missed.policy,
      action: DEADLINE_ACTION,
      target: missed.target,
      params: { slot: missed.slot, source: missed.source, deadline: missed.deadline },
    },
    `no completed snapshot of the ${formatUtcMinute(Date.parse(missed.slot))} slot by ${formatUtcMinute(Date.parse(missed.deadline))}`,
    missed.deadline,
    now,
  );
  return { ...record, outcomeReason: 'deadline alert sent', beforeState: missed.status };
}

const hours = (ms: number): string => {
  const minutes = Math.max(0, Math.round(ms / 60_000));
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return h === 0 ? `${m}m` : m === 0 ? `${h}h` : `${h}h${String(m).padStart(2, '0')}m`;
};

function deadlineText(missed: Pick<MissedSlot, 'kind' | 'deadlineMs'>): string {
  const after = `${hours(missed.deadlineMs)} after the slot`;
  return missed.kind === 'first' ? `${after} (the first snapshot of a source copies all its data)` : after;
}

export function deadlineAlert(missed: MissedSlot, region: string): Alert {
  const kind = missed.target.type === 'cluster' ? 'cluster' : `namespace of workgroup ${missed.target.id}:`;
  const slot = formatUtcMinute(Date.parse(missed.slot));
  const attempts =
    missed.attempts.length === 0 ? 'none taken' : missed.attempts.map((a) => `${a.id} ${a.status}`).join(', ');
  const paused = missed.status === 'paused';
  const running = missed.attempts.some((a) => a.status === 'creating');
  return {
    subject: safeSubject(`[autopilot] snapshot MISSED: ${missed.source} slot ${slot} (${missed.policy})`),
    body: [
      `What:    no completed snapshot of ${kind} ${missed.source} for the ${slot} slot by its deadline ${formatUtcMinute(Date.parse(missed.deadline))}, ${deadlineText(missed)}`,
      `Policy:  ${missed.policy}`,
      `Status:  ${missed.target.type} ${missed.target.id} is ${missed.status} now${paused ? ' (a paused cluster takes no snapshots)' : ''}`,
      `Attempts: ${attempts}`,
      running
        ? 'Next:    the snapshot is still being taken; one more alert follows when it completes'
        : 'Next:    take a manual snapshot if this slot matters; the next slot is scheduled as usual',
      `Console: https://${region}.console.aws.amazon.com/redshiftv2/home?region=${region}#snapshots`,
    ].join('\n'),
    attributes: {
      severity: paused ? 'WARNING' : 'ERROR',
      policy: missed.policy,
      resource: `${missed.target.type}/${missed.target.id}`,
      action: DEADLINE_ACTION,
      outcome: 'failed',
    },
  };
}

/** What a late completion alert says: the slot, the snapshot, when it completed and how late. */
export interface LateCompletion {
  policy: string;
  target: TargetRef;
  source: string;
  snapshot: string;
  slot: string;
  deadline: string;
  completedAt: string;
  via: string;
}

export function lateRecord(late: LateCompletion, key: string, now: Date): LedgerRecord {
  const record = verifierRecord(
    {
      key,
      policy: late.policy,
      action: LATE_ACTION,
      target: late.target,
      params: { slot: late.slot, source: late.source, snapshot: late.snapshot },
    },
    `snapshot ${late.snapshot} of the ${formatUtcMinute(Date.parse(late.slot))} slot completed after its deadline`,
    late.completedAt,
    now,
  );
  return { ...record, outcomeReason: 'late completion alert sent' };
}

export function lateAlert(late: LateCompletion, region: string): Alert {
  const slot = Date.parse(late.slot);
  const deadline = Date.parse(late.deadline);
  const done = Date.parse(late.completedAt);
  return {
    subject: safeSubject(
      `[autopilot] snapshot completed late: ${late.source} slot ${formatUtcMinute(slot)} (${late.policy}) by ${hours(done - deadline)}`,
    ),
    body: [
      `What:    snapshot ${late.snapshot} of ${late.source} for the ${formatUtcMinute(slot)} slot completed at ${formatUtcMinute(done)}: ${hours(done - deadline)} after its deadline ${formatUtcMinute(deadline)}, ${hours(done - slot)} after the slot`,
      `Policy:  ${late.policy}`,
      `Why:     the MISSED alert for this slot was sent at its deadline; the slot is covered now (${late.via})`,
      `Next:    nothing for this slot; if snapshots of ${late.source} often take this long, raise the policy's deadline`,
      `Console: https://${region}.console.aws.amazon.com/redshiftv2/home?region=${region}#snapshots`,
    ].join('\n'),
    attributes: {
      severity: 'WARNING',
      policy: late.policy,
      resource: `${late.target.type}/${late.target.id}`,
      action: LATE_ACTION,
      outcome: 'succeeded',
    },
  };
}
