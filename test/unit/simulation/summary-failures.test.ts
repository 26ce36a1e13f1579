import { describe, expect, it } from 'vitest';
import type { TimelineRecord } from '../../../shared/simulation/timeline.ts';
import { TimelineRecorder } from '../../../shared/simulation/timeline-recorder.ts';

// The summary counts failures honestly: a policy's ERROR about no action of its own (a snapshot slot
// MISSED) is a failure, once per distinct alert; an action's failure is counted once by its key, not
// again for its ERROR alert; INFO/WARNING alerts are not failures.
const at = '2026-12-08T03:05:00.000Z';
const alert = (action: string, severity: string, subject: string, outcome = 'failed'): TimelineRecord => ({
  type: 'alert',
  at,
  resource: 'cluster/prod-dw',
  policy: 'nightly-snapshots',
  action,
  severity,
  outcome,
  subject,
});

describe('simulation summary failures', () => {
  it('counts a MISSED slot, and a failed action once', () => {
    const records: TimelineRecord[] = [
      alert('SnapshotDeadline', 'ERROR', '[autopilot] snapshot MISSED: prod-dw slot 2026-12-08T01:00Z'),
      alert('SnapshotDeadline', 'ERROR', '[autopilot] snapshot MISSED: prod-dw slot 2026-12-08T01:00Z'),
      alert('SnapshotDeadline', 'WARNING', '[autopilot] snapshot completed late: prod-dw', 'succeeded'),
      {
        type: 'action',
        at,
        resource: 'cluster/prod-dw',
        policy: 'nightly-snapshots',
        action: 'CreateClusterSnapshot',
        outcome: 'failed',
        reason: 'slot',
        outcomeReason: 'AccessDenied',
        beforeState: 'available',
        afterState: null,
        key: 'k1',
      },
      alert('CreateClusterSnapshot', 'ERROR', '[autopilot] CreateClusterSnapshot prod-dw: failed'),
    ];
    const { totals } = new TimelineRecorder([]).summarize(records, new Map());
    expect(totals.failures).toBe(2);
  });
});
