/**
 * The readable timeline of `autopilot simulate` / `npm start`: one line per record with the local
 * time in the zone of the policy that governs the resource and the UTC minute, then the summary
 * table per policy.
 */
import { DateTime } from 'luxon';
import type { SummaryRecord, TimelineRecord } from './timeline.ts';

const abbreviations = new Map<string, string>();

/**
 * `CET`, `EST`: Intl names a zone's offset per locale, and en-US only knows American abbreviations
 * (Berlin comes out as `GMT+1`); en-GB knows the European ones. Whatever is left stays `GMT+x`.
 */
function zoneAbbreviation(dt: DateTime): string {
  const key = `${dt.zoneName}\u0000${dt.offset}`;
  let abbr = abbreviations.get(key);
  if (abbr === undefined) {
    abbr = dt.setLocale('en-US').toFormat('ZZZZ');
    if (/^GMT[+-]/.test(abbr)) abbr = dt.setLocale('en-GB').toFormat('ZZZZ');
    abbreviations.set(key, abbr);
  }
  return abbr;
}

export function localStamp(iso: string, zone: string): string {
  const dt = DateTime.fromISO(iso, { zone }).setLocale('en-US');
  return `${dt.toFormat('ccc yyyy-MM-dd HH:mm')} ${zoneAbbreviation(dt)}`;
}

export function utcStamp(iso: string): string {
  return `${iso.slice(0, 16).replace('T', ' ')}Z`;
}

function what(record: TimelineRecord): string {
  switch (record.type) {
    case 'state': {
      const capacity = record.capacity === undefined ? '' : ` (${record.capacity} RPU)`;
      return record.from === null
        ? `state ${record.to}${capacity} (at start)`
        : `state ${record.from} -> ${record.to}${capacity}`;
    }
    case 'action': {
      const outcome = record.outcomeReason === null ? '' : `; ${record.outcomeReason}`;
      return `ACTION ${record.action} ${record.outcome} [${record.policy}] ${record.reason}${outcome}`;
    }
    case 'skipped':
      return `skip${record.action === null ? '' : ` ${record.action}`} [${record.policy}] ${record.reason}`;
    case 'alert':
      return `ALERT ${record.severity} ${record.subject}`;
    case 'event':
      return `event ${record.eventId ?? '(no id)'} decided nothing (${record.outcome}, ${record.source}): ${record.reason}`;
  }
}

/** `cluster/dev-1`, and in a hub's simulation `cluster/dev-1 @ 111111111111/eu-west-1`. */
function resourceText(r: TimelineRecord): string {
  return r.account === undefined ? r.resource : `${r.resource} @ ${r.account}/${r.region ?? '?'}`;
}

export interface TextOptions {
  zoneOf: (resource: string) => string;
  /** Leave out decide()'s skips (they repeat the policy's targeting); default false. */
  hideDecideSkips?: boolean;
}

export function formatTimeline(records: readonly TimelineRecord[], options: TextOptions): string {
  const rows = records
    .filter((r) => !(options.hideDecideSkips === true && r.type === 'skipped' && r.by === 'decide'))
    .map((r) => [localStamp(r.at, options.zoneOf(r.resource)), utcStamp(r.at), resourceText(r), what(r)] as const);
  const localWidth = Math.max(10, ...rows.map((r) => r[0].length));
  const resourceWidth = Math.max(8, ...rows.map((r) => r[2].length));
  const header = `${'local time'.padEnd(localWidth)}  ${'UTC'.padEnd(17)}  ${'resource'.padEnd(resourceWidth)}  what`;
  const lines = rows.map(
    ([local, utc, resource, text]) =>
      `${local.padEnd(localWidth)}  ${utc.padEnd(17)}  ${resource.padEnd(resourceWidth)}  ${text}`,
  );
  return `${[header, ...lines].join('\n')}\n`;
}

function num(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(2);
}

export function formatSummary(summary: SummaryRecord): string {
  const head = ['policy', 'actions', 'dry-runs', 'skips', 'failures', 'alerts', 'node-hours saved'];
  const rows = [
    ...summary.policies.map((p) => [
      p.policy,
      num(p.actions),
      num(p.dryRuns),
      num(p.skips),
      num(p.failures),
      num(p.alerts),
      num(p.nodeHoursSaved),
    ]),
    [
      'total',
      num(summary.totals.actions),
      num(summary.totals.dryRuns),
      num(summary.totals.skips),
      num(summary.totals.failures),
      num(summary.totals.alerts),
      num(summary.totals.nodeHoursSaved),
    ],
  ];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join('  ');
  const d = summary.deliveries;
  return [
    `summary ${utcStamp(summary.from)} .. ${utcStamp(summary.to)} (seed ${summary.seed})`,
    line(head),
    ...rows.map(line),
    `events delivered ${d.events}, reconcile ticks ${d.ticks}, executor batches ${d.batches}, duplicate messages dropped by SQS ${d.duplicatesDropped}, failed invocations ${summary.invocationErrors}, dead letters ${summary.deadLetters}`,
    `events that decided nothing: ${Object.entries(summary.unmatchedEvents)
      .map(([outcome, n]) => `${outcome} ${n}`)
      .join(', ')} (each an "event" line above)`,
    '',
  ].join('\n');
}
