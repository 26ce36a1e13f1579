import { describe, expect, it } from 'vitest';
import type { LedgerRecord } from '../../../shared/execute/ports.ts';
import { outcomeAlert } from '../../../shared/execute/report.ts';

// Issue 18: a hub's alert names the account and Region the action ran in (from the target's ARN).
describe('an action alert of a hub', () => {
  it('says which account and Region, in one line', () => {
    const record = {
      idempotencyKey: 'office-hours/PauseCluster/cluster:fin-west/2026-12-07T18:00Z',
      policy: 'office-hours',
      action: 'PauseCluster',
      target: {
        type: 'cluster',
        id: 'fin-west',
        arn: 'arn:aws:redshift:eu-west-1:111111111111:cluster:fin-west',
        region: 'eu-west-1',
      },
      reason: 'outside window',
      status: 'in-progress',
      decisionAt: '2026-12-07T18:00:00.000Z',
      updatedAt: '2026-12-07T18:00:31.000Z',
      beforeState: 'available',
      afterState: 'pausing',
      outcomeReason: null,
      error: null,
    } as unknown as LedgerRecord;
    const body = outcomeAlert(record, 'in-progress', 'us-east-1').body.split('\n');
    expect(body.filter((l) => l.startsWith('Where:'))).toEqual(['Where:   account 111111111111, Region eu-west-1']);
    expect(body.at(-1)).toContain('https://eu-west-1.console.aws.amazon.com/');
  });
});
