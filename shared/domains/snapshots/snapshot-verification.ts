import type { NormalizedEvent } from '../../events/normalized-event.ts';
import { newLedgerRecord } from '../../execute/ledger-record.ts';
import type {
  Alert,
  Clock,
  LedgerPort,
  LedgerRecord,
  LoggerPort,
  NotifierPort,
  OutcomeKind,
} from '../../execute/ports.ts';
import { silentLogger } from '../../execute/ports.ts';
import { actionEvent, outcomeAlert, safeSubject } from '../../execute/report.ts';
import type { CompiledPolicy } from '../../policy/capability.ts';
import { idempotencyKey } from '../../policy/decide.ts';
import type { FleetResource, SnapshotResource } from '../../policy/decision.ts';
import { formatUtcMinute } from '../../policy/local-time.ts';
import { DEADLINE_LOOKBACK_MS, type MissedSlot, missedDeadlines } from './snapshot-deadlines.ts';
import { isCreateAction, SNAPSHOT_TAGS } from './snapshot-tags.ts';
import { isCompiledSnapshots } from './snapshots.capability.ts';

/**
 * Verification: a snapshot's ledger record stays `in-progress` from CreateClusterSnapshot /
 * CreateSnapshot until an event closes it — REDSHIFT-EVENT-3004 or REDSHIFT-SERVERLESS-EVENT-1000
 * (completed), 3503 (failed), 2010 (cancelled); 2009 (started) only notes it — or, when no event
 * comes (SNS and EventBridge are best effort), until the sweep polls the snapshot. A failure is
 * alerted with when the retry is due (the retry itself is a decision of the next sweeps: decide()
 * sees the failed attempt in the snapshot listing). A slot with no completed snapshot by its deadline
 * raises one alert naming the cluster and the slot.
 */
export const SNAPSHOT_EVENTS = {
  'REDSHIFT-EVENT-2009': 'started',
  'REDSHIFT-EVENT-3004': 'completed',
  'REDSHIFT-EVENT-3503': 'failed',
  'REDSHIFT-EVENT-2010': 'cancelled',
  'REDSHIFT-SERVERLESS-EVENT-1000': 'completed',
} as const;
type SnapshotEventMeaning = (typeof SNAPSHOT_EVENTS)[keyof typeof SNAPSHOT_EVENTS];

export const DEADLINE_ACTION = 'SnapshotDeadline';

export interface SnapshotReader {
  readSnapshot(service: SnapshotResource['service'], id: string): Promise<SnapshotResource | null>;
}

export interface SnapshotVerifierDeps {
  ledger: LedgerPort;
  notifier: NotifierPort;
  reader: SnapshotReader;
  clock: Clock;
  region: string;
  /** The loaded policies: retry timing for alerts, schedules and deadlines. */
  policies: readonly CompiledPolicy[];
  logger?: LoggerPort;
}

export interface VerificationReport {
  polled: number;
  succeeded: number;
  failed: number;
  deadlineAlerts: number;
}

function snapshotNameOf(record: LedgerRecord): string | null {
  if (record.createdId !== null) return record.createdId;
  const p = record.params;
  const name = p.SnapshotIdentifier ?? p.snapshotName;
  return typeof name === 'string' ? name : null;
}

function serviceOf(record: LedgerRecord): SnapshotResource['service'] {
  return record.action === 'CreateSnapshot' ? 'redshift-serverless' : 'redshift';
}

function tagOf(record: LedgerRecord, key: string): string | undefined {
  const list = (record.params.Tags ?? record.params.tags) as {
    Key?: string;
    key?: string;
    Value?: string;
    value?: string;
  }[];
  const tag = Array.isArray(list) ? list.find((t) => (t.Key ?? t.key) === key) : undefined;
  return tag === undefined ? undefined : (tag.Value ?? tag.value);
}

export class SnapshotVerifier {
  readonly #deps: Required<SnapshotVerifierDeps>;
  /** Per container: when each snapshot policy was first watched (see #watchingSince). */
  readonly #watchStart = new Map<string, number>();

  constructor(deps: SnapshotVerifierDeps) {
    this.#deps = { logger: silentLogger, ...deps };
  }

  /** Applies one event; returns the record it changed, or null (not a snapshot event, or not ours). */
  async onEvent(event: NormalizedEvent): Promise<LedgerRecord | null> {
    const meaning = event.eventId === null ? undefined : SNAPSHOT_EVENTS[event.eventId as keyof typeof SNAPSHOT_EVENTS];
    if (meaning === undefined) return null;
    const name = event.values.snapshot_name ?? (event.resource.type === 'snapshot' ? event.resource.id : undefined);
    if (name === undefined) return null;
    const record = (await this.#deps.ledger.listInFlight()).find(
      (r) => isCreateAction(r.action) && snapshotNameOf(r) === name,
    );
    if (record === undefined) return null;
    return this.#apply(record, meaning, `${event.eventId} at ${formatUtcMinute(Date.parse(event.time))}`);
  }

  /** The sweep's backstop: poll every in-progress snapshot, then alert missed deadlines. */
  async sweep(resources: readonly FleetResource[]): Promise<VerificationReport> {
    const report: VerificationReport = { polled: 0, succeeded: 0, failed: 0, deadlineAlerts: 0 };
    for (const record of await this.#deps.ledger.listInFlight()) {
      if (!isCreateAction(record.action)) continue;
      const name = snapshotNameOf(record);
      if (name === null) continue;
      report.polled++;
      const snapshot = await this.#deps.reader.readSnapshot(serviceOf(record), name);
      const status = snapshot?.status ?? 'missing';
      const meaning: SnapshotEventMeaning | null =
        status === 'available'
          ? 'completed'
          : status === 'failed' || status === 'missing' || status === 'deleted'
            ? 'failed'
            : status === 'cancelled'
              ? 'cancelled'
              : null;
      if (meaning === null) continue;
      const next = await this.#apply(record, meaning, `sweep: DescribeClusterSnapshots says ${status}, no event came`);
      if (next?.status === 'succeeded') report.succeeded++;
      if (next?.status === 'failed') report.failed++;
    }
    report.deadlineAlerts = await this.#alertMissed(resources);
    return report;
  }

  async #apply(record: LedgerRecord, meaning: SnapshotEventMeaning, via: string): Promise<LedgerRecord | null> {
    const { ledger, notifier, clock, region, logger } = this.#deps;
    const at = clock.now().toISOString();
    const name = snapshotNameOf(record) ?? '?';
    if (meaning === 'started') {
      if (record.afterState === 'creating') return null;
      const next = { ...record, afterState: 'creating', updatedAt: at };
      return (await ledger.save(next)) ? next : null;
    }
    const ok = meaning === 'completed';
    const next: LedgerRecord = {
      ...record,
      status: ok ? 'succeeded' : 'failed',
      retryable: false,
      afterState: ok ? 'available' : meaning,
      outcomeReason: ok
        ? `snapshot ${name} completed (${via})`
        : `snapshot ${name} ${meaning} (${via}); ${this.#retryText(record)}`,
      ...(ok ? {} : { error: { name: meaning === 'failed' ? 'SnapshotFailed' : 'SnapshotCancelled', message: via } }),
      updatedAt: at,
      completedAt: at,
    };
    if (!(await ledger.save(next))) return null;
    const outcome: OutcomeKind = ok ? 'succeeded' : 'failed';
    logger.info('snapshot outcome', { idempotencyKey: next.idempotencyKey, snapshot: name, outcome, via });
    await notifier
      .event(actionEvent(next, outcome))
      .catch((e: unknown) => logger.error('event publish failed', { error: String(e) }));
    if (!ok) await this.#alert(outcomeAlert(next, outcome, region));
    return next;
  }

  #retryText(record: LedgerRecord): string {
    const policy = this.#deps.policies.find((p) => p.name === record.policy);
    if (policy === undefined || !isCompiledSnapshots(policy.capability)) return 'retry per policy';
    const { retries, backoffMs } = policy.capability.settings;
    const attempt = Number(tagOf(record, SNAPSHOT_TAGS.attempt) ?? 0);
    if (attempt >= retries) return `no retries left (${retries} allowed); the deadline alert follows`;
    const backoff = backoffMs[Math.min(attempt, backoffMs.length - 1)] ?? 0;
    const due = Date.parse(record.claimedAt) + backoff;
    return `retry ${attempt + 1}/${retries} due from ${formatUtcMinute(due)}`;
  }

  async #alertMissed(resources: readonly FleetResource[]): Promise<number> {
    const { ledger, clock } = this.#deps;
    const now = clock.now();
    let sent = 0;
    const since = await this.#watchingSince(now);
    for (const missed of missedDeadlines(this.#deps.policies, resources, now.getTime(), DEADLINE_LOOKBACK_MS, since)) {
      const key = idempotencyKey(missed.policy, missed.target, DEADLINE_ACTION, missed.slot);
      const record = deadlineRecord(missed, key, now);
      const claim = await ledger.claim(record, now);
      if (claim.kind === 'duplicate') continue;
      await this.#alert(deadlineAlert(missed, this.#deps.region));
      await ledger.save({ ...claim.record, status: 'succeeded', completedAt: now.toISOString() });
      sent++;
    }
    return sent;
  }

  /**
   * When autopilot started watching each snapshot policy: a ledger record claimed once by the first
   * sweep that saw the policy (a conditional write keeps the earliest). Without it, the first sweep
   * after a deploy reported every slot of the lookback as missed although nobody was there to take it.
   */
  async #watchingSince(now: Date): Promise<Map<string, number>> {
    const since = new Map<string, number>();
    for (const policy of this.#deps.policies) {
      if (!isCompiledSnapshots(policy.capability)) continue;
      const cached = this.#watchStart.get(policy.name);
      if (cached !== undefined) {
        since.set(policy.name, cached);
        continue;
      }
      const key = `watch#${policy.name}`;
      const claim = await this.#deps.ledger.claim(watchRecord(policy.name, key, now), now);
      const claimedAt = claim.kind === 'duplicate' ? claim.record?.claimedAt : now.toISOString();
      const start = claimedAt === undefined ? now.getTime() : Date.parse(claimedAt);
      if (claim.kind !== 'duplicate') {
        await this.#deps.ledger.save({ ...claim.record, status: 'succeeded', completedAt: now.toISOString() });
      }
      this.#watchStart.set(policy.name, start);
      since.set(policy.name, start);
    }
    return since;
  }

  async #alert(alert: Alert): Promise<void> {
    try {
      await this.#deps.notifier.alert(alert);
    } catch (error) {
      this.#deps.logger.error('alert publish failed', { subject: alert.subject, error: String(error) });
    }
  }
}

function watchRecord(policy: string, key: string, now: Date): LedgerRecord {
  const at = now.toISOString();
  return {
    ...newLedgerRecord(
      {
        idempotencyKey: key,
        policy,
        action: 'WatchSnapshotPolicy',
        target: { type: 'schedule', id: policy },
        mode: 'act',
        params: {},
        reason: 'first sweep that saw this snapshot policy: slots before it are not reported as missed',
        decisionAt: at,
        claimToken: `watch:${key}`,
        leaseUntil: at,
      },
      now,
    ),
    attempts: 1,
  };
}

function deadlineRecord(missed: MissedSlot, key: string, now: Date): LedgerRecord {
  return {
    ...newLedgerRecord(
      {
        idempotencyKey: key,
        policy: missed.policy,
        action: DEADLINE_ACTION,
        target: missed.target,
        mode: 'act',
        params: { slot: missed.slot, source: missed.source },
        reason: `no completed snapshot of the ${formatUtcMinute(Date.parse(missed.slot))} slot by ${formatUtcMinute(Date.parse(missed.deadline))}`,
        decisionAt: missed.deadline,
        claimToken: `deadline:${key}`,
        leaseUntil: now.toISOString(),
      },
      now,
    ),
    attempts: 1,
    outcomeReason: 'deadline alert sent',
    beforeState: missed.status,
  };
}

export function deadlineAlert(missed: MissedSlot, region: string): Alert {
  const kind = missed.target.type === 'cluster' ? 'cluster' : `namespace of workgroup ${missed.target.id}:`;
  const slot = formatUtcMinute(Date.parse(missed.slot));
  const attempts =
    missed.attempts.length === 0 ? 'none taken' : missed.attempts.map((a) => `${a.id} ${a.status}`).join(', ');
  const paused = missed.status === 'paused';
  return {
    subject: safeSubject(`[autopilot] snapshot MISSED: ${missed.source} slot ${slot} (${missed.policy})`),
    body: [
      `What:    no completed snapshot of ${kind} ${missed.source} for the ${slot} slot by its deadline ${formatUtcMinute(Date.parse(missed.deadline))}`,
      `Policy:  ${missed.policy}`,
      `Status:  ${missed.target.type} ${missed.target.id} is ${missed.status} now${paused ? ' (a paused cluster takes no snapshots)' : ''}`,
      `Attempts: ${attempts}`,
      `Next:    take a manual snapshot if this slot matters; the next slot is scheduled as usual`,
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
