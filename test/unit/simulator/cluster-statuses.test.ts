import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { availabilityOf, CLUSTER_AVAILABILITY } from '../../../shared/simulator/cluster-model.ts';

interface StatusTable {
  statusTable: { status: string }[];
  statusesMentionedOutsideTable: { status: string }[];
}

const table = JSON.parse(
  readFileSync(new URL('../../../shared/execute/cluster-statuses.json', import.meta.url), 'utf8'),
) as StatusTable;
const AVAILABILITY_VALUES = ['Available', 'Unavailable', 'Maintenance', 'Modifying', 'Failed', 'Paused'];

describe('cluster status table', () => {
  it.each([...table.statusTable, ...table.statusesMentionedOutsideTable].map((s) => s.status))(
    '%s has a ClusterAvailabilityStatus the API defines',
    (status) => {
      expect(Object.keys(CLUSTER_AVAILABILITY)).toContain(status);
      expect(AVAILABILITY_VALUES).toContain(availabilityOf(status));
    },
  );

  it('matches the recorded pairs: available/Available, pausing/Modifying, paused/Paused, resuming/Modifying', () => {
    expect(['available', 'pausing', 'paused', 'resuming'].map(availabilityOf)).toEqual([
      'Available',
      'Modifying',
      'Paused',
      'Modifying',
    ]);
  });
});
