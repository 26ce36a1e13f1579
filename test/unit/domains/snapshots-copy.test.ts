import { readFileSync } from 'node:fs';
import {
  type Cluster,
  DescribeClustersCommand,
  EnableSnapshotCopyCommand,
  RedshiftClient,
} from '@aws-sdk/client-redshift';
import {
  CreateSnapshotCopyConfigurationCommand,
  ListSnapshotCopyConfigurationsCommand,
  RedshiftServerlessClient,
} from '@aws-sdk/client-redshift-serverless';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { RedshiftAdapter } from '../../../shared/aws/redshift.adapter.ts';
import { RedshiftServerlessAdapter } from '../../../shared/aws/redshift-serverless.adapter.ts';
import { ResourceStateConflictError } from '../../../shared/errors.ts';
import { decide, idempotencyKey } from '../../../shared/policy/decide.ts';
import type { LedgerEntryView } from '../../../shared/policy/decision.ts';
import { parseFleet } from '../../../shared/policy/fleet.ts';
import { formatProblem, loadPolicySources, type PolicySet } from '../../../shared/policy/policy-loader.ts';
import { reviveDates } from '../../../shared/simulator/placebo-loader.ts';

/**
 * Cross-Region copy: a KMS-encrypted cluster copies only with a snapshot copy grant in the
 * destination Region (facts.md §4, guide L3983) — `copyTo.snapshotCopyGrant` becomes
 * `SnapshotCopyGrantName`, and without one copy is refused with the reason, in decide() and again on
 * the executor's fresh read. A Serverless namespace copies to one destination (L2589).
 */
const OPT_IN = { Key: 'autopilot:managed', Value: 'true' };
const AT = '2026-12-08T12:00:00.000Z';

/** The recorded DescribeClusters of an encrypted cluster (`Encrypted: true`, a KMS key), opted in. */
function encryptedCluster(): Cluster {
  const url = new URL('../../fixtures/api/test_redshift_snapshot/redshift.DescribeClusters_1.json', import.meta.url);
  const doc = reviveDates(JSON.parse(readFileSync(url, 'utf8')) as { data: { Clusters: Cluster[] } });
  const cluster = doc.data.Clusters[0] as Cluster;
  return { ...cluster, Tags: [...(cluster.Tags ?? []), OPT_IN] };
}

function policy(copyTo: string, resource = 'cluster'): PolicySet {
  const result = loadPolicySources([
    {
      file: 'p.yml',
      text: `version: 1
policies:
  - name: nightly
    resource: ${resource}
    snapshots:
      schedule: "cron(0 2 * * ? *)"
      copyTo: ${copyTo}
`,
    },
  ]);
  expect(result.problems.map(formatProblem)).toEqual([]);
  return result.policySet;
}

function run(set: PolicySet, clusters: Cluster[], ledger: LedgerEntryView[] = []) {
  const fleet = parseFleet([{ name: 'clusters', json: { Clusters: clusters } }], AT);
  return decide({ policies: set, fleet, trigger: { kind: 'tick', at: AT }, now: AT, ledger: { entries: ledger } });
}

describe('cross-Region copy of a KMS-encrypted cluster', () => {
  it('refuses to enable copy without a grant, with a skip naming copyTo.snapshotCopyGrant', () => {
    // Act
    const out = run(policy('{ region: eu-west-1, retainDays: 30 }'), [encryptedCluster()]);

    // Assess
    expect(out.decisions).toEqual([]);
    expect(out.skips.map((s) => s.reason)).toEqual([
      'cluster test-cluster is KMS-encrypted and copyTo.snapshotCopyGrant is not set: its snapshots can be copied to eu-west-1 only with a snapshot copy grant there; create one (aws redshift create-snapshot-copy-grant --region eu-west-1) and name it in copyTo.snapshotCopyGrant',
    ]);
  });

  it('passes the grant as SnapshotCopyGrantName, and asks again once a grant is named after a refusal', () => {
    // Prepare: the executor refused the grant-less enable before (a skipped ledger record).
    const set = policy('{ region: eu-west-1, retainDays: 30, snapshotCopyGrant: eu-west-1-copy-grant }');
    const refused: LedgerEntryView = {
      idempotencyKey: idempotencyKey(
        'nightly',
        { type: 'cluster', id: 'test-cluster' },
        'EnableSnapshotCopy',
        'copy:eu-west-1:30',
      ),
      policy: 'nightly',
      action: 'EnableSnapshotCopy',
      target: { type: 'cluster', id: 'test-cluster' },
      status: 'skipped',
      at: '2026-12-07T12:00:00.000Z',
    };

    // Act
    const out = run(set, [encryptedCluster()], [refused]);

    // Assess
    expect(out.decisions.map((d) => [d.action, d.params])).toEqual([
      [
        'EnableSnapshotCopy',
        {
          ClusterIdentifier: 'test-cluster',
          DestinationRegion: 'eu-west-1',
          RetentionPeriod: 30,
          ManualSnapshotRetentionPeriod: 30,
          SnapshotCopyGrantName: 'eu-west-1-copy-grant',
        },
      ],
    ]);
  });

  it('enables copy of an unencrypted cluster without a grant', () => {
    const plain = { ...encryptedCluster(), Encrypted: false, KmsKeyId: undefined };
    const out = run(policy('{ region: eu-west-1, retainDays: 30 }'), [plain]);
    expect(out.decisions.map((d) => d.action)).toEqual(['EnableSnapshotCopy']);
    expect(out.decisions[0]?.params.SnapshotCopyGrantName).toBeUndefined();
  });
});

describe('the executor’s fresh read', () => {
  it('the executor refuses on its fresh read too: no EnableSnapshotCopy call without a grant', async () => {
    // Prepare
    const mock = mockClient(RedshiftClient);
    mock.on(DescribeClustersCommand).resolves({ Clusters: [encryptedCluster()] });
    mock.on(EnableSnapshotCopyCommand).resolves({ Cluster: { ClusterStatus: 'available' } });
    const adapter = new RedshiftAdapter(mock as unknown as RedshiftClient);
    const params = { ClusterIdentifier: 'test-cluster', DestinationRegion: 'eu-west-1', RetentionPeriod: 7 };

    // Act
    const refused = await adapter.perform('EnableSnapshotCopy', params).catch((e: unknown) => e);
    await adapter.perform('EnableSnapshotCopy', { ...params, SnapshotCopyGrantName: 'eu-west-1-copy-grant' });

    // Assess
    expect(refused).toBeInstanceOf(ResourceStateConflictError);
    expect((refused as Error).message).toMatch(
      /^EnableSnapshotCopy: cluster test-cluster is KMS-encrypted and copyTo.snapshotCopyGrant is not set/,
    );
    expect(mock.commandCalls(EnableSnapshotCopyCommand).map((c) => c.args[0].input.SnapshotCopyGrantName)).toEqual([
      'eu-west-1-copy-grant',
    ]);
    mock.restore();
  });
});

describe('copyTo.snapshotCopyGrant is validated like CreateSnapshotCopyGrant names', () => {
  it.each([
    ['Copy-Grant', 'is not a snapshot copy grant name'],
    ['grant--x', 'is not a snapshot copy grant name'],
    ['grant-', 'is not a snapshot copy grant name'],
    [`g${'x'.repeat(63)}`, 'is not a snapshot copy grant name'],
  ])('rejects the grant name %s', (name, message) => {
    const result = loadPolicySources([
      {
        file: 'p.yml',
        text: `version: 1
policies:
  - name: nightly
    resource: cluster
    snapshots: { schedule: "cron(0 2 * * ? *)", copyTo: { region: eu-west-1, retainDays: 7, snapshotCopyGrant: "${name}" } }
`,
      },
    ]);
    expect(result.problems.map(formatProblem).join('\n')).toContain(message);
    expect(result.problems[0]?.line).toBe(5);
  });
});

describe('Serverless copy keeps one destination', () => {
  it('refuses a copy configuration to a second Region, with the reason, and creates none', async () => {
    // Prepare: the namespace already copies to us-west-2.
    const mock = mockClient(RedshiftServerlessClient);
    mock.on(ListSnapshotCopyConfigurationsCommand).resolves({
      snapshotCopyConfigurations: [
        { snapshotCopyConfigurationId: 'cfg-1', namespaceName: 'analytics-ns', destinationRegion: 'us-west-2' },
      ],
    });
    const adapter = new RedshiftServerlessAdapter(mock as unknown as RedshiftServerlessClient);

    // Act
    const refused = await adapter
      .perform('CreateSnapshotCopyConfiguration', {
        namespaceName: 'analytics-ns',
        destinationRegion: 'eu-west-1',
        snapshotRetentionPeriod: 30,
      })
      .catch((e: unknown) => e);

    // Assess
    expect(refused).toBeInstanceOf(ResourceStateConflictError);
    expect((refused as Error).message).toBe(
      'CreateSnapshotCopyConfiguration: namespace analytics-ns already copies snapshots to us-west-2, policy wants eu-west-1: a namespace copies to one destination; delete that copy configuration by hand first (aws redshift-serverless delete-snapshot-copy-configuration)',
    );
    expect(mock.commandCalls(CreateSnapshotCopyConfigurationCommand)).toEqual([]);
    mock.restore();
  });
});
