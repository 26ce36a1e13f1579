import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../../shared/cli/main.ts';
import { fakeIo } from '../../helpers/cli.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const args = (report: string) => [
  'simulate',
  '--policies',
  'examples/policies',
  '--fleet',
  'examples/fleet/fleet.json',
  '--from',
  '2026-12-07T00:00Z',
  '--to',
  '2026-12-07T03:00Z',
  '--report',
  report,
];

describe('simulate --report', () => {
  it('fails at once, before simulating, when the path cannot be written (it spun forever under /proc)', async () => {
    const io = fakeIo({ cwd: ROOT });
    const code = await main(args('/proc/nope/x.html'), io);
    expect(code).toBe(1);
    expect(io.err()).toBe(
      '--report /proc/nope/x.html: cannot write there (ENOENT); expected a path in a writable folder\n',
    );
    expect(io.out()).toBe('');
  });

  it('creates missing folders and writes the report', async () => {
    const report = path.join(mkdtempSync(path.join(tmpdir(), 'report-')), 'a', 'b', 'week.html');
    const io = fakeIo({ cwd: ROOT });
    expect(await main(args(report), io)).toBe(0);
    expect(existsSync(report)).toBe(true);
    expect(readFileSync(report, 'utf8')).toContain('<html');
  });
});
