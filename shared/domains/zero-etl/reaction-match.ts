import type { NormalizedEvent } from '../../events/normalized-event.ts';
import type { EvaluationEnv } from '../../policy/capability.ts';
import type { FleetResource } from '../../policy/decision.ts';
import { resourceOfRef } from '../../policy/fleet.ts';
import { globToRegExp } from '../../policy/targeting.ts';
import type { OnBlock } from './reaction.schema.ts';

/**
 * Which events a reaction's `on` takes, and which fleet resource each is about. Every list given must
 * contain the event's value. Alarms match in state ALARM only, by name — `{cluster}`, `{workgroup}` and
 * `{integration}` stand for the id of the resource the alarm watches, `*` for any text — or by metric.
 * An alarm on a zero-ETL metric (`IntegrationLag`, dimension `IntegrationId`) is about the integration.
 */
export const NAME_PLACEHOLDERS = ['{cluster}', '{workgroup}', '{integration}'] as const;

/** The integration whose ARN ends in the id a zero-ETL metric's `IntegrationId` dimension names. */
function integrationOfAlarm(event: NormalizedEvent, env: EvaluationEnv): FleetResource | undefined {
  const id = event.alarm?.metric?.dimensions.IntegrationId;
  if (id === undefined || id === '') return undefined;
  return env.fleet.resources.find(
    (r) => r.type === 'integration' && (r.arn?.endsWith(`:integration:${id}`) === true || r.id === id),
  );
}

export function subjectOf(event: NormalizedEvent, env: EvaluationEnv): FleetResource | undefined {
  if (event.kind === 'alarm') {
    const integration = integrationOfAlarm(event, env);
    if (integration !== undefined) return integration;
    // An alarm's resource is what its dimensions name; an alarm without one is not about a fleet resource.
    if (event.resource.type === 'alarm') return undefined;
  }
  return resourceOfRef(env.fleet, event.resource);
}

/** Every alarm name a pattern stands for, for this resource: the placeholders filled in, then a glob. */
export function alarmNameMatches(pattern: string, name: string, subject: FleetResource | undefined): boolean {
  let filled = pattern;
  for (const placeholder of NAME_PLACEHOLDERS) {
    if (!filled.includes(placeholder)) continue;
    if (subject === undefined || placeholder !== `{${subject.type}}`) return false;
    filled = filled.replaceAll(placeholder, subject.id);
  }
  return globToRegExp(filled).test(name);
}

export function eventMatches(on: OnBlock, event: NormalizedEvent, subject: FleetResource | undefined): boolean {
  if (on.events !== undefined && (event.eventId === null || !on.events.includes(event.eventId))) return false;
  if (on.categories !== undefined && (event.category === null || !on.categories.includes(event.category))) return false;
  if (on.severities !== undefined && !on.severities.includes(event.severity)) return false;
  const wantsAlarm = on.alarms !== undefined || on.metric !== undefined;
  if (!wantsAlarm) return true;
  const alarm = event.alarm;
  if (alarm === undefined || alarm.state !== 'ALARM') return false;
  if (on.alarms !== undefined && !on.alarms.some((p) => alarmNameMatches(p, alarm.name, subject))) return false;
  if (on.metric !== undefined) {
    if (alarm.metric === null) return false;
    if (alarm.metric.namespace !== on.metric.namespace || alarm.metric.name !== on.metric.name) return false;
  }
  return true;
}
