import { CreateClusterCommand, DescribeClustersCommand, ResumeClusterCommand } from '@aws-sdk/client-redshift';
import { beforeAll, describe, expect, it } from 'vitest';
import { AppExecutor } from '../../shared/app/alert-decision.ts';
import { Notifier } from '../../shared/aws/notifier.adapter.ts';
import { RedshiftAdapter } from '../../shared/aws/redshift.adapter.ts';
import { processDecisionBatch } from '../../shared/execute/batch-processor.ts';
import { type ReconcileReport, reconcile } from '../../shared/execute/reconcile.ts';
import { decide } from '../../shared/policy/decide.ts';
import { loadPolicySources, type PolicySet } from '../../shared/policy/policy-loader.ts';
import { motoEndpoint } from '../helpers/moto.ts';
import {
  type ActingEnv,
  createActingEnv,
  createTaggedCluster,
  type ReceivedAlert,
  receiveAlerts,
  receiveDecisionRecords,
} from './acting.env.ts';

/**
 * Windows end to end over real HTTP: the sweep reads the fleet with DescribeClusters (tags inside)
 * from moto, decide() runs the window, decisions go through the SQS FIFO queue, the executor pauses
 * and resumes through the real SDK (moto's Pause/Resume are instant), the ledger is DynamoDB, and the
 * alerts are read back from an SQS subscription of the SNS topic. Mon 2026-12-07, Berlin UTC+1.
 */
const POLICY = `version: 1
policies:
  - name: office-hours
    resource: cluster
    match: { tags: { env: dev } }
    window:
      running: ["Mon-Fri 07:00-19:00"]
      timezone: Europe/Berlin
      graceAfterManualResume: 1h
`;

const MANAGED = { 'autopilot:managed': 'true', env: 'dev' };

async function statusOf(env: ActingEnv, id: string): Promise<string | undefined> {
  const out = await env.clients.redshift.send(new DescribeClustersCommand({ ClusterIdentifier: id }));
  return out.Clusters?.[0]?.ClusterStatus;
}

describe.skipIf(motoEndpoint === null)('pause/resume windows against moto (real SDK over HTTP)', () => {
  let env: ActingEnv;
  let policies: PolicySet;

  /** One tick at `at`: sweep → FIFO queue → executor (Publish alerts included) → alerts read back. */
  async function tick(at: string): Promise<{ report: ReconcileReport; alerts: ReceivedAlert[] }> {
    const clock = { now: () => new Date(at) };
    const redshift = new RedshiftAdapter(env.clients.redshift);
    const report = await reconcile({
      readFleet: () => redshift.readFleet(),
      decide: ({ fleet, now, ledger }) =>
        decide({ policies, fleet, trigger: { kind: 'tick', at: now.toISOString() }, now: now.toISOString(), ledger }),
      ledger: env.ledger(),
      queue: env.queue(),
      notifier: new Notifier(env.clients, env.topicArn),
      region: 'us-east-1',
      clock,
    });
    const records = await receiveDecisionRecords(env);
    if (records.length > 0) {
      const executor = new AppExecutor({
        resources: { cluster: redshift },
        ledger: env.ledger(),
        notifier: new Notifier(env.clients, env.topicArn),
        region: 'us-east-1',
        clock,
      });
      const out = await processDecisionBatch(records, executor);
      expect(out.batchItemFailures).toEqual([]);
    }
    return { report, alerts: await receiveAlerts(env) };
  }

  beforeAll(async () => {
    const loaded = loadPolicySources([{ file: 'windows.yml', text: POLICY }]);
    expect(loaded.problems).toEqual([]);
    policies = loaded.policySet;
    env = await createActingEnv({ suffix: 'windows' });
    await createTaggedCluster(env, 'dev-win-1', MANAGED);
    await env.clients.redshift.send(
      new CreateClusterCommand({
        ClusterIdentifier: 'dev-untagged',
        NodeType: 'dc2.large',
        ClusterType: 'single-node',
        MasterUsername: 'awsuser',
        MasterUserPassword: 'Passw0rd-for-tests',
        Tags: [{ Key: 'env', Value: 'dev' }],
      }),
    );
  });

  it('pauses at the boundary through the real SDK, once, and alerts with the policy as attribute', async () => {
    const { report, alerts } = await tick('2026-12-07T18:00:00.000Z');

    expect(report).toMatchObject({ decisions: 1, enqueued: 1 });
    expect(await statusOf(env, 'dev-win-1')).toBe('paused');
    expect(await statusOf(env, 'dev-untagged')).toBe('available');
    expect(alerts).toEqual([
      {
        subject: '[autopilot] PauseCluster dev-win-1: done (office-hours)',
        message: expect.stringContaining(
          'Why:     outside window Mon-Fri 07:00-19:00 Europe/Berlin; next resume 2026-12-08T06:00Z',
        ),
        attributes: {
          severity: 'INFO',
          policy: 'office-hours',
          resource: 'cluster/dev-win-1',
          action: 'PauseCluster',
          outcome: 'succeeded',
        },
      },
    ]);
    // The next tick finds it paused: nothing to do, nothing said.
    const again = await tick('2026-12-07T18:05:00.000Z');
    expect(again.report.decisions).toBe(0);
    expect(again.alerts).toEqual([]);
  });

  it('honours a manual resume: notes it once (read back from DynamoDB), pauses again after the 1h grace', async () => {
    await env.clients.redshift.send(new ResumeClusterCommand({ ClusterIdentifier: 'dev-win-1' }));
    expect(await statusOf(env, 'dev-win-1')).toBe('available');

    const noted = await tick('2026-12-07T19:00:00.000Z');
    expect(noted.alerts.map((a) => [a.subject, a.attributes.action, a.attributes.policy])).toEqual([
      ['[autopilot] dev-win-1 resumed by hand in a paused period (office-hours)', 'Publish', 'office-hours'],
    ]);
    expect(noted.alerts[0]?.message).toContain('paused again at 2026-12-07T20:00Z (graceAfterManualResume: 1h)');
    const waiting = await tick('2026-12-07T19:30:00.000Z');
    expect(waiting.alerts).toEqual([]);
    expect(await statusOf(env, 'dev-win-1')).toBe('available');

    const repaused = await tick('2026-12-07T20:00:00.000Z');
    expect(repaused.alerts.map((a) => a.subject)).toEqual(['[autopilot] PauseCluster dev-win-1: done (office-hours)']);
    expect(await statusOf(env, 'dev-win-1')).toBe('paused');
  });

  it('resumes at the next running boundary and the cluster ends available', async () => {
    const { alerts } = await tick('2026-12-08T06:00:00.000Z');

    expect(await statusOf(env, 'dev-win-1')).toBe('available');
    expect(await statusOf(env, 'dev-untagged')).toBe('available');
    expect(alerts.map((a) => [a.subject, a.attributes.outcome])).toEqual([
      ['[autopilot] ResumeCluster dev-win-1: done (office-hours)', 'succeeded'],
    ]);
    expect(alerts[0]?.message).toContain('Why:     inside window Mon-Fri 07:00-19:00 Europe/Berlin');
  });
});
