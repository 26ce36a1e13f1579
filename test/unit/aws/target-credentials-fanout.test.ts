import { describe, expect, it } from 'vitest';
import { FanOutFleetReader, type TargetReader } from '../../../shared/app/aws-fleet-reader.ts';
import type { FleetRead, FleetReader } from '../../../shared/app/deps.ts';
import { reportReaders } from '../../../shared/app/fleet-gaps.ts';
import { mapClusters } from '../../../shared/aws/fleet-mapping.ts';
import { MemoryLedger } from '../../../shared/execute/memory-ledger.ts';
import type { ActionResult, ResourcePort } from '../../../shared/execute/ports.ts';
import { TargetRoutedPort } from '../../../shared/execute/target-ports.ts';
import { createObservability } from '../../../shared/lambda/observability.ts';
import type { FleetResource, TargetRef } from '../../../shared/policy/decision.ts';
import { fixedClock, RecordingNotifier, rawCluster } from '../execute/fakes.ts';

/** A describe-clusters item (the recorded fixture) placed in an account and Region by its namespace ARN. */
function clusterIn(account: string, region: string, id: string): FleetResource {
  const [cluster] = mapClusters([
    rawCluster({
      ClusterIdentifier: id,
      ClusterNamespaceArn: `arn:aws:redshift:${region}:${account}:namespace:${id}-ns`,
    }),
  ]);
  if (cluster === undefined) throw new Error('no cluster');
  return cluster;
}

function awsError(name: string, message: string, status: number): Error {
  return Object.assign(new Error(message), { name, $fault: 'client', $metadata: { httpStatusCode: status } });
}

const ok = (read: FleetRead): FleetReader => ({ readAll: async () => read, readFor: async () => read.resources });
const failing = (error: Error): FleetReader => ({
  readAll: () => Promise.reject(error),
  readFor: () => Promise.reject(error),
});
const at = (account: string, region: string, reader: FleetReader): TargetReader => ({
  location: { account, region },
  reader,
});

const A = '111111111111';
const B = '222222222222';
const SERVERLESS_DOWN = {
  reader: 'Redshift Serverless',
  operations: ['redshift-serverless:ListWorkgroups'],
  types: ['workgroup', 'namespace', 'snapshot'] as const,
  impact: 'workgroups wait',
  reason: 'redshift-serverless:ListWorkgroups: UnknownEndpoint: no Redshift Serverless in this Region',
  transient: false,
};

function fleet(): TargetReader[] {
  return [
    at(A, 'eu-west-1', ok({ resources: [clusterIn(A, 'eu-west-1', 'fin-a')], unread: [] })),
    at(
      A,
      'eu-central-1',
      ok({
        resources: [clusterIn(A, 'eu-central-1', 'fin-b')],
        unread: [{ ...SERVERLESS_DOWN, types: [...SERVERLESS_DOWN.types] }],
      }),
    ),
    at(
      B,
      'eu-west-1',
      failing(
        awsError(
          'AccessDenied',
          `User: arn:aws:sts::999999999999:assumed-role/autopilot-dev-reconcile/x is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::${B}:role/autopilot-spoke-read`,
          403,
        ),
      ),
    ),
    at(
      B,
      'eu-central-1',
      failing(awsError('ExpiredToken', 'The security token included in the request is expired', 400)),
    ),
  ];
}

describe('the hub sweep over two accounts x two Regions', () => {
  it('reads every target it can, each resource in its account and Region; a denied and an expired target are their own unread parts', async () => {
    const read = await new FanOutFleetReader(fleet(), 2).readAll();
    expect(read.resources.map((r) => `${r.account}/${r.region}/${r.id}`)).toEqual([
      `${A}/eu-west-1/fin-a`,
      `${A}/eu-central-1/fin-b`,
    ]);
    expect(read.unread.map((p) => [p.reader, p.types, p.transient])).toEqual([
      [`Redshift Serverless in ${A}/eu-central-1`, ['snapshot'], false],
      [`account ${B} in eu-central-1`, ['snapshot'], true],
      [`account ${B} in eu-west-1`, ['snapshot'], false],
    ]);
    expect(read.unread[2]?.reason).toMatch(
      /^sts:AssumeRole \/ redshift:DescribeClusters: AccessDenied: .*is not authorized to perform: sts:AssumeRole/,
    );
  });

  it('reports each failing target once across sweeps, with what to check in the spoke; once again when it reads again', async () => {
    const ledger = new MemoryLedger();
    const notifier = new RecordingNotifier();
    const clock = fixedClock('2026-12-07T18:00:00Z');
    const deps = { ledger, notifier, clock, observability: createObservability({ service: 'test' }) };
    const reader = new FanOutFleetReader(fleet(), 4);
    for (let sweep = 0; sweep < 3; sweep++) {
      const { unread } = await reader.readAll();
      await reportReaders(unread, deps, reader.readerNames());
      clock.advanceMs(5 * 60_000);
    }
    expect(notifier.alerts.map((a) => a.subject)).toEqual([
      `[autopilot] sweep: Redshift Serverless in ${A}/eu-central-1 not read; deciding without them`,
      `[autopilot] sweep: account ${B} in eu-central-1 not read; deciding without them`,
      `[autopilot] sweep: account ${B} in eu-west-1 not read; deciding without them`,
    ]);
    expect(notifier.alerts[2]?.body).toContain('check the spoke stack in that account');
    const healed = new FanOutFleetReader(
      fleet().map((t) => (t.location.account === B ? at(B, t.location.region, ok({ resources: [], unread: [] })) : t)),
      4,
    );
    await reportReaders((await healed.readAll()).unread, deps, healed.readerNames());
    expect(notifier.alerts.slice(3).map((a) => a.subject)).toEqual([
      `[autopilot] sweep: account ${B} in eu-west-1 read again`,
      `[autopilot] sweep: account ${B} in eu-central-1 read again`,
    ]);
  });
});

describe("the hub sweep: what one target's gap holds back", () => {
  it('one target without its integrations: its clusters are zero-ETL unknown, every other cluster is known', async () => {
    const noIntegrations = { ...SERVERLESS_DOWN, reader: 'zero-ETL integrations', types: ['integration' as const] };
    const read = await new FanOutFleetReader(
      [
        at(A, 'eu-west-1', ok({ resources: [clusterIn(A, 'eu-west-1', 'fin-a')], unread: [] })),
        at(B, 'eu-west-1', ok({ resources: [clusterIn(B, 'eu-west-1', 'fin-b')], unread: [noIntegrations] })),
      ],
      2,
    ).readAll();
    expect(read.unread).toHaveLength(1);
    expect(read.unread[0]?.types).toEqual(['integration']);
    expect(read.unread[0]?.checked).toEqual({ 'cluster/fin-a': false });
  });

  it('a cluster name in two targets is read in both, each in its own account and Region (#18)', async () => {
    const noIntegrations = { ...SERVERLESS_DOWN, reader: 'zero-ETL integrations', types: ['integration' as const] };
    const read = await new FanOutFleetReader(
      [
        at(A, 'eu-west-1', ok({ resources: [clusterIn(A, 'eu-west-1', 'analytics')], unread: [] })),
        at(B, 'eu-west-1', ok({ resources: [clusterIn(B, 'eu-west-1', 'analytics')], unread: [] })),
        at(B, 'us-east-1', ok({ resources: [clusterIn(B, 'us-east-1', 'solo')], unread: [noIntegrations] })),
      ],
      2,
    ).readAll();
    expect(read.resources.map((r) => `${r.id}@${r.account}/${r.region}`).sort()).toEqual([
      `analytics@${A}/eu-west-1`,
      `analytics@${B}/eu-west-1`,
      `solo@${B}/us-east-1`,
    ]);
    // Their zero-ETL status is known per location: one `cluster/analytics` would have been both.
    expect(read.unread.map((p) => p.checked)).toEqual([
      { [`cluster/analytics@${A}/eu-west-1`]: false, [`cluster/analytics@${B}/eu-west-1`]: false },
    ]);
  });

  it('a snapshot name in two targets is still withheld and reported (the trackers know a snapshot by name)', async () => {
    const snap = (account: string) =>
      ({
        type: 'snapshot',
        service: 'redshift',
        id: 'autopilot-analytics-2026-12-07',
        arn: `arn:aws:redshift:eu-west-1:${account}:snapshot:analytics/autopilot-analytics-2026-12-07`,
        account,
        region: 'eu-west-1',
        tags: {},
      }) as unknown as FleetResource;
    const read = await new FanOutFleetReader(
      [
        at(A, 'eu-west-1', ok({ resources: [snap(A)], unread: [] })),
        at(B, 'eu-west-1', ok({ resources: [snap(B)], unread: [] })),
      ],
      2,
    ).readAll();
    expect(read.resources).toEqual([]);
    expect(read.unread.map((p) => p.reason)).toEqual([`the same snapshot name in ${A}/eu-west-1 and ${B}/eu-west-1`]);
  });

  it('never reads more targets at once than its concurrency', async () => {
    let running = 0;
    let most = 0;
    const slow: FleetReader = {
      readAll: async () => {
        running++;
        most = Math.max(most, running);
        await new Promise((r) => setImmediate(r));
        running--;
        return { resources: [], unread: [] };
      },
      readFor: async () => [],
    };
    const targets = Array.from({ length: 10 }, (_, i) => at(String(100000000000 + i), 'eu-west-1', slow));
    await new FanOutFleetReader(targets, 3).readAll();
    expect(most).toBe(3);
  });
});

describe("the executor's calls in the target's account and Region", () => {
  const calls: string[] = [];
  const portIn = (where: string): ResourcePort => ({
    read: async (t: TargetRef) => {
      calls.push(`${where} read ${t.id}`);
      return null;
    },
    perform: async (action: string): Promise<ActionResult> => {
      calls.push(`${where} ${action}`);
      return { afterState: 'pausing' };
    },
    isZeroEtlTarget: async () => false,
  });
  const ports: Record<string, ResourcePort> = {
    [`${A}/eu-west-1`]: portIn('A-west'),
    [`${B}/eu-central-1`]: portIn('B-central'),
  };
  const routed = new TargetRoutedPort((l) => (l === null ? portIn('hub') : ports[`${l.account}/${l.region}`]));

  it('routes by the target ARN, by its own account and Region, and to the hub when it names none', async () => {
    await routed.read({
      type: 'cluster',
      id: 'fin-a',
      arn: `arn:aws:redshift:eu-west-1:${A}:cluster:fin-a`,
      region: 'eu-west-1',
    });
    await routed.perform(
      'PauseCluster',
      { ClusterIdentifier: 'fin-b' },
      { type: 'cluster', id: 'fin-b', account: B, region: 'eu-central-1' },
    );
    await routed.perform('PauseCluster', { ClusterIdentifier: 'local' }, { type: 'cluster', id: 'local' });
    expect(calls).toEqual(['A-west read fin-a', 'B-central PauseCluster', 'hub PauseCluster']);
  });

  it('a target in an account the hub does not serve is a configuration error, never a call in the hub', async () => {
    await expect(
      routed.perform(
        'PauseCluster',
        {},
        { type: 'cluster', id: 'x', arn: 'arn:aws:redshift:us-east-1:333333333333:cluster:x' },
      ),
    ).rejects.toMatchObject({
      name: 'ConfigurationError',
      message: expect.stringContaining('account 333333333333, Region us-east-1 is not a target of this hub'),
    });
  });
});
