import { quoteEventText } from '../../events/event-text.ts';
import type { NormalizedEvent, Severity } from '../../events/normalized-event.ts';
import type { ProposedAction } from '../../policy/capability.ts';
import { ALERT_ACTION, type FleetResource, type TargetRef } from '../../policy/decision.ts';

/**
 * The alerts reactions publish (`Publish` to the operators' topic, see ALERT_ACTION): what fired on which
 * resource, the event's own text quoted and bounded, and — where autopilot does not fix it — what to do.
 */
export interface AlertInput {
  policy: string;
  event: NormalizedEvent;
  subject: FleetResource;
  target: TargetRef;
  slot: string;
  reason: string;
  /** Runbook lines, printed after the event text. */
  next?: readonly string[];
  severity?: Severity;
  /** Replaces the first line (what happened) when the alert is not about the event alone. */
  headline?: string;
}

export function alertProposal(input: AlertInput): ProposedAction {
  const { policy, event, subject } = input;
  const on = event.eventId ?? (event.alarm === undefined ? event.kind : `alarm ${event.alarm.name}`);
  const next = input.next ?? [];
  return {
    kind: 'act',
    action: ALERT_ACTION,
    target: input.target,
    reason: input.reason,
    slot: input.slot,
    params: {
      Subject: `[autopilot] ${policy}: ${on} on ${subject.id}`.slice(0, 100),
      Message: [
        input.headline ?? `Policy ${policy} alerts on ${on} for ${subject.type} ${subject.id} (${event.time}).`,
        `Event text: ${quoteEventText(event.message)}`,
        ...(next.length === 0 ? [] : ['What to do:', ...next.map((line) => `- ${line}`)]),
      ].join('\n'),
      MessageAttributes: {
        severity: { DataType: 'String', StringValue: input.severity ?? event.severity },
        policy: { DataType: 'String', StringValue: policy },
        resource: { DataType: 'String', StringValue: subject.id },
      },
    },
  };
}
