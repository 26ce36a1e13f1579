import {
  CreateClusterCommand,
  CreateClusterSnapshotCommand,
  DescribeClusterSnapshotsCommand,
  RedshiftClient,
} from '@aws-sdk/client-redshift';
import { beforeAll, describe, expect, it } from 'vitest';
import { RedshiftAdapter } from '../../shared/aws/redshift.adapter.ts';
import { Executor } from '../../shared/execute/executor.ts';
import { MemoryLedger } from '../../shared/execute/memory-ledger.ts';
import { decide } from '../../shared/policy/decide.ts';
import type { Decision } from '../../shared/policy/decision.ts';
import { loadPolicySources } from '../../shared/policy/policy-loader.ts';
import { motoClientConfig, motoEndpoint } from '../helpers/moto.ts';
import { RecordingNotifier } from '../unit/execute/fakes.ts';

// Snapshots through the real SDK over HTTP (moto): the adapter's create, describe (paginated, tags
// inside) and delete; six nightly slots with `retain: { daily: 2 }` leave two of autopilot's
// snapshots and every snapshot it did not create; a delete aimed at a person's snapshot is refused
// before any DeleteClusterSnapshot call.
const POLICY = `version: 1
policies:
  - name: nightly
    resource: cluster
    match: { identifiers: [etl-prod] }
    snapshots: { schedule: "cron(0 2 * * ? *)", timezone: UTC, retain: { daily: 2 } }
`;

describe.skipIf(motoEndpoint === null)('snapshots against moto (real SDK over HTTP)', () => {
  let client: RedshiftClient;
  let adapter: RedshiftAdapter;
  const ledger = new MemoryLedger();
  const notifier = new RecordingNotifier();
  let now = new Date('2026-12-01T02:05:00Z');
  let executor: Executor;
  const executed: Decision[] = [];

  async function ids(): Promise<string[]> {
    const out = await client.send(new DescribeClusterSnapshotsCommand({ ClusterIdentifier: 'etl-prod' }));
    return (out.Snapshots ?? []).map((s) => s.SnapshotIdentifier ?? '').sort();
  }

  beforeAll(async () => {
    client = new RedshiftClient(motoClientConfig());
    adapter = new RedshiftAdapter(client);
    executor = new Executor({
      resources: { cluster: adapter },
      ledger,
      notifier,
      region: 'us-east-1',
      clock: { now: () => now },
    });
    await client.send(
      new CreateClusterCommand({
        ClusterIdentifier: 'etl-prod',
        NodeType: 'ra3.xlplus',
        NumberOfNodes: 2,
        MasterUsername: 'awsuser',
        MasterUserPassword: 'Passw0rd!x',
        Tags: [{ Key: 'autopilot:managed', Value: 'true' }],
      }),
    );
    await client.send(
      new CreateClusterSnapshotCommand({ SnapshotIdentifier: 'by-hand', ClusterIdentifier: 'etl-prod' }),
    );
    await client.send(
      new CreateClusterSnapshotCommand({
        SnapshotIdentifier: 'other-tool',
        ClusterIdentifier: 'etl-prod',
        Tags: [{ Key: 'managed-by', Value: 'someone-else' }],
      }),
    );
    const { policySet } = loadPolicySources([{ file: 'p.yml', text: POLICY }]);
    for (let day = 0; day < 6; day++) {
      now = new Date(Date.parse('2026-12-01T02:05:00Z') + day * 86_400_000);
      // Two ticks a day: the slot is created on the first, retention sees it on the second.
      for (const offset of [0, 10 * 60_000]) {
        now = new Date(now.getTime() + offset);
        const resources = [...(await adapter.readFleet()), ...(await adapter.readSnapshots())];
        const iso = now.toISOString();
        const { decisions } = decide({
          policies: policySet,
          fleet: { readAt: iso, resources },
          trigger: { kind: 'tick', at: iso },
          now: iso,
          ledger: { entries: [] },
        });
        const run = executor.newRun();
        for (const d of decisions) {
          if ((await ledger.get(d.idempotencyKey)) !== null) continue;
          executed.push(d);
          await executor.execute(d, run);
        }
      }
    }
  });

  it('creates one tagged snapshot per slot and describes it with its tags', async () => {
    const creates = executed.filter((d) => d.action === 'CreateClusterSnapshot');
    expect(creates.map((d) => d.params.SnapshotIdentifier)).toEqual([
      'autopilot-etl-prod-nightly-202612010200',
      'autopilot-etl-prod-nightly-202612020200',
      'autopilot-etl-prod-nightly-202612030200',
      'autopilot-etl-prod-nightly-202612040200',
      'autopilot-etl-prod-nightly-202612050200',
      'autopilot-etl-prod-nightly-202612060200',
    ]);
    const newest = await adapter.readSnapshot('autopilot-etl-prod-nightly-202612060200');
    expect(newest?.tags).toMatchObject({
      'managed-by': 'redshift-autopilot',
      'autopilot:policy': 'nightly',
      'autopilot:slot': '2026-12-06T02:00:00.000Z',
    });
  });

  it('retention deletes only autopilot-tagged snapshots and keeps the two newest', async () => {
    // moto took an automated snapshot when the cluster was created (`rs:etl-prod-…`): it stays too.
    const left = await ids();
    expect(left.filter((id) => !id.startsWith('rs:'))).toEqual([
      'autopilot-etl-prod-nightly-202612050200',
      'autopilot-etl-prod-nightly-202612060200',
      'by-hand',
      'other-tool',
    ]);
    expect(left.filter((id) => id.startsWith('rs:etl-prod-'))).toHaveLength(1);
    const deletes = executed.filter((d) => d.action === 'DeleteClusterSnapshot');
    expect(deletes.map((d) => d.params.SnapshotIdentifier)).toEqual([
      'autopilot-etl-prod-nightly-202612010200',
      'autopilot-etl-prod-nightly-202612020200',
      'autopilot-etl-prod-nightly-202612030200',
      'autopilot-etl-prod-nightly-202612040200',
    ]);
    expect(notifier.alerts.filter((a) => a.attributes.outcome === 'failed')).toEqual([]);
  });

  it('refuses, at execution time, to delete a snapshot autopilot did not create', async () => {
    const decision: Decision = {
      ...(executed.find((d) => d.action === 'DeleteClusterSnapshot') as Decision),
      params: { SnapshotIdentifier: 'by-hand', SnapshotClusterIdentifier: 'etl-prod' },
      idempotencyKey: 'forged-delete',
    };
    const result = await executor.execute(decision, executor.newRun());
    expect(result.kind === 'done' ? [result.outcome, result.record.error?.message] : result.kind).toEqual([
      'skipped',
      'DeleteClusterSnapshot: by-hand has no tag managed-by=redshift-autopilot: autopilot deletes only what it created',
    ]);
    expect(await ids()).toContain('by-hand');
  });
});
