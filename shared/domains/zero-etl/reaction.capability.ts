import { quoteEventText } from '../../events/event-text.ts';
import type { NormalizedEvent } from '../../events/normalized-event.ts';
import type {
  CapabilityRegistration,
  CompileContext,
  CompiledCapability,
  EvaluationEnv,
  Proposal,
} from '../../policy/capability.ts';
import type { FleetResource, TargetRef } from '../../policy/decision.ts';
import { resourceOfRef } from '../../policy/fleet.ts';
import { isOptedIn } from '../../policy/targeting.ts';
import { doSchema, EVENT_ID_PATTERN, type OnBlock, onSchema, type ReactionAction } from './reaction.schema.ts';

/**
 * Reactions: `on` (event ids, categories, severities, alarm names — every list given must contain
 * the event's value) → `do` (actions). Built so far for zero-ETL integrations: REDSHIFT-INTEGRATION-
 * EVENT-0018/0019 say the target cluster is paused or being paused, so `resume-target` resumes it.
 * `alert` publishes to the alert topic (`Publish`; the executor adds the TopicArn it owns).
 */

function ref(resource: FleetResource): TargetRef {
  const out: TargetRef = { type: resource.type, id: resource.id };
  if (resource.arn !== null) out.arn = resource.arn;
  if (resource.region !== null) out.region = resource.region;
  return out;
}

function eventMatches(on: OnBlock, event: NormalizedEvent): boolean {
  if (on.events !== undefined && (event.eventId === null || !on.events.includes(event.eventId))) return false;
  if (on.categories !== undefined && (event.category === null || !on.categories.includes(event.category))) return false;
  if (on.severities !== undefined && !on.severities.includes(event.severity)) return false;
  if (
    on.alarms !== undefined &&
    (event.alarm === undefined || event.alarm.state !== 'ALARM' || !on.alarms.includes(event.alarm.name))
  ) {
    return false;
  }
  return true;
}

function findSubject(event: NormalizedEvent, env: EvaluationEnv): FleetResource | undefined {
  return resourceOfRef(env.fleet, event.resource);
}

/** A policy's `do: [alert]`: what fired on which fleet resource, then the event's own text, quoted and bounded. */
function alertOf(policy: string, event: NormalizedEvent, subject: FleetResource) {
  const on = event.eventId ?? event.kind;
  return {
    kind: 'act' as const,
    action: 'Publish',
    params: {
      Subject: `[autopilot] ${policy}: ${on} on ${subject.id}`.slice(0, 100),
      Message: [
        `Policy ${policy} alerts on ${on} for ${subject.type} ${subject.id} (${event.time}).`,
        `Event text: ${quoteEventText(event.message)}`,
      ].join('\n'),
      MessageAttributes: {
        severity: { DataType: 'String', StringValue: event.severity },
        policy: { DataType: 'String', StringValue: policy },
        resource: { DataType: 'String', StringValue: subject.id },
      },
    },
  };
}

function react(
  on: OnBlock,
  actions: readonly ReactionAction[],
  event: NormalizedEvent,
  env: EvaluationEnv,
): Proposal[] {
  if (!eventMatches(on, event)) return [];
  const policy = env.policy;
  const subject = findSubject(event, env);
  const label = `${event.eventId ?? event.kind} at ${event.time}`;
  const eventRef: TargetRef = { type: event.resource.type, id: event.resource.id };
  if (subject === undefined || subject.type !== policy.resource) {
    return [
      {
        kind: 'skip',
        target: eventRef,
        reason: `${label}: ${event.resource.type} ${event.resource.id} is not in the fleet`,
      },
    ];
  }
  const subjectRef = ref(subject);
  if (!policy.selector.matches(subject)) return [];
  if (!isOptedIn(subject, policy.optInTag)) return [{ kind: 'skip', target: subjectRef, reason: 'not opted in' }];
  const slot = `${event.eventId ?? event.kind}@${event.time}`;
  const out: Proposal[] = [];
  for (const action of actions) {
    if (action === 'alert') {
      out.push({ ...alertOf(policy.name, event, subject), target: subjectRef, reason: `${label}: alert`, slot });
      continue;
    }
    // resume-target
    if (subject.type !== 'integration') {
      out.push({ kind: 'skip', target: subjectRef, reason: `${label}: resume-target needs an integration` });
      continue;
    }
    const cluster = env.fleet.clusterByNamespaceArn(subject.targetArn);
    if (cluster === undefined || cluster.type !== 'cluster') {
      out.push({
        kind: 'skip',
        target: subjectRef,
        reason: `${label}: target ${subject.targetArn} is not a provisioned cluster in the fleet (Serverless targets have no pause)`,
      });
      continue;
    }
    const clusterRef = ref(cluster);
    if (!isOptedIn(cluster, policy.optInTag)) {
      out.push({ kind: 'skip', target: clusterRef, reason: `${label}: target cluster not opted in` });
    } else if (cluster.status === 'paused') {
      out.push({
        kind: 'act',
        action: 'ResumeCluster',
        target: clusterRef,
        params: { ClusterIdentifier: cluster.id },
        reason: `${label}: zero-ETL integration ${subject.id} needs its target running`,
        slot,
        actsOn: cluster,
      });
    } else if (cluster.status !== 'available' && cluster.status !== 'resuming') {
      out.push({ kind: 'skip', target: clusterRef, reason: `${label}: status ${cluster.status}` });
    }
  }
  return out;
}

function compileReaction(raw: Record<string, unknown>, ctx: CompileContext): CompiledCapability | null {
  const on = raw.on as OnBlock | undefined;
  const actions = raw.do as ReactionAction[] | undefined;
  if (on === undefined) {
    ctx.problems.push({
      path: ['do'],
      atKey: true,
      message: 'do has no on; expected on: { events: [...] } saying when to react',
    });
    return null;
  }
  if (actions === undefined) {
    ctx.problems.push({
      path: ['on'],
      atKey: true,
      message: 'on has no do; expected do: [...] saying how to react, e.g. [resume-target, alert]',
    });
    return null;
  }
  if (Object.keys(on).length === 0) {
    ctx.problems.push({
      path: ['on'],
      message: 'on is empty; expected at least one of events, categories, severities, alarms',
    });
  }
  for (const [i, id] of (on.events ?? []).entries()) {
    if (!EVENT_ID_PATTERN.test(id)) {
      ctx.problems.push({
        path: ['on', 'events', i],
        message: `"${id}" is not an event id; expected REDSHIFT-EVENT-nnnn, REDSHIFT-SERVERLESS-EVENT-nnnn or REDSHIFT-INTEGRATION-EVENT-nnnn`,
      });
    } else if (!ctx.knownEventId(id)) {
      ctx.problems.push({
        path: ['on', 'events', i],
        message: `unknown event id "${id}"; expected an id from the Redshift event catalog`,
      });
    }
  }
  const resumeAt = actions.indexOf('resume-target');
  if (resumeAt !== -1 && ctx.resource !== 'integration') {
    ctx.problems.push({
      path: ['do', resumeAt],
      message: `resume-target applies to resource: integration; expected another reaction for resource: ${ctx.resource}`,
    });
  }
  const summary = `on ${JSON.stringify(on)} do ${actions.join(', ')}`;
  return { key: 'on', summary, react: (event, env) => react(on, actions, event, env) };
}

export const reactionsCapability: CapabilityRegistration = {
  keys: ['on', 'do'],
  name: 'on/do',
  supported: true,
  resources: ['cluster', 'workgroup', 'integration'],
  schemas: { on: onSchema, do: doSchema },
  compile: compileReaction,
};
