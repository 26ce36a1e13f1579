/**
 * One self-contained HTML page for a simulation: a timeline chart per resource (its state over time
 * as colored bands, the policy's running windows shaded, actions and alerts marked) and the
 * summary table per policy. Inline CSS, SVG and a few lines of JS; no external URL, so it opens
 * from a file, an e-mail attachment or a CI artifact alike. Deterministic: same result, same bytes.
 */
import { DateTime } from 'luxon';
import type { CompiledPolicy } from '../policy/capability.ts';
import type { FleetResource } from '../policy/decision.ts';
import type {
  ActionRecord,
  AlertRecord,
  EventRecord,
  SkipRecord,
  StateRecord,
  SummaryRecord,
  TimelineRecord,
} from '../simulation/timeline.ts';

export interface ReportResource {
  name: string;
  zone: string;
  nodes: number | null;
}

export interface ReportInput {
  title: string;
  from: number;
  to: number;
  records: readonly TimelineRecord[];
  summary: SummaryRecord;
  resources: readonly ReportResource[];
  /** Running windows per resource name (instants in ms), shaded behind the states. */
  windows: ReadonlyMap<string, readonly { start: number; end: number; policy: string }[]>;
  /** Files the run was made from, shown in the header. */
  sources: readonly string[];
}

const WIDTH = 1000;
const LABEL = 0;
const BAND_Y = 18;
const BAND_H = 22;
const HEIGHT = 64;

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** The running intervals of every windowed policy that selects `resource`, clipped to [from, to). */
export function runningWindows(
  policies: readonly CompiledPolicy[],
  resource: FleetResource,
  from: number,
  to: number,
): { start: number; end: number; policy: string }[] {
  const out: { start: number; end: number; policy: string }[] = [];
  for (const policy of policies) {
    if (policy.resource !== resource.type || !policy.selector.matches(resource)) continue;
    const window = policy.capability.runningWindow;
    if (window === undefined) continue;
    let at = from;
    let running = window.isRunning(from);
    while (at < to) {
      const next = Math.min(window.nextTransition(at) ?? to, to);
      if (running) out.push({ start: at, end: next, policy: policy.name });
      at = next;
      running = !running;
    }
  }
  return out;
}

const STATE_CLASS: Record<string, string> = {
  available: 'st-available',
  paused: 'st-paused',
  pausing: 'st-transition',
  resuming: 'st-transition',
  modifying: 'st-modifying',
  resizing: 'st-modifying',
  rebooting: 'st-modifying',
  'available, prep-for-resize': 'st-modifying',
  'available, resize-cleanup': 'st-modifying',
  deleted: 'st-gone',
  deleting: 'st-gone',
};

function stateClass(state: string): string {
  return STATE_CLASS[state] ?? 'st-other';
}

function fmt(n: number): string {
  return (Math.round(n * 10) / 10).toString();
}

interface Lane {
  states: StateRecord[];
  actions: ActionRecord[];
  skips: SkipRecord[];
  alerts: AlertRecord[];
  events: EventRecord[];
}

function lanes(records: readonly TimelineRecord[]): Map<string, Lane> {
  const by = new Map<string, Lane>();
  const lane = (name: string) => {
    let l = by.get(name);
    if (l === undefined) {
      l = { states: [], actions: [], skips: [], alerts: [], events: [] };
      by.set(name, l);
    }
    return l;
  };
  for (const r of records) {
    if (r.type === 'state') lane(r.resource).states.push(r);
    else if (r.type === 'action') lane(r.resource).actions.push(r);
    else if (r.type === 'skipped') lane(r.resource).skips.push(r);
    else if (r.type === 'event') lane(r.resource).events.push(r);
    else lane(r.resource).alerts.push(r);
  }
  return by;
}

function chart(resource: ReportResource, lane: Lane | undefined, input: ReportInput): string {
  const span = input.to - input.from;
  const x = (iso: string | number) => {
    const ms = typeof iso === 'number' ? iso : Date.parse(iso);
    return LABEL + ((Math.min(Math.max(ms, input.from), input.to) - input.from) / span) * (WIDTH - LABEL);
  };
  const parts: string[] = [];
  // Local midnights of the resource's zone: the grid people read a week by.
  let day = DateTime.fromMillis(input.from, { zone: resource.zone }).startOf('day');
  while (day.toMillis() < input.to) {
    if (day.toMillis() >= input.from) {
      const dx = fmt(x(day.toMillis()));
      parts.push(`<line class="grid" x1="${dx}" x2="${dx}" y1="0" y2="${HEIGHT}"/>`);
    }
    const label = day.plus({ hours: 12 }).toMillis();
    if (label > input.from && label < input.to) {
      parts.push(`<text class="day" x="${fmt(x(label))}" y="12">${escapeHtml(day.toFormat('ccc dd LLL'))}</text>`);
    }
    day = day.plus({ days: 1 });
  }
  for (const w of input.windows.get(resource.name) ?? []) {
    parts.push(
      `<rect class="running-window" x="${fmt(x(w.start))}" y="${BAND_Y - 3}" width="${fmt(x(w.end) - x(w.start))}" height="${BAND_H + 6}"><title>${escapeHtml(`running window of ${w.policy}: ${new Date(w.start).toISOString()} .. ${new Date(w.end).toISOString()}`)}</title></rect>`,
    );
  }
  const states = lane?.states ?? [];
  states.forEach((s, i) => {
    const start = Date.parse(s.at);
    const end = i + 1 < states.length ? Date.parse((states[i + 1] as StateRecord).at) : input.to;
    if (end <= start && i + 1 < states.length) return;
    const w = Math.max(x(end) - x(start), 0.5);
    const capacity = s.capacity === undefined ? '' : ` ${s.capacity} RPU`;
    parts.push(
      `<rect class="band ${stateClass(s.to)}" data-state="${escapeHtml(s.to)}" x="${fmt(x(start))}" y="${BAND_Y}" width="${fmt(w)}" height="${BAND_H}"><title>${escapeHtml(`${s.to}${capacity} from ${s.at}`)}</title></rect>`,
    );
    if (s.capacity !== undefined && w > 40) {
      parts.push(`<text class="cap" x="${fmt(x(start) + 3)}" y="${BAND_Y + 15}">${s.capacity}</text>`);
    }
  });
  for (const a of lane?.actions ?? []) {
    const ax = x(a.at);
    parts.push(
      `<path class="marker action oc-${escapeHtml(a.outcome)}" data-action="${escapeHtml(a.action)}" data-outcome="${escapeHtml(a.outcome)}" d="M${fmt(ax - 5)},${BAND_Y + BAND_H + 12} L${fmt(ax + 5)},${BAND_Y + BAND_H + 12} L${fmt(ax)},${BAND_Y + BAND_H + 3} Z"><title>${escapeHtml(`${a.at} ${a.action} ${a.outcome} (${a.policy}): ${a.reason}${a.outcomeReason === null ? '' : `; ${a.outcomeReason}`}`)}</title></path>`,
    );
  }
  for (const s of lane?.skips ?? []) {
    if (s.by !== 'executor') continue;
    const sx = x(s.at);
    parts.push(
      `<path class="marker skip" d="M${fmt(sx - 4)},${BAND_Y + BAND_H + 4} L${fmt(sx + 4)},${BAND_Y + BAND_H + 12} M${fmt(sx + 4)},${BAND_Y + BAND_H + 4} L${fmt(sx - 4)},${BAND_Y + BAND_H + 12}"><title>${escapeHtml(`${s.at} skipped ${s.action ?? ''} (${s.policy}): ${s.reason}`)}</title></path>`,
    );
  }
  for (const a of lane?.alerts ?? []) {
    parts.push(
      `<circle class="marker alert sev-${escapeHtml(a.severity)}" cx="${fmt(x(a.at))}" cy="${BAND_Y - 4}" r="3.5"><title>${escapeHtml(`${a.at} ${a.severity}: ${a.subject}`)}</title></circle>`,
    );
  }
  for (const e of lane?.events ?? []) {
    parts.push(
      `<rect class="marker event ev-${escapeHtml(e.outcome)}" x="${fmt(x(e.at) - 3)}" y="${BAND_Y - 8}" width="6" height="6"><title>${escapeHtml(`${e.at} ${e.eventId ?? 'event'} decided nothing (${e.outcome}): ${e.reason}`)}</title></rect>`,
    );
  }
  return `<svg class="timeline" data-resource="${escapeHtml(resource.name)}" viewBox="0 0 ${WIDTH} ${HEIGHT}" preserveAspectRatio="none" role="img" aria-label="${escapeHtml(`timeline of ${resource.name}`)}">${parts.join('')}</svg>`;
}

const CSS = `
:root{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;color:#1d2330;background:#fafbfc}
body{margin:24px auto;max-width:1120px;padding:0 16px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px}
.meta{color:#5b6575;font-size:13px}
table{border-collapse:collapse;font-size:13px;margin-top:8px}
th,td{padding:4px 10px;border-bottom:1px solid #e3e6ea;text-align:right}
th:first-child,td:first-child{text-align:left}
tr.total td{font-weight:600;border-top:2px solid #c9ced6}
.resource{margin:10px 0 4px;background:#fff;border:1px solid #e3e6ea;border-radius:6px;padding:6px 10px}
.resource h3{font-size:13px;margin:0 0 2px;font-weight:600}
.resource h3 small{font-weight:400;color:#5b6575;margin-left:8px}
svg.timeline{width:100%;height:64px;display:block}
.grid{stroke:#e3e6ea;stroke-width:1}
.day{font-size:10px;fill:#5b6575;text-anchor:middle}
.running-window{fill:#d8ecff;opacity:.7}
.band{stroke:none}
.st-available{fill:#3fa66b}.st-paused{fill:#a3abb8}.st-transition{fill:#f0b429}
.st-modifying{fill:#4a7fd4}.st-gone{fill:#3a3f47}.st-other{fill:#d9534f}
.cap{font-size:10px;fill:#fff}
.action{fill:#1d2330}.oc-dry-run,.oc-frozen{fill:#fff;stroke:#1d2330;stroke-width:1}
.oc-failed,.oc-retrying{fill:#d9534f}.oc-succeeded{fill:#1f7a45}
.skip{stroke:#c77700;stroke-width:1.5;fill:none}
.alert{fill:#f0b429}.event{fill:#8e5bd4}td.reason{text-align:left}.sev-ERROR{fill:#d9534f}.sev-WARNING{fill:#f08c00}.sev-INFO{fill:#4a7fd4}
.legend span{display:inline-block;margin-right:14px;font-size:12px}
.legend i{display:inline-block;width:12px;height:12px;margin-right:4px;vertical-align:-2px;border-radius:2px}
#filter{font-size:13px;padding:3px 6px;margin-top:6px}
.hidden{display:none}
`;

const JS = `
document.getElementById('filter').addEventListener('input',function(e){
  var q=e.target.value.toLowerCase();
  document.querySelectorAll('.resource').forEach(function(s){
    s.classList.toggle('hidden',q!==''&&s.getAttribute('data-resource').toLowerCase().indexOf(q)<0);
  });
});
`;

export function renderReport(input: ReportInput): string {
  const by = lanes(input.records);
  const s = input.summary;
  const rows = s.policies
    .map(
      (p) =>
        `<tr class="policy-row" data-policy="${escapeHtml(p.policy)}"><td>${escapeHtml(p.policy)}</td><td>${p.actions}</td><td>${p.dryRuns}</td><td>${p.skips}</td><td>${p.failures}</td><td>${p.alerts}</td><td>${fmt(p.nodeHoursSaved)}</td></tr>`,
    )
    .join('\n');
  const t = s.totals;
  const total = `<tr class="total"><td>total</td><td>${t.actions}</td><td>${t.dryRuns}</td><td>${t.skips}</td><td>${t.failures}</td><td>${t.alerts}</td><td>${fmt(t.nodeHoursSaved)}</td></tr>`;
  const sections = input.resources
    .map((r) => {
      const lane = by.get(r.name);
      const acted = (lane?.actions ?? []).filter(
        (a) => a.outcome === 'in-progress' || a.outcome === 'succeeded',
      ).length;
      const detail = [`times in ${r.zone}`, r.nodes === null ? null : `${r.nodes} nodes`, `${acted} action records`]
        .filter((d) => d !== null)
        .join(' · ');
      return `<section class="resource" data-resource="${escapeHtml(r.name)}"><h3>${escapeHtml(r.name)}<small>${escapeHtml(detail)}</small></h3>${chart(r, lane, input)}</section>`;
    })
    .join('\n');
  const d = s.deliveries;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(input.title)}</title><style>${CSS}</style></head>
<body>
<h1>${escapeHtml(input.title)}</h1>
<p class="meta">${escapeHtml(`${s.from} .. ${s.to} · seed ${s.seed} · ${input.sources.join(', ')}`)}</p>
<h2>Summary</h2>
<table id="summary"><thead><tr><th>policy</th><th>actions</th><th>dry-runs</th><th>skips</th><th>failures</th><th>alerts</th><th>node-hours saved</th></tr></thead>
<tbody>
${rows}
${total}
</tbody></table>
<p class="meta">${escapeHtml(`events delivered ${d.events} · reconcile ticks ${d.ticks} · executor batches ${d.batches} · duplicates dropped by SQS ${d.duplicatesDropped} · failed invocations ${s.invocationErrors} · dead letters ${s.deadLetters}`)}</p>
${unmatchedTable(input.records)}
<h2>Timeline</h2>
<div class="legend"><span><i class="st-available" style="background:#3fa66b"></i>available</span><span><i style="background:#a3abb8"></i>paused</span><span><i style="background:#f0b429"></i>pausing / resuming</span><span><i style="background:#4a7fd4"></i>modifying</span><span><i style="background:#d8ecff"></i>running window</span><span>▲ action</span><span>✕ skipped by a guardrail</span><span>● alert</span><span>■ event that decided nothing</span></div>
<input id="filter" type="search" placeholder="filter resources">
${sections}
<script>${JS}</script>
</body></html>
`;
}

/** Every delivered event that decided nothing, with why (also drawn on its resource's lane when it names one). */
function unmatchedTable(records: readonly TimelineRecord[]): string {
  const events = records.filter((r): r is EventRecord => r.type === 'event');
  if (events.length === 0) return '';
  const rows = events
    .map(
      (e) =>
        `<tr class="event-row" data-outcome="${escapeHtml(e.outcome)}"><td>${escapeHtml(e.at)}</td><td>${escapeHtml(e.eventId ?? '-')}</td><td>${escapeHtml(e.resource)}</td><td>${escapeHtml(e.outcome)}</td><td>${escapeHtml(e.source)}</td><td class="reason">${escapeHtml(e.reason)}</td></tr>`,
    )
    .join('\n');
  return `<h2>Events that decided nothing</h2>
<table id="unmatched-events"><thead><tr><th>at</th><th>event</th><th>resource</th><th>outcome</th><th>source</th><th>reason</th></tr></thead>
<tbody>
${rows}
</tbody></table>`;
}
