import type { ResizeClusterCommandInput } from '@aws-sdk/client-redshift';
import type { ActionSpec } from '../../execute/action-spec.ts';
import { CLUSTER_BROKEN } from '../../execute/cluster-states.ts';
import { BASE_GUARDRAILS } from '../../execute/guardrail-names.ts';
import type { Guardrail } from '../../execute/guardrails.ts';
import type { ObservedResource } from '../../execute/ports.ts';
import type { ClusterResource, FleetResource } from '../../policy/decision.ts';
import { CLUSTER_ARN, redshiftOf } from '../windows/window.actions.ts';
import { elasticTargets, NODE_TYPE_LIMITS, planResize, RESIZE_SUB_STATES, resizeBlocked } from './resize.rules.ts';

/**
 * ResizeCluster, declared once (DESIGN §8). The policy decides the size (default, windows) and the kind
 * (elastic, or classic when `allowClassic` and elastic cannot reach it); the executor's `resizeAllowed`
 * guardrail re-checks the same rules (resize.rules.ts) on the re-read cluster before the call.
 */
export const RESIZE_GUARDRAIL = 'resizeAllowed';

/** The rule the guardrail applies, on the re-read cluster: what decide() also skips on. */
export function resizeRefusal(resource: FleetResource, params: Readonly<Record<string, unknown>>): string | null {
  if (resource.type !== 'cluster') return `target is a ${resource.type}; ResizeCluster needs a cluster`;
  const blocked = resizeBlocked(resource);
  if (blocked !== null) return blocked;
  const nodes = params.NumberOfNodes;
  if (typeof nodes !== 'number') return `NumberOfNodes ${JSON.stringify(nodes)} is not a node count`;
  if (nodes === resource.numberOfNodes) return `${resource.id} already has ${nodes} nodes`;
  const classic = params.Classic === true;
  // Without AWS's elastic options on the read, only the node type's caps are checked here; AWS judges the rest.
  const plan = planResize(resource, nodes, { allowClassic: classic, assumedBase: null });
  if (!plan.ok) return plan.reason;
  if (!classic && plan.kind === 'classic') return `${nodes} nodes needs a classic resize; the decision asks elastic`;
  return null;
}

export const resizeAllowed: Guardrail = {
  name: RESIZE_GUARDRAIL,
  rule: 'the re-read cluster can take this resize: available (not paused, not mid-resize), target within the elastic limits from the right baseline or a classic resize the policy allows, within the node type caps (guide L3449–3466, L2847–2871)',
  appliesTo: (_decision, spec) => spec.guardrails.includes(RESIZE_GUARDRAIL),
  check: ({ decision, resource }) => resizeRefusal(resource, decision.params),
};

/** An earlier attempt reached AWS: the cluster is resizing, or already has the size asked for. */
function resizeReached(
  resource: ObservedResource,
  params: Readonly<Record<string, unknown>>,
): { done: boolean } | null {
  if (resource.type !== 'cluster') return null;
  if ((RESIZE_SUB_STATES as readonly string[]).includes(resource.status)) return { done: false };
  if (resource.numberOfNodes === params.NumberOfNodes) return { done: resource.status === 'available' };
  return null;
}

/**
 * The sweep's completion check (ActionSpec.reached): `available` closes a resize only at the node count
 * and node type asked; `available` at another size is a resize that did not happen (rolled back, or
 * changed by another hand meanwhile), so the record fails with what the cluster has instead.
 */
export function resizeDone(resource: FleetResource, params: Readonly<Record<string, unknown>>): true | string {
  if (resource.type !== 'cluster') return `target is a ${resource.type}, not a cluster`;
  const nodes = params.NumberOfNodes;
  const nodeType = typeof params.NodeType === 'string' ? params.NodeType : resource.nodeType;
  if (resource.numberOfNodes === nodes && resource.nodeType === nodeType) return true;
  return `${resource.id} has ${resource.numberOfNodes} ${resource.nodeType} nodes, not the ${String(nodes)} ${nodeType} nodes asked (rolled back, or resized by another hand); not retried before the next window boundary`;
}

/**
 * What plan assumes after the resize, elastic options included, so its walk meets the limits as AWS
 * would: an elastic resize keeps the baseline (the options gain the old count and lose the new one); a
 * classic one starts a new baseline at the target (guide L3453); without options read, the smaller of
 * the two counts is taken as the baseline (a guess that refuses rather than acts).
 */
function applySize(resource: FleetResource, params: Readonly<Record<string, unknown>>): FleetResource {
  if (resource.type !== 'cluster' || typeof params.NumberOfNodes !== 'number') return resource;
  const nodes = params.NumberOfNodes;
  const { elasticResizeOptions: before, ...rest } = resource;
  const after: ClusterResource = { ...rest, numberOfNodes: nodes };
  let options: number[];
  if (params.Classic === true) options = elasticTargets(after, nodes).targets;
  else if (before !== undefined) {
    options = [...new Set([...before, resource.numberOfNodes])].filter((n) => n !== nodes).sort((a, b) => a - b);
  } else options = elasticTargets(after, Math.min(resource.numberOfNodes, nodes)).targets;
  return { ...after, elasticResizeOptions: options };
}

export const resizeCluster: ActionSpec = {
  name: 'ResizeCluster',
  params: {
    ClusterIdentifier: { kind: 'target' },
    NumberOfNodes: { kind: 'policy' },
    NodeType: { kind: 'policy' },
    Classic: { kind: 'policy' },
  },
  service: 'redshift',
  summary:
    'resize a provisioned cluster to the node count its policy wants now (elastic; classic only with allowClassic)',
  resourceType: 'cluster',
  idParam: 'ClusterIdentifier',
  allowedStatuses: ['available'],
  finalState: 'available',
  failedStates: CLUSTER_BROKEN,
  observes: 'resource',
  stateKey: 'size',
  alreadyDone: resizeReached,
  reached: resizeDone,
  guardrails: [...BASE_GUARDRAILS, RESIZE_GUARDRAIL, 'notSuperseded', 'maxResources'],
  permissions: [
    {
      sid: 'ResizeOnlyOptedInClusters',
      actions: ['redshift:ResizeCluster'],
      resource: CLUSTER_ARN,
      condition: { kind: 'optInTag' },
      note: 'Service Authorization Reference, Amazon Redshift (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonredshift.html): ResizeCluster takes the cluster* resource, which has aws:ResourceTag/<key>; granted only on clusters carrying a packaged policy’s opt-in tag.',
    },
  ],
  // An elastic resize takes about 10 minutes (guide L3402); 2 h means stuck, failed or a slow classic one.
  tracking: {
    deadlineMs: 2 * 3_600_000,
    closedBy: [
      'sweep: status available at the node count and type asked (available at another size: failed, with what the cluster has)',
    ],
    failedBy: [
      'REDSHIFT-EVENT-3013',
      'REDSHIFT-EVENT-3500',
      'REDSHIFT-EVENT-3533',
      'REDSHIFT-EVENT-3600',
      'REDSHIFT-EVENT-3686',
    ],
  },
  // effect.cost is one constant per action: 'up' (a resize can add nodes); plan shows the direction itself.
  effect: { apply: applySize, changesState: true, cost: 'up', mark: '⇕' },
  async perform(params, services) {
    // Built explicitly: only what the policy decided reaches AWS.
    const input: ResizeClusterCommandInput = {
      ClusterIdentifier: String(params.ClusterIdentifier),
      NumberOfNodes: Number(params.NumberOfNodes),
    };
    if (typeof params.NodeType === 'string') input.NodeType = params.NodeType;
    if (params.Classic === true) input.Classic = true;
    const redshift = redshiftOf(services, 'ResizeCluster');
    const out = await redshift.client.send(new redshift.commands.ResizeClusterCommand(input));
    return { afterState: out.Cluster?.ClusterStatus ?? null };
  },
};

/** Node types whose resize limits are on record (for messages). */
export const KNOWN_NODE_TYPES = Object.keys(NODE_TYPE_LIMITS);

export const RESIZE_ACTIONS: readonly ActionSpec[] = [resizeCluster];
