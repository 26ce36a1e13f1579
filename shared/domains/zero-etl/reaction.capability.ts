import type { NormalizedEvent } from '../../events/normalized-event.ts';
import type { CapabilityRegistration, CompileContext, EvaluationEnv, Proposal } from '../../policy/capability.ts';
import { oneOf } from '../../policy/param-check.ts';
import { parseDuration } from '../../policy/policy.schema.ts';
import { isOptedIn } from '../../policy/targeting.ts';
import { snapshotIdRefusal } from '../snapshots/snapshot-id.ts';
import { tagsRefusal } from '../snapshots/snapshot-params.ts';
import { TARGET_PARAMETER } from './integration-events.ts';
import {
  ACTION_RESOURCES,
  type AllowBlock,
  allowSchema,
  doSchema,
  EVENT_ID_PATTERN,
  foldWindowSchema,
  type OnBlock,
  onSchema,
  type ReactionAction,
} from './reaction.schema.ts';
import { alertOn, reactCluster } from './reaction-cluster.ts';
import { DEFAULT_FOLD_MS, type FoldingCapability } from './reaction-fold.ts';
import { type ReactionContext, reactIntegration, refOf } from './reaction-integration.ts';
import { eventMatches, NAME_PLACEHOLDERS, subjectOf } from './reaction-match.ts';

/**
 * Reactions: `on` (event ids, categories, severities, alarm names, a metric — every one given must hold)
 * → `do` (actions). On `resource: integration` every zero-ETL event id has its reaction
 * (integration-events.ts): `resume-target`, `fix-target-parameter` (with `allow`), or `alert` with the
 * runbook; repeated warnings fold (`foldWindow`, reaction-fold.ts). Alarms route to any policy: `pause`,
 * `resume`, `snapshot`, `alert` on the cluster an alarm watches, `alert` on an integration's lag alarm.
 * `alert` publishes to the alert topic (`Publish`; the executor adds the TopicArn it owns).
 */
interface Block {
  on: OnBlock;
  actions: readonly ReactionAction[];
  allow: AllowBlock;
}

function react(block: Block, event: NormalizedEvent, env: EvaluationEnv): Proposal[] {
  const subject = subjectOf(event, env);
  if (!eventMatches(block.on, event, subject)) return [];
  const policy = env.policy;
  const label = `${event.eventId ?? (event.alarm === undefined ? event.kind : `alarm ${event.alarm.name}`)} at ${event.time}`;
  if (subject === undefined || subject.type !== policy.resource) {
    if (event.kind === 'alarm' && subject === undefined) return [];
    const reason = `${label}: ${event.resource.type} ${event.resource.id} is not in the fleet`;
    return [{ kind: 'skip', target: { type: event.resource.type, id: event.resource.id }, reason }];
  }
  const subjectRef = refOf(subject);
  if (!policy.selector.matches(subject)) return [];
  if (!isOptedIn(subject, policy.optInTag)) return [{ kind: 'skip', target: subjectRef, reason: 'not opted in' }];
  const slot = `${event.eventId ?? `${event.kind}:${event.alarm?.name ?? ''}`}@${event.time}`;
  const ctx: ReactionContext = { event, env, actions: block.actions, subject, subjectRef, label, slot };
  if (subject.type === 'integration') return reactIntegration(ctx, subject);
  if (subject.type === 'cluster') return reactCluster(ctx, subject);
  return block.actions.includes('alert') ? [alertOn(ctx, [])] : [];
}

function checkOn(on: OnBlock, ctx: CompileContext): void {
  if (Object.keys(on).length === 0) {
    ctx.problems.push({
      path: ['on'],
      message: 'on is empty; expected at least one of events, categories, severities, alarms, metric',
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
  for (const [i, name] of (on.alarms ?? []).entries()) {
    const used = NAME_PLACEHOLDERS.filter((p) => name.includes(p));
    const wrong = used.find((p) => p !== `{${ctx.resource}}`);
    const stray = name.replace(/\{(cluster|workgroup|integration)\}/g, '').match(/[{}]/);
    if (wrong !== undefined || stray !== null) {
      ctx.problems.push({
        path: ['on', 'alarms', i],
        message: `alarm name "${name}" ${wrong === undefined ? 'has a stray brace' : `uses ${wrong}`}; expected {${ctx.resource}} (the id of the ${ctx.resource} the alarm watches) or none`,
      });
    }
  }
}

function checkDo(actions: readonly ReactionAction[], allow: AllowBlock, ctx: CompileContext): void {
  for (const [i, action] of actions.entries()) {
    const where = ACTION_RESOURCES[action];
    if (!where.includes(ctx.resource)) {
      ctx.problems.push({
        path: ['do', i],
        message: `${action} applies to resource: ${where.join(' or ')}; expected another reaction for resource: ${ctx.resource}`,
      });
    }
    if (action === 'fix-target-parameter' && allow.modifyTargetParameterGroup !== true) {
      ctx.problems.push({
        path: ['do', i],
        message: `fix-target-parameter changes the target cluster's parameter group (${TARGET_PARAMETER.name}=${TARGET_PARAMETER.value}, shared by every cluster using it); expected allow: { modifyTargetParameterGroup: true } on this policy to permit it`,
      });
    }
    if (action === 'recreate' && allow.recreateIntegration !== true) {
      ctx.problems.push({
        path: ['do', i],
        message:
          'recreate deletes the integration and creates it again (replication stops, the target reloads from the source); expected allow: { recreateIntegration: true } on this policy to permit it',
      });
    }
  }
}

function foldMs(raw: unknown): number {
  if (raw === undefined) return DEFAULT_FOLD_MS;
  if (raw === 0 || raw === 'off') return 0;
  return parseDuration(String(raw)) ?? DEFAULT_FOLD_MS;
}

function permits(block: Block, policy: string) {
  return (action: string, key: string, value: unknown, decision: { params: Readonly<Record<string, unknown>> }) => {
    if (action === 'ModifyClusterParameterGroup' && block.actions.includes('fix-target-parameter')) {
      if (key === 'ParameterName') return oneOf(key, value, [TARGET_PARAMETER.name]);
      if (key === 'ParameterValue') return oneOf(key, value, [TARGET_PARAMETER.value]);
    }
    if (action === 'CreateClusterSnapshot' && block.actions.includes('snapshot')) {
      const source = decision.params.ClusterIdentifier;
      if (key === 'SnapshotIdentifier')
        return snapshotIdRefusal(value, policy, typeof source === 'string' ? source : '');
      if (key === 'Tags') return tagsRefusal(key, value, policy);
    }
    return `${key} of ${action} is not a parameter policy ${policy} sets`;
  };
}

function compileReaction(raw: Record<string, unknown>, ctx: CompileContext): FoldingCapability | null {
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
  const block: Block = { on, actions, allow: (raw.allow as AllowBlock | undefined) ?? {} };
  checkOn(on, ctx);
  checkDo(actions, block.allow, ctx);
  const windowMs = foldMs(raw.foldWindow);
  const summary = `on ${JSON.stringify(on)} do ${actions.join(', ')}`;
  return {
    key: 'on',
    summary,
    react: (event, env) => react(block, event, env),
    // Reactions handle events another policy explains themselves (a target paused on purpose: one alert per period).
    explainsEvent: () => null,
    permitsParam: permits(block, ctx.policyName),
    fold: {
      windowMs,
      text: windowMs === 0 ? 'off' : String(raw.foldWindow ?? '6h'),
      matches: (event) => eventMatches(on, event, undefined) && actions.includes('alert'),
    },
  };
}

export const reactionsCapability: CapabilityRegistration = {
  keys: ['on', 'do', 'foldWindow', 'allow'],
  name: 'on/do',
  supported: true,
  resources: ['cluster', 'workgroup', 'integration'],
  schemas: { on: onSchema, do: doSchema, foldWindow: foldWindowSchema, allow: allowSchema },
  compile: compileReaction,
};
