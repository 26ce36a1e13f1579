/**
 * Per-run circuit breaker. A run is one executor invocation (one SQS batch). When more than
 * `failureShare` of the actions attempted in the run have failed, and at least `minFailures` have,
 * it opens: no further AWS calls this run, the remaining work is deferred (redelivered by SQS
 * later) and exactly one alert says so. The minimum keeps one unlucky failure in a run of two from
 * stopping everything.
 */
export interface BreakerOptions {
  failureShare: number;
  minFailures: number;
}

export const BREAKER_DEFAULTS = { failureShare: 0.5, minFailures: 3 } as const satisfies BreakerOptions;

export class CircuitBreaker {
  #attempted = 0;
  #failed = 0;
  #open = false;
  #announced = false;
  readonly options: BreakerOptions;

  constructor(options: Partial<BreakerOptions> = {}) {
    this.options = { ...BREAKER_DEFAULTS, ...options };
  }

  get isOpen(): boolean {
    return this.#open;
  }

  get stats() {
    return { attempted: this.#attempted, failed: this.#failed };
  }

  recordSuccess(): void {
    this.#attempted += 1;
  }

  /** Returns true when this failure opened the breaker. */
  recordFailure(): boolean {
    this.#attempted += 1;
    this.#failed += 1;
    if (this.#open) return false;
    const share = this.#failed / this.#attempted;
    if (this.#failed >= this.options.minFailures && share > this.options.failureShare) {
      this.#open = true;
      return true;
    }
    return false;
  }

  /** True exactly once per run: the caller that gets true sends the one breaker alert. */
  claimAnnouncement(): boolean {
    if (!this.#open || this.#announced) return false;
    this.#announced = true;
    return true;
  }
}
