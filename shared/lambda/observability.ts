import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy, { type MiddyfiedHandler } from '@middy/core';
import type { Context } from 'aws-lambda';

/** CloudWatch namespace of every autopilot metric (overridable per stage with POWERTOOLS_METRICS_NAMESPACE). */
export const METRICS_NAMESPACE = 'RedshiftAutopilot' as const;

/** What a handler body gets besides its event: the cold-start-scoped logger and metrics. */
export interface Observability {
  readonly logger: Logger;
  readonly metrics: Metrics;
}

export interface ObservabilityOptions {
  /** Service name on every log line and metric (`POWERTOOLS_SERVICE_NAME` wins when set). */
  readonly service: string;
}

export type HandlerBody<TEvent, TResult> = (
  event: TEvent,
  tools: Observability & { readonly context: Context },
) => Promise<TResult>;

export type ObservedHandler<TEvent, TResult> = MiddyfiedHandler<TEvent, TResult, Error, Context> & {
  readonly observability: Observability;
};

/** Logger and Metrics for one function; build once per cold start (module scope). */
export function createObservability(options: ObservabilityOptions): Observability {
  const logger = new Logger({ serviceName: options.service });
  const metrics = new Metrics({
    namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? METRICS_NAMESPACE,
    serviceName: options.service,
  });
  return { logger, metrics };
}

/**
 * Wraps a handler body in middy with Powertools: the Lambda context on every log line (keys reset
 * between invocations), metrics flushed as EMF after every invocation (also when it throws) plus a
 * ColdStart metric. The Observability is the function's own, built once per cold start.
 */
export function observe<TEvent, TResult>(
  observability: Observability,
  body: HandlerBody<TEvent, TResult>,
): ObservedHandler<TEvent, TResult> {
  const handler = middy<TEvent, TResult, Error, Context>(async (event: TEvent, context: Context) =>
    body(event, { ...observability, context }),
  )
    .use(injectLambdaContext(observability.logger, { resetKeys: true }))
    .use(logMetrics(observability.metrics, { captureColdStartMetric: true, throwOnEmptyMetrics: false }));
  return Object.assign(handler, { observability });
}

/** `observe` with a Logger and Metrics of its own (called at module scope: once per container). */
export function withObservability<TEvent, TResult>(
  options: ObservabilityOptions,
  body: HandlerBody<TEvent, TResult>,
): ObservedHandler<TEvent, TResult> {
  return observe(createObservability(options), body);
}
