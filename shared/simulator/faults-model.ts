/**
 * Fault injection: API calls that fail with throttling or a 5xx, and user snapshots that fail. Each
 * rule draws from its own stream, so adding a rule does not shift the draws of the simulation.
 */
import { redshiftInternalFailure, redshiftThrottling, serverlessErrors } from './aws-errors.ts';
import { Prng } from './prng.ts';

export type Service = 'redshift' | 'redshift-serverless';

export interface FaultRule {
  /** Operation name(s) (`DescribeClusters`, `UpdateWorkgroup` …); all operations when omitted. */
  operation?: string | readonly string[];
  /** Probability in [0, 1] that a matching call fails. */
  rate: number;
  error: 'throttling' | '5xx';
  seed?: number | string;
  /** Stop after this many injected failures. */
  limit?: number;
}

export interface SnapshotFailureRule {
  rate: number;
  clusterIdentifier?: string;
  seed?: number | string;
}

/**
 * A Multi-AZ failover that goes wrong (see failover-model.ts): `recovery-fails` ends the failover with
 * REDSHIFT-EVENT-3668 and the cluster `available` on its old primary; `recovery-slow` adds
 * `extraMinutes` (default 25–45, drawn per failover) before the secondary is promoted.
 */
export interface FailoverFaultRule {
  fault: 'recovery-fails' | 'recovery-slow';
  /** Only this cluster's failovers; every cluster's when omitted. */
  clusterIdentifier?: string;
  /** Probability in [0, 1] that a matching failover is hit; default 1. */
  rate?: number;
  extraMinutes?: readonly [number, number];
  seed?: number | string;
  /** Stop after this many hit failovers. */
  limit?: number;
}

export interface FailoverFaultHit {
  fault: FailoverFaultRule['fault'];
  /** Added to the time until the secondary is promoted (recovery-slow); 0 otherwise. */
  extraMs: number;
}

interface ActiveFault {
  rule: FaultRule;
  operations: ReadonlySet<string> | undefined;
  rng: Prng;
  injected: number;
}

export class FaultsModel {
  private readonly faults: ActiveFault[] = [];
  private readonly snapshotFailures: { rule: SnapshotFailureRule; rng: Prng }[] = [];
  private readonly failoverFaults: { rule: FailoverFaultRule; rng: Prng; hits: number }[] = [];

  constructor(
    private readonly seed: string,
    private readonly requestId: () => string,
  ) {}

  /** Make matching calls fail with throttling or a 5xx, at `rate`, drawn from `seed`. Returns a remover. */
  injectFaults(rule: FaultRule): () => void {
    const ops =
      rule.operation === undefined
        ? undefined
        : new Set(typeof rule.operation === 'string' ? [rule.operation] : rule.operation);
    const fault: ActiveFault = {
      rule,
      operations: ops,
      rng: new Prng(`${rule.seed ?? this.seed}/fault/${this.faults.length}`),
      injected: 0,
    };
    this.faults.push(fault);
    return () => {
      const i = this.faults.indexOf(fault);
      if (i >= 0) this.faults.splice(i, 1);
    };
  }

  clearFaults(): void {
    this.faults.length = 0;
    this.snapshotFailures.length = 0;
    this.failoverFaults.length = 0;
  }

  /** Make Multi-AZ failovers fail (3668) or run long. Returns a remover. */
  injectFailoverFaults(rule: FailoverFaultRule): () => void {
    const entry = {
      rule,
      rng: new Prng(`${rule.seed ?? this.seed}/failover-fault/${this.failoverFaults.length}`),
      hits: 0,
    };
    this.failoverFaults.push(entry);
    return () => {
      const i = this.failoverFaults.indexOf(entry);
      if (i >= 0) this.failoverFaults.splice(i, 1);
    };
  }

  /** The fault that hits the failover of `clusterIdentifier` starting now, if any (first matching rule wins). */
  failoverFault(clusterIdentifier: string): FailoverFaultHit | undefined {
    for (const f of this.failoverFaults) {
      if (f.rule.clusterIdentifier !== undefined && f.rule.clusterIdentifier !== clusterIdentifier) continue;
      if (f.rule.limit !== undefined && f.hits >= f.rule.limit) continue;
      if (!f.rng.chance(f.rule.rate ?? 1)) continue;
      f.hits++;
      const [lo, hi] = f.rule.extraMinutes ?? [25, 45];
      const extraMs = f.rule.fault === 'recovery-slow' ? Math.round(f.rng.between(lo, hi) * 60_000) : 0;
      return { fault: f.rule.fault, extraMs };
    }
    return undefined;
  }

  /** Make user snapshots fail (status `failed`, REDSHIFT-EVENT-3503) at `rate`. */
  injectSnapshotFailures(rule: SnapshotFailureRule): () => void {
    const entry = { rule, rng: new Prng(`${rule.seed ?? this.seed}/snapshot-failure/${this.snapshotFailures.length}`) };
    this.snapshotFailures.push(entry);
    return () => {
      const i = this.snapshotFailures.indexOf(entry);
      if (i >= 0) this.snapshotFailures.splice(i, 1);
    };
  }

  /** Throws the injected error when a rule hits this call. */
  maybeFault(service: Service, operation: string): void {
    for (const fault of this.faults) {
      if (fault.operations !== undefined && !fault.operations.has(operation)) continue;
      if (fault.rule.limit !== undefined && fault.injected >= fault.rule.limit) continue;
      if (!fault.rng.chance(fault.rule.rate)) continue;
      fault.injected++;
      const id = this.requestId();
      if (service === 'redshift')
        throw fault.rule.error === 'throttling' ? redshiftThrottling(id) : redshiftInternalFailure(id);
      throw fault.rule.error === 'throttling' ? serverlessErrors.throttling(id) : serverlessErrors.internal(id);
    }
  }

  /** Whether a user snapshot of the cluster about to start will fail; draws once per matching rule up to the first hit. */
  snapshotFails(clusterIdentifier: string): boolean {
    return this.snapshotFailures.some(
      (f) =>
        (f.rule.clusterIdentifier === undefined || f.rule.clusterIdentifier === clusterIdentifier) &&
        f.rng.chance(f.rule.rate),
    );
  }
}
