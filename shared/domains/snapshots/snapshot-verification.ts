import type { NormalizedEvent } from '../../events/normalized-event.ts';
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
import { actionEvent, outcomeAlert } from '../../execute/report.ts';
import type { CompiledPolicy } from '../../policy/capability.ts';
import { idempotencyKey } from '../../policy/decide.ts';
import type { FleetResource, SnapshotResource } from '../../policy/decision.ts';
import { formatUtcMinute } from '../../policy/local-time.ts';
import {
  DEADLINE_ACTION,
  deadlineAlert,
  deadlineRecord,
  LATE_ACTION,
  type LateCompletion,
  lateAlert,
  lateRecord,
  watchRecord,
} from './snapshot-deadline-alerts.ts';
import { DEADLINE_LOOKBACK_MS, type MissedSlot, missedDeadlines } from './snapshot-deadlines.ts';
import { isCreateAction, SNAPSHOT_TAGS } from './snapshot-tags.ts';
import { createAction, isCompiledSnapshots } from './snapshots.capability.ts';

export { DEADLINE_ACTION, deadlineAlert, LATE_ACTION } from './snapshot-deadline-alerts.ts';

/**
 * Verification: a snapshot's ledger record stays `in-progress` from CreateClusterSnapshot /
 * CreateSnapshot until an event closes it — REDSHIFT-EVENT-3004 or REDSHIFT-SERVERLESS-EVENT-1000
 * (completed), 3503 (failed), 2010 (cancelled); 2009 (started) only notes it — or, when no event
 * comes (SNS and EventBridge are best effort), until the sweep polls the snapshot. A failure is
 * alerted with when the retry is due (the retry itself is a decision of the next sweeps: decide()
 * sees the failed attempt in the snapshot listing). A slot with no completed snapshot by its deadline
 * raises one alert naming the cluster and the slot; a slot is covered once its snapshot completed
 * (the ledger says so), whatever retention deletes later. A missed slot whose snapshot completes
 * after all raises one more alert, WARNING, saying how late.
 */
export const SNAPSHOT_EVENTS = {
  'REDSHIFT-EVENT-2009': 'started',
  'REDSHIFT-EVENT-3004': 'completed',
  'REDSHIFT-EVENT-3503': 'failed',
  'REDSHIFT-EVENT-2010': 'cancelled',
  'REDSHIFT-SERVERLESS-EVENT-1000': 'completed',
} as const;
type SnapshotEventMeaning = (typeof SNAPSHOT_EVENTS)[keyof typeof SNAPSHOT_EVENTS];

/** How long a covered slot is remembered: longer than any slot stays a candidate. */
const COVERED_MEMORY_MS = 7 * 86_400_000;

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
  /** Slots known to be covered (ledger: a completed attempt), by policy, target and slot → slot time. */
  readonly #covered = new Map<string, number>();

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
    else await this.#alertIfLate(next, via);
    return next;
  }

  /** One WARNING when the snapshot of a slot that was alerted as missed completes after all. */
  async #alertIfLate(record: LedgerRecord, via: string): Promise<void> {
    const { ledger, clock, region } = this.#deps;
    const slot = tagOf(record, SNAPSHOT_TAGS.slot);
    if (slot === undefined) return;
    const missed = await ledger.get(idempotencyKey(record.policy, record.target, DEADLINE_ACTION, slot));
    if (missed === null) return;
    const now = clock.now();
    const late: LateCompletion = {
      policy: record.policy,
      target: record.target,
      source: String(missed.params.source ?? record.target.id),
      snapshot: snapshotNameOf(record) ?? '?',
      slot,
      deadline: missed.decisionAt,
      completedAt: record.completedAt ?? now.toISOString(),
      via,
    };
    const key = idempotencyKey(record.policy, record.target, LATE_ACTION, slot);
    const claim = await ledger.claim(lateRecord(late, key, now), now);
    if (claim.kind === 'duplicate') return;
    await this.#alert(lateAlert(late, region));
    await ledger.save({ ...claim.record, status: 'succeeded', completedAt: now.toISOString() });
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
    const candidates = missedDeadlines(this.#deps.policies, resources, now.getTime(), DEADLINE_LOOKBACK_MS, since);
    for (const missed of await this.#uncovered(candidates, now.getTime())) {
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
   * The candidates whose slot no snapshot covered: a slot is covered once the ledger recorded one of
   * its attempts as completed, even if retention (or a person) deleted that snapshot since.
   */
  async #uncovered(candidates: readonly MissedSlot[], now: number): Promise<MissedSlot[]> {
    const slotKey = (m: MissedSlot) => `${m.policy}\u0000${m.target.type}/${m.target.id}\u0000${m.slot}`;
    for (const [key, slot] of this.#covered) if (slot < now - COVERED_MEMORY_MS) this.#covered.delete(key);
    const open = candidates.filter((m) => !this.#covered.has(slotKey(m)));
    const keys = new Map<string, MissedSlot>();
    for (const m of open) {
      const action = createAction(m);
      for (let attempt = 0; attempt <= this.#retriesOf(m.policy); attempt++) {
        const slot = attempt === 0 ? m.slot : `${m.slot}#r${attempt}`;
        keys.set(idempotencyKey(m.policy, m.target, action, slot), m);
      }
    }
    const records = keys.size === 0 ? [] : await this.#deps.ledger.getMany([...keys.keys()]);
    for (const r of records) {
      const m = keys.get(r.idempotencyKey);
      if (m !== undefined && r.status === 'succeeded') this.#covered.set(slotKey(m), Date.parse(m.slot));
    }
    return open.filter((m) => !this.#covered.has(slotKey(m)));
  }

  #retriesOf(policyName: string): number {
    const policy = this.#deps.policies.find((p) => p.name === policyName);
    return policy !== undefined && isCompiledSnapshots(policy.capability) ? policy.capability.settings.retries : 0;
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
