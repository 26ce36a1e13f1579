import type { Cluster } from '@aws-sdk/client-redshift';
import { mapClusters } from '../../../shared/aws/fleet-mapping.ts';
import type { ActionSpec } from '../../../shared/execute/action-spec.ts';
import type {
  ActionEventDetail,
  ActionResult,
  Alert,
  Clock,
  MetricName,
  MetricsPort,
  NotifierPort,
  ResourcePort,
} from '../../../shared/execute/ports.ts';
import type { ClusterResource, Decision, TargetRef } from '../../../shared/policy/decision.ts';
import { registry } from '../../../shared/policy/registry.ts';
import describeAvailable from '../../fixtures/api/test_redshift_pause/redshift.DescribeClusters_1.json' with {
  type: 'json',
};
import describePaused from '../../fixtures/api/test_redshift_resume/redshift.DescribeClusters_1.json' with {
  type: 'json',
};

/** Test doubles shared by the execute unit and property tests. */

/** The registered declaration of an action (throws for an unknown one, so a typo fails the test). */
export function actionOf(name: string): ActionSpec {
  const spec = registry.action(name);
  if (spec === null) throw new Error(`no capability declares ${name}`);
  return spec;
}

export const OPT_IN = { key: 'autopilot:managed', value: 'true' } as const;

/** The recorded DescribeClusters cluster (Cloud Custodian placebo), opted in, with overrides. */
export function rawCluster(overrides: Partial<Cluster> & Record<string, unknown> = {}): Cluster {
  const base = structuredClone(describeAvailable.data.Clusters[0]) as unknown as Cluster;
  return { ...base, Tags: [{ Key: OPT_IN.key, Value: OPT_IN.value }], ...overrides } as Cluster;
}

export function pausedRawCluster(): Cluster {
  const base = structuredClone(describePaused.data.Clusters[0]) as unknown as Cluster;
  return { ...base, Tags: [{ Key: OPT_IN.key, Value: OPT_IN.value }] };
}

export function clusterResource(overrides: Partial<Cluster> & Record<string, unknown> = {}): ClusterResource {
  const [resource] = mapClusters([rawCluster(overrides)]);
  if (resource === undefined) throw new Error('fixture did not map');
  return resource;
}

export function pauseDecision(overrides: Partial<Decision> = {}, clusterId = 'redshift-cluster-1'): Decision {
  return {
    at: '2026-12-07T18:00:00.000Z',
    policy: 'office-hours',
    action: 'PauseCluster',
    target: { type: 'cluster', id: clusterId, region: 'us-east-1' },
    params: { ClusterIdentifier: clusterId },
    reason: 'outside window Mon-Fri 07:00-19:00 Europe/Berlin; next resume 2026-12-08T06:00Z',
    idempotencyKey: `office-hours/PauseCluster/cluster:${clusterId}/2026-12-07T18:00Z`,
    mode: 'act',
    guard: { optInTag: { ...OPT_IN }, allowZeroEtlTarget: false, maxResources: null },
    ...overrides,
  };
}

export function resumeDecision(clusterId = 'redshift-cluster-1', at = '2026-12-08T06:00:00.000Z'): Decision {
  return {
    ...pauseDecision({}, clusterId),
    at,
    action: 'ResumeCluster',
    reason: 'inside window Mon-Fri 07:00-19:00 Europe/Berlin',
    idempotencyKey: `office-hours/ResumeCluster/cluster:${clusterId}/${at}`,
  };
}

export class FakeError extends Error {
  readonly $metadata: { httpStatusCode: number };
  readonly $fault: 'client' | 'server';
  constructor(name: string, message: string, status = 400) {
    super(message);
    this.name = name;
    this.$metadata = { httpStatusCode: status };
    this.$fault = status >= 500 ? 'server' : 'client';
  }
}

/**
 * A tiny Redshift control plane for clusters: Describe, Pause, Resume with AWS's state rules
 * (InvalidClusterStateFault on a wrong state). `settle()` finishes pausing/resuming. Calls are counted.
 */
export class FakeRedshift implements ResourcePort {
  readonly clusters = new Map<string, ClusterResource>();
  readonly calls: { op: string; id: string; accepted?: boolean; params?: Record<string, unknown> }[] = [];
  zeroEtlTargets = new Set<string>();
  /** Throws this error (once per entry) before the named operation. */
  failures: { op: string; error: Error }[] = [];
  /** Pause/resume land in their final state at once (moto-like) instead of pausing/resuming. */
  instant = false;

  add(resource: ClusterResource): this {
    this.clusters.set(resource.id, structuredClone(resource));
    return this;
  }

  stateChangingCalls(id?: string): number {
    return this.calls.filter((c) => c.op !== 'DescribeClusters' && (id === undefined || c.id === id)).length;
  }

  /** Calls AWS accepted (changed state), grouped by the `_probe` value tests put into params. */
  acceptedCallsByProbe(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const c of this.calls) {
      if (c.accepted !== true) continue;
      const probe = String(c.params?._probe ?? `${c.op}:${c.id}`);
      counts.set(probe, (counts.get(probe) ?? 0) + 1);
    }
    return counts;
  }

  #maybeFail(op: string) {
    const index = this.failures.findIndex((f) => f.op === op || f.op === '*');
    if (index >= 0) {
      const [failure] = this.failures.splice(index, 1);
      if (failure !== undefined) throw failure.error;
    }
  }

  async read(target: TargetRef): Promise<ClusterResource | null> {
    await Promise.resolve();
    this.#maybeFail('DescribeClusters');
    this.calls.push({ op: 'DescribeClusters', id: target.id });
    const found = this.clusters.get(target.id);
    return found === undefined ? null : structuredClone(found);
  }

  async perform(action: string, params: Record<string, unknown>): Promise<ActionResult> {
    await Promise.resolve();
    this.#maybeFail(action);
    const id = String(params.ClusterIdentifier);
    const call = { op: action, id, accepted: false, params };
    this.calls.push(call);
    const cluster = this.clusters.get(id);
    if (cluster === undefined) throw new FakeError('ClusterNotFoundFault', `Cluster ${id} not found.`);
    const transition: Record<string, [string, string, string]> = {
      PauseCluster: ['available', 'pausing', 'paused'],
      ResumeCluster: ['paused', 'resuming', 'available'],
    };
    const rule = transition[action];
    if (rule === undefined) throw new FakeError('UnsupportedOperationFault', action);
    // The fake's own check, like AWS's: a call that slipped past the guardrails is refused here.
    if (cluster.status !== rule[0]) {
      throw new FakeError(
        'InvalidClusterStateFault',
        `There is an operation running on the Cluster (${cluster.status}).`,
      );
    }
    setStatus(cluster, this.instant ? rule[2] : rule[1]);
    call.accepted = true;
    return { afterState: cluster.status };
  }

  async isZeroEtlTarget(resource: ClusterResource): Promise<boolean> {
    return this.zeroEtlTargets.has(resource.id);
  }

  /** Long-running operations finish. */
  settle(): void {
    for (const c of this.clusters.values()) {
      if (c.status === 'pausing') setStatus(c, 'paused');
      if (c.status === 'resuming') setStatus(c, 'available');
    }
  }
}

/** `ClusterAvailabilityStatus` as AWS reports it with each status (recorded pause/resume fixtures). */
const AVAILABILITY: Record<string, string> = {
  available: 'Available',
  pausing: 'Modifying',
  resuming: 'Modifying',
  paused: 'Paused',
};

function setStatus(cluster: ClusterResource, status: string): void {
  cluster.status = status;
  cluster.availabilityStatus = AVAILABILITY[status] ?? cluster.availabilityStatus;
}

/** A copy of the resource in `status`, with the availability AWS reports alongside it. */
export function withStatus(cluster: ClusterResource, status: string): ClusterResource {
  const copy = { ...cluster };
  setStatus(copy, status);
  return copy;
}

export class RecordingNotifier implements NotifierPort {
  readonly alerts: Alert[] = [];
  readonly events: ActionEventDetail[] = [];
  async alert(alert: Alert): Promise<void> {
    this.alerts.push(alert);
  }
  async event(detail: ActionEventDetail): Promise<void> {
    this.events.push(detail);
  }
}

export class RecordingMetrics implements MetricsPort {
  readonly counts: { name: MetricName; reason: string }[] = [];
  count(name: MetricName, reason: string): void {
    this.counts.push({ name, reason });
  }
  total(name: MetricName, reason?: string): number {
    return this.counts.filter((c) => c.name === name && (reason === undefined || c.reason === reason)).length;
  }
}

export function fixedClock(
  iso = '2026-12-07T18:00:30.000Z',
): Clock & { set(iso: string): void; advanceMs(ms: number): void } {
  let now = new Date(iso);
  return {
    now: () => new Date(now),
    set(next: string) {
      now = new Date(next);
    },
    advanceMs(ms: number) {
      now = new Date(now.getTime() + ms);
    },
  };
}

export function sequentialTokens(prefix = 't'): () => string {
  let n = 0;
  return () => `${prefix}${++n}`;
}
