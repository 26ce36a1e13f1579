import { Readable } from 'node:stream';
import { type Cluster, DescribeClustersCommand, RedshiftClient } from '@aws-sdk/client-redshift';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { RedshiftAdapter } from '../../../shared/aws/redshift.adapter.ts';
import { ResourceStateConflictError } from '../../../shared/errors.ts';
import { classifyAwsError } from '../../../shared/execute/classify-error.ts';
import { Executor } from '../../../shared/execute/executor.ts';
import { MemoryLedger } from '../../../shared/execute/memory-ledger.ts';
import deleteClusterError from '../../fixtures/api/test_redshift_delete/redshift.DeleteCluster_1.json' with {
  type: 'json',
};
import describeAvailable from '../../fixtures/api/test_redshift_pause/redshift.DescribeClusters_1.json' with {
  type: 'json',
};
import { fixedClock, OPT_IN, pauseDecision, RecordingNotifier, rawCluster } from '../execute/fakes.ts';

const recorded = describeAvailable.data.Clusters[0];
if (recorded === undefined) throw new Error('fixture has no cluster');

function escapeXml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The recorded cluster's scalar fields and an opt-in tag, in the awsQuery XML Redshift really sends. */
function describeClustersXml(): string {
  const scalars = Object.entries(recorded as Record<string, unknown>)
    .filter(([, v]) => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean')
    .map(([k, v]) => `<${k}>${escapeXml(String(v))}</${k}>`)
    .join('');
  const tags = `<Tags><Tag><Key>${OPT_IN.key}</Key><Value>${OPT_IN.value}</Value></Tag></Tags>`;
  return `<DescribeClustersResponse xmlns="http://redshift.amazonaws.com/doc/2012-12-01/"><DescribeClustersResult><Clusters><Cluster>${scalars}${tags}</Cluster></Clusters></DescribeClustersResult><ResponseMetadata><RequestId>r1</RequestId></ResponseMetadata></DescribeClustersResponse>`;
}

/** The recorded 400 InvalidClusterState error (Cloud Custodian placebo), as the XML error document. */
function recordedErrorXml(): string {
  const { Code, Message, Type } = deleteClusterError.data.Error;
  const requestId = deleteClusterError.data.ResponseMetadata.RequestId;
  return `<ErrorResponse xmlns="http://redshift.amazonaws.com/doc/2012-12-01/"><Error><Type>${Type}</Type><Code>${Code}</Code><Message>${escapeXml(Message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
}

/** An HTTP handler standing in for the network: real SDK serialization and error parsing, canned bodies. */
function cannedHttp(route: (action: string) => { status: number; body: string }) {
  const actions: string[] = [];
  const handler = {
    async handle(request: { body?: unknown }) {
      const action = new URLSearchParams(String(request.body ?? '')).get('Action') ?? '?';
      actions.push(action);
      const { status, body } = route(action);
      return {
        response: {
          statusCode: status,
          reason: status === 200 ? 'OK' : 'Bad Request',
          headers: { 'content-type': 'text/xml', 'x-amzn-requestid': 'r1' },
          body: Readable.from([Buffer.from(body, 'utf8')]),
        },
      };
    },
    updateHttpClientConfig() {},
    httpHandlerConfigs: () => ({}),
  };
  return { handler, actions };
}

function realClient(handler: unknown): RedshiftClient {
  return new RedshiftClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    maxAttempts: 1,
    requestHandler: handler as never,
  });
}

describe('the recorded InvalidClusterState response', () => {
  const route = (action: string) =>
    action === 'DescribeClusters'
      ? { status: 200, body: describeClustersXml() }
      : { status: deleteClusterError.status_code, body: recordedErrorXml() };

  it('reaches us from the real SDK as InvalidClusterStateFault and classifies as a state conflict', async () => {
    const { handler } = cannedHttp(route);
    const adapter = new RedshiftAdapter(realClient(handler));

    const error = await adapter.perform('PauseCluster', { ClusterIdentifier: 'redshift-cluster-1' }).catch((e) => e);

    expect(error.name).toBe('InvalidClusterStateFault');
    expect(error.$metadata.httpStatusCode).toBe(400);
    expect(error.message).toBe(deleteClusterError.data.Error.Message);
    expect(classifyAwsError(error, 'PauseCluster')).toBeInstanceOf(ResourceStateConflictError);
  });

  it('makes the executor skip with a reason, not fail', async () => {
    const { handler, actions } = cannedHttp(route);
    const ledger = new MemoryLedger();
    const notifier = new RecordingNotifier();
    const executor = new Executor({
      resources: { cluster: new RedshiftAdapter(realClient(handler)) },
      ledger,
      notifier,
      region: 'us-east-1',
      clock: fixedClock(),
    });

    const result = await executor.execute(pauseDecision(), executor.newRun());

    // The refusal may answer the SDK's repeat of a call AWS had taken (a lost answer): one more read
    // shows the cluster still available, so it is a real state conflict.
    expect(actions).toEqual(['DescribeClusters', 'PauseCluster', 'DescribeClusters']);
    expect(result).toMatchObject({ kind: 'done', outcome: 'skipped' });
    const record = await ledger.get(pauseDecision().idempotencyKey);
    expect(record?.status).toBe('skipped');
    expect(record?.outcomeReason).toBe('AWS refused (InvalidClusterStateFault): state conflict, skipped');
    expect(record?.error?.message).toContain('There is an operation running on the Cluster');
    expect(notifier.alerts.map((a) => a.attributes.outcome)).toEqual(['skipped']);
  });
});

describe('RedshiftAdapter fleet read', () => {
  function clusters(n: number): Cluster[] {
    return Array.from({ length: n }, (_, i) =>
      rawCluster({ ClusterIdentifier: `cluster-${String(i).padStart(3, '0')}` }),
    );
  }

  it('reads 250 clusters in three DescribeClusters calls of MaxRecords 100, tags included, no per-cluster reads', async () => {
    const all = clusters(250);
    const pages = [
      { Clusters: all.slice(0, 100), Marker: 'm1' },
      { Clusters: all.slice(100, 200), Marker: 'm2' },
      { Clusters: all.slice(200) },
    ];
    // The paginator reuses one input object across pages: copy it at call time.
    const inputs: unknown[] = [];
    const mock = mockClient(RedshiftClient);
    mock.on(DescribeClustersCommand).callsFake((input) => {
      inputs.push({ ...input });
      return pages.shift();
    });
    const adapter = new RedshiftAdapter(new RedshiftClient({ region: 'us-east-1' }));

    const fleet = await adapter.readFleet();

    expect(inputs).toEqual([{ MaxRecords: 100 }, { MaxRecords: 100, Marker: 'm1' }, { MaxRecords: 100, Marker: 'm2' }]);
    expect(mock.calls()).toHaveLength(3);
    expect(fleet).toHaveLength(250);
    expect(fleet[0]).toMatchObject({
      type: 'cluster',
      id: 'cluster-000',
      status: 'available',
      tags: { [OPT_IN.key]: OPT_IN.value },
      automatedSnapshotRetentionPeriod: 1,
      multiAz: false,
    });
    mock.restore();
  });

  it('re-reads one cluster with one call and returns null when it is gone', async () => {
    const mock = mockClient(RedshiftClient);
    mock
      .on(DescribeClustersCommand, { ClusterIdentifier: 'redshift-cluster-1' })
      .resolves({ Clusters: [rawCluster()] })
      .on(DescribeClustersCommand, { ClusterIdentifier: 'gone' })
      .rejects(Object.assign(new Error('Cluster gone not found.'), { name: 'ClusterNotFoundFault' }));
    const adapter = new RedshiftAdapter(new RedshiftClient({ region: 'us-east-1' }));

    expect((await adapter.read({ type: 'cluster', id: 'redshift-cluster-1' }))?.id).toBe('redshift-cluster-1');
    expect(await adapter.read({ type: 'cluster', id: 'gone' })).toBeNull();
    expect(mock.calls()).toHaveLength(2);
    mock.restore();
  });
});
