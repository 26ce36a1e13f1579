import { describe, expect, it } from 'vitest';
import { truncateUtf8 } from '../../../shared/aws/notifier.adapter.ts';
import type { LedgerRecord } from '../../../shared/execute/ports.ts';
import { breakerAlert, consoleLink, outcomeAlert, SUBJECT_MAX, safeSubject } from '../../../shared/execute/report.ts';

const record: LedgerRecord = {
  idempotencyKey: 'office-hours/PauseCluster/cluster:redshift-cluster-1/2026-12-07T18:00Z',
  policy: 'office-hours',
  action: 'PauseCluster',
  target: { type: 'cluster', id: 'redshift-cluster-1', region: 'eu-central-1' },
  mode: 'act',
  params: { ClusterIdentifier: 'redshift-cluster-1' },
  reason: 'outside window Mon-Fri 07:00-19:00 Europe/Berlin; next resume 2026-12-08T06:00Z',
  decisionAt: '2026-12-07T18:00:00.000Z',
  status: 'in-progress',
  retryable: false,
  attempts: 1,
  claimToken: 't1',
  leaseUntil: '2026-12-07T18:15:00.000Z',
  outcomeReason: 'PauseCluster accepted; waiting for paused',
  beforeState: 'available',
  afterState: 'pausing',
  expectedState: 'paused',
  createdId: null,
  error: null,
  budgetSlot: null,
  claimedAt: '2026-12-07T18:00:30.000Z',
  updatedAt: '2026-12-07T18:00:31.000Z',
  completedAt: null,
};

describe('outcomeAlert', () => {
  it('says what, why, which policy, before -> after and links the console', () => {
    const alert = outcomeAlert(record, 'in-progress', 'us-east-1');
    expect(alert.subject).toBe('[autopilot] PauseCluster redshift-cluster-1: started (office-hours)');
    expect(alert.body).toBe(
      [
        'What:    PauseCluster on cluster redshift-cluster-1: started',
        'Where:   account of this deployment, Region eu-central-1',
        'Why:     outside window Mon-Fri 07:00-19:00 Europe/Berlin; next resume 2026-12-08T06:00Z',
        'Policy:  office-hours',
        'State:   available -> pausing (until paused)',
        'Outcome: PauseCluster accepted; waiting for paused',
        'When:    2026-12-07T18:00:31.000Z (due 2026-12-07T18:00:00.000Z)',
        'Key:     office-hours/PauseCluster/cluster:redshift-cluster-1/2026-12-07T18:00Z',
        'Console: https://eu-central-1.console.aws.amazon.com/redshiftv2/home?region=eu-central-1#cluster-details?cluster=redshift-cluster-1',
      ].join('\n'),
    );
    expect(alert.attributes).toEqual({
      severity: 'INFO',
      policy: 'office-hours',
      resource: 'cluster/redshift-cluster-1',
      action: 'PauseCluster',
      outcome: 'in-progress',
    });
  });

  it('keeps the subject within SNS rules for long, non-ASCII names', () => {
    const long = { ...record, policy: `größte-Richtlinie-${'x'.repeat(200)}\nnext line` };
    const subject = outcomeAlert(long, 'failed', 'us-east-1').subject;
    // SNS: "must be less than 100 characters long" (a 100-character subject is refused).
    expect(subject.length).toBeLessThan(100);
    expect(subject.length).toBe(SUBJECT_MAX);
    expect(subject).toMatch(/^[\x20-\x7e]+$/);
    expect(subject.endsWith('...')).toBe(true);
  });

  it('maps outcomes to severities subscribers can filter on', () => {
    expect(outcomeAlert(record, 'failed', 'us-east-1').attributes.severity).toBe('ERROR');
    expect(outcomeAlert(record, 'skipped', 'us-east-1').attributes.severity).toBe('WARNING');
    expect(outcomeAlert(record, 'dry-run', 'us-east-1').attributes.severity).toBe('INFO');
  });
});

describe('safeSubject / truncateUtf8 / consoleLink', () => {
  it('never returns an empty subject', () => {
    expect(safeSubject('\n\t')).toBe('autopilot');
  });

  it('truncates a body to the byte budget without splitting a multi-byte character', () => {
    const body = 'ü'.repeat(200_000); // 400,000 bytes
    const cut = truncateUtf8(body, 262_144 - 8_192);
    expect(Buffer.byteLength(cut, 'utf8')).toBeLessThanOrEqual(262_144 - 8_192);
    expect(cut).not.toContain('\uFFFD');
    expect(cut.endsWith('[... truncated to fit the SNS size limit]')).toBe(true);
  });

  it('leaves short bodies alone', () => {
    expect(truncateUtf8('short', 100)).toBe('short');
  });

  it('links workgroups to the serverless console page', () => {
    expect(consoleLink({ type: 'workgroup', id: 'wg 1' }, 'us-west-2')).toBe(
      'https://us-west-2.console.aws.amazon.com/redshiftv2/home?region=us-west-2#serverless-workgroup-details?workgroup=wg%201',
    );
  });
});

describe('breakerAlert', () => {
  it('is one ERROR alert that says work is deferred, not lost', () => {
    const alert = breakerAlert({
      runId: 'r1',
      attempted: 4,
      failed: 3,
      deferredFrom: 'k',
      lastError: 'ThrottlingException: Rate exceeded',
      at: '2026-12-07T18:00:00.000Z',
    });
    expect(alert.subject).toBe('[autopilot] circuit breaker open: 3/4 actions failed');
    expect(alert.attributes.outcome).toBe('breaker-open');
    expect(alert.attributes.severity).toBe('ERROR');
    expect(alert.body).toContain('deferred');
  });
});
