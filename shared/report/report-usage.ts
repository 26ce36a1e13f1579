/**
 * Usage against the amount, per resource (issue 14): for each budget a policy holds the resource to
 * (CompiledCapability.usageBudgets), a chart of what its limit consumed over the period as the sweeps
 * read it (the same numbers the grades were judged on), the amount as a solid line, each grade's
 * threshold as a dashed line labelled with what it does, and the period boundaries where consumption
 * starts again. A shared budget draws the sum of its members too, since its grades fire on the sum.
 */
import type { CompiledPolicy, UsageBudget } from '../policy/capability.ts';
import type { FleetResource } from '../policy/decision.ts';
import { isOptedIn } from '../policy/targeting.ts';
import { WIDTH } from './report-chart.ts';
import { escapeHtml, fmt } from './report-text.ts';
import { type UsageSample, usagePeriodStart } from './usage-series.ts';

type Point = { at: number; value: number };

export interface UsageChart {
  budget: UsageBudget;
  /** The resource's own consumption (the most any of its limits of the feature and period counted). */
  own: Point[];
  /** A shared budget: the sum over its members, at each read. */
  sum?: Point[];
  members?: readonly string[];
}

const HEIGHT = 96;
const TOP = 12;
const BOTTOM = HEIGHT - 4;

/** The resource's consumption of `b`'s feature and period at each read (the largest when it has several such limits). */
function seriesOf(samples: readonly UsageSample[], resource: string, b: UsageBudget): Point[] {
  const byAt = new Map<number, number>();
  for (const s of samples) {
    if (s.resource !== resource || s.feature !== b.feature || s.period !== b.period) continue;
    const at = Date.parse(s.at);
    byAt.set(at, Math.max(byAt.get(at) ?? 0, s.consumed));
  }
  return [...byAt].sort((a, b2) => a[0] - b2[0]).map(([at, value]) => ({ at, value }));
}

function sumOf(series: readonly Point[][]): Point[] {
  const byAt = new Map<number, number>();
  for (const s of series) for (const p of s) byAt.set(p.at, (byAt.get(p.at) ?? 0) + p.value);
  return [...byAt].sort((a, b) => a[0] - b[0]).map(([at, value]) => ({ at, value }));
}

const nameOf = (r: FleetResource) => `${r.type}/${r.id}`;

/** Every resource's usage charts, by report name; a resource no budget covers (or with no sample) has none. */
export function usageCharts(
  policies: readonly CompiledPolicy[],
  resources: readonly FleetResource[],
  samples: readonly UsageSample[],
): Map<string, UsageChart[]> {
  const out = new Map<string, UsageChart[]>();
  if (samples.length === 0) return out;
  for (const policy of policies) {
    if (policy.capability.usageBudgets === undefined) continue;
    const members = resources.filter(
      (r) => r.type === policy.resource && policy.selector.matches(r) && isOptedIn(r, policy.optInTag),
    );
    for (const r of members) {
      for (const budget of policy.capability.usageBudgets(r)) {
        const own = seriesOf(samples, nameOf(r), budget);
        if (own.length === 0) continue;
        const chart: UsageChart = { budget, own };
        if (budget.shared) {
          chart.members = members.map(nameOf);
          chart.sum = sumOf(members.map((m) => seriesOf(samples, nameOf(m), budget)));
        }
        out.set(nameOf(r), [...(out.get(nameOf(r)) ?? []), chart]);
      }
    }
  }
  return out;
}

const round = (n: number) => String(Math.round(n * 100) / 100);

/** The start of the UTC period after the one containing `ms`. */
function nextPeriod(period: string, ms: number): number {
  const start = usagePeriodStart(period, ms);
  if (period === 'daily') return start + 86_400_000;
  if (period === 'weekly') return start + 7 * 86_400_000;
  const d = new Date(start);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
}

/** One chart's SVG and its caption. */
export function usageChartHtml(name: string, chart: UsageChart, period: { from: number; to: number }): string {
  const { budget: b } = chart;
  const all = [...chart.own, ...(chart.sum ?? [])];
  const topGrade = Math.max(100, ...b.grades.map((g) => g.percent));
  const top = Math.max((b.amount * topGrade) / 100, ...all.map((p) => p.value)) * 1.08;
  const span = period.to - period.from;
  const x = (ms: number) => ((Math.min(Math.max(ms, period.from), period.to) - period.from) / span) * WIDTH;
  const y = (v: number) => BOTTOM - (v / top) * (BOTTOM - TOP);
  const parts: string[] = [];
  // Each period boundary inside the chart: consumption starts again from 0 there.
  for (let start = nextPeriod(b.period, period.from); start < period.to; start = nextPeriod(b.period, start)) {
    parts.push(`<line class="usage-period" x1="${fmt(x(start))}" x2="${fmt(x(start))}" y1="${TOP}" y2="${BOTTOM}"/>`);
  }
  const level = (cls: string, v: number, label: string, data: string) =>
    `<line class="${cls}" ${data} x1="0" x2="${WIDTH}" y1="${fmt(y(v))}" y2="${fmt(y(v))}"/><text class="usage-label" x="${WIDTH - 2}" y="${fmt(y(v) - 2)}" text-anchor="end">${escapeHtml(label)}</text>`;
  for (const g of b.grades) {
    if (g.percent === 100) continue;
    parts.push(
      level('usage-grade', (b.amount * g.percent) / 100, `${g.percent}% ${g.does}`, `data-percent="${g.percent}"`),
    );
  }
  const at100 = b.grades.find((g) => g.percent === 100);
  parts.push(
    level(
      'usage-amount',
      b.amount,
      `amount ${b.amount} ${b.unit}${at100 === undefined ? '' : ` · 100% ${at100.does}`}`,
      `data-amount="${b.amount}"`,
    ),
  );
  const line = (cls: string, points: readonly Point[], what: string) => {
    const coords = points.map((p) => `${fmt(x(p.at))},${fmt(y(p.value))}`).join(' ');
    const last = points[points.length - 1];
    const title = `${what}: ${round(last?.value ?? 0)} ${b.unit} at ${new Date(last?.at ?? period.to).toISOString()}`;
    return `<polyline class="${cls}" points="${coords}"><title>${escapeHtml(title)}</title></polyline>`;
  };
  if (chart.sum !== undefined) parts.push(line('usage-sum', chart.sum, `shared budget ${b.policy}`));
  parts.push(line('usage-own', chart.own, name));
  const peak = (points: readonly Point[]) => Math.max(0, ...points.map((p) => p.value));
  const caption = [
    `${b.feature} ${b.period}, ${b.policy}: at most ${round(peak(chart.own))} of ${b.amount} ${b.unit} (${round((peak(chart.own) / b.amount) * 100)}%)`,
    chart.sum === undefined
      ? null
      : `shared budget of ${chart.members?.length ?? 0}: at most ${round(peak(chart.sum))} (${round((peak(chart.sum) / b.amount) * 100)}%)`,
    `grades ${b.grades.map((g) => `${g.percent}% ${g.does}`).join('; ')}`,
  ].filter((c) => c !== null);
  return `<div class="usage" data-feature="${escapeHtml(b.feature)}" data-policy="${escapeHtml(b.policy)}"><p class="usage-caption">${escapeHtml(caption.join(' · '))}</p><svg class="usage-chart" data-resource="${escapeHtml(name)}" data-feature="${escapeHtml(b.feature)}" viewBox="0 0 ${WIDTH} ${HEIGHT}" style="height:${HEIGHT}px" preserveAspectRatio="none" role="img" aria-label="${escapeHtml(`usage of ${b.feature} on ${name} against ${b.amount} ${b.unit}`)}">${parts.join('')}</svg></div>`;
}

export const USAGE_CSS = `
.usage{margin:4px 0 2px}.usage-caption{margin:2px 0;font-size:12px;color:#1d2330}
svg.usage-chart{width:100%;display:block;background:#fcfcfd}
.usage-own{fill:none;stroke:#2b7bd6;stroke-width:2}.usage-sum{fill:none;stroke:#6a3fb0;stroke-width:1.5;stroke-dasharray:5 3}
.usage-amount{stroke:#d9534f;stroke-width:1.5}.usage-grade{stroke:#f08c00;stroke-width:1;stroke-dasharray:4 3}
.usage-period{stroke:#c9ced6;stroke-width:1;stroke-dasharray:2 2}.usage-label{font-size:10px;fill:#5b6575}
`;
