import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ClusterResource } from '../../../shared/policy/decision.ts';
import { parseFleet } from '../../../shared/policy/fleet.ts';
import { plan } from '../../../shared/policy/plan.ts';
import { loadPolicySources } from '../../../shared/policy/policy-loader.ts';

// `plan` shows the limits to create, modify and delete, once: it walks the fleet forward through each
// action's declared effect, so an hour of ticks plans each change at the first tick only.

const DIR = path.resolve(import.meta.dirname, '../../fixtures/usage-limits');
const FROM = Date.parse('2026-12-07T08:00:00Z');

function planned() {
  const { policySet, problems } = loadPolicySources([
    { file: 'policies.yml', text: readFileSync(path.join(DIR, 'policies.yml'), 'utf8') },
  ]);
  expect(problems).toEqual([]);
  const json = JSON.parse(readFileSync(path.join(DIR, 'fleet.json'), 'utf8'));
  const fleet = parseFleet([{ name: 'fleet.json', json }], new Date(FROM).toISOString());
  return plan({ policies: policySet, fleet, events: [], from: FROM, to: FROM + 3_600_000, tickMs: 300_000 });
}

describe('plan: usage limits', () => {
  it('lists each create, modify and delete once, at the first tick', () => {
    const result = planned();
    expect(result.decisions.map((d) => [d.at, d.action, d.target.id])).toEqual([
      ['2026-12-07T08:00:00.000Z', 'CreateUsageLimit', 'analytics-1'],
      ['2026-12-07T08:00:00.000Z', 'ModifyUsageLimit', 'analytics-1'],
      ['2026-12-07T08:00:00.000Z', 'CreateUsageLimit', 'analytics-2'],
      ['2026-12-07T08:00:00.000Z', 'CreateUsageLimit', 'analytics-2'],
      ['2026-12-07T08:00:00.000Z', 'DeleteUsageLimit', 'analytics-2'],
    ]);
  });

  it('reports the person’s limit once, and ends with the declared limits in place', () => {
    const result = planned();
    expect(result.skips.map((s) => [s.target.id, s.reason])).toEqual([
      [
        'analytics-1',
        'usage limit made outside autopilot: lim-9f8e7d6c5b4a3921 (concurrency-scaling 600 minutes monthly, log) has no managed-by tag; never modified or deleted',
      ],
    ]);
    const shape = (c: ClusterResource | undefined) =>
      (c?.limits ?? []).map((l) => `${l.feature} ${l.amount} ${l.period} ${l.breachAction}`).sort();
    const byId = (id: string) =>
      result.fleet.resources.find((r): r is ClusterResource => r.type === 'cluster' && r.id === id);
    expect(shape(byId('analytics-1'))).toEqual([
      'concurrency-scaling 120 weekly log',
      'concurrency-scaling 600 monthly log',
      'spectrum 5 daily emit-metric',
    ]);
    expect(shape(byId('analytics-2'))).toEqual(['concurrency-scaling 120 weekly log', 'spectrum 5 daily emit-metric']);
  });
});
