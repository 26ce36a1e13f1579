import { spokeExecutionRoleArns } from '../../aws/targets-principals.ts';
import { quoteEventText } from '../../events/event-text.ts';
import type { NormalizedEvent } from '../../events/normalized-event.ts';
import { GUARDRAIL_RULES } from '../../execute/guardrails.ts';
import type { EvaluationEnv, Proposal, ProposedAction } from '../../policy/capability.ts';
import type { ClusterResource, FleetResource, LedgerEntryView, TargetRef } from '../../policy/decision.ts';
import { resourceOfRef } from '../../policy/fleet.ts';
import { formatUtcMinute } from '../../policy/local-time.ts';
import { parseDuration } from '../../policy/policy.schema.ts';
import type { RunningWindow, WindowSegment } from '../../policy/running-window.ts';
import { isOptedIn, type Override, readOverride } from '../../policy/targeting.ts';
import { NEXT_BOUNDARY, type WindowBlock } from './window.schema.ts';

/**
 * The `window` of a provisioned cluster: desired state, idle pause, manual resumes, and the events a
 * window pause causes. Everything here is pure; what happened before (this segment's pause, an idle
 * pause, a noted manual resume) is read from the ledger by deterministic keys, which the sweep and
 * ingest fetch when decide() asks for them (decideWithLedger).
 *
 * Keys, per policy and cluster, in a segment starting at P (ISO):
 *   PauseCluster  P                   the boundary pause (also the pre-existing key: plan and ledgers agree)
 *   Publish       manual-resume:P#n   "resumed by hand" after pause n (its `at` is when the resume was seen)
 *   PauseCluster  P#grace-n           pause n ≥ 1, due `graceAfterManualResume` after manual resume n-1
 *   PauseCluster  idle:P              the idle pause of a running segment (one per segment)
 *   Publish       REDSHIFT-EVENT-4506@<event time>
 */
export interface ClusterWindow {
  window: RunningWindow;
  block: WindowBlock;
  times(env: EvaluationEnv): WindowSegment;
  /** "outside window …; next resume …" */
  stateReason(times: WindowSegment): string;
}

export const WINDOW_EVENTS = {
  secretsNotRotated: 'REDSHIFT-EVENT-4506',
  zeroEtlPausing: ['REDSHIFT-INTEGRATION-EVENT-0018', 'REDSHIFT-INTEGRATION-EVENT-0019'],
  zeroEtlResuming: 'REDSHIFT-INTEGRATION-EVENT-0020',
} as const;

export const CLUSTER_PLACEHOLDER = '{cluster}';

/** How many manual resumes in one paused period are followed by a grace pause; then left until the boundary. */
const MAX_GRACE_PAUSES = 5;

/**
 * This stage's executor role, as serverless.yml gives it to the deciding functions
 * (`provider.environment.AUTOPILOT_EXECUTOR_ROLE_ARN: !GetAtt ExecuteDecisionIamRoleLambdaExecution.Arn`).
 */
export const EXECUTOR_ROLE_ENV = 'AUTOPILOT_EXECUTOR_ROLE_ARN';

/** `arn:<partition>:iam::<account>:role/<path/><name>` → account and role name. */
const ROLE_ARN = /^arn:[^:]+:iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/;
/** A CloudTrail assumed-role principal: `arn:<partition>:sts::<account>:assumed-role/<role name>/<session>`. */
const ASSUMED_ROLE = /^arn:[^:]+:sts::(\d{12}):assumed-role\/([^/]+)\/[^/]+$/;
/** Outside Lambda (plan, simulate) no role is configured: the function's session name, as before issue 22. */
const EXECUTOR_SESSION = /\/[^/]*-executeDecision$/;

/**
 * The call was made by this stage's executor: the principal is a session of exactly a configured role
 * (same account, same role name — role names are unique in an account, and the role segment of an
 * assumed-role ARN is the role CloudTrail's `sessionIssuer.arn` names, while the session name is
 * whatever the caller chose). The roles: this stage's executor role and, for a hub, every spoke's
 * execution role its targets file names (the executor acts in a spoke through that role; issue 18).
 * Another stage's executor, or a person's session named `x-executeDecision`, is not this deployment:
 * its resume is a manual one.
 */
export function isExecutorPrincipal(
  principal: string | null,
  executorRoleArns: string | readonly string[] | undefined = [
    process.env[EXECUTOR_ROLE_ENV] ?? '',
    ...spokeExecutionRoleArns(),
  ],
): boolean {
  if (principal === null) return false;
  const roles = (typeof executorRoleArns === 'string' ? [executorRoleArns] : (executorRoleArns ?? [])).filter(Boolean);
  if (roles.length === 0) return EXECUTOR_SESSION.test(principal);
  const session = ASSUMED_ROLE.exec(principal);
  return roles.some((arn) => {
    const role = ROLE_ARN.exec(arn);
    return role !== null && session !== null && role[1] === session[1] && role[2] === session[2];
  });
}

function ref(resource: FleetResource): TargetRef {
  const out: TargetRef = { type: resource.type, id: resource.id };
  if (resource.arn !== null) out.arn = resource.arn;
  if (resource.region !== null) out.region = resource.region;
  return out;
}

function segmentSlot(times: WindowSegment): string {
  return times.prev === null ? 'always' : new Date(times.prev).toISOString();
}

const pauseSlot = (segment: string, n: number) => (n === 0 ? segment : `${segment}#grace-${n}`);
const noteSlot = (segment: string, n: number) => `manual-resume:${segment}#${n}`;
const idleSlot = (segment: string) => `idle:${segment}`;

function entry(env: EvaluationEnv, target: TargetRef, action: string, slot: string): LedgerEntryView | undefined {
  return env.ledger.byKey(env.ledger.keyFor(env.policy.name, target, action, slot));
}

const ACTIVE: ReadonlySet<LedgerEntryView['status']> = new Set(['pending', 'in-progress', 'succeeded']);

/** The grace in ms, or null for `next-boundary` (the default). */
function graceMs(block: WindowBlock): number | null {
  const text = block.graceAfterManualResume;
  if (text === undefined || text === NEXT_BOUNDARY) return null;
  return parseDuration(text);
}

/** Why a pause must not be called now, or null. The executor re-checks the state ones at execution time. */
function pauseRefusal(block: WindowBlock, cluster: ClusterResource, target: TargetRef, env: EvaluationEnv) {
  const refusal =
    GUARDRAIL_RULES.notMultiAz(cluster) ??
    GUARDRAIL_RULES.automatedSnapshotsOn(cluster) ??
    GUARDRAIL_RULES.notZeroEtlTarget(env.fleet.isZeroEtlTarget(cluster), block.pauseZeroEtlTargets === true);
  if (refusal !== null) return refusal;
  // A resize, a snapshot a policy started or a failover drill: their records stay in-progress until done.
  const busy = env.ledger.inProgress(target).filter((e) => e.action !== 'PauseCluster' && e.action !== 'ResumeCluster');
  const first = busy[0];
  if (first !== undefined) return `${first.action} by ${first.policy} in progress (ledger)`;
  return null;
}

function pause(
  cw: ClusterWindow,
  cluster: ClusterResource,
  target: TargetRef,
  reason: string,
  slot: string,
  env: EvaluationEnv,
): Proposal[] {
  const refusal = pauseRefusal(cw.block, cluster, target, env);
  if (refusal !== null) return [{ kind: 'skip', target, reason: refusal }];
  const action: ProposedAction = {
    kind: 'act',
    action: 'PauseCluster',
    target,
    params: { ClusterIdentifier: cluster.id },
    reason,
    slot,
    allowZeroEtlTarget: cw.block.pauseZeroEtlTargets === true,
  };
  return [action];
}

/** When an idle-paused cluster runs again: the start of the next running segment. */
function nextRunningStart(cw: ClusterWindow, times: WindowSegment): number | null {
  if (times.next === null || !times.running) return times.next;
  return cw.window.nextTransition(times.next);
}

/** The idle pause of this running segment, when there is one that took (or is taking) effect. */
function idlePauseOf(cw: ClusterWindow, target: TargetRef, times: WindowSegment, env: EvaluationEnv) {
  if (cw.block.idle === undefined || !times.running) return undefined;
  const found = entry(env, target, 'PauseCluster', idleSlot(segmentSlot(times)));
  return found !== undefined && ACTIVE.has(found.status) ? found : undefined;
}

function idleText(cw: ClusterWindow, times: WindowSegment): string {
  const back = nextRunningStart(cw, times);
  return `resumes at the next running boundary ${back === null ? '(none scheduled)' : formatUtcMinute(back)} or with the override tag`;
}

export function reconcileCluster(
  cw: ClusterWindow,
  cluster: ClusterResource,
  override: Override,
  env: EvaluationEnv,
): Proposal[] {
  const times = cw.times(env);
  const target = ref(cluster);
  const skip = (why: string): Proposal[] => [{ kind: 'skip', target, reason: why }];
  const status = cluster.status;
  if (override.kind === 'running' || override.kind === 'paused') {
    const reason = `override ${override.text} until ${formatUtcMinute(override.until)}; window says ${times.running ? 'running' : 'paused'}`;
    const slot = `override:${override.text}`;
    if (override.kind === 'running') {
      if (status === 'paused') {
        return [
          { kind: 'act', action: 'ResumeCluster', target, params: { ClusterIdentifier: cluster.id }, reason, slot },
        ];
      }
      return status === 'available' || status === 'resuming' ? [] : skip(`status ${status}`);
    }
    if (status === 'paused' || status === 'pausing') return [];
    if (status !== 'available') return skip(`status ${status}`);
    return pause(cw, cluster, target, reason, slot, env);
  }

  const segment = segmentSlot(times);
  const reason = cw.stateReason(times);
  if (times.running) {
    if (status === 'paused') {
      const idle = idlePauseOf(cw, target, times, env);
      if (idle !== undefined) {
        return skip(
          `paused idle at ${formatUtcMinute(Date.parse(idle.at))} (alarm ${cw.block.idle?.alarm.replaceAll(CLUSTER_PLACEHOLDER, target.id)}); ${idleText(cw, times)}`,
        );
      }
      return [
        {
          kind: 'act',
          action: 'ResumeCluster',
          target,
          params: { ClusterIdentifier: cluster.id },
          reason,
          slot: segment,
        },
      ];
    }
    if (status === 'available' || status === 'resuming') return [];
    return skip(`status ${status}`);
  }

  if (status === 'paused' || status === 'pausing') return [];
  if (status !== 'available') return skip(`status ${status}`);
  const first = entry(env, target, 'PauseCluster', pauseSlot(segment, 0));
  if (first === undefined || first.status !== 'succeeded') {
    if (first?.status === 'failed') {
      return skip(
        `PauseCluster failed at ${formatUtcMinute(Date.parse(first.at))} in this slot (ledger); not retried before the next boundary`,
      );
    }
    return pause(cw, cluster, target, reason, pauseSlot(segment, 0), env);
  }
  return afterManualResume(cw, cluster, target, times, env, { at: env.now, by: null });
}

/** The one alert that notes a manual resume: who, when, and what the window does about it. */
function manualResumeNote(
  cw: ClusterWindow,
  cluster: ClusterResource,
  target: TargetRef,
  times: WindowSegment,
  env: EvaluationEnv,
  seen: { at: number; by: string | null },
  slot: string,
): Proposal {
  const grace = graceMs(cw.block);
  const boundary = times.next === null ? 'no boundary scheduled' : `the next boundary ${formatUtcMinute(times.next)}`;
  const then =
    grace === null
      ? `left running until ${boundary} (graceAfterManualResume: next-boundary)`
      : `paused again at ${formatUtcMinute(seen.at + grace)} (graceAfterManualResume: ${cw.block.graceAfterManualResume})`;
  const who = seen.by === null ? 'resumed outside autopilot' : `resumed by ${seen.by}`;
  return {
    kind: 'act',
    action: 'Publish',
    target,
    params: {
      Subject: `[autopilot] ${cluster.id} resumed by hand in a paused period (${env.policy.name})`.slice(0, 100),
      Message: `${cluster.id} was ${who} at ${formatUtcMinute(seen.at)} while policy ${env.policy.name} wants it paused (${cw.stateReason(times)}); ${then}.`,
      MessageAttributes: {
        severity: { DataType: 'String', StringValue: 'INFO' },
        policy: { DataType: 'String', StringValue: env.policy.name },
        resource: { DataType: 'String', StringValue: cluster.id },
      },
    },
    reason: `${who} in a paused period; ${then}`,
    slot,
    at: seen.at,
  };
}

/**
 * The window paused the cluster in this segment and it runs again: someone resumed it (CloudTrail
 * names who; the sweep only sees that the ledger did not). Walk the chain pause 0 → note 0 → pause 1 …
 * to the newest step and propose what comes next: the note (an alert, which also records when), or
 * the grace pause once its time has come.
 */
function afterManualResume(
  cw: ClusterWindow,
  cluster: ClusterResource,
  target: TargetRef,
  times: WindowSegment,
  env: EvaluationEnv,
  seen: { at: number; by: string | null },
): Proposal[] {
  const segment = segmentSlot(times);
  const grace = graceMs(cw.block);
  const boundary = times.next === null ? 'no boundary scheduled' : `the next boundary ${formatUtcMinute(times.next)}`;
  for (let n = 0; n <= MAX_GRACE_PAUSES; n++) {
    const pausedBefore = entry(env, target, 'PauseCluster', pauseSlot(segment, n));
    if (pausedBefore === undefined && n > 0) break;
    const note = entry(env, target, 'Publish', noteSlot(segment, n));
    if (note === undefined) return [manualResumeNote(cw, cluster, target, times, env, seen, noteSlot(segment, n))];
    const resumedAt = Date.parse(note.at);
    if (grace === null) {
      return [
        {
          kind: 'skip',
          target,
          reason: `resumed by hand at ${formatUtcMinute(resumedAt)} after the pause at ${formatUtcMinute(Date.parse(pausedBefore?.at ?? note.at))}; left running until ${boundary}`,
        },
      ];
    }
    if (n === MAX_GRACE_PAUSES) break;
    const due = resumedAt + grace;
    const next = entry(env, target, 'PauseCluster', pauseSlot(segment, n + 1));
    if (next === undefined) {
      if (env.now < due) {
        return [
          {
            kind: 'skip',
            target,
            reason: `resumed by hand at ${formatUtcMinute(resumedAt)}; paused again at ${formatUtcMinute(due)} (graceAfterManualResume: ${cw.block.graceAfterManualResume})`,
          },
        ];
      }
      const reason = `${cw.stateReason(times)}; resumed by hand at ${formatUtcMinute(resumedAt)}, grace ${cw.block.graceAfterManualResume} over`;
      return pause(cw, cluster, target, reason, pauseSlot(segment, n + 1), env);
    }
    if (next.status !== 'succeeded') {
      return next.status === 'failed' || next.status === 'skipped'
        ? [{ kind: 'skip', target, reason: `grace pause ${next.status} (ledger); left running until ${boundary}` }]
        : [];
    }
  }
  return [
    {
      kind: 'skip',
      target,
      reason: `resumed by hand ${MAX_GRACE_PAUSES} times in this paused period; left running until ${boundary}`,
    },
  ];
}

function selectedCluster(event: NormalizedEvent, env: EvaluationEnv): ClusterResource | 'not-opted-in' | undefined {
  const found = resourceOfRef(env.fleet, event.resource, 'cluster');
  if (found === undefined || found.type !== 'cluster' || !env.policy.selector.matches(found)) return undefined;
  return isOptedIn(found, env.policy.optInTag) ? found : 'not-opted-in';
}

/** Why this policy wants the cluster paused right now, or null when it wants it running. */
function pausedBecause(cw: ClusterWindow, cluster: ClusterResource, env: EvaluationEnv): string | null {
  const override = readOverride(cluster, env.now);
  if (override.kind === 'running') return null;
  if (override.kind === 'paused') return `override ${override.text}`;
  const times = cw.times(env);
  if (!times.running) return cw.stateReason(times);
  const idle = idlePauseOf(cw, ref(cluster), times, env);
  return idle === undefined
    ? null
    : `paused idle at ${formatUtcMinute(Date.parse(idle.at))} (alarm ${cw.block.idle?.alarm.replaceAll(CLUSTER_PLACEHOLDER, cluster.id)}); ${idleText(cw, times)}`;
}

/** Events the window reacts to: its idle alarm, a manual resume (CloudTrail), secrets not rotated (4506). */
export function reactCluster(cw: ClusterWindow, event: NormalizedEvent, env: EvaluationEnv): Proposal[] {
  // `{cluster}` in the alarm name stands for the cluster the alarm watches (its ClusterIdentifier dimension).
  const idleAlarm = cw.block.idle?.alarm.replaceAll(CLUSTER_PLACEHOLDER, event.resource.id);
  const isIdle =
    event.kind === 'alarm' &&
    event.resource.type === 'cluster' &&
    idleAlarm !== undefined &&
    event.alarm?.name === idleAlarm;
  const isManualResume =
    event.kind === 'api-call' &&
    event.apiCall?.operation === 'ResumeCluster' &&
    event.apiCall.errorCode === null &&
    !isExecutorPrincipal(event.apiCall.principal);
  const isSecrets = event.eventId === WINDOW_EVENTS.secretsNotRotated;
  if (!isIdle && !isManualResume && !isSecrets) return [];
  const cluster = selectedCluster(event, env);
  if (cluster === undefined) return [];
  const label = `${event.eventId ?? (isIdle ? `alarm ${idleAlarm}` : 'ResumeCluster by hand')} at ${event.time}`;
  if (cluster === 'not-opted-in') {
    return [{ kind: 'skip', target: { type: 'cluster', id: event.resource.id }, reason: `${label}: not opted in` }];
  }
  const target = ref(cluster);
  if (isIdle) return idlePause(cw, cluster, target, event, env);
  if (isManualResume) {
    const override = readOverride(cluster, env.now);
    const times = cw.times(env);
    if (override.kind === 'running' || override.kind === 'paused' || times.running) return [];
    const first = entry(env, target, 'PauseCluster', pauseSlot(segmentSlot(times), 0));
    if (first === undefined || first.status !== 'succeeded') return [];
    const seen = { at: Date.parse(event.time), by: event.apiCall?.principal ?? null };
    // Only the note: the grace pause is the sweep's, when its time comes.
    return afterManualResume(cw, cluster, target, times, env, seen).filter(
      (p) => p.kind === 'act' && p.action === 'Publish',
    );
  }
  const because = pausedBecause(cw, cluster, env);
  if (because === null || cluster.status !== 'paused') return [];
  return [secretRotationStopped(cw, cluster, target, event, env, because, label)];
}

/**
 * REDSHIFT-EVENT-4506: Secrets Manager could not rotate the secret of a cluster this policy paused.
 * Automatic rotation then stops and does not restart on resume (guide L25059, facts.md §2):
 * `secretsmanager:RotateSecret` must be called. Autopilot has no Secrets Manager adapter, so the alert
 * says what to run; it does not rotate the secret itself.
 */
function secretRotationStopped(
  cw: ClusterWindow,
  cluster: ClusterResource,
  target: TargetRef,
  event: NormalizedEvent,
  env: EvaluationEnv,
  because: string,
  label: string,
): Proposal {
  const back = nextRunningStart(cw, cw.times(env));
  const region = event.region === null ? '' : ` --region ${event.region}`;
  const secretArn = `aws redshift describe-clusters --cluster-identifier ${cluster.id}${region} --query 'Clusters[0].MasterPasswordSecretArn' --output text`;
  const when =
    back === null
      ? 'once the cluster runs again'
      : `once the cluster runs again (the window runs it from ${formatUtcMinute(back)})`;
  return {
    kind: 'act',
    action: 'Publish',
    target,
    params: {
      Subject: `[autopilot] ${env.policy.name}: secret rotation of ${cluster.id} stopped while paused`.slice(0, 100),
      Message: [
        `Event text: ${quoteEventText(event.message)}`,
        `Paused by policy ${env.policy.name}: ${because}.`,
        "Automatic rotation of the cluster's secret has stopped and does not restart when the cluster resumes; it must be restarted with Secrets Manager RotateSecret.",
        `What to do: ${when}, run`,
        `  aws secretsmanager rotate-secret${region} --secret-id "$(${secretArn})"`,
        `or keep ${cluster.id} running over its rotation date (a running range in the window, or the tag autopilot:override=running-until=<time>).`,
      ].join('\n'),
      MessageAttributes: {
        severity: { DataType: 'String', StringValue: 'WARNING' },
        policy: { DataType: 'String', StringValue: env.policy.name },
        resource: { DataType: 'String', StringValue: cluster.id },
      },
    },
    reason: `${label}: secret rotation stopped on a cluster this policy paused (${because}); it does not restart on resume, RotateSecret is needed`,
    slot: `${event.eventId}@${event.time}`,
  };
}

function idlePause(
  cw: ClusterWindow,
  cluster: ClusterResource,
  target: TargetRef,
  event: NormalizedEvent,
  env: EvaluationEnv,
): Proposal[] {
  if (event.alarm?.state !== 'ALARM') return [];
  const label = `alarm ${event.alarm.name} in ALARM since ${formatUtcMinute(Date.parse(event.time))}`;
  const override = readOverride(cluster, env.now);
  if (override.kind === 'running') {
    return [
      {
        kind: 'skip',
        target,
        reason: `${label}: override ${override.text} keeps it running until ${formatUtcMinute(override.until)}`,
      },
    ];
  }
  const times = cw.times(env);
  // Outside the window (or overridden to paused) the window pauses it anyway.
  if (override.kind === 'paused' || !times.running) return [];
  if (cluster.status === 'paused' || cluster.status === 'pausing') return [];
  if (cluster.status !== 'available') return [{ kind: 'skip', target, reason: `${label}: status ${cluster.status}` }];
  const slot = idleSlot(segmentSlot(times));
  if (entry(env, target, 'PauseCluster', slot) !== undefined) return [];
  return pause(
    cw,
    cluster,
    target,
    `idle: ${label} inside window ${cw.window.description}; ${idleText(cw, times)}`,
    slot,
    env,
  );
}

/**
 * REDSHIFT-INTEGRATION-EVENT-0018/0019 (target being paused) and 0020 (being resumed) about a target
 * this policy pauses on purpose (`pauseZeroEtlTargets: true`) are expected: no reaction, no alert.
 */
export function explainClusterEvent(cw: ClusterWindow, event: NormalizedEvent, env: EvaluationEnv): string | null {
  if (cw.block.pauseZeroEtlTargets !== true || event.eventId === null) return null;
  const pausing = (WINDOW_EVENTS.zeroEtlPausing as readonly string[]).includes(event.eventId);
  if (!pausing && event.eventId !== WINDOW_EVENTS.zeroEtlResuming) return null;
  const integration = resourceOfRef(env.fleet, event.resource, 'integration');
  if (integration === undefined || integration.type !== 'integration') return null;
  const cluster = env.fleet.clusterByNamespaceArn(integration.targetArn);
  if (cluster === undefined || cluster.type !== 'cluster') return null;
  if (!env.policy.selector.matches(cluster) || !isOptedIn(cluster, env.policy.optInTag)) return null;
  const because = pausedBecause(cw, cluster, env);
  if (pausing && because !== null) {
    return `zero-ETL target ${cluster.id} is paused on purpose (pauseZeroEtlTargets: true; ${because})`;
  }
  if (!pausing && because === null) {
    return `zero-ETL target ${cluster.id} is resumed by its window (pauseZeroEtlTargets: true)`;
  }
  return null;
}
