/**
 * The fact table: every row of shared/simulator/facts.md (the Redshift facts the simulator
 * implements, copied with their guide line numbers) is proved against the simulator through the real
 * SDK clients, one test per row. Breaking a fact fails its row; a row without a check, or a check
 * without a row, fails the completeness test.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { failoverChecks } from './fact-checks/failover.ts';
import { multiAzServerlessChecks } from './fact-checks/multi-az-serverless.ts';
import { pauseResumeChecks } from './fact-checks/pause-resume.ts';
import { resizeChecks } from './fact-checks/resize.ts';
import { serverlessUsageLimitChecks } from './fact-checks/serverless-usage-limits.ts';
import { snapshotChecks } from './fact-checks/snapshots.ts';
import type { FactCheck } from './fact-checks/support.ts';
import { usageLimitChecks, usageMetricChecks } from './fact-checks/usage-limits.ts';
import { zeroEtlChecks } from './fact-checks/zero-etl.ts';

interface FactRow {
  id: string;
  fact: string;
  source: string;
  line: number;
}

const TABLE = new URL('../../../shared/simulator/facts.md', import.meta.url);

/** The rows of the markdown table: `| id | fact | source |`, header and separator skipped. */
function factRows(text: string): FactRow[] {
  const rows: FactRow[] = [];
  text.split('\n').forEach((raw, index) => {
    const cells = raw.trim().startsWith('|')
      ? raw
          .trim()
          .slice(1, -1)
          .split(' | ')
          .map((c) => c.trim())
      : [];
    if (cells.length !== 3 || cells[0] === 'id' || /^-+$/.test(cells[0] ?? '')) return;
    const [id = '', fact = '', source = ''] = cells;
    rows.push({ id, fact, source, line: index + 1 });
  });
  return rows;
}

const CHECKS: Record<string, FactCheck> = {
  ...pauseResumeChecks,
  ...snapshotChecks,
  ...resizeChecks,
  ...multiAzServerlessChecks,
  ...failoverChecks,
  ...usageLimitChecks,
  ...usageMetricChecks,
  ...serverlessUsageLimitChecks,
  ...zeroEtlChecks,
};

const rows = factRows(readFileSync(TABLE, 'utf8'));

describe('shared/simulator/facts.md', () => {
  it('has a check for every row and a row for every check, each row citing its source', () => {
    expect(rows.length).toBeGreaterThanOrEqual(30);
    expect(rows.map((r) => r.id).sort()).toEqual(Object.keys(CHECKS).sort());
    expect(new Set(rows.map((r) => r.id)).size).toBe(rows.length);
    for (const row of rows) expect(row.source, `facts.md:${row.line} ${row.id}`).toMatch(/L\d+|API reference/);
  });

  it.each(rows)('$id (facts.md:$line): $fact', async (row) => {
    const check = CHECKS[row.id];
    if (check === undefined) throw new Error(`facts.md:${row.line}: no check for ${row.id}`);
    await check();
  });
});
