/**
 * One self-contained HTML page for a simulation: a timeline chart per resource (its state over time
 * as colored bands, the policy's running windows as a strip above them, actions, skips and alerts
 * marked, each skip's reason written under it), a list under each chart of its skips, failures and
 * events that decided nothing, why a resource nothing was done to stayed untouched, and the summary
 * table per policy. Inline CSS, SVG and a few lines of JS; no external URL, so it opens
 * from a file, an e-mail attachment or a CI artifact alike. Deterministic: same result, same bytes.
 */
import type { CompiledPolicy } from '../policy/capability.ts';
import type { FleetResource } from '../policy/decision.ts';
import type { EventRecord, SummaryRecord, TimelineRecord } from '../simulation/timeline.ts';
import { chart, lanes } from './report-chart.ts';
import { laneCounts, notes } from './report-notes.ts';
import { escapeHtml, fmt, plural } from './report-text.ts';
import { USAGE_CSS, type UsageChart, usageChartHtml, usageCharts } from './report-usage.ts';
import type { UsageSample } from './usage-series.ts';

export { escapeHtml } from './report-text.ts';

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
  /**
   * The policies whose selector matches each resource (by name): a resource nothing was done to says
   * why. Without it, such a resource says only that nothing was done.
   */
  selectedBy?: ReadonlyMap<string, readonly string[]>;
  /** Usage against the amount per resource (usage limits), drawn under its timeline. */
  usage?: ReadonlyMap<string, readonly UsageChart[]>;
  /** `account/Region` of each resource: with more than one, the resources are grouped by them (issue 18). */
  locations?: ReadonlyMap<string, string>;
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

/** Running windows and selecting policies of every resource, by name (`cluster/dev-etl-1`): the report's context. */
export function reportContext(
  policies: readonly CompiledPolicy[],
  resources: readonly FleetResource[],
  from: number,
  to: number,
  /** The run's usage samples (SimulationResult.usage): the usage charts. */
  samples: readonly UsageSample[] = [],
): Required<Pick<ReportInput, 'windows' | 'selectedBy' | 'usage' | 'locations'>> {
  const windows = new Map<string, { start: number; end: number; policy: string }[]>();
  const selectedBy = new Map<string, string[]>();
  const locations = new Map<string, string>();
  for (const resource of resources) {
    const name = `${resource.type}/${resource.id}`;
    locations.set(name, `${resource.account ?? '?'}/${resource.region ?? '?'}`);
    const list = runningWindows(policies, resource, from, to);
    if (list.length > 0) windows.set(name, list);
    selectedBy.set(
      name,
      policies.filter((p) => p.resource === resource.type && p.selector.matches(resource)).map((p) => p.name),
    );
  }
  return { windows, selectedBy, usage: usageCharts(policies, resources, samples), locations };
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
svg.timeline{width:100%;display:block}
.grid{stroke:#e3e6ea;stroke-width:1}
.day{font-size:10px;fill:#5b6575;text-anchor:middle}
.running-window{fill:#2b7bd6}
.band{stroke:none}
.st-available{fill:#3fa66b}.st-paused{fill:#a3abb8}.st-transition{fill:#f0b429}
.st-modifying{fill:#4a7fd4}.st-gone{fill:#3a3f47}.st-other{fill:#d9534f}
.cap{font-size:10px;fill:#fff}
.action{fill:#1d2330}.oc-dry-run,.oc-frozen{fill:#fff;stroke:#1d2330;stroke-width:1}
.oc-failed,.oc-retrying{fill:#d9534f}.oc-succeeded{fill:#1f7a45}
.skip{stroke:#c77700;stroke-width:2;fill:none}
.skip-label{font-size:10px;fill:#8a5300}
.untouched{margin:2px 0;font-size:12px;color:#5b6575;font-style:italic}
ul.notes{margin:4px 0 2px;padding-left:18px;font-size:12px}
ul.notes li{margin:1px 0}ul.notes time{color:#5b6575}
.skip-item b{color:#8a5300;font-weight:600}.action-failed b{color:#b02a2a}.event-item b{color:#6a3fb0}
.alert{fill:#f0b429}.event{fill:#8e5bd4}td.reason{text-align:left}.sev-ERROR{fill:#d9534f}.sev-WARNING{fill:#f08c00}.sev-INFO{fill:#4a7fd4}
.location{font-size:14px;margin:18px 0 4px;border-bottom:1px solid #c9ced6}
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
  const sections = grouped(input.resources, input.locations)
    .map((r) => {
      if ('location' in r) return r.location;
      const lane = by.get(r.name);
      const detail = [`times in ${r.zone}`, r.nodes === null ? null : plural(r.nodes, 'node'), ...laneCounts(lane)]
        .filter((d) => d !== null)
        .join(' · ');
      const windows = input.windows.get(r.name) ?? [];
      return `<section class="resource" data-resource="${escapeHtml(r.name)}"><h3>${escapeHtml(r.name)}<small>${escapeHtml(detail)}</small></h3>${chart(r.name, r.zone, lane, { from: input.from, to: input.to, windows })}${(input.usage?.get(r.name) ?? []).map((u) => usageChartHtml(r.name, u, input)).join('')}${notes(lane, r.zone, input.selectedBy?.get(r.name))}</section>`;
    })
    .join('\n');
  const d = s.deliveries;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(input.title)}</title><style>${CSS}${USAGE_CSS}</style></head>
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
<div class="legend"><span><i class="st-available" style="background:#3fa66b"></i>available</span><span><i style="background:#a3abb8"></i>paused</span><span><i style="background:#f0b429"></i>pausing / resuming</span><span><i style="background:#4a7fd4"></i>modifying</span><span><i style="background:#2b7bd6;height:5px;vertical-align:2px"></i>running window (strip above the states)</span><span>▲ action</span><span>✕ skipped (reason written under it)</span><span>● alert</span><span>■ event that decided nothing</span><span><i style="background:#2b7bd6;height:3px;vertical-align:3px"></i>usage (under a resource with usage limits) against <i style="background:#d9534f;height:2px;vertical-align:3px"></i>the amount, grades dashed</span></div>
<input id="filter" type="search" placeholder="filter resources">
${sections}
<script>${JS}</script>
</body></html>
`;
}

/**
 * The resources in report order; when they span several accounts or Regions (issue 18), grouped by
 * `account/Region` with a heading before each group (a resource of an unknown location is `?/?`).
 */
function grouped(
  resources: readonly ReportResource[],
  locations: ReadonlyMap<string, string> | undefined,
): (ReportResource | { location: string })[] {
  const at = (r: ReportResource) => locations?.get(r.name) ?? '?/?';
  if (new Set(resources.map(at)).size <= 1) return [...resources];
  const groups = new Map<string, ReportResource[]>();
  for (const r of resources) groups.set(at(r), [...(groups.get(at(r)) ?? []), r]);
  return [...groups]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .flatMap(([where, list]) => {
      const [account, region] = where.split('/');
      const heading = `<h3 class="location" data-location="${escapeHtml(where)}">account ${escapeHtml(account ?? '?')} · ${escapeHtml(region ?? '?')} <small>${plural(list.length, 'resource')}</small></h3>`;
      return [{ location: heading }, ...list];
    });
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
