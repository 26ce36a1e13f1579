/** Checks of the Multi-AZ, failover and Serverless capacity rows of shared/simulator/facts.md. */
import { FailoverPrimaryComputeCommand } from '@aws-sdk/client-redshift';
import { GetWorkgroupCommand, UpdateWorkgroupCommand, ValidationException } from '@aws-sdk/client-redshift-serverless';
import { expect } from 'vitest';
import { MINUTE, simulated } from '../harness.ts';
import { clusterEvents, type FactCheck, statusTimeline } from './support.ts';

/** A Multi-AZ cluster with its primary in us-east-1a, failed over; returns the AZs before it. */
async function failedOver() {
  const s = simulated();
  s.sim.addCluster({
    ClusterIdentifier: 'maz',
    NodeType: 'ra3.4xlarge',
    NumberOfNodes: 2,
    MultiAZ: true,
    AvailabilityZone: 'us-east-1a',
  });
  const primary = s.sim.getCluster('maz')?.AvailabilityZone;
  const secondary = s.sim.getCluster('maz')?.MultiAZSecondary?.AvailabilityZone;
  const t0 = s.sim.clock.nowMs();
  const timeline = statusTimeline(s.sim, 'maz');
  const out = await s.redshift.send(new FailoverPrimaryComputeCommand({ ClusterIdentifier: 'maz' }));
  s.sim.clock.advanceBy(40 * MINUTE);
  return { ...s, primary, secondary, t0, timeline, out };
}

/** The outcome of one UpdateWorkgroup: 'ok' once it is AVAILABLE again, or the error message. */
async function update(s: ReturnType<typeof simulated>, change: { baseCapacity?: number; maxCapacity?: number }) {
  try {
    await s.serverless.send(new UpdateWorkgroupCommand({ workgroupName: 'wg', ...change }));
    s.sim.clock.advanceBy(10 * MINUTE);
    return 'ok';
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationException);
    return (error as Error).message;
  }
}

export const multiAzServerlessChecks: Record<string, FactCheck> = {
  'multi-az.ra3-only': async () => {
    const { sim } = simulated();
    expect(() =>
      sim.addCluster({ ClusterIdentifier: 'dc', NodeType: 'dc2.8xlarge', NumberOfNodes: 2, MultiAZ: true }),
    ).toThrow(/Multi-AZ needs an RA3 node type/);
    sim.addCluster({ ClusterIdentifier: 'ra', NodeType: 'ra3.xlplus', NumberOfNodes: 2, MultiAZ: true });
    expect(sim.listClusters().map((c) => [c.ClusterIdentifier, c.MultiAZ])).toEqual([['ra', 'Enabled']]);
  },

  'multi-az.two-nodes-per-az': async () => {
    const { sim } = simulated();
    expect(() =>
      sim.addCluster({ ClusterIdentifier: 'one', NodeType: 'ra3.xlplus', NumberOfNodes: 1, MultiAZ: true }),
    ).toThrow(/at least 2 nodes per AZ/);
    expect(sim.listClusters()).toEqual([]);
  },

  'failover.third-az': async () => {
    const { sim, primary, secondary } = await failedOver();
    const after = sim.getCluster('maz');

    expect(primary).toBe('us-east-1a');
    expect(after?.AvailabilityZone).toBe(secondary);
    expect(after?.MultiAZSecondary?.AvailabilityZone).toMatch(/^us-east-1[a-f]$/);
    expect([primary, secondary]).not.toContain(after?.MultiAZSecondary?.AvailabilityZone);
  },

  'failover.modifying': async () => {
    const { out, timeline, sim, t0 } = await failedOver();

    expect(out.Cluster).toMatchObject({ ClusterStatus: 'modifying', ClusterAvailabilityStatus: 'Modifying' });
    expect(timeline.statuses()).toEqual(['available', 'modifying', 'available']);
    // Still modifying after the secondary was promoted (3667); available again with both AZs (3669).
    const minutes = (id: string) => clusterEvents(sim, t0).find((e) => e.id === id)?.minutes ?? Number.NaN;
    const modifyingUntil = ((timeline.spans()[2]?.at ?? t0) - t0) / MINUTE;
    expect(modifyingUntil).toBeGreaterThan(minutes('REDSHIFT-EVENT-3667'));
    expect(modifyingUntil).toBeGreaterThanOrEqual(minutes('REDSHIFT-EVENT-3669') - 0.5);
  },

  'failover.events': async () => {
    const { sim, t0, secondary } = await failedOver();
    const events = clusterEvents(sim, t0);
    const third = sim.getCluster('maz')?.MultiAZSecondary?.AvailabilityZone ?? '';

    expect(events.map((e) => e.id)).toEqual(['REDSHIFT-EVENT-3666', 'REDSHIFT-EVENT-3667', 'REDSHIFT-EVENT-3669']);
    const messages = sim.emittedEvents().map((e) => {
      const record = (e.payload as { Records: { Sns: { Message: string } }[] }).Records[0];
      return (JSON.parse(record?.Sns.Message ?? '{}') as { 'Event Message'?: string })['Event Message'];
    });
    expect(messages[1]).toContain(`available for use in ${secondary}`);
    expect(messages[2]).toContain(`both ${secondary} and ${third}`);
  },

  'serverless.base-capacity': async () => {
    const s = simulated();
    s.sim.serverless.addWorkgroup({ workgroupName: 'wg', namespaceName: 'ns' });
    for (const base of [8, 512, 64]) expect(await update(s, { baseCapacity: base }), String(base)).toBe('ok');
    for (const base of [0, 4, 520, 36]) expect(await update(s, { baseCapacity: base }), String(base)).not.toBe('ok');
    const out = await s.serverless.send(new GetWorkgroupCommand({ workgroupName: 'wg' }));
    expect(out.workgroup?.baseCapacity).toBe(64);
  },

  'serverless.max-capacity': async () => {
    const s = simulated();
    s.sim.serverless.addWorkgroup({ workgroupName: 'wg', namespaceName: 'ns' });
    expect(await update(s, { maxCapacity: 5632 })).toBe('ok');
    expect(await update(s, { maxCapacity: 5640 })).not.toBe('ok');
    expect(await update(s, { maxCapacity: 1024 })).toBe('ok');
    expect((await s.serverless.send(new GetWorkgroupCommand({ workgroupName: 'wg' }))).workgroup?.maxCapacity).toBe(
      1024,
    );
    expect(await update(s, { maxCapacity: -1 })).toBe('ok');
    expect(
      (await s.serverless.send(new GetWorkgroupCommand({ workgroupName: 'wg' }))).workgroup?.maxCapacity,
    ).toBeUndefined();
  },

  'serverless.one-change-per-call': async () => {
    const s = simulated();
    s.sim.serverless.addWorkgroup({ workgroupName: 'wg', namespaceName: 'ns', baseCapacity: 128 });

    const both = await update(s, { baseCapacity: 64, maxCapacity: 256 });
    const base = await update(s, { baseCapacity: 64 });
    const max = await update(s, { maxCapacity: 256 });

    expect(both).toBe("Can't update multiple configurations at the same time for workgroup wg.");
    expect([base, max]).toEqual(['ok', 'ok']);
  },
};
