import { createHash } from 'node:crypto';
import { locationOfTarget } from '../aws/targets.ts';
import { ALERT_ACTION, type Decision } from '../policy/decision.ts';
import type { Alert, LedgerPort, LedgerRecord, LoggerPort, MetricsPort, NotifierPort, OutcomeKind } from './ports.ts';
import { consoleLink, HEADLINE, safeSubject, severityOf, stateLine } from './report.ts';

/**
 * One alert per policy and run instead of one per resource (issue 19): 300 clusters paused by one
 * policy in one evening are one SNS message listing all 300. The sweep marks the run's decisions of a
 * policy with a digest id and enqueues a digest message after them (its own FIFO group); the executor
 * leaves those decisions' INFO outcomes (done, started, dry run, frozen) unalerted, and the digest
 * message, once every listed decision has an outcome, reads them from the ledger (BatchGetItem, 100
 * keys a call) and publishes one message. Warnings and failures keep their own alert each (they say
 * what to do); the digest counts them. Each action's `Autopilot Action` event is still put.
 */
export interface DigestMessage {
  kind: 'digest';
  /** The digest id the decisions carry: `<policy>@<run>`. */
  id: string;
  policy: string;
  /** The sweep's time (ISO 8601 UTC). */
  run: string;
  keys: string[];
  /** 1-based part when a run's decisions of one policy are split over several messages. */
  part: number;
  parts: number;
}

/** A digest for fewer decisions than this is not worth it: a single decision is alerted as before. */
export const DIGEST_MIN_DECISIONS = 2;
/**
 * A digest that arrives before its decisions' outcomes (they run in another invocation) is shown again
 * after this many seconds, not the queue's 360 s visibility timeout; with the queue's 5 receives that
 * waits up to two minutes for a run before it is sent with what is missing named.
 */
export const DIGEST_RETRY_SECONDS = 30;

/** Keys per digest message: ~100 bytes each, far under SQS's 256 KiB. */
export const DIGEST_MAX_KEYS = 1000;

/** Marks each policy's decisions of this run with a digest id and builds the digest messages that follow them. */
export function planDigests(
  decisions: readonly Decision[],
  run: string,
): { decisions: Decision[]; digests: DigestMessage[] } {
  const byPolicy = new Map<string, Decision[]>();
  // A policy's own alert (ALERT_ACTION) is the message itself: never folded into a digest.
  for (const d of decisions) {
    if (d.action !== ALERT_ACTION) byPolicy.set(d.policy, [...(byPolicy.get(d.policy) ?? []), d]);
  }
  const digests: DigestMessage[] = [];
  const ids = new Map<string, string>();
  for (const [policy, mine] of byPolicy) {
    if (mine.length < DIGEST_MIN_DECISIONS) continue;
    const id = `${policy}@${run}`;
    ids.set(policy, id);
    const parts = Math.ceil(mine.length / DIGEST_MAX_KEYS);
    for (let part = 0; part < parts; part += 1) {
      const keys = mine.slice(part * DIGEST_MAX_KEYS, (part + 1) * DIGEST_MAX_KEYS).map((d) => d.idempotencyKey);
      digests.push({ kind: 'digest', id, policy, run, keys, part: part + 1, parts });
    }
  }
  const marked = decisions.map((d) => {
    const id = d.action === ALERT_ACTION ? undefined : ids.get(d.policy);
    return id === undefined ? d : { ...d, digest: id };
  });
  return { decisions: marked, digests };
}

/** The FIFO group and dedup id of a digest message (deterministic: a repeated sweep of the same run sends it once). */
export function digestQueueIds(message: DigestMessage): { groupId: string; dedupId: string } {
  const hash = createHash('sha256').update(`${message.id}#${message.part}`).digest('hex');
  return { groupId: `digest:${hash.slice(0, 40)}`, dedupId: `digest:${hash}` };
}

/** The message parsed when it is a digest, else null (an action decision, or malformed). */
export function parseDigestMessage(body: string): DigestMessage | null {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return null;
  }
  const m = value as Partial<DigestMessage> | null;
  if (m === null || typeof m !== 'object' || m.kind !== 'digest') return null;
  const ok =
    typeof m.id === 'string' &&
    typeof m.policy === 'string' &&
    typeof m.run === 'string' &&
    Array.isArray(m.keys) &&
    m.keys.every((k) => typeof k === 'string') &&
    Number.isInteger(m.part) &&
    Number.isInteger(m.parts);
  if (!ok) throw new Error('digest message: expected id, policy, run, keys[], part and parts');
  return m as DigestMessage;
}

export interface DigestDeps {
  ledger: LedgerPort;
  notifier: NotifierPort;
  region: string;
  logger: LoggerPort;
  metrics: MetricsPort;
  now(): Date;
}

const FINISHED: ReadonlySet<LedgerRecord['status']> = new Set([
  'succeeded',
  'in-progress',
  'skipped',
  'failed',
  'dry-run',
]);

/** `retry`: some listed decisions have no outcome yet and this is not the last delivery. */
export async function reportDigest(
  message: DigestMessage,
  deps: DigestDeps,
  finalAttempt: boolean,
): Promise<'sent' | 'nothing' | 'retry'> {
  const records = await deps.ledger.getMany(message.keys);
  const finished = records.filter((r) => FINISHED.has(r.status) && r.digest === message.id);
  const unfinished = message.keys.filter((k) => !finished.some((r) => r.idempotencyKey === k));
  if (unfinished.length > 0 && !finalAttempt) return 'retry';
  const reported = finished.filter((r) => severityOf(outcomeOf(r)) === 'INFO');
  if (reported.length === 0 && unfinished.length === 0) return 'nothing';
  // A redelivered digest (its delete lost) must not publish twice: one notice per digest part.
  const topic = `digest#${message.id}#${message.part}`;
  if (deps.ledger.firstNotice !== undefined && !(await deps.ledger.firstNotice(topic, deps.now(), 7 * 86_400_000))) {
    return 'nothing';
  }
  const alert = digestAlert(message, finished, unfinished, deps.region);
  try {
    await deps.notifier.alert(alert);
  } catch (error) {
    // As for every alert: a lost publish is logged loudly, never turned into a retry.
    deps.metrics.count('failures', 'alert-publish');
    deps.logger.error('digest publish failed', { subject: alert.subject, error: String(error) });
  }
  return 'sent';
}

export function outcomeOf(record: LedgerRecord): OutcomeKind {
  // The record keeps the decision's mode: a frozen one was not called either, for its freeze.
  if (record.status === 'dry-run') return record.mode === 'frozen' ? 'frozen' : 'dry-run';
  return record.status as OutcomeKind;
}

function line(record: LedgerRecord, region: string): string {
  // Another account or Region than this deployment's (a hub's target) is named on the line.
  const location = locationOfTarget(record.target);
  const elsewhere = record.target.account !== undefined || (location.region ?? region) !== region;
  const where = elsewhere ? ` [${location.account ?? 'this account'} ${location.region ?? region}]` : '';
  // What it made (a snapshot, a usage limit) tells two lines of one resource apart.
  const made = record.createdId === null ? '' : `  ${record.createdId}`;
  const what = `${record.target.type}/${record.target.id}${where}  ${record.action}`;
  return `  ${what}  ${HEADLINE[outcomeOf(record)]}  ${stateLine(record)}${made}`;
}

/** One readable message: what was done to which resources, what was alerted apart, what is not finished. */
export function digestAlert(
  message: DigestMessage,
  finished: readonly LedgerRecord[],
  unfinished: readonly string[],
  region: string,
): Alert {
  const info = finished.filter((r) => severityOf(outcomeOf(r)) === 'INFO');
  const apart = finished.filter((r) => severityOf(outcomeOf(r)) !== 'INFO');
  const actions = [...new Set(info.map((r) => r.action))];
  const types = [...new Set(info.map((r) => r.target.type))];
  const outcomes = [...new Set(info.map(outcomeOf))];
  const part = message.parts > 1 ? ` (part ${message.part}/${message.parts})` : '';
  // Resources, not decisions: two actions on one workgroup count it once.
  const distinct = new Set(
    info.map((r) => `${r.target.type}/${r.target.id}/${r.target.account ?? ''}/${r.target.region ?? ''}`),
  ).size;
  const noun = types.length === 1 ? (types[0] as string) : 'resource';
  const counted = `${distinct} ${noun}${distinct === 1 ? '' : 's'}`;
  const subject = safeSubject(
    `[autopilot] ${message.policy}: ${actions.join('+') || 'no action'} ${outcomes.map((o) => HEADLINE[o]).join('/') || 'pending'} on ${counted}${apart.length > 0 ? `, ${apart.length} alerted apart` : ''}${part}`,
  );
  const lines = [
    `What:    policy ${message.policy}, run ${message.run}${part}: ${info.length} of ${message.keys.length} decisions done or started.`,
    ...whyLines(info),
    '',
    ...(info.length > 0 ? ['Resources:', ...info.map((r) => line(r, region))] : []),
  ];
  if (apart.length > 0) {
    lines.push('', `Alerted apart (${apart.length}, each with what to do):`);
    for (const r of apart)
      lines.push(`  ${r.target.type}/${r.target.id}  ${r.action}  ${r.status}: ${r.outcomeReason ?? ''}`);
  }
  if (unfinished.length > 0) {
    lines.push(
      '',
      `Not finished when this was sent (${unfinished.length}): still queued, being retried or dead-lettered; each failure is alerted on its own.`,
      ...unfinished.slice(0, 50).map((k) => `  ${k}`),
    );
  }
  const first = info[0];
  lines.push(
    '',
    apart.length > 0
      ? 'Next:    nothing to do for the resources listed; each one alerted apart has its own alert saying what to do.'
      : 'Next:    nothing to do.',
    ...(first === undefined ? [] : [`Console: ${consoleLink(first.target, first.target.region ?? region)}`]),
  );
  return {
    subject,
    body: lines.join('\n'),
    attributes: {
      // Informational: every warning or failure listed here had its own alert already.
      severity: 'INFO',
      policy: message.policy,
      resource: distinct === 1 && first !== undefined ? `${first.target.type}/${first.target.id}` : counted,
      action: actions.join(',') || '-',
      outcome: outcomes.length === 1 ? (outcomes[0] as OutcomeKind) : 'succeeded',
    },
  };
}

/** The decisions' reasons, each once (a window's reason names no resource, so 300 pauses share one or a few). */
function whyLines(records: readonly LedgerRecord[]): string[] {
  const counts = new Map<string, number>();
  for (const r of records) counts.set(r.reason, (counts.get(r.reason) ?? 0) + 1);
  const shown = [...counts].slice(0, 5).map(([reason, n]) => `${reason}${counts.size > 1 ? ` (${n})` : ''}`);
  const others = counts.size - 5;
  const more =
    others > 0 ? [`… and ${others} other reason${others === 1 ? '' : 's'} (each in its Autopilot Action event)`] : [];
  return [...shown, ...more].map((text, i) => `${i === 0 ? 'Why:    ' : '        '} ${text}`);
}

/** The resources a digest's body lists (`type/id` under "Resources:"), for readers of published alerts. */
export function resourcesListedIn(body: string): string[] {
  const start = body.indexOf('\nResources:\n');
  if (start < 0) return [];
  const listed: string[] = [];
  for (const line of body.slice(start + '\nResources:\n'.length).split('\n')) {
    const m = /^ {2}([a-z-]+\/\S+)/.exec(line);
    if (m?.[1] === undefined) break;
    listed.push(m[1]);
  }
  return listed;
}
