import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../../shared/errors.ts';
import { indexFleet, parseFleet } from '../../../shared/policy/fleet.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const read = (rel: string) => JSON.parse(readFileSync(path.join(ROOT, rel), 'utf8')) as unknown;

describe('fleet parsing', () => {
  it('reads the recorded DescribeClusters responses ({status_code, data})', () => {
    // Act
    const fleet = parseFleet(
      [
        { name: 'pause', json: read('test/fixtures/api/test_redshift_pause/redshift.DescribeClusters_1.json') },
        { name: 'snap', json: read('test/fixtures/api/test_redshift_snapshot/redshift.DescribeClusters_1.json') },
      ],
      '2026-12-07T00:00:00.000Z',
    );
    // Assess
    expect(fleet.resources).toEqual([
      {
        type: 'cluster',
        id: 'redshift-cluster-1',
        arn: null,
        region: 'us-east-1',
        account: null,
        status: 'available',
        availabilityStatus: 'Available',
        tags: {},
        nodeType: 'dc2.large',
        numberOfNodes: 1,
        multiAz: false,
        automatedSnapshotRetentionPeriod: 1,
        namespaceArn: null,
      },
      expect.objectContaining({ id: 'test-cluster', tags: { T1: 'T11', T2: 'T22', T3: 'T33' }, nodeType: 'dc1.large' }),
    ]);
  });

  it('reads the example AWS CLI outputs and knows the zero-ETL target', () => {
    // Act
    const fleet = parseFleet(
      ['fleet.json', 'integrations.json', 'workgroups.json'].map((f) => ({
        name: f,
        json: read(`examples/fleet/${f}`),
      })),
      '2026-12-07T00:00:00.000Z',
    );
    const index = indexFleet(fleet);
    // Assess
    expect(fleet.resources.filter((r) => r.type === 'cluster')).toHaveLength(12);
    expect(fleet.resources.filter((r) => r.type === 'workgroup').map((r) => r.id)).toEqual([
      'analytics-dev',
      'finance-prod',
    ]);
    const target = index.byTypeAndId('cluster', 'dev-zetl-target');
    expect(target === undefined ? null : index.isZeroEtlTarget(target)).toBe(true);
    const bi = index.byTypeAndId('cluster', 'dev-bi');
    expect(bi).toMatchObject({
      multiAz: true,
      arn: 'arn:aws:redshift:eu-central-1:123456789012:cluster:dev-bi',
      account: '123456789012',
    });
  });

  it('refuses a file it does not recognise, saying what it expected', () => {
    expect(() => parseFleet([{ name: 'x.json', json: { Reservations: [] } }], '2026-12-07T00:00:00.000Z')).toThrow(
      ConfigurationError,
    );
    expect(() => parseFleet([{ name: 'x.json', json: { Reservations: [] } }], '2026-12-07T00:00:00.000Z')).toThrow(
      'x.json: not a recognised fleet file; expected the output of aws redshift describe-clusters',
    );
  });
});

describe('fleet parsing: wrong types and missing fields', () => {
  it('names every wrong type and missing field with its path, in one error', () => {
    // Prepare
    const json = {
      Clusters: [
        { ClusterIdentifier: 'a', ClusterStatus: 'available', NodeType: 'ra3.xlplus', NumberOfNodes: 'two' },
        { ClusterIdentifier: 'b' },
        { ClusterIdentifier: 'c', ClusterStatus: 'available', Tags: [{ Key: 'env', Value: 1 }], MultiAZ: 'yes' },
        'd',
      ],
    };
    // Act
    const act = () => parseFleet([{ name: 'fleet.json', json }], '2026-12-07T00:00:00.000Z');
    // Assess
    expect(act).toThrow(ConfigurationError);
    expect(act).toThrow(
      [
        'fleet.json: Clusters[0] (a).NumberOfNodes is "two"; expected a whole number of nodes ≥ 1, such as 2 (not in quotes)',
        'fleet.json: Clusters[1] (b) has no ClusterStatus; expected describe-clusters output, where every cluster has ClusterIdentifier and ClusterStatus',
        'fleet.json: Clusters[2] (c).MultiAZ is "yes"; expected "Enabled" or "Disabled"',
        'fleet.json: Clusters[2] (c).Tags[0] is {"Key":"env","Value":1}; expected { "Key": text, "Value": text }',
        'fleet.json: Clusters[3] is "d"; expected an object',
      ].join('\n'),
    );
  });
});
