import { PauseClusterCommand, ResumeClusterCommand } from '@aws-sdk/client-redshift';
import type { SNSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { eventFixture, MINUTE, simulated } from './harness.ts';

const keysOf = (o: unknown) => Object.keys((o ?? {}) as object).sort();

interface Delivered {
  payload: unknown;
  at: Date;
}

function collect(sim: ReturnType<typeof simulated>['sim'], options: Parameters<typeof sim.subscribe>[1] = {}) {
  const delivered: Delivered[] = [];
  sim.subscribe((payload, at) => delivered.push({ payload, at }), options);
  return delivered;
}

describe('cluster events: the Redshift event-subscription SNS record', () => {
  it('has the keys of the real record and a message rendered from the catalog template', async () => {
    const real = eventFixture<SNSEvent>('sns-lambda-event-redshift-event-notification-REDSHIFT-EVENT-2004.json');
    const realMessage = JSON.parse(real.Records[0]?.Sns.Message ?? '{}');
    const { sim, redshift } = simulated();
    sim.addCluster({ ClusterIdentifier: 'etl-prod' });
    const delivered = collect(sim);

    await redshift.send(new PauseClusterCommand({ ClusterIdentifier: 'etl-prod' }));
    sim.clock.advanceBy(2 * MINUTE);

    expect(delivered).toHaveLength(1);
    const record = (delivered[0]?.payload as SNSEvent).Records[0];
    expect(keysOf(record)).toEqual(keysOf(real.Records[0]));
    expect(keysOf(record?.Sns)).toEqual(keysOf(real.Records[0]?.Sns));
    const message = JSON.parse(record?.Sns.Message ?? '{}');
    expect(Object.keys(message)).toEqual(Object.keys(realMessage));
    expect(message).toEqual({
      'Event Source': 'cluster',
      Resource: 'etl-prod',
      'Event Time': '2026-01-05 09:00:00.000',
      'Identifier Link':
        'https://console.aws.amazon.com/redshift/home?region=us-east-1#cluster-details:cluster=etl-prod ',
      Severity: 'INFO',
      Category: ['Monitoring'],
      'About this Event':
        'http://docs.aws.amazon.com/redshift/latest/mgmt/working-with-event-notifications.html#REDSHIFT-EVENT-3618 ',
      'Event Message': 'The cluster etl-prod pause operation started at 2026-01-05 09:00 UTC. Pause Started',
    });
    expect(record?.Sns.Subject).toBe('[Amazon Redshift INFO] - Pause Started');
    expect(Date.parse(record?.Sns.Timestamp ?? '')).toBeGreaterThan(Date.parse('2026-01-05T09:00:00Z'));
  });

  it('delivers on the clock after the configured delay, and duplicates when asked', async () => {
    const { sim, redshift } = simulated();
    sim.addCluster({ ClusterIdentifier: 'c' });
    const delivered = collect(sim, { delayMs: [30_000, 30_000], duplicateRate: 1 });

    await redshift.send(new PauseClusterCommand({ ClusterIdentifier: 'c' }));
    sim.clock.advanceBy(20_000);
    expect(delivered).toHaveLength(0);
    sim.clock.advanceBy(60 * MINUTE);

    // 3618 and 3619, each delivered twice with the same SNS MessageId.
    expect(delivered).toHaveLength(4);
    const ids = delivered.map((d) => (d.payload as SNSEvent).Records[0]?.Sns.MessageId);
    expect(new Set(ids).size).toBe(2);
    const times = delivered.map((d) => d.at.getTime());
    for (const e of sim.emittedEvents()) expect(times).toContain(e.emittedAt.getTime() + 30_000);
  });

  it('reorders deliveries when asked, so a later event can arrive first', async () => {
    const { sim, redshift } = simulated();
    for (let i = 0; i < 20; i++) sim.addCluster({ ClusterIdentifier: `c${i}` });
    const delivered = collect(sim, { reorderRate: 0.5, reorderMaxMs: 10 * MINUTE, seed: 7 });

    for (let i = 0; i < 20; i++) {
      await redshift.send(new PauseClusterCommand({ ClusterIdentifier: `c${i}` }));
      sim.clock.advanceBy(10_000);
    }
    sim.clock.advanceBy(60 * MINUTE);

    const emittedOrder = sim.emittedEvents().map((e) => JSON.stringify(e.payload));
    const deliveredOrder = delivered.map((d) => JSON.stringify(d.payload));
    expect([...deliveredOrder].sort()).toEqual([...emittedOrder].sort());
    expect(deliveredOrder).not.toEqual(emittedOrder);
  });
});

describe('zero-ETL events when an integration target is paused and resumed', () => {
  it('sends 0018 (being paused), 0019 (paused), 0020 (being resumed) in the aws.redshift envelope', async () => {
    const captured = eventFixture<{ source: string; detail: object }>(
      'eventbridge-aws.redshift-integration-monitoring.CAPTURED-PARTIAL.json',
    );
    const scheduled = eventFixture<object>('eventbridge-aws.events-scheduled-event.json');
    const { sim, redshift } = simulated();
    sim.addCluster({ ClusterIdentifier: 'target' });
    const integ = sim.addIntegration({
      IntegrationName: 'orders',
      SourceArn: 'arn:aws:rds:us-east-1:123456789012:cluster:orders',
      targetClusterIdentifier: 'target',
    });
    const delivered = collect(sim, { kinds: ['integration'], delayMs: [0, 0] });

    await redshift.send(new PauseClusterCommand({ ClusterIdentifier: 'target' }));
    sim.clock.advanceBy(20 * MINUTE);
    await redshift.send(new ResumeClusterCommand({ ClusterIdentifier: 'target' }));
    sim.clock.advanceBy(MINUTE);

    const events = delivered.map(
      (d) =>
        d.payload as { source: string; 'detail-type': string; resources: string[]; detail: Record<string, string> },
    );
    expect(events.map((e) => e.detail.eventDescription)).toEqual([
      'Target Amazon Redshift cluster is being paused. Wait for the cluster to be paused and then resume the cluster to continue streaming data.',
      'Target Amazon Redshift cluster is paused. The cluster must be resumed in order to continue streaming data.',
      'Target Amazon Redshift cluster is being resumed. Wait for the cluster to be active to continue streaming data.',
    ]);
    for (const e of events) {
      // Full envelope (the capture elided version/id/account/time/region) and the captured detail keys.
      expect(keysOf(e)).toEqual(keysOf(scheduled));
      expect(keysOf(e.detail)).toEqual(keysOf(captured.detail));
      expect(e).toMatchObject({
        source: captured.source,
        'detail-type': 'Redshift Integration Operation',
        resources: [integ.IntegrationArn],
      });
      expect(e.detail).toMatchObject({
        severity: 'Warning',
        sourceArn: integ.SourceArn,
        destinationArn: integ.TargetArn,
      });
    }
  });
});

describe('alarms from workload profiles', () => {
  it('an idle-connections alarm goes ALARM at night and OK in office hours, in the real event shape', () => {
    const real = eventFixture<{ detail: { configuration: object; state: object } }>(
      'eventbridge-aws.cloudwatch-alarm-state-change-single-metric.json',
    );
    const { sim } = simulated();
    sim.addCluster({ ClusterIdentifier: 'bi' });
    sim.setWorkload('bi', {
      DatabaseConnections: {
        kind: 'office-hours',
        timeZone: 'Europe/Berlin',
        start: '08:00',
        end: '18:00',
        busy: [10, 40],
        idle: [0, 0],
      },
    });
    sim.addAlarm({
      alarmName: 'bi-idle',
      clusterIdentifier: 'bi',
      metricName: 'DatabaseConnections',
      statistic: 'Maximum',
      periodSeconds: 300,
      evaluationPeriods: 6,
      threshold: 0,
      comparisonOperator: 'LessThanOrEqualToThreshold',
    });
    const delivered = collect(sim, { kinds: ['alarm'], delayMs: [0, 0] });

    sim.clock.advanceBy(24 * 60 * MINUTE);

    const changes = delivered.map((d) => {
      const e = d.payload as { time: string; detail: { state: { value: string }; previousState: { value: string } } };
      return `${e.time} ${e.detail.previousState.value}->${e.detail.state.value}`;
    });
    // Monday 09:00 UTC = 10:00 Berlin: busy until 17:00 UTC; six idle 5-minute periods end at 17:30 UTC;
    // the first busy period (08:00 Berlin) ends at 07:05 UTC.
    expect(changes).toEqual([
      '2026-01-05T09:05:00Z INSUFFICIENT_DATA->OK',
      '2026-01-05T17:30:00Z OK->ALARM',
      '2026-01-06T07:05:00Z ALARM->OK',
    ]);
    const first = delivered[0]?.payload as { detail: { configuration: object; state: object } };
    expect(keysOf(first)).toEqual(keysOf(real));
    expect(keysOf(first.detail)).toEqual(keysOf(real.detail));
    expect(keysOf(first.detail.state)).toEqual(keysOf(real.detail.state));
    expect(first.detail.configuration).toMatchObject({
      metrics: [
        {
          metricStat: {
            metric: { name: 'DatabaseConnections', namespace: 'AWS/Redshift', dimensions: { ClusterIdentifier: 'bi' } },
          },
        },
      ],
    });
  });

  it('a paused cluster sends no datapoints, so the alarm goes to INSUFFICIENT_DATA', async () => {
    const { sim, redshift } = simulated();
    sim.addCluster({ ClusterIdentifier: 'c' });
    sim.setWorkload('c', { DatabaseConnections: { kind: 'constant', value: 0 } });
    sim.addAlarm({
      alarmName: 'c-idle',
      clusterIdentifier: 'c',
      metricName: 'DatabaseConnections',
      threshold: 0,
      comparisonOperator: 'LessThanOrEqualToThreshold',
    });

    sim.clock.advanceBy(10 * MINUTE);
    expect(sim.alarmStates()).toEqual({ 'c-idle': 'ALARM' });
    await redshift.send(new PauseClusterCommand({ ClusterIdentifier: 'c' }));
    sim.clock.advanceBy(30 * MINUTE);

    expect(sim.alarmStates()).toEqual({ 'c-idle': 'INSUFFICIENT_DATA' });
  });
});
