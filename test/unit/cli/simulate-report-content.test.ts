import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../../shared/cli/main.ts';
import { fakeIo } from '../../helpers/cli.ts';

// What `simulate --report` writes, read as text (test/integration/report-chromium.test.ts looks at it
// in a browser): skips drawn and listed with their reason, untouched resources say why, counts in the
// right number.

const ROOT = path.resolve(import.meta.dirname, '../../..');

async function report(): Promise<string> {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'simulate-report-content-')), 'week.html');
  const io = fakeIo({ cwd: ROOT });
  const code = await main(
    [
      'simulate',
      ...['--policies', 'examples/policies/example.yml'],
      ...['--fleet', 'examples/fleet/fleet.json', 'examples/fleet/integrations.json', 'examples/fleet/workgroups.json'],
      ...['--from', '2026-12-07T00:00Z', '--to', '2026-12-08T00:00Z', '--report', file],
    ],
    io,
  );
  expect([code, io.err()]).toEqual([0, '']);
  return readFileSync(file, 'utf8');
}

/** The HTML of one resource's section. */
function section(html: string, name: string): string {
  const start = html.indexOf(`<section class="resource" data-resource="${name}">`);
  expect(start).toBeGreaterThan(-1);
  return html.slice(start, html.indexOf('</section>', start));
}

describe('simulate --report', () => {
  it('draws and lists the skip of a Multi-AZ and of an untagged cluster with its reason, and says why each stayed untouched', async () => {
    const html = await report();
    const multiAz = section(html, 'cluster/dev-bi');
    expect(multiAz).toContain('<path class="marker skip" data-policy="dev-office-hours" data-by="decide"');
    expect(multiAz).toMatch(
      /<text class="skip-label"[^>]*>✕ dev-office-hours: Multi-AZ cluster cannot be paused<\/text>/,
    );
    expect(multiAz).toMatch(
      /<li class="note skip-item"[^>]*><time>Mon 2026-12-07 01:00 CET<\/time> <b>✕ dev-office-hours skipped it:<\/b> <span class="reason">Multi-AZ cluster cannot be paused<\/span><\/li>/,
    );
    const untagged = section(html, 'cluster/dev-adhoc');
    expect(untagged).toMatch(/<text class="skip-label"[^>]*>✕ dev-office-hours: not opted in<\/text>/);
    expect(untagged).toContain('<p class="untouched">untouched: skipped — not opted in (dev-office-hours)</p>');
    expect(untagged).toContain('times in Europe/Berlin · 1 node · 0 actions · 1 skip</small>');
    expect(section(html, 'workgroup/finance-prod')).toContain(
      '<p class="untouched">untouched: no policy selects it</p>',
    );
    expect(section(html, 'cluster/dev-etl-1')).toMatch(/ · 2 nodes · \d+ actions<\/small>/);
    expect(html).not.toMatch(/\b1 (nodes|actions|skips|dry-runs)\b/);
  }, 60_000);
});
