import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFleet } from '../../shared/policy/fleet.ts';
import { loadPoliciesOrThrow } from '../../shared/policy/policy-loader.ts';
import { renderReport, reportContext } from '../../shared/report/html-report.ts';
import { realHandlers } from '../../shared/simulation/real-handlers.ts';
import { Simulation } from '../../shared/simulation/simulation.ts';

/**
 * The HTML report in a real headless Chromium (Debian `chromium`, driven by playwright-core; no
 * browser download). CI installs it (.ci/run); on a machine without it this file skips, loudly.
 */
const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) {
  console.warn(`SKIPPED report-chromium.test.ts: ${CHROMIUM} not found (apt-get install chromium to run it)`);
}

const ROOT = path.resolve(import.meta.dirname, '../..');
const FROM = Date.parse('2026-12-07T00:00:00Z');
const TO = Date.parse('2026-12-09T00:00:00Z');

async function writeReport(): Promise<{ file: string; resources: number; policies: number }> {
  const policies = await loadPoliciesOrThrow(['examples/policies/example.yml'], ROOT);
  const fleet = ['fleet', 'integrations', 'workgroups'].map((n) => ({
    name: `examples/fleet/${n}.json`,
    json: JSON.parse(readFileSync(path.join(ROOT, `examples/fleet/${n}.json`), 'utf8')) as unknown,
  }));
  const result = await new Simulation({ policies, fleet, from: FROM, to: TO, seed: 3, handlers: realHandlers }).run();
  const context = reportContext(policies.policies, parseFleet(fleet, new Date(FROM).toISOString()).resources, FROM, TO);
  const html = renderReport({
    title: 'redshift-autopilot simulation',
    from: FROM,
    to: TO,
    records: result.records,
    summary: result.summary,
    resources: result.resources,
    ...context,
    sources: ['examples/policies/example.yml'],
  });
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'report-')), 'report.html');
  writeFileSync(file, html);
  return { file, resources: result.resources.length, policies: result.summary.policies.length };
}

const LAUNCH_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

let browser: Browser | undefined;
let page: Page;
let report: Awaited<ReturnType<typeof writeReport>>;
const requests: string[] = [];
const errors: string[] = [];

beforeAll(async () => {
  if (!hasChromium) return;
  report = await writeReport();
  browser = await chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('request', (r) => {
    if (!r.url().startsWith('file:')) requests.push(r.url());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(pathToFileURL(report.file).href);
}, 60_000);

afterAll(async () => {
  await browser?.close();
});

const SCREENSHOT = async () => {
  mkdirSync(path.join(ROOT, 'reports'), { recursive: true });
  const shot = path.join(ROOT, 'reports', 'report-chromium.png');
  await page.screenshot({ path: shot, fullPage: true });
  expect(readFileSync(shot).subarray(1, 4).toString()).toBe('PNG');
};

const FILTER = async () => {
  await page.fill('#filter', 'workgroup/');
  expect(await page.locator('section.resource:not(.hidden)').count()).toBe(2);
  await page.fill('#filter', '');
  expect(errors).toEqual([]);
  expect(requests).toEqual([]);
};

describe.skipIf(!hasChromium)('HTML report in headless Chromium', () => {
  it('shows one chart per resource with state bands, windows and action markers, and the summary table', async () => {
    const { resources, policies } = report;
    const charts = page.locator('svg.timeline');
    expect(await charts.count()).toBe(resources);
    for (let i = 0; i < resources; i++) {
      expect(await charts.nth(i).locator('rect.band').count()).toBeGreaterThan(0);
    }
    const etl = page.locator('svg.timeline[data-resource="cluster/dev-etl-1"]');
    expect(await etl.locator('rect.band[data-state="paused"]').count()).toBeGreaterThan(0);
    expect(await etl.locator('rect.running-window').count()).toBe(2);
    expect(await etl.locator('path.marker.action[data-action="PauseCluster"]').count()).toBeGreaterThan(0);
    expect(await etl.locator('circle.marker.alert').count()).toBeGreaterThan(0);
    const box = await etl.boundingBox();
    expect(box !== null && box.width > 300 && box.height > 30).toBe(true);

    const rows = page.locator('#summary tbody tr');
    expect(await rows.count()).toBe(policies + 1);
    expect(await page.locator('#summary tr[data-policy="dev-office-hours"] td').first().textContent()).toBe(
      'dev-office-hours',
    );
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
  });

  it('writes a screenshot of the whole page to reports/ as an artifact', SCREENSHOT);

  it('filters the charts with the inline script', FILTER);
});

describe.skipIf(!hasChromium)('HTML report in headless Chromium: skips, windows, untouched resources', () => {
  it.each([
    ['cluster/dev-bi', 'Multi-AZ', 'Multi-AZ cluster cannot be paused'],
    ['cluster/dev-adhoc', 'untagged', 'not opted in'],
  ])(
    'draws a skip marker for %s (%s) with its reason on the timeline and in the list under it',
    async (name, _, reason) => {
      const section = page.locator(`section.resource[data-resource="${name}"]`);
      const marker = section.locator('svg.timeline path.marker.skip[data-policy="dev-office-hours"]');
      expect(await marker.count()).toBe(1);
      // The reason is written on the chart next to the marker, and it is what is drawn there: nothing covers it.
      const label = section.locator('svg.timeline text.skip-label[data-policy="dev-office-hours"]');
      expect(await label.textContent()).toBe(`✕ dev-office-hours: ${reason}`);
      expect(await label.isVisible()).toBe(true);
      const labelBox = await label.boundingBox();
      const markerBox = await marker.boundingBox();
      expect(labelBox !== null && markerBox !== null && labelBox.y >= markerBox.y + markerBox.height - 1).toBe(true);
      const onTop = await label.evaluate((el) => {
        const r = el.getBoundingClientRect();
        const hit = el.ownerDocument.elementFromPoint(r.left + Math.min(r.width / 2, 20), r.top + r.height / 2);
        return hit === el;
      });
      expect(onTop).toBe(true);
      // Listed under the chart, readable without hovering.
      const item = section.locator('ul.notes li.skip-item[data-policy="dev-office-hours"]');
      expect(await item.isVisible()).toBe(true);
      expect(await item.locator('.reason').textContent()).toBe(reason);
      expect(await section.locator('p.untouched').textContent()).toBe(
        `untouched: skipped — ${reason} (dev-office-hours)`,
      );
    },
  );

  it('draws the running window as a strip of its own above the state band, not under it', async () => {
    const etl = page.locator('svg.timeline[data-resource="cluster/dev-etl-1"]');
    const window = etl.locator('rect.running-window').first();
    const band = etl.locator('rect.band').first();
    const [w, b] = [await window.boundingBox(), await band.boundingBox()];
    expect(w !== null && b !== null && w.height >= 4 && w.y + w.height <= b.y).toBe(true);
    const onTop = await window.evaluate((el) => {
      const r = el.getBoundingClientRect();
      return el.ownerDocument.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2) === el;
    });
    expect(onTop).toBe(true);
  });

  it('says why an untouched resource was left alone, and counts in the right number', async () => {
    expect(await page.locator('section[data-resource="workgroup/finance-prod"] p.untouched').textContent()).toBe(
      'untouched: no policy selects it',
    );
    const heading = (name: string) => page.locator(`section[data-resource="${name}"] h3 small`).textContent();
    expect(await heading('cluster/dev-adhoc')).toMatch(/ · 1 node · 0 actions · 1 skip$/);
    expect(await heading('cluster/dev-etl-1')).toMatch(/ · 2 nodes · \d+ actions$/);
    expect(await page.locator('body').textContent()).not.toMatch(/\b1 (nodes|actions|skips|dry-runs)\b/);
  });
});
