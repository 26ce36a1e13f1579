import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadPolicyFileSync } from '../../../shared/app/policy-file.ts';
import { main } from '../../../shared/cli/main.ts';
import { Executor } from '../../../shared/execute/executor.ts';
import { MemoryLedger } from '../../../shared/execute/memory-ledger.ts';
import { executorStatements } from '../../../shared/iam/executor-iam.ts';
import { registry } from '../../../shared/policy/registry.ts';
import type { OutputRecord } from '../../../shared/simulation/timeline.ts';
import { capability as toy } from '../../fixtures/capabilities/toy-reboot/index.ts';
import { fakeIo } from '../../helpers/cli.ts';
import {
  clusterResource,
  FakeRedshift,
  fixedClock,
  pauseDecision,
  RecordingNotifier,
  sequentialTokens,
} from '../execute/fakes.ts';

/**
 * "One capability, one folder": a capability that lives only in test/fixtures/capabilities/toy-reboot/
 * — its YAML key, action (RebootCluster), guardrail, permission and closing event — registered at run
 * time, runs through the real code paths: plan; simulate (ingest/reconcile handlers → decide → FIFO
 * queue → executor → ledger → alert, closed by REDSHIFT-EVENT-3000 and the sweep); the HTML report;
 * explain-actions; the generated IAM. The packaged template is checked in test/integration/template.test.ts.
 */
const ROOT = path.resolve(import.meta.dirname, '../../..');
const DIR = 'test/fixtures/capabilities/toy-reboot';
const PERIOD = ['--from', '2026-12-01T00:00Z', '--to', '2026-12-02T00:00Z'];

async function cli(...args: string[]) {
  const io = fakeIo({ cwd: ROOT });
  const code = await main(args, io);
  return { code, out: io.out(), err: io.err() };
}

beforeAll(() => registry.register(toy));

describe('toy capability from a test folder', () => {
  it('validates and plans: one RebootCluster for the cluster carrying the request tag', async () => {
    const { code, out } = await cli('plan', '--policies', DIR, '--fleet', `${DIR}/fleet.json`, ...PERIOD, '--json');
    expect(code).toBe(0);
    const decisions = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { action: string; target: { id: string } });
    expect(decisions.map((d) => [d.action, d.target.id])).toEqual([['RebootCluster', 'dev-etl-1']]);
  });

  it('simulates through the deployed handlers: acted once, closed as succeeded, one alert, drawn in the report', async () => {
    const report = path.join(mkdtempSync(path.join(tmpdir(), 'toy-')), 'report.html');
    const { code, out } = await cli(
      'simulate',
      '--policies',
      DIR,
      '--fleet',
      `${DIR}/fleet.json`,
      ...PERIOD,
      '--json',
      '--report',
      report,
    );
    expect(code).toBe(0);
    const records = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as OutputRecord & Record<string, unknown>);
    const actions = records.filter((r) => r.type === 'action');
    expect(actions.map((a) => [a.resource, a.action, a.outcome])).toEqual([
      ['cluster/dev-etl-1', 'RebootCluster', 'in-progress'],
      ['cluster/dev-etl-1', 'RebootCluster', 'succeeded'],
    ]);
    const states = records.filter((r) => r.type === 'state' && r.resource === 'cluster/dev-etl-1').map((r) => r.to);
    expect(states).toEqual(['available', 'rebooting', 'available']);
    expect(records.filter((r) => r.type === 'alert').map((r) => r.action)).toEqual(['RebootCluster']);
    const html = readFileSync(report, 'utf8');
    expect(html).toContain('RebootCluster succeeded (reboot-on-request)');
  });

  it('is refused by its own guardrail when the request was withdrawn before the executor ran', async () => {
    const fake = new FakeRedshift().add(
      clusterResource({
        ClusterIdentifier: 'dev-etl-1',
        Tags: [
          { Key: 'autopilot:managed', Value: 'true' },
          { Key: 'reboot-request', Value: 'ticket-9999' },
        ],
      }),
    );
    const notifier = new RecordingNotifier();
    const executor = new Executor({
      resources: { cluster: fake },
      ledger: new MemoryLedger(),
      notifier,
      region: 'eu-central-1',
      clock: fixedClock(),
      newToken: sequentialTokens(),
    });
    const decision = pauseDecision(
      {
        policy: 'reboot-on-request',
        action: 'RebootCluster',
        params: { ClusterIdentifier: 'dev-etl-1', requestTag: 'reboot-request', requestValue: 'ticket-4711' },
        idempotencyKey: 'reboot-on-request/RebootCluster/dev-etl-1/ticket-4711',
      },
      'dev-etl-1',
    );
    const result = await executor.execute(decision, executor.newRun());
    expect(result.kind === 'done' && result.record.outcomeReason).toBe(
      'guardrail rebootRequestStillTagged: reboot request reboot-request=ticket-4711 was withdrawn (tag now ticket-9999)',
    );
    expect(fake.stateChangingCalls()).toBe(0);
  });

  it('lists its action, guardrail and permission in explain-actions, and its permission in the generated IAM', async () => {
    const { out } = await cli('explain-actions');
    expect(out).toContain('RebootCluster  (redshift, cluster; requested by rebootOnRequest)');
    expect(out).toContain(
      'rebootRequestStillTagged: the reboot-request tag that asked for the reboot is still on the cluster',
    );
    expect(out).toContain('closed by REDSHIFT-EVENT-3000');
    const { policies } = loadPolicyFileSync(DIR, ROOT);
    const statements = executorStatements({ registry, policies }, { key: 'autopilot:managed', value: 'true' });
    expect(statements.find((s) => s.Sid === 'ToyRebootOptedInClusters')).toMatchObject({
      Action: ['redshift:RebootCluster'],
      Condition: { StringEquals: { 'aws:ResourceTag/autopilot:managed': 'true' } },
    });
    // Only what the packaged policy's capability may request: no pause, no snapshot.
    expect(JSON.stringify(statements)).not.toContain('PauseCluster');
  });
});
