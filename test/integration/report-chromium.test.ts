import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { parseFleet } from '../../shared/policy/fleet.ts';
import { loadPoliciesOrThrow } from '../../shared/policy/policy-loader.ts';
import { renderReport, runningWindows } from '../../shared/report/html-report.ts';
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
  const windows = new Map<string, { start: number; end: number; policy: string }[]>();
  for (const r of parseFleet(fleet, new Date(FROM).toISOString()).resources) {
    windows.set(`${r.type}/${r.id}`, runningWindows(policies.policies, r, FROM, TO));
  }
  const html = renderReport({
    title: 'redshift-autopilot simulation',
    from: FROM,
    to: TO,
    records: result.records,
    summary: result.summary,
    resources: result.resources,
    windows,
    sources: ['examples/policies/example.yml'],
  });
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'report-')), 'report.html');
  writeFileSync(file, html);
  return { file, resources: result.resources.length, policies: result.summary.policies.length };
}

describe.skipIf(!hasChromium)('HTML report in headless Chromium', () => {
  it('shows one chart per resource with state bands, windows and action markers, and the summary table', async () => {
    const { file, resources, policies } = await writeReport();
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    try {
      const page = await browser.newPage();
      const requests: string[] = [];
      page.on('request', (r) => {
        if (!r.url().startsWith('file:')) requests.push(r.url());
      });
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(pathToFileURL(file).href);

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

      // The inline script filters the charts.
      await page.fill('#filter', 'workgroup/');
      expect(await page.locator('section.resource:not(.hidden)').count()).toBe(2);
      expect(errors).toEqual([]);
      expect(requests).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
