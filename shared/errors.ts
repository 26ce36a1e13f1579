/**
 * One error family, grouped by what should happen next (see STYLE.md):
 * - EventParseError: never retry; the raw input is kept (dead-letter queue) with the reason.
 * - PolicyValidationError: the operator must fix the policy; carries every problem with its position.
 * - ResourceStateConflictError: skip and report (the resource is in a state that forbids the action).
 * - TransientAwsError: retry with backoff (throttling, 5xx).
 * - ConfigurationError: alert; a human must fix IAM, a missing resource or a setting.
 */
export class AutomationError extends Error {
  override name = 'AutomationError';
}

export class EventParseError extends AutomationError {
  override name = 'EventParseError';
  /** Where in the payload the problem is, e.g. `Records[0].Sns.Message`. */
  readonly path: string;
  constructor(message: string, options?: { cause?: unknown; path?: string }) {
    super(message, options);
    this.path = options?.path ?? '';
  }
}

export interface PolicyProblem {
  file: string;
  line: number;
  col: number;
  message: string;
  severity: 'error' | 'warning';
}

export class PolicyValidationError extends AutomationError {
  override name = 'PolicyValidationError';
  readonly problems: readonly PolicyProblem[];
  constructor(problems: readonly PolicyProblem[], options?: { cause?: unknown }) {
    super(problems.map((p) => `${p.file}:${p.line}:${p.col}: ${p.message}`).join('\n'), options);
    this.problems = problems;
  }
}

export class ResourceStateConflictError extends AutomationError {
  override name = 'ResourceStateConflictError';
}

export class TransientAwsError extends AutomationError {
  override name = 'TransientAwsError';
}

export class ConfigurationError extends AutomationError {
  override name = 'ConfigurationError';
}
