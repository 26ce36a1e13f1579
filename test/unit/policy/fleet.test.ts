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
        json: read(`infra/examples/${f}`),
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
