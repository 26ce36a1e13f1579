import type { ClusterResource } from '../../policy/decision.ts';

/**
 * The resize rules of the fact sheet (facts.md §3, copied here: the project never reads it at run time),
 * as pure functions on a cluster as decide() sees it in the fleet and as the executor re-reads it:
 * decide() turns a refusal into a skip with this reason, the executor's guardrail into a refusal. One copy.
 */

/** Node counts per node type: create-time range and elastic cap (guide L2847–2871), grow/shrink factors (L3449–3466). */
export interface NodeTypeLimits {
  create: readonly [number, number];
  /** The most nodes an elastic resize reaches. */
  elasticCap: number;
  grow: number;
  shrink: number;
}

export const NODE_TYPE_LIMITS: Readonly<Record<string, NodeTypeLimits>> = {
  'ra3.xlplus': { create: [1, 16], elasticCap: 32, grow: 2, shrink: 4 },
  'ra3.4xlarge': { create: [2, 32], elasticCap: 64, grow: 4, shrink: 4 },
  'ra3.16xlarge': { create: [2, 128], elasticCap: 128, grow: 4, shrink: 4 },
  'dc2.large': { create: [1, 32], elasticCap: 32, grow: 2, shrink: 2 },
  'dc2.8xlarge': { create: [2, 128], elasticCap: 128, grow: 2, shrink: 2 },
};

/** Nodes per cluster (RA3 and DC2 quotas, guide L27975, L27977): no node type goes further. */
export const MAX_NODES_PER_CLUSTER = 128;

/** The statuses in which a resize is under way: no other operation, no second resize (guide L2941–2942, L2962). */
export const RESIZE_SUB_STATES = ['available, prep-for-resize', 'available, resize-cleanup', 'resizing'] as const;

export type ResizeKind = 'elastic' | 'classic';

export type ResizePlan =
  | { ok: true; kind: ResizeKind; via: string }
  | { ok: false; reason: string; nearest: number | null };

/**
 * The elastic targets from the right baseline (the original node count or the last classic resize, L3453):
 * AWS's own answer, `ElasticResizeNumberOfNodeOptions`, when the read carries it; otherwise the limits
 * counted from `assumedBase` (decide(): the smaller of the policy default and the current count), capped by the node type's elastic cap.
 */
export function elasticTargets(
  cluster: ClusterResource,
  assumedBase: number | null,
): { targets: number[]; via: string } {
  if (cluster.elasticResizeOptions !== undefined) {
    return { targets: [...cluster.elasticResizeOptions], via: 'ElasticResizeNumberOfNodeOptions' };
  }
  const limits = NODE_TYPE_LIMITS[cluster.nodeType];
  if (limits === undefined || cluster.numberOfNodes <= 1) return { targets: [], via: 'the resize limits' };
  // No baseline known (the executor's re-read without AWS's options): the node type's caps only.
  const min =
    assumedBase === null ? limits.create[0] : Math.max(limits.create[0], Math.ceil(assumedBase / limits.shrink));
  const max = assumedBase === null ? limits.elasticCap : Math.min(limits.elasticCap, assumedBase * limits.grow);
  const targets: number[] = [];
  for (let n = min; n <= max; n++) if (n !== cluster.numberOfNodes) targets.push(n);
  const via =
    assumedBase === null
      ? `the ${cluster.nodeType} caps (no ElasticResizeNumberOfNodeOptions read)`
      : `the limits counted from ${assumedBase} nodes (no ElasticResizeNumberOfNodeOptions read)`;
  return { targets, via };
}

/** The allowed size nearest to `wanted` (the smaller on a tie), or null when there is none. */
function nearestOf(targets: readonly number[], wanted: number): number | null {
  let best: number | null = null;
  for (const n of targets) {
    if (best === null || Math.abs(n - wanted) < Math.abs(best - wanted)) best = n;
  }
  return best;
}

/** Why the cluster cannot take any resize now (paused, mid-resize, another change), or null. */
export function resizeBlocked(cluster: ClusterResource): string | null {
  if (cluster.status === 'paused') return 'cluster is paused: a paused cluster cannot be resized (guide L3640)';
  if ((RESIZE_SUB_STATES as readonly string[]).includes(cluster.status)) {
    return `cluster is ${cluster.status}: a resize is under way (guide L2941–2942)`;
  }
  if (cluster.status !== 'available') return `status ${cluster.status}: a resize needs an available cluster`;
  return null;
}

/**
 * How the cluster reaches `nodes` of its own node type: elastic when the target is one of the elastic
 * targets, else classic when allowed and within the node type's create-time range, else refused with
 * the reason and the nearest allowed size.
 */
export function planResize(
  cluster: ClusterResource,
  nodes: number,
  options: { allowClassic: boolean; assumedBase: number | null },
): ResizePlan {
  const limits = NODE_TYPE_LIMITS[cluster.nodeType];
  if (limits === undefined) {
    return { ok: false, reason: `node type ${cluster.nodeType} has no resize limits on record`, nearest: null };
  }
  const { targets, via } = elasticTargets(cluster, options.assumedBase);
  if (targets.includes(nodes)) return { ok: true, kind: 'elastic', via };
  const [min, max] = limits.create;
  const classicFits = nodes >= min && nodes <= max && nodes <= MAX_NODES_PER_CLUSTER;
  if (options.allowClassic && classicFits) return { ok: true, kind: 'classic', via: 'allowClassic' };
  // The size it has counts: staying put may be the nearest to what the policy wants.
  const reachable = [...targets, cluster.numberOfNodes].sort((a, b) => a - b);
  const nearest = nearestOf(reachable, nodes);
  const elasticWhy =
    cluster.numberOfNodes <= 1
      ? 'a single-node cluster changes size only by classic resize (guide L2859)'
      : `${nodes} nodes is not an elastic target of ${cluster.id} (${cluster.nodeType}, ${cluster.numberOfNodes} nodes; by ${via}: ${reachable[0]}–${reachable[reachable.length - 1]})`;
  const classicWhy = !classicFits
    ? `a classic resize reaches ${min}–${max} ${cluster.nodeType} nodes`
    : 'allowClassic is false';
  const nearestText =
    nearest === cluster.numberOfNodes
      ? `nearest allowed size ${nearest}, its current size`
      : `nearest allowed elastic size ${nearest}`;
  return { ok: false, reason: `${elasticWhy}; ${classicWhy}; ${nearestText}`, nearest };
}

/** Whole numbers of nodes, 1 to 128 (the per-cluster quota no node type exceeds). */
export function nodeCountProblem(nodes: number): string | null {
  if (!Number.isInteger(nodes) || nodes < 1 || nodes > MAX_NODES_PER_CLUSTER) {
    return `${nodes} is not a node count; expected a whole number of nodes from 1 to ${MAX_NODES_PER_CLUSTER} (nodes per cluster, guide L27975)`;
  }
  return null;
}
