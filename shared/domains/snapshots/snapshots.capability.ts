import { type CompiledSchedule, compileSchedule } from '../../policy/aws-schedule.ts';
import type {
  CapabilityRegistration,
  CompileContext,
  CompiledCapability,
  EvaluationEnv,
  Proposal,
  ProposedAction,
} from '../../policy/capability.ts';
import type {
  ClusterResource,
  FleetResource,
  LedgerEntryView,
  SnapshotResource,
  TargetRef,
  WorkgroupResource,
} from '../../policy/decision.ts';
import { formatUtcMinute } from '../../policy/local-time.ts';
import { parseDuration } from '../../policy/policy.schema.ts';
import { describeRetain, evaluateRetention, type RetentionRule } from './retention.ts';
import { copyProposals } from './snapshot-copy.ts';
import { hasAutopilotPrefix, snapshotId } from './snapshot-id.ts';
import { snapshotParamCheck } from './snapshot-params.ts';
import { attemptOf, isCreateAction, isManagedSnapshot, slotOf, snapshotTags } from './snapshot-tags.ts';
import { type SnapshotsBlock, snapshotsSchema } from './snapshots.schema.ts';

/**
 * `snapshots`: a manual snapshot at each occurrence (slot) of an AWS cron/rate schedule read in the
 * policy's zone — `CreateClusterSnapshot` for `resource: cluster`, Redshift Serverless `CreateSnapshot`
 * of the workgroup's namespace for `resource: workgroup` — with a deterministic id per slot and
 * attempt, tags (managed-by, policy, slot, attempt) and a retention period; retries of failed
 * attempts with backoff; grandfather-father-son or max-age retention (deletes are decisions like any
 * other); and cross-Region copy. Everything is read from the fleet (snapshot listings included), so
 * decide() stays pure and a sweep that lost its events still converges.
 */
export const SNAPSHOT_DEFAULTS = {
  /** A slot is still taken this long after its instant (a missed sweep); later ones do not pile up. */
  catchUpMs: 60 * 60_000,
  /**
   * Deadlines. A snapshot after the first copies only the blocks changed since the previous one
   * (snapshots are incremental, facts.md §4 L3840–3852; automated ones run about every 8 h, L3862),
   * which takes minutes: 2 h is ample. The first snapshot of a source copies all its data and the guide
   * gives no duration (a GAP): 12 h covers several TB at a few hundred MB/s.
   */
  deadline: { incrementalMs: 2 * 3_600_000, firstMs: 12 * 3_600_000 },
  retries: 3,
  backoffMs: [15 * 60_000, 30 * 60_000, 60 * 60_000],
  /** Failed attempts older than this are not retried any more (the deadline alert has fired). */
  retryLookbackMs: 24 * 3_600_000,
} as const;

export interface SnapshotSettings {
  block: SnapshotsBlock;
  zoneName: string;
  schedule: CompiledSchedule;
  /** How long after its slot a snapshot must be available: the first of a source, and later ones. */
  deadline: SnapshotDeadlines;
  retries: number;
  backoffMs: readonly number[];
  retention: RetentionRule | null;
  /** ManualSnapshotRetentionPeriod / retentionPeriod: -1 = until deleted (retention here decides). */
  expireAfterDays: number;
}

export interface SnapshotDeadlines {
  firstMs: number;
  incrementalMs: number;
}

function deadlinesOf(block: SnapshotsBlock): SnapshotDeadlines {
  const defaults = SNAPSHOT_DEFAULTS.deadline;
  const d = block.deadline;
  if (d === undefined) return { ...defaults };
  if (typeof d === 'string') {
    const ms = parseDuration(d) ?? defaults.incrementalMs;
    return { firstMs: ms, incrementalMs: ms };
  }
  return {
    firstMs: d.first === undefined ? defaults.firstMs : (parseDuration(d.first) ?? defaults.firstMs),
    incrementalMs:
      d.incremental === undefined ? defaults.incrementalMs : (parseDuration(d.incremental) ?? defaults.incrementalMs),
  };
}

export interface CompiledSnapshots extends CompiledCapability {
  key: 'snapshots';
  settings: SnapshotSettings;
}

export function isCompiledSnapshots(capability: CompiledCapability): capability is CompiledSnapshots {
  return capability.key === 'snapshots' && 'settings' in capability;
}

/** What a snapshot is taken of: a cluster, or the namespace behind a workgroup. */
export interface SnapshotSource {
  service: 'redshift' | 'redshift-serverless';
  /** Cluster identifier or namespace name (what snapshots name as their source). */
  id: string;
  /** The policy resource (cluster or workgroup): decisions target it, the opt-in tag is on it. */
  resource: ClusterResource | WorkgroupResource;
  target: TargetRef;
}

function refOf(resource: FleetResource): TargetRef {
  const ref: TargetRef = { type: resource.type, id: resource.id };
  if (resource.arn !== null) ref.arn = resource.arn;
  if (resource.region !== null) ref.region = resource.region;
  return ref;
}

export function sourceOf(resource: FleetResource): SnapshotSource | null {
  if (resource.type === 'cluster') {
    return { service: 'redshift', id: resource.id, resource, target: refOf(resource) };
  }
  if (resource.type === 'workgroup' && resource.namespaceName !== null) {
    return { service: 'redshift-serverless', id: resource.namespaceName, resource, target: refOf(resource) };
  }
  return null;
}

const INDEX_MEMO = 'snapshots:index';

/** Snapshots in the fleet by `service:source`, built once per decide() call. */
export function snapshotsOfSource(
  resources: readonly FleetResource[],
  source: Pick<SnapshotSource, 'service' | 'id'>,
  memo?: Map<string, unknown>,
): readonly SnapshotResource[] {
  let index = memo?.get(INDEX_MEMO) as Map<string, SnapshotResource[]> | undefined;
  if (index === undefined) {
    index = new Map();
    for (const r of resources) {
      if (r.type !== 'snapshot') continue;
      const key = `${r.service}:${r.sourceId}`;
      const list = index.get(key);
      if (list === undefined) index.set(key, [r]);
      else list.push(r);
    }
    memo?.set(INDEX_MEMO, index);
  }
  return index.get(`${source.service}:${source.id}`) ?? [];
}

export const createAction = (s: Pick<SnapshotSource, 'service'>) =>
  s.service === 'redshift' ? 'CreateClusterSnapshot' : 'CreateSnapshot';
const deleteAction = (s: SnapshotSource) => (s.service === 'redshift' ? 'DeleteClusterSnapshot' : 'DeleteSnapshot');

/** Why a snapshot cannot be taken now, or null. Facts: catalog/facts.md §1 (L2941–2942, L3640), L2435. */
export function blockedReason(source: SnapshotSource, env: EvaluationEnv): string | null {
  const r = source.resource;
  if (r.type === 'cluster') {
    if (r.status === 'paused' || r.status === 'pausing')
      return `cluster ${r.status}: a paused cluster takes no snapshots`;
    if (r.status.includes('prep-for-resize') || r.status.includes('resize-cleanup')) {
      return `cluster ${r.status}: snapshots are blocked during an elastic resize`;
    }
    if (r.status !== 'available') return `status ${r.status}`;
    return null;
  }
  if (r.status.toUpperCase() !== 'AVAILABLE') return `workgroup status ${r.status}`;
  const namespace = env.fleet.byTypeAndId('namespace', source.id);
  if (namespace !== undefined && namespace.status.toUpperCase() !== 'AVAILABLE') {
    return `namespace ${source.id} status ${namespace.status}: only an Available namespace can be snapshotted`;
  }
  return null;
}

function createProposal(
  settings: SnapshotSettings,
  source: SnapshotSource,
  policy: string,
  slotMs: number,
  attempt: number,
  reason: string,
  at: number,
): ProposedAction {
  const slotIso = new Date(slotMs).toISOString();
  const id = snapshotId({ source: source.id, policy, slotMs, attempt });
  const tags = snapshotTags({ policy, slotIso, attempt });
  const params: Record<string, unknown> =
    source.service === 'redshift'
      ? {
          SnapshotIdentifier: id,
          ClusterIdentifier: source.id,
          ManualSnapshotRetentionPeriod: settings.expireAfterDays,
          Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
        }
      : {
          namespaceName: source.id,
          snapshotName: id,
          // Serverless keeps a snapshot indefinitely unless retentionPeriod is given (L853).
          ...(settings.expireAfterDays > 0 ? { retentionPeriod: settings.expireAfterDays } : {}),
          tags: Object.entries(tags).map(([key, value]) => ({ key, value })),
        };
  return {
    kind: 'act',
    action: createAction(source),
    target: source.target,
    params,
    reason,
    slot: attempt === 0 ? slotIso : `${slotIso}#r${attempt}`,
    at,
  };
}

function scheduleText(settings: SnapshotSettings): string {
  return `schedule ${settings.block.schedule} ${settings.zoneName}`;
}

/** What reconcileSource's steps share about one source: this policy's snapshots and what runs. */
interface SourceState {
  settings: SnapshotSettings;
  source: SnapshotSource;
  env: EvaluationEnv;
  policy: string;
  /** This policy's managed snapshots of the source. */
  mine: readonly SnapshotResource[];
  bySlot: Map<number, SnapshotResource[]>;
  /** A create from this policy still running: a creating snapshot, or an in-progress ledger record. */
  running: SnapshotResource | LedgerEntryView | undefined;
  runningText: string;
}

function reconcileSource(settings: SnapshotSettings, source: SnapshotSource, env: EvaluationEnv): Proposal[] {
  const state = sourceState(settings, source, env);
  const out: Proposal[] = [];
  // 1. The slot that is due now.
  out.push(...dueProposals(state));
  // 2. Retries: the newest attempt of a recent slot failed and none succeeded or runs.
  out.push(...retryProposals(state));
  // 3. Retention: only this policy's own, available, manual snapshots are candidates.
  out.push(...retentionProposals(state));
  // 4. Cross-Region copy.
  const copyTo = settings.block.copyTo;
  if (copyTo !== undefined) out.push(...copyProposals(copyTo, source, env));
  return out;
}

function sourceState(settings: SnapshotSettings, source: SnapshotSource, env: EvaluationEnv): SourceState {
  const policy = env.policy.name;
  const all = snapshotsOfSource(env.fleet.resources, source, env.memo);
  const mine = all.filter((s) => isManagedSnapshot(s.tags, policy));
  const bySlot = new Map<number, SnapshotResource[]>();
  for (const s of mine) {
    const slot = slotOf(s);
    if (slot === null) continue;
    bySlot.set(slot, [...(bySlot.get(slot) ?? []), s]);
  }
  const running =
    mine.find((s) => s.status === 'creating') ??
    env.ledger.inProgress(source.target).find((e) => e.policy === policy && isCreateAction(e.action));
  const runningText =
    running === undefined ? '' : `snapshot ${'id' in running ? running.id : running.idempotencyKey.slice(0, 12)}`;
  return { settings, source, env, policy, mine, bySlot, running, runningText };
}

function dueProposals(state: SourceState): Proposal[] {
  const { settings, source, env, policy } = state;
  const now = env.now;
  const memoKey = `snapshots:due:${policy}`;
  let due = env.memo.get(memoKey) as number | null | undefined;
  if (due === undefined) {
    due = settings.schedule.lastAtOrBefore(now, now - SNAPSHOT_DEFAULTS.catchUpMs);
    env.memo.set(memoKey, due);
  }
  if (due === null || state.bySlot.has(due)) return [];
  const slotIso = new Date(due).toISOString();
  const handled = env.ledger.byKey(env.ledger.keyFor(policy, source.target, createAction(source), slotIso));
  if (handled !== undefined) return [];
  const blocked = blockedReason(source, env);
  if (blocked !== null) {
    return [{ kind: 'skip', target: source.target, reason: `${formatUtcMinute(due)} snapshot: ${blocked}` }];
  }
  if (state.running !== undefined) {
    return [
      {
        kind: 'skip',
        target: source.target,
        reason: `${formatUtcMinute(due)} snapshot: ${state.runningText} from this policy is still in progress`,
      },
    ];
  }
  const next = settings.schedule.nextAfter(now);
  const reason = `${scheduleText(settings)} due ${formatUtcMinute(due)}${next === null ? '' : `; next ${formatUtcMinute(next)}`}`;
  return [createProposal(settings, source, policy, due, 0, reason, due)];
}

function retryProposals(state: SourceState): Proposal[] {
  const { settings, source, env, policy } = state;
  const now = env.now;
  const out: Proposal[] = [];
  for (const [slotMs, attempts] of state.bySlot) {
    if (now - slotMs > SNAPSHOT_DEFAULTS.retryLookbackMs) continue;
    if (attempts.some((s) => s.status === 'available' || s.status === 'creating')) continue;
    const last = attempts.reduce((a, b) => (attemptOf(b) > attemptOf(a) ? b : a));
    const n = attemptOf(last);
    if (last.status !== 'failed' && last.status !== 'cancelled') continue;
    if (n >= settings.retries) continue;
    const backoff = settings.backoffMs[Math.min(n, settings.backoffMs.length - 1)] ?? 0;
    const dueAt = (last.createdAt === null ? slotMs : Date.parse(last.createdAt)) + backoff;
    if (now < dueAt) continue;
    const blocked =
      blockedReason(source, env) ?? (state.running === undefined ? null : `${state.runningText} is in progress`);
    if (blocked !== null) {
      out.push({ kind: 'skip', target: source.target, reason: `retry of ${last.id}: ${blocked}` });
      continue;
    }
    const reason = `retry ${n + 1}/${settings.retries} of the ${formatUtcMinute(slotMs)} snapshot: ${last.id} ${last.status}`;
    out.push(createProposal(settings, source, policy, slotMs, n + 1, reason, dueAt));
  }
  return out;
}

function retentionProposals(state: SourceState): Proposal[] {
  const { settings, source, env, policy } = state;
  if (settings.retention === null) return [];
  const out: Proposal[] = [];
  // Only snapshots named with autopilot's prefix: those made before it are never deleted (docs/snapshots.md).
  const candidates = state.mine
    .filter((s) => s.snapshotType === 'manual' && hasAutopilotPrefix(s.id))
    .flatMap((s) => {
      const at = slotOf(s);
      return at === null ? [] : [{ id: s.id, at, available: s.status === 'available' }];
    });
  for (const verdict of evaluateRetention(candidates, settings.retention, settings.zoneName, env.now)) {
    if (verdict.keep) continue;
    const slot = `delete:${verdict.id}`;
    if (env.ledger.byKey(env.ledger.keyFor(policy, source.target, deleteAction(source), slot)) !== undefined) {
      continue;
    }
    out.push({
      kind: 'act',
      action: deleteAction(source),
      target: source.target,
      params:
        source.service === 'redshift'
          ? { SnapshotIdentifier: verdict.id, SnapshotClusterIdentifier: source.id }
          : { snapshotName: verdict.id },
      reason: `retention: ${verdict.id} (slot ${formatUtcMinute(verdict.at)}) ${verdict.reason}`,
      slot,
    });
  }
  return out;
}

function compileSnapshots(raw: Record<string, unknown>, ctx: CompileContext): CompiledSnapshots | null {
  const block = raw.snapshots as SnapshotsBlock;
  const zoneName = block.timezone ?? ctx.zoneName;
  if (ctx.resource === 'integration') {
    ctx.problems.push({
      path: ['resource'],
      message: 'snapshots does not apply to resource: integration; expected resource: cluster or workgroup',
    });
    return null;
  }
  const result = compileSchedule(block.schedule, zoneName);
  if (!result.ok) {
    ctx.problems.push({ path: ['snapshots', 'schedule'], message: result.message });
    return null;
  }
  const backoffMs = (block.retry?.backoff ?? []).map((d) => parseDuration(d) ?? 0);
  const settings: SnapshotSettings = {
    block,
    zoneName,
    schedule: result.schedule,
    deadline: deadlinesOf(block),
    retries: block.retry?.attempts ?? SNAPSHOT_DEFAULTS.retries,
    backoffMs: backoffMs.length > 0 ? backoffMs : SNAPSHOT_DEFAULTS.backoffMs,
    retention:
      block.retain !== undefined
        ? { kind: 'classes', retain: block.retain }
        : block.maxAgeDays !== undefined
          ? { kind: 'max-age', days: block.maxAgeDays }
          : null,
    expireAfterDays: block.expireAfterDays ?? -1,
  };
  const retention =
    settings.retention === null
      ? 'no retention'
      : settings.retention.kind === 'classes'
        ? describeRetain(settings.retention.retain)
        : `maxAgeDays ${settings.retention.days}`;
  return {
    key: 'snapshots',
    settings,
    permitsParam: snapshotParamCheck(settings, ctx.policyName),
    // A paused cluster takes no snapshot: validate warns about slots inside another policy's paused time.
    needsRunning: { what: 'snapshot', nextAfter: (t: number) => settings.schedule.nextAfter(t) },
    // Redshift's custom snapshot schedules fire at most hourly (facts.md, guide L3862): validate refuses more often.
    schedules: [
      {
        path: ['snapshots', 'schedule'],
        schedule: settings.schedule,
        what: 'snapshots',
        minIntervalMs: 3_600_000,
        limitReason: "Redshift's minimum gap between scheduled snapshots",
      },
    ],
    summary: `snapshots ${block.schedule} ${zoneName}; ${retention}${block.copyTo === undefined ? '' : `; copy to ${block.copyTo.region}`}`,
    reconcile: (resource, _override, env): Proposal[] => {
      const source = sourceOf(resource);
      if (source === null) {
        return resource.type === 'workgroup'
          ? [{ kind: 'skip', target: refOf(resource), reason: 'workgroup has no namespace to snapshot' }]
          : [];
      }
      return reconcileSource(settings, source, env);
    },
  };
}

export const snapshotsCapability: CapabilityRegistration = {
  keys: ['snapshots'],
  name: 'snapshots',
  supported: true,
  // Serverless snapshots are of a namespace; `resource: workgroup` snapshots the workgroup's namespace
  // (policies select workgroups: namespaces are not a policy resource).
  resources: ['cluster', 'workgroup'],
  schemas: { snapshots: snapshotsSchema },
  compile: compileSnapshots,
};
