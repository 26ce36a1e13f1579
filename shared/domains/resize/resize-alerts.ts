import type { EvaluationEnv, Proposal } from '../../policy/capability.ts';
import type { ClusterResource, TargetRef } from '../../policy/decision.ts';
import { NODE_TYPE_LIMITS } from './resize.rules.ts';

/**
 * One alert per period when the cluster cannot come back down to the size the policy wants (the
 * elastic limits refuse it, classic is not allowed or cannot reach it): the cluster keeps costing its
 * larger size, which nobody sees in a skip logged every sweep. The alert is a `Publish` decision under
 * the slot `<period>:scale-back`, so the ledger sends it once; the skip stays for the log. It says what
 * happened, to what, why, and what is needed.
 */
export const SCALE_BACK_SLOT = (periodSlot: string) => `${periodSlot}:scale-back`;

export interface ScaleBack {
  cluster: ClusterResource;
  target: TargetRef;
  wanted: number;
  /** The refusal, from planResize: what elastic and classic reach and the nearest allowed size. */
  reason: string;
  nearest: number | null;
  slot: string;
  allowClassic: boolean;
  why: string;
}

function needed(s: ScaleBack, policy: string): string {
  const options: string[] = [];
  const limits = NODE_TYPE_LIMITS[s.cluster.nodeType];
  const classicReaches = limits !== undefined && s.wanted >= limits.create[0] && s.wanted <= limits.create[1];
  if (!s.allowClassic && classicReaches) {
    options.push(
      `allowClassic: true in policy ${policy} (a classic resize: on RA3 it keeps reads and writes but needs a manual snapshot no older than 10 h, snapshotBefore: true takes it; on other node types it is read-only for hours to days)`,
    );
  }
  if (s.nearest !== null && s.nearest < s.cluster.numberOfNodes) {
    options.push(
      `a size the elastic limits reach: ${s.nearest} nodes as default.nodes or the window's nodes (it saves ${s.cluster.numberOfNodes - s.nearest} of the ${s.cluster.numberOfNodes - s.wanted} nodes)`,
    );
  }
  options.push(
    `a classic resize of ${s.cluster.id} by hand to ${s.wanted} nodes (it also starts a new elastic baseline, guide L3453)`,
  );
  return options.map((o, i) => `${i + 1}. ${o}`).join('\n');
}

export function scaleBackAlert(s: ScaleBack, env: EvaluationEnv): Proposal {
  const policy = env.policy.name;
  const extra = s.cluster.numberOfNodes - s.wanted;
  return {
    kind: 'act',
    action: 'Publish',
    target: s.target,
    params: {
      Subject: `[autopilot] ${s.cluster.id} cannot scale back to ${s.wanted} nodes (${policy})`.slice(0, 100),
      Message: [
        `${s.cluster.id} (${s.cluster.nodeType}) has ${s.cluster.numberOfNodes} nodes; policy ${policy} wants ${s.why}.`,
        `It cannot resize: ${s.reason}.`,
        `Until it does, it runs ${extra} node${extra === 1 ? '' : 's'} more than the policy wants. This alert is sent once for this period; the sweep keeps trying and resizes as soon as the limits allow.`,
        'Needed, one of:',
        needed(s, policy),
      ].join('\n'),
      MessageAttributes: {
        severity: { DataType: 'String', StringValue: 'WARNING' },
        policy: { DataType: 'String', StringValue: policy },
        resource: { DataType: 'String', StringValue: s.cluster.id },
      },
    },
    reason: `cannot scale back ${s.cluster.numberOfNodes} → ${s.wanted} nodes: ${s.reason}; alerted once for this period`,
    slot: s.slot,
  };
}
