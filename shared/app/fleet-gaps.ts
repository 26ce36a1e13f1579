import { classifyAwsError } from '../execute/classify-error.ts';
import { newLedgerRecord } from '../execute/ledger-record.ts';
import type { Alert, LedgerRecord } from '../execute/ports.ts';
import { safeSubject } from '../execute/report.ts';
import { decide, idempotencyKey, ZERO_ETL_UNKNOWN } from '../policy/decide.ts';
import type { ClusterResource, TargetRef, UnreadPart } from '../policy/decision.ts';
import { ISOLATED_READERS } from './aws-fleet-reader.ts';
import type { AppDeps, FleetRead } from './deps.ts';

/** At most this many clusters are asked one by one per sweep (DescribeInboundIntegrations each). */
export const MAX_CHECKED_ONE_BY_ONE = 50;

/**
 * Without the integrations list, the clusters a sweep would pause are asked one by one whether they
 * are zero-ETL targets (DescribeInboundIntegrations on the namespace, the call the executor's
 * guardrail makes): those that answer are decided as usual, the others stay unknown and are not
 * paused. Only the pause candidates are asked, found by deciding once on the read as it is.
 */
export async function checkOneByOne(
  read: FleetRead,
  deps: Pick<AppDeps, 'policies' | 'resources' | 'clock' | 'observability'>,
): Promise<UnreadPart[]> {
  const part = read.unread.find((p) => p.types.includes('integration'));
  if (part === undefined) return read.unread;
  const known = part.checked ?? {};
  const now = deps.clock.now().toISOString();
  const { skips } = decide({
    policies: deps.policies,
    fleet: { readAt: now, resources: read.resources, unread: read.unread },
    trigger: { kind: 'tick', at: now },
    now,
    ledger: { entries: [] },
  });
  const ids = [
    ...new Set(
      skips.filter((s) => s.target.type === 'cluster' && s.reason.startsWith(ZERO_ETL_UNKNOWN)).map((s) => s.target.id),
    ),
  ].sort();
  const checked: Record<string, boolean> = {};
  for (const id of ids.slice(0, MAX_CHECKED_ONE_BY_ONE)) {
    const cluster = read.resources.find((r): r is ClusterResource => r.type === 'cluster' && r.id === id);
    if (cluster === undefined) continue;
    try {
      checked[`cluster/${id}`] = await deps.resources.cluster.isZeroEtlTarget(cluster);
    } catch (error) {
      const reason = classifyAwsError(error, 'redshift:DescribeInboundIntegrations').message;
      deps.observability.logger.warn('zero-ETL status unknown', { cluster: id, reason });
    }
  }
  // Every integration part (one per target that could not read them) carries what is known now.
  const all = { ...known, ...checked };
  return read.unread.map((p) => (p.types.includes('integration') ? { ...p, checked: all } : p));
}

/**
 * One alert per outage of a fleet reader the sweep can do without (zero-ETL integrations, Redshift
 * Serverless), not one every 5 minutes while it keeps failing; one INFO when it reads again. The
 * outage is a ledger record under a deterministic key per reader, like the sweep's deadline alerts:
 * the first failing sweep claims it and alerts, later ones find it open (`failed`, not retryable) and
 * stay quiet; the first sweep that reads the part again marks it retryable (closed) and says so, and
 * the next outage claims the same key anew.
 */
export interface ReaderReport {
  /** Readers that failed this sweep. */
  failing: string[];
  /** Outage alerts sent this sweep (0 while an outage already alerted goes on). */
  alerted: number;
  /** Recovery alerts sent this sweep. */
  recovered: number;
}

/** Not an AWS action: the ledger record of a reader's outage. */
const OUTAGE_ACTION = 'FleetReadOutage';
const SWEEP = 'reconcile-sweep';

function targetOf(reader: string): TargetRef {
  return { type: 'schedule', id: `${SWEEP}/${reader}` };
}

export function outageKey(reader: string): string {
  return idempotencyKey(SWEEP, targetOf(reader), OUTAGE_ACTION, reader);
}

const isOpen = (record: LedgerRecord | undefined) => record?.status === 'failed' && !record.retryable;

export async function reportReaders(
  unread: readonly UnreadPart[],
  deps: Pick<AppDeps, 'ledger' | 'notifier' | 'clock' | 'observability'>,
  /** A hub's per-target reader names (FanOutFleetReader.readerNames); the isolated readers by default. */
  known: readonly string[] = Object.values(ISOLATED_READERS).map((r) => r.reader),
): Promise<ReaderReport> {
  const report: ReaderReport = { failing: unread.map((u) => u.reader), alerted: 0, recovered: 0 };
  const readers = [...new Set([...known, ...unread.map((u) => u.reader)])];
  const records = new Map((await deps.ledger.getMany(readers.map(outageKey))).map((r) => [r.idempotencyKey, r]));
  const now = deps.clock.now();
  for (const part of unread) {
    if (isOpen(records.get(outageKey(part.reader)))) continue;
    if (await alertOutage(part, now, deps)) report.alerted++;
  }
  for (const reader of readers) {
    const record = records.get(outageKey(reader));
    if (report.failing.includes(reader) || record === undefined || !isOpen(record)) continue;
    if (await closeOutage(record, reader, now, deps)) report.recovered++;
  }
  return report;
}

async function alertOutage(
  part: UnreadPart,
  now: Date,
  deps: Pick<AppDeps, 'ledger' | 'notifier' | 'observability'>,
): Promise<boolean> {
  const key = outageKey(part.reader);
  const at = now.toISOString();
  const claim = await deps.ledger.claim(
    newLedgerRecord(
      {
        idempotencyKey: key,
        policy: SWEEP,
        action: OUTAGE_ACTION,
        target: targetOf(part.reader),
        mode: 'act',
        params: { reader: part.reader, operations: [...part.operations] },
        reason: part.reason,
        decisionAt: at,
        claimToken: `outage:${key}:${at}`,
        leaseUntil: at,
      },
      now,
    ),
    now,
  );
  if (claim.kind !== 'claimed') return false;
  try {
    await deps.notifier.alert(outageAlert(part, now, key));
  } catch (error) {
    // Not sent: the claim stays pending with an expired lease, so the next failing sweep claims it again.
    deps.observability.logger.error('reader outage alert not sent', { reader: part.reader, error: String(error) });
    return false;
  }
  return deps.ledger.save({
    ...claim.record,
    status: 'failed',
    retryable: false,
    attempts: claim.record.attempts + 1,
    outcomeReason: `${part.reader} not read: alert sent`,
    error: { name: part.transient ? 'TransientAwsError' : 'ReaderFailed', message: part.reason },
    updatedAt: at,
    completedAt: at,
  });
}

async function closeOutage(
  record: LedgerRecord,
  reader: string,
  now: Date,
  deps: Pick<AppDeps, 'ledger' | 'notifier' | 'observability'>,
): Promise<boolean> {
  const at = now.toISOString();
  try {
    await deps.notifier.alert(recoveryAlert(record, reader, now));
  } catch (error) {
    // Not sent: the outage stays open and the next sweep that reads the part says it again.
    deps.observability.logger.error('reader recovery alert not sent', { reader, error: String(error) });
    return false;
  }
  return deps.ledger.save({ ...record, retryable: true, outcomeReason: `read again at ${at}`, updatedAt: at });
}

export function outageAlert(part: UnreadPart, now: Date, key: string): Alert {
  const next = part.transient
    ? 'AWS answered with throttling, a server error or a network failure after the SDK retries; nothing to do unless it lasts.'
    : part.operations.includes('sts:AssumeRole')
      ? "check the spoke stack in that account (docs/multi-account.md): the read role exists, trusts the hub's reconcile role with the hub's external id, and grants the Describe/List calls; a Region without Redshift Serverless needs nothing."
      : `grant ${part.operations.join(', ')} to the reconcile function's role if the error is an access denial; if the endpoint or Region does not offer the API, leave it: the sweep decides without it.`;
  return {
    subject: safeSubject(`[autopilot] sweep: ${part.reader} not read; deciding without them`),
    body: [
      `What:    the reconcile sweep could not read ${part.reader} (${part.operations.join(', ')}).`,
      `Error:   ${part.reason}`,
      `Impact:  ${part.impact}.`,
      `Next:    ${next} Every sweep tries again; one alert says when the read works again, none repeats this one meanwhile.`,
      `When:    ${now.toISOString()}`,
      `Key:     ${key}`,
    ].join('\n'),
    attributes: {
      severity: part.transient ? 'WARNING' : 'ERROR',
      policy: SWEEP,
      resource: `sweep/${part.reader}`,
      action: OUTAGE_ACTION,
      outcome: 'failed',
    },
  };
}

function recoveryAlert(record: LedgerRecord, reader: string, now: Date): Alert {
  return {
    subject: safeSubject(`[autopilot] sweep: ${reader} read again`),
    body: [
      `What:    the reconcile sweep reads ${reader} again; it could not from ${record.claimedAt}.`,
      `Error:   ${record.error?.message ?? record.reason}`,
      'Impact:  everything that waited for it is decided from this sweep on.',
      'Next:    nothing to do.',
      `When:    ${now.toISOString()}`,
      `Key:     ${record.idempotencyKey}`,
    ].join('\n'),
    attributes: {
      severity: 'INFO',
      policy: SWEEP,
      resource: `sweep/${reader}`,
      action: OUTAGE_ACTION,
      outcome: 'succeeded',
    },
  };
}
