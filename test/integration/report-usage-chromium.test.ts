import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFleet } from '../../shared/policy/fleet.ts';
import { loadPolicySources } from '../../shared/policy/policy-loader.ts';
import { renderReport, reportContext } from '../../shared/report/html-report.ts';
import { realHandlers } from '../../shared/simulation/real-handlers.ts';
import { Simulation } from '../../shared/simulation/simulation.ts';

/**
 * The report's usage charts (issue 14) in a real headless Chromium, as report-chromium.test.ts does for
 * the timelines: a shared Serverless budget of three workgroups over a day and the next midnight. Each
 * member's chart shows its consumption and the budget's sum against the amount, the grades' thresholds
 * in order below and above it, the midnight boundary, and the lines are drawn inside the chart.
 */
const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) {
  console.warn(`SKIPPED report-usage-chromium.test.ts: ${CHROMIUM} not found (apt-get install chromium to run it)`);
}

const ROOT = path.resolve(import.meta.dirname, '../..');
const FROM = Date.parse('2026-12-07T00:00:00Z');
const TO = Date.parse('2026-12-08T06:00:00Z');
const POLICIES = `version: 1
policies:
  - name: dev-rpu-budget
    resource: workgroup
    match: { tags: { env: dev } }
    usageLimits:
      limits: [{ feature: serverless-compute, amount: 600, period: daily, breachAction: log }]
      escalate:
        - { at: 80%, do: [alert] }
        - { at: 100%, do: [alert, { capMaxCapacity: 32 }] }
        - { at: 150%, do: [alert, deactivate] }
      budget: shared
`;

async function writeReport(): Promise<string> {
  const { policySet } = loadPolicySources([{ file: 'dev-rpu-budget.yml', text: POLICIES }]);
  const file = path.join(ROOT, 'test/unit/simulation-usage-limits/shared-workgroups.json');
  const fleet = [{ name: 'shared-workgroups.json', json: JSON.parse(readFileSync(file, 'utf8')) as unknown }];
  const result = await new Simulation({
    policies: policySet,
    fleet,
    from: FROM,
    to: TO,
    seed: 14,
    handlers: realHandlers,
    prepare: (s) => {
      for (const w of ['adhoc-dev', 'bi-dev', 'etl-dev', 'finance-prod'])
        s.usageMetrics.setWorkgroupWorkload(w, {
          rpuDemand: (at) => (at.getUTCHours() >= 8 && at.getUTCHours() < 18 ? 40 : 0),
        });
    },
  }).run();
  const resources = parseFleet(fleet, new Date(FROM).toISOString()).resources;
  const html = renderReport({
    title: 'usage limits',
    from: FROM,
    to: TO,
    records: result.records,
    summary: result.summary,
    resources: result.resources,
    ...reportContext(policySet.policies, resources, FROM, TO, result.usage),
    sources: ['dev-rpu-budget.yml'],
  });
  const out = path.join(mkdtempSync(path.join(tmpdir(), 'report-usage-')), 'report.html');
  writeFileSync(out, html);
  return out;
}

let browser: Browser | undefined;
let page: Page;
const requests: string[] = [];
const errors: string[] = [];

beforeAll(async () => {
  if (!hasChromium) return;
  const file = await writeReport();
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
  });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('request', (r) => {
    if (!r.url().startsWith('file:')) requests.push(r.url());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(pathToFileURL(file).href);
}, 120_000);

afterAll(async () => {
  await browser?.close();
});

describe.skipIf(!hasChromium)('HTML report in headless Chromium: usage against the amount', () => {
  it('one usage chart per member of the budget, none for the workgroup no policy covers', async () => {
    expect(await page.locator('svg.usage-chart').count()).toBe(3);
    expect(await page.locator('section[data-resource="workgroup/finance-prod"] svg.usage-chart').count()).toBe(0);
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
  });

  it('draws the thresholds in order (150 % above the amount above 80 %) and the lines inside the chart', async () => {
    const chart = page.locator('section[data-resource="workgroup/etl-dev"] svg.usage-chart');
    const box = await chart.boundingBox();
    expect(box !== null && box.width > 300 && box.height > 60).toBe(true);
    const y = async (selector: string) => (await chart.locator(selector).boundingBox())?.y ?? Number.NaN;
    const [g150, amount, g80] = [
      await y('line.usage-grade[data-percent="150"]'),
      await y('line.usage-amount'),
      await y('line.usage-grade[data-percent="80"]'),
    ];
    expect(g150 < amount && amount < g80).toBe(true);
    for (const cls of ['usage-own', 'usage-sum']) {
      const line = await chart.locator(`polyline.${cls}`).boundingBox();
      expect(line !== null && box !== null).toBe(true);
      if (line === null || box === null) continue;
      expect(line.width).toBeGreaterThan(box.width * 0.5);
      expect(line.y).toBeGreaterThanOrEqual(box.y - 1);
      expect(line.y + line.height).toBeLessThanOrEqual(box.y + box.height + 1);
    }
    // The sum climbs above the 150 % line; the member stays under 80 %.
    const sumTop = (await chart.locator('polyline.usage-sum').boundingBox())?.y ?? Number.NaN;
    const ownTop = (await chart.locator('polyline.usage-own').boundingBox())?.y ?? Number.NaN;
    expect(sumTop).toBeLessThan(g150);
    expect(ownTop).toBeGreaterThan(g80);
    expect(await chart.locator('line.usage-period').count()).toBe(1);
  });

  it('writes a screenshot of the page to reports/ as an artifact', async () => {
    mkdirSync(path.join(ROOT, 'reports'), { recursive: true });
    const shot = path.join(ROOT, 'reports', 'report-usage-chromium.png');
    await page.locator('section[data-resource="workgroup/etl-dev"]').screenshot({ path: shot });
    expect(readFileSync(shot).subarray(1, 4).toString()).toBe('PNG');
  });
});
