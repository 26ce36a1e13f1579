/** What the fact checks share: the check type, a status recorder and the emitted events. */
import type { RedshiftSimulator } from '../../../../shared/simulator/redshift-simulator.ts';
import { MINUTE } from '../harness.ts';

export type FactCheck = () => Promise<void>;

/**
 * The statuses one cluster goes through, sampled every 15 s of virtual time from now on (each
 * status once, in order of first sight).
 */
export function statusTimeline(sim: RedshiftSimulator, id: string) {
  const seen: { status: string; at: number }[] = [];
  const sample = () => {
    const status = sim.getCluster(id)?.ClusterStatus ?? '(gone)';
    if (seen.at(-1)?.status !== status) seen.push({ status, at: sim.clock.nowMs() });
  };
  sample();
  sim.clock.every(15_000, sample);
  return {
    statuses: () => seen.map((s) => s.status),
    firstAt: (status: string) => seen.find((s) => s.status === status)?.at,
    spans: (): readonly { status: string; at: number }[] => seen,
  };
}

/** Redshift notifications (cluster and snapshot source) since `start`: id, resource, minutes after `start`. */
export function clusterEvents(sim: RedshiftSimulator, start: number) {
  return sim
    .emittedEvents()
    .filter((e) => e.kind === 'redshift-notification')
    .map((e) => ({ id: e.eventId, resource: e.resource, minutes: (e.emittedAt.getTime() - start) / MINUTE }));
}
