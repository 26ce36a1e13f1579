/** Checks of the resize rows of shared/simulator/facts.md. */
import {
  CancelResizeCommand,
  InvalidClusterStateFault,
  NumberOfNodesPerClusterLimitExceededFault,
  PauseClusterCommand,
  ResizeClusterCommand,
  type ResizeClusterMessage,
  UnsupportedOperationFault,
} from '@aws-sdk/client-redshift';
import { expect } from 'vitest';
import { MINUTE, rejection, simulated } from '../harness.ts';
import { clusterEvents, type FactCheck, statusTimeline } from './support.ts';

type Sim = ReturnType<typeof simulated>;

/** Resize and wait until the cluster is available again (a classic resize takes up to 6 h). */
async function resize(s: Sim, input: ResizeClusterMessage): Promise<void> {
  await s.redshift.send(new ResizeClusterCommand(input));
  s.sim.clock.advanceBy(7 * 60 * MINUTE);
  expect(s.sim.getCluster(input.ClusterIdentifier ?? '')?.ClusterStatus).toBe('available');
}

/** What an elastic resize of `id` to `nodes` answers: 'ok' (and waits for it) or the fault's name. */
async function elastic(s: Sim, id: string, nodes: number, nodeType?: string): Promise<string> {
  try {
    await resize(s, {
      ClusterIdentifier: id,
      NumberOfNodes: nodes,
      ...(nodeType === undefined ? {} : { NodeType: nodeType }),
    });
    return 'ok';
  } catch (error) {
    return (error as Error).name;
  }
}

export const resizeChecks: Record<string, FactCheck> = {
  'resize.elastic-limits': async () => {
    const cases: [string, number, number, string][] = [
      ['ra3.16xlarge', 4, 16, 'ok'],
      ['ra3.16xlarge', 4, 17, 'UnsupportedOperationFault'],
      ['ra3.4xlarge', 8, 2, 'ok'],
      ['ra3.4xlarge', 8, 32, 'ok'],
      ['ra3.4xlarge', 8, 33, 'UnsupportedOperationFault'],
      ['ra3.xlplus', 4, 8, 'ok'],
      ['ra3.xlplus', 4, 9, 'UnsupportedOperationFault'],
      ['ra3.xlplus', 8, 2, 'ok'],
      ['dc2.8xlarge', 4, 8, 'ok'],
      ['dc2.8xlarge', 4, 9, 'UnsupportedOperationFault'],
      ['dc2.large', 4, 2, 'ok'],
      ['dc2.large', 6, 2, 'UnsupportedOperationFault'],
    ];
    for (const [nodeType, from, to, expected] of cases) {
      const s = simulated();
      s.sim.addCluster({ ClusterIdentifier: 'c', NodeType: nodeType, NumberOfNodes: from });
      expect(await elastic(s, 'c', to), `${nodeType} ${from} → ${to}`).toBe(expected);
    }
  },

  'resize.elastic-limits-from-base': async () => {
    const s = simulated();
    s.sim.addCluster({ ClusterIdentifier: 'dw', NodeType: 'ra3.4xlarge', NumberOfNodes: 4 });

    expect(await elastic(s, 'dw', 16)).toBe('ok');
    // 16 → 64 is 4x of the current count, but 16x of the original 4.
    expect(await elastic(s, 'dw', 64)).toBe('UnsupportedOperationFault');
    expect(await elastic(s, 'dw', 1)).toBe('UnsupportedOperationFault');
    expect(await elastic(s, 'dw', 2)).toBe('ok');
    expect(s.sim.getCluster('dw')?.ElasticResizeNumberOfNodeOptions).toBe('[3,4,5,6,7,8,9,10,11,12,13,14,15,16]');
    // A classic resize resets the base: from 32, elastic reaches up to 64 again.
    await resize(s, { ClusterIdentifier: 'dw', NumberOfNodes: 32, Classic: true });
    expect(await elastic(s, 'dw', 64)).toBe('ok');
    expect(s.sim.getCluster('dw')?.NumberOfNodes).toBe(64);
  },

  'resize.node-caps': async () => {
    const s = simulated();
    s.sim.addCluster({ ClusterIdentifier: 'x', NodeType: 'ra3.xlplus', NumberOfNodes: 16 });
    s.sim.addCluster({ ClusterIdentifier: 'f', NodeType: 'ra3.4xlarge', NumberOfNodes: 32 });
    s.sim.addCluster({ ClusterIdentifier: 'g', NodeType: 'ra3.16xlarge', NumberOfNodes: 64 });
    s.sim.addCluster({ ClusterIdentifier: 'd', NodeType: 'dc2.large', NumberOfNodes: 16 });

    expect(await elastic(s, 'x', 32)).toBe('ok');
    expect(await elastic(s, 'f', 65)).toBe('NumberOfNodesPerClusterLimitExceededFault');
    expect(await elastic(s, 'f', 64)).toBe('ok');
    expect(await elastic(s, 'g', 129)).toBe('NumberOfNodesPerClusterLimitExceededFault');
    expect(await elastic(s, 'g', 128)).toBe('ok');
    expect(await elastic(s, 'd', 33)).toBe('NumberOfNodesPerClusterLimitExceededFault');
    const classic = await rejection(
      s.redshift.send(new ResizeClusterCommand({ ClusterIdentifier: 'x', NumberOfNodes: 17, Classic: true })),
    );
    expect(classic).toBeInstanceOf(NumberOfNodesPerClusterLimitExceededFault);
    expect(classic).toMatchObject({ Code: 'NumberOfNodesPerClusterLimitExceeded', $metadata: { httpStatusCode: 400 } });
  },

  'resize.single-node-classic': async () => {
    const s = simulated();
    s.sim.addCluster({ ClusterIdentifier: 'one', NodeType: 'dc2.large', NumberOfNodes: 1 });

    expect(await elastic(s, 'one', 2)).toBe('UnsupportedOperationFault');
    await resize(s, { ClusterIdentifier: 'one', NumberOfNodes: 2, Classic: true });
    expect(s.sim.getCluster('one')?.NumberOfNodes).toBe(2);
  },

  'resize.no-ra3-to-legacy': async () => {
    const s = simulated();
    s.sim.addCluster({ ClusterIdentifier: 'r', NodeType: 'ra3.xlplus', NumberOfNodes: 2 });

    expect(await elastic(s, 'r', 2, 'dc2.large')).toBe('UnsupportedOperationFault');
    const classic = await rejection(
      s.redshift.send(new ResizeClusterCommand({ ClusterIdentifier: 'r', NodeType: 'dc2.large', Classic: true })),
    );
    expect(classic).toBeInstanceOf(UnsupportedOperationFault);
  },

  'resize.elastic-lifecycle': async () => {
    const s = simulated();
    s.sim.addCluster({ ClusterIdentifier: 'dw', NodeType: 'ra3.4xlarge', NumberOfNodes: 2 });
    const t0 = s.sim.clock.nowMs();
    const timeline = statusTimeline(s.sim, 'dw');

    await s.redshift.send(new ResizeClusterCommand({ ClusterIdentifier: 'dw', NumberOfNodes: 4 }));
    const cancel = await rejection(s.redshift.send(new CancelResizeCommand({ ClusterIdentifier: 'dw' })));
    s.sim.clock.advanceBy(60 * MINUTE);

    expect(cancel).toBeInstanceOf(UnsupportedOperationFault);
    expect(timeline.statuses()).toEqual([
      'available',
      'available, prep-for-resize',
      'resizing',
      'available, resize-cleanup',
      'available',
    ]);
    const events = clusterEvents(s.sim, t0);
    expect(events.map((e) => e.id)).toEqual([
      'REDSHIFT-EVENT-3012',
      'REDSHIFT-EVENT-3011',
      'REDSHIFT-EVENT-3534',
      'REDSHIFT-EVENT-3537',
    ]);
    const resizing = (events[2]?.minutes ?? 0) - (events[1]?.minutes ?? 0);
    expect(resizing).toBeGreaterThanOrEqual(9.5);
    expect(resizing).toBeLessThanOrEqual(15.5);
  },

  'resize.classic-to-ra3': async () => {
    const s = simulated();
    s.sim.addCluster({ ClusterIdentifier: 'up', NodeType: 'dc2.large', NumberOfNodes: 2 });
    const t0 = s.sim.clock.nowMs();

    const out = await s.redshift.send(
      new ResizeClusterCommand({ ClusterIdentifier: 'up', NodeType: 'ra3.xlplus', NumberOfNodes: 2, Classic: true }),
    );
    const cancel = await rejection(s.redshift.send(new CancelResizeCommand({ ClusterIdentifier: 'up' })));
    s.sim.clock.advanceBy(7 * 60 * MINUTE);

    expect(out.Cluster?.ResizeInfo).toEqual({ ResizeType: 'ClassicResize', AllowCancelResize: false });
    expect(cancel).toBeInstanceOf(UnsupportedOperationFault);
    expect(clusterEvents(s.sim, t0).map((e) => e.id)).toEqual(['REDSHIFT-EVENT-2007', 'REDSHIFT-EVENT-3002']);
    expect(s.sim.getCluster('up')).toMatchObject({ NodeType: 'ra3.xlplus', ClusterStatus: 'available' });
  },

  'resize.classic-read-only-cancellable': async () => {
    const s = simulated();
    s.sim.addCluster({ ClusterIdentifier: 'dc', NodeType: 'dc2.large', NumberOfNodes: 2 });
    const t0 = s.sim.clock.nowMs();
    const timeline = statusTimeline(s.sim, 'dc');

    const out = await s.redshift.send(
      new ResizeClusterCommand({ ClusterIdentifier: 'dc', NodeType: 'dc2.8xlarge', NumberOfNodes: 2, Classic: true }),
    );
    s.sim.clock.advanceBy(30 * MINUTE);
    const cancel = await s.redshift.send(new CancelResizeCommand({ ClusterIdentifier: 'dc' }));
    s.sim.clock.advanceBy(8 * 60 * MINUTE);

    expect(out.Cluster?.ResizeInfo).toEqual({ ResizeType: 'ClassicResize', AllowCancelResize: true });
    expect(cancel.Status).toBe('CANCELLING');
    expect(timeline.statuses()).toEqual(['available', 'resizing', 'cancelling-resize', 'available']);
    expect(clusterEvents(s.sim, t0).map((e) => e.id)).toEqual([
      'REDSHIFT-EVENT-2007',
      'REDSHIFT-EVENT-2006',
      'REDSHIFT-EVENT-3600',
    ]);
    expect(s.sim.getCluster('dc')).toMatchObject({ NodeType: 'dc2.large', NumberOfNodes: 2 });
  },

  'resize.only-available': async () => {
    const s = simulated();
    s.sim.addCluster({ ClusterIdentifier: 'p', NodeType: 'ra3.4xlarge', NumberOfNodes: 4 });
    s.sim.addCluster({ ClusterIdentifier: 'r', NodeType: 'ra3.4xlarge', NumberOfNodes: 4 });
    await s.redshift.send(new PauseClusterCommand({ ClusterIdentifier: 'p' }));
    s.sim.clock.advanceBy(30 * MINUTE);
    await s.redshift.send(new ResizeClusterCommand({ ClusterIdentifier: 'r', NumberOfNodes: 8 }));

    expect(s.sim.getCluster('p')?.ClusterStatus).toBe('paused');
    const paused = await rejection(
      s.redshift.send(new ResizeClusterCommand({ ClusterIdentifier: 'p', NumberOfNodes: 8 })),
    );
    expect(paused).toBeInstanceOf(InvalidClusterStateFault);
    expect(s.sim.getCluster('r')?.ClusterStatus).toBe('available, prep-for-resize');
    const again = await rejection(
      s.redshift.send(new ResizeClusterCommand({ ClusterIdentifier: 'r', NumberOfNodes: 6 })),
    );
    expect(again).toBeInstanceOf(InvalidClusterStateFault);
    expect(again).toMatchObject({ message: 'The specified cluster is not in the available state.' });
  },
};
