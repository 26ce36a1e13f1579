/** The deployed settings the simulation reproduces, where the infra files set them. */
export const SIMULATION_DEFAULTS = {
  /** infra/reconcile.yml: rate(5 minutes). */
  tickMs: 5 * 60_000,
  /** serverless.yml custom.executor.queueVisibilityTimeoutSeconds. */
  visibilityTimeoutMs: 360_000,
  /** infra/acting.yml RedrivePolicy. */
  maxReceiveCount: 5,
  /** Lambda's SQS poller long-polls: a message is picked up within about a second. */
  pollDelayMs: [200, 1_500] as const,
  stage: 'sim',
} as const;

/** `cluster/dev-etl-1`, `workgroup/analytics-dev`: the timeline's and the alerts' resource names. */
export function resourceName(type: string, id: string): string {
  return `${type}/${id}`;
}
