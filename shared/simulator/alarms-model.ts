/**
 * CloudWatch alarms on cluster metrics: one clock timer per evaluation period evaluates every alarm
 * of that period against the cluster's workload profile.
 */
import type { ClusterRegistry } from './cluster-registry.ts';
import type { EventBus } from './event-delivery.ts';
import { Prng } from './prng.ts';
import type { ProvisionedContext } from './provisioned-context.ts';
import { AlarmEvaluator, type AlarmSpec, type ClusterWorkload, sampleProfile } from './workload.ts';

export class AlarmsModel {
  private readonly alarmGroups = new Map<number, AlarmEvaluator[]>();

  constructor(
    private readonly ctx: ProvisionedContext,
    private readonly clusters: ClusterRegistry,
    private readonly bus: EventBus,
    private readonly alarmIds: Prng,
  ) {}

  /** Metric profiles of a cluster (metric name → profile), sampled by its alarms. */
  setWorkload(clusterIdentifier: string, workload: ClusterWorkload): void {
    this.clusters.mustGet(clusterIdentifier).workload = workload;
  }

  /**
   * A CloudWatch alarm on a cluster metric, evaluated at every period boundary. A paused or deleted
   * cluster emits no datapoints (the guide: no hardware metrics while paused).
   */
  addAlarm(spec: AlarmSpec): void {
    const evaluator = new AlarmEvaluator(spec, this.ctx.clock.now(), this.alarmIds);
    const periodMs = evaluator.spec.periodSeconds * 1000;
    let group = this.alarmGroups.get(periodMs);
    if (group === undefined) {
      const evaluators: AlarmEvaluator[] = [];
      group = evaluators;
      this.alarmGroups.set(periodMs, evaluators);
      const firstAt = (Math.floor(this.ctx.clock.nowMs() / periodMs) + 1) * periodMs;
      this.ctx.clock.every(periodMs, (at) => this.evaluateAlarms(evaluators, at), {
        firstAt,
        label: `alarms/${periodMs}`,
      });
    }
    group.push(evaluator);
  }

  alarmStates(): Record<string, string> {
    const states: Record<string, string> = {};
    for (const group of this.alarmGroups.values()) for (const a of group) states[a.spec.alarmName] = a.state;
    return states;
  }

  private evaluateAlarms(evaluators: readonly AlarmEvaluator[], at: Date): void {
    for (const alarm of evaluators) {
      const { spec } = alarm;
      const rec = this.clusters.get(spec.clusterIdentifier);
      let value: number | undefined;
      if (rec !== undefined && rec.view.ClusterStatus !== 'paused' && rec.workload !== undefined) {
        const profile = rec.workload[spec.metricName];
        if (profile !== undefined) {
          let rng = rec.workloadRngs.get(spec.metricName);
          if (rng === undefined) {
            rng = new Prng(`${this.ctx.seed}/workload/${spec.clusterIdentifier}/${spec.metricName}`);
            rec.workloadRngs.set(spec.metricName, rng);
          }
          // The datapoint of the period that just ended, i.e. the workload at its start.
          value = sampleProfile(profile, new Date(at.getTime() - spec.periodSeconds * 1000), rng, rec.createdAtMs);
        }
      }
      const event = alarm.evaluate(value, at, {
        region: this.ctx.region,
        account: this.ctx.account,
        ids: this.alarmIds,
      });
      if (event !== undefined) {
        this.bus.emit({
          kind: 'alarm',
          eventId: spec.alarmName,
          resource: spec.clusterIdentifier,
          emittedAt: at,
          payload: event,
        });
      }
    }
  }
}
