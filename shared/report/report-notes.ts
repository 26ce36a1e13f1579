/**
 * What a resource's chart shows only as markers, written out under it: each skip with its reason,
 * each action that failed, each event that decided nothing, and, for a resource nothing was done to,
 * why (no policy selects it, the policies that select it skipped it, or they had nothing to do).
 */
import { localStamp } from '../simulation/timeline-text.ts';
import type { Lane } from './report-chart.ts';
import { escapeHtml, plural } from './report-text.ts';

const ACTED = new Set(['succeeded', 'in-progress']);

/** `2 actions · 1 dry-run · 1 skip`: the resource's counts, each word in the right number. */
export function laneCounts(lane: Lane | undefined): string[] {
  const keys = (outcomes: (o: string) => boolean) =>
    new Set((lane?.actions ?? []).filter((a) => outcomes(a.outcome)).map((a) => a.key)).size;
  const acted = keys((o) => ACTED.has(o));
  const dryRuns = keys((o) => o === 'dry-run' || o === 'frozen');
  const skips = lane?.skips.length ?? 0;
  return [
    plural(acted, 'action'),
    dryRuns === 0 ? null : plural(dryRuns, 'dry-run'),
    skips === 0 ? null : plural(skips, 'skip'),
  ].filter((c): c is string => c !== null);
}

/** Why nothing was done to a resource, or null when something was (or was tried). */
export function untouchedReason(lane: Lane | undefined, selectedBy: readonly string[] | undefined): string | null {
  if ((lane?.actions.length ?? 0) > 0) return null;
  if (selectedBy === undefined) return 'untouched: no action in this period';
  if (selectedBy.length === 0) return 'untouched: no policy selects it';
  const skips = lane?.skips ?? [];
  if (skips.length > 0) {
    const reasons = [...new Set(skips.map((s) => `${s.reason} (${s.policy})`))];
    return `untouched: skipped — ${reasons.join('; ')}`;
  }
  const names = selectedBy.join(', ');
  return `untouched: selected by ${names}, which had nothing to do (it stayed as ${selectedBy.length === 1 ? 'that policy wants' : 'they want'} it)`;
}

export function notes(lane: Lane | undefined, zone: string, selectedBy: readonly string[] | undefined): string {
  const items: { at: string; html: string }[] = [];
  for (const s of lane?.skips ?? []) {
    const what =
      s.by === 'executor' ? `a guardrail refused ${s.action ?? 'the action'} of ${s.policy}` : `${s.policy} skipped it`;
    items.push({
      at: s.at,
      html: `<li class="note skip-item" data-policy="${escapeHtml(s.policy)}" data-by="${s.by}"><time>${escapeHtml(localStamp(s.at, zone))}</time> <b>✕ ${escapeHtml(what)}:</b> <span class="reason">${escapeHtml(s.reason)}</span></li>`,
    });
  }
  for (const a of lane?.actions ?? []) {
    if (a.outcome !== 'failed') continue;
    items.push({
      at: a.at,
      html: `<li class="note action-failed" data-policy="${escapeHtml(a.policy)}"><time>${escapeHtml(localStamp(a.at, zone))}</time> <b>${escapeHtml(`${a.action} failed (${a.policy}):`)}</b> <span class="reason">${escapeHtml(a.outcomeReason ?? a.reason)}</span></li>`,
    });
  }
  for (const e of lane?.events ?? []) {
    items.push({
      at: e.at,
      html: `<li class="note event-item" data-outcome="${escapeHtml(e.outcome)}"><time>${escapeHtml(localStamp(e.at, zone))}</time> <b>${escapeHtml(`${e.eventId ?? 'event'} decided nothing (${e.outcome}):`)}</b> <span class="reason">${escapeHtml(e.reason)}</span></li>`,
    });
  }
  items.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  const untouched = untouchedReason(lane, selectedBy);
  return [
    untouched === null ? '' : `<p class="untouched">${escapeHtml(untouched)}</p>`,
    items.length === 0 ? '' : `<ul class="notes">${items.map((i) => i.html).join('')}</ul>`,
  ].join('');
}
