import type { MetricName, MetricsPort } from '../execute/ports.ts';

/**
 * EMF metrics through Powertools (injected, so shared/execute never imports it): counts are
 * aggregated per (metric, reason) during a run and `flush()` emits one single-metric EMF line per
 * pair with a `reason` dimension — actions by operation, skips by guardrail or error, failures by
 * AWS error name, deferred by `breaker-open`.
 */
export interface SingleMetricLike {
  addDimension(name: string, value: string): unknown;
  addMetric(name: string, unit: 'Count', value: number): unknown;
}
export interface PowertoolsMetricsLike {
  singleMetric(): SingleMetricLike;
}

export class EmfMetrics implements MetricsPort {
  readonly #metrics: PowertoolsMetricsLike;
  readonly #counts = new Map<string, { name: MetricName; reason: string; value: number }>();

  constructor(metrics: PowertoolsMetricsLike) {
    this.#metrics = metrics;
  }

  count(name: MetricName, reason: string): void {
    const key = `${name}\u0000${reason}`;
    const current = this.#counts.get(key);
    if (current === undefined) this.#counts.set(key, { name, reason, value: 1 });
    else current.value += 1;
  }

  /** Call at the end of each invocation (the handler's `after`/`finally`). */
  flush(): void {
    for (const { name, reason, value } of this.#counts.values()) {
      const single = this.#metrics.singleMetric();
      // CloudWatch dimension values: 1–1024 characters.
      single.addDimension('reason', reason.slice(0, 1024) || '-');
      single.addMetric(name, 'Count', value);
    }
    this.#counts.clear();
  }
}
