import { runningAfter } from './action-effects.ts';

/**
 * Node-hours saved by pauses, for `plan` and the simulation. A pause is credited to the policy that
 * paused the cluster and counts from the instant the cluster is paused until it resumes (or the period
 * ends), times its node count when paused. Plan, whose decisions take effect at once, opens and closes
 * pauses itself; the simulation, which sees the acted decision and the state change it causes apart,
 * reports both and the meter pairs them.
 */
export interface SavingsRow {
  policy: string;
  cluster: string;
  nodeType: string;
  nodes: number;
  pausedHours: number;
  nodeHours: number;
}

const HOUR_MS = 3_600_000;

export class SavingsMeter {
  readonly #open = new Map<string, { at: number; policy: string; nodes: number; nodeType: string }>();
  readonly #rows = new Map<string, SavingsRow>();
  /** Node-hours per policy, summed in the order pauses closed (the simulation's summary rounds these). */
  readonly #byPolicy = new Map<string, number>();
  /** cluster id → policy of its latest acted pause, credited when the cluster is next seen paused. */
  readonly #pausedBy = new Map<string, string>();

  /** The cluster is paused from `at` on behalf of `policy` (a pause already open restarts). */
  pause(cluster: string, at: number, policy: string, size: { nodes: number; nodeType?: string }): void {
    this.#open.set(cluster, { at, policy, nodes: size.nodes, nodeType: size.nodeType ?? '' });
  }

  /** The cluster stops being paused at `until`: its open pause, if any, is counted. */
  resume(cluster: string, until: number): void {
    const open = this.#open.get(cluster);
    if (open === undefined) return;
    this.#open.delete(cluster);
    const key = `${open.policy}\u0000${cluster}`;
    const row = this.#rows.get(key) ?? {
      policy: open.policy,
      cluster,
      nodeType: open.nodeType,
      nodes: open.nodes,
      pausedHours: 0,
      nodeHours: 0,
    };
    const hours = (until - open.at) / HOUR_MS;
    const nodeHours = hours * open.nodes;
    row.pausedHours += hours;
    row.nodeHours += nodeHours;
    this.#rows.set(key, row);
    this.#byPolicy.set(open.policy, (this.#byPolicy.get(open.policy) ?? 0) + nodeHours);
  }

  /** The period ends at `until`: every pause still open is counted up to it. */
  finish(until: number): void {
    for (const cluster of [...this.#open.keys()]) this.resume(cluster, until);
  }

  /** A decision acted on a cluster: a pause names the policy its coming `paused` state is credited to. */
  acted(cluster: string, action: string, policy: string): void {
    const running = runningAfter(action);
    if (running === false) this.#pausedBy.set(cluster, policy);
    if (running === true) this.#pausedBy.delete(cluster);
  }

  /** The cluster was seen going from one state to another (null: its first state). */
  observed(cluster: string, from: string | null, to: string, at: number, nodes: number): void {
    if (to === 'paused') {
      const policy = this.#pausedBy.get(cluster);
      if (policy !== undefined) this.pause(cluster, at, policy, { nodes });
    } else if (from === 'paused') {
      this.resume(cluster, at);
    }
  }

  /** One row per (policy, cluster), by policy then cluster. */
  rows(): SavingsRow[] {
    return [...this.#rows.values()].sort((a, b) =>
      a.policy < b.policy ? -1 : a.policy > b.policy ? 1 : a.cluster < b.cluster ? -1 : 1,
    );
  }

  nodeHoursByPolicy(): ReadonlyMap<string, number> {
    return this.#byPolicy;
  }
}
