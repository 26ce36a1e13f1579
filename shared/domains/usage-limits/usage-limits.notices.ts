import { randomUUID } from 'node:crypto';
import { newLedgerRecord } from '../../execute/ledger-record.ts';
import type { Alert, LedgerRecord } from '../../execute/ports.ts';
import type { CompiledPolicy, TrackerDeps } from '../../policy/capability.ts';
import { idempotencyKey } from '../../policy/decide.ts';
import type { FleetResource, TargetRef, UsageLimitResource } from '../../policy/decision.ts';
import { isOptedIn } from '../../policy/targeting.ts';
import { LIMIT_TAGS, MANAGED_BY } from './usage-limit-tags.ts';
import {
  ORPHAN_ACTION,
  ORPHAN_GRACE_MS,
  OWNER_ACTION,
  orphanDecider,
  orphanKey,
  ownerKey,
  usagePolicies,
} from './usage-limits.ownership.ts';
import { describeLimit } from './usage-limits.reconcile.ts';
import { withLedger } from './workgroup-limits.grade-alerts.ts';
import { ownedByLedger } from './workgroup-limits.reconcile.ts';

/**
 * The sweep's bookkeeping of who owns which usage limit (usage-limits.ownership.ts): owner rows for the
 * Serverless limits deployed policies made, orphan records (and one alert) for autopilot limits whose
 * policy is gone, and a once-a-day report of limits people made on resources a usage-limits policy manages.
 */
const KEYS = { type: (r: FleetResource): TargetRef => ({ type: r.type, id: r.id }) };
const ledgerIndex = { keyFor: idempotencyKey };
const DAY_MS = 24 * 60 * 60_000;

type Limited = FleetResource & { limits: UsageLimitResource[] };
type Owner = { kind: 'deployed' } | { kind: 'orphan'; owner: string } | { kind: 'person' };

interface Seen {
  resource: Limited;
  limit: UsageLimitResource;
}

/** Topics this container has already noticed, until when: spares the ledger a write per limit and sweep. */
const noticed = new Map<string, number>();

const selects = (p: CompiledPolicy, r: FleetResource) => p.selector.matches(r) && isOptedIn(r, p.optInTag);

/** Writes a succeeded bookkeeping record once (claimed by one sweep only); true when this sweep wrote it. */
async function writeOnce(
  deps: Pick<TrackerDeps, 'ledger'>,
  core: { key: string; policy: string; action: string; target: TargetRef; params: Record<string, unknown> },
  reason: string,
  now: Date,
): Promise<boolean> {
  const at = now.toISOString();
  const record: LedgerRecord = newLedgerRecord(
    {
      idempotencyKey: core.key,
      policy: core.policy,
      action: core.action,
      target: core.target,
      mode: 'act',
      params: core.params,
      reason,
      decisionAt: at,
      claimToken: `${core.action}:${randomUUID()}`,
      leaseUntil: at,
    },
    now,
  );
  const claim = await deps.ledger.claim(record, now);
  if (claim.kind !== 'claimed') return false;
  return deps.ledger.save({ ...claim.record, status: 'succeeded', outcomeReason: reason, completedAt: at });
}

/** Serverless limits each deployed workgroup policy's ledger says it created: limit id → policy. */
async function deployedServerlessOwners(
  deps: Pick<TrackerDeps, 'ledger'>,
  policies: readonly CompiledPolicy[],
  workgroups: readonly Limited[],
): Promise<Map<string, string>> {
  return withLedger(deps.ledger, (ledger) => {
    const owners = new Map<string, string>();
    for (const p of usagePolicies(policies, 'workgroup')) {
      for (const wg of workgroups.filter((w) => selects(p, w))) {
        for (const ids of ownedByLedger(ledger, p.name, KEYS.type(wg)).ids.values())
          for (const id of ids) owners.set(`${wg.id}/${id}`, p.name);
      }
    }
    return owners;
  });
}

/** Who owns every limit read on the fleet's clusters and workgroups; owner rows written for new Serverless ones. */
async function owners(
  deps: Pick<TrackerDeps, 'ledger'>,
  policies: readonly CompiledPolicy[],
  limited: readonly Limited[],
  now: Date,
): Promise<Map<Seen, Owner>> {
  const deployed = (type: FleetResource['type']) => new Set(usagePolicies(policies, type).map((p) => p.name));
  const workgroups = limited.filter((r) => r.type === 'workgroup');
  const made = await deployedServerlessOwners(deps, policies, workgroups);
  const rowKeys = workgroups.flatMap((wg) => wg.limits.map((l) => ownerKey(ledgerIndex, KEYS.type(wg), l.id)));
  const rows = new Map((await deps.ledger.getMany(rowKeys)).map((r) => [r.idempotencyKey, r]));
  const out = new Map<Seen, Owner>();
  for (const resource of limited) {
    for (const limit of resource.limits) {
      const seen = { resource, limit };
      if (resource.type === 'cluster') {
        const owner = limit.tags[LIMIT_TAGS.policy];
        if (limit.tags[LIMIT_TAGS.managedBy] !== MANAGED_BY || owner === undefined) out.set(seen, { kind: 'person' });
        else out.set(seen, deployed('cluster').has(owner) ? { kind: 'deployed' } : { kind: 'orphan', owner });
        continue;
      }
      const key = ownerKey(ledgerIndex, KEYS.type(resource), limit.id);
      const maker = made.get(`${resource.id}/${limit.id}`);
      if (maker !== undefined) {
        if (!rows.has(key)) {
          const params = { owner: maker, usageLimitId: limit.id };
          await writeOnce(
            deps,
            { key, policy: maker, action: OWNER_ACTION, target: KEYS.type(resource), params },
            `usage limit ${limit.id} is policy ${maker}'s`,
            now,
          );
        }
        out.set(seen, { kind: 'deployed' });
        continue;
      }
      const row = rows.get(key)?.params?.owner;
      if (typeof row !== 'string') out.set(seen, { kind: 'person' });
      else out.set(seen, deployed('workgroup').has(row) ? { kind: 'deployed' } : { kind: 'orphan', owner: row });
    }
  }
  return out;
}

const line = (s: Seen) => `${s.resource.type} ${s.resource.id}: ${s.limit.id} (${describeLimit(s.limit)})`;

function listed(items: readonly string[], most = 20): string {
  const shown = items.slice(0, most).map((i) => `  - ${i}`);
  return [...shown, ...(items.length > most ? [`  - and ${items.length - most} more`] : [])].join('\n');
}

/** Records each new orphan (first seen now) and alerts once for all of them. */
async function recordOrphans(
  deps: Pick<TrackerDeps, 'ledger' | 'notifier' | 'policies'>,
  orphans: readonly (Seen & { owner: string })[],
  now: Date,
): Promise<number> {
  const keys = orphans.map((o) => orphanKey(ledgerIndex, KEYS.type(o.resource), o.limit.id));
  const held = new Set((await deps.ledger.getMany(keys)).map((r) => r.idempotencyKey));
  const fresh: string[] = [];
  for (const [i, o] of orphans.entries()) {
    const key = keys[i] ?? '';
    if (held.has(key)) continue;
    const decider = orphanDecider(o.resource, deps.policies);
    const params = { owner: o.owner, usageLimitId: o.limit.id };
    const reason = `autopilot made it for policy ${o.owner}, which no deployed policy is named`;
    if (
      !(await writeOnce(
        deps,
        { key, policy: o.owner, action: ORPHAN_ACTION, target: KEYS.type(o.resource), params },
        reason,
        now,
      ))
    )
      continue;
    const when =
      decider === null
        ? 'not removed automatically: no deployed usage-limits policy selects it'
        : `removed by policy ${decider} from ${new Date(now.getTime() + ORPHAN_GRACE_MS).toISOString().slice(0, 16)}Z`;
    fresh.push(`${line(o)}, made for policy ${o.owner}; ${when}`);
  }
  if (fresh.length === 0) return 0;
  const alert: Alert = {
    subject: `[autopilot] ${fresh.length} usage limit${fresh.length === 1 ? '' : 's'} of a policy no longer deployed`,
    body: [
      `What:    autopilot made ${fresh.length === 1 ? 'this usage limit' : 'these usage limits'} for a policy that no deployed policy is named any more (its file removed, or the policy renamed):`,
      listed(fresh),
      `Done:    recorded; nothing changed yet. After ${ORPHAN_GRACE_MS / 3_600_000} h the usage-limits policy selecting the resource deletes it, unless a policy of that name is deployed again.`,
      'Next:    nothing to do if the policy was removed on purpose. If it was lost by mistake, deploy it again now: its limits are kept and nothing restarts (a limit made again counts usage only from its creation).',
    ].join('\n'),
    attributes: {
      severity: 'WARNING',
      policy: orphans[0]?.owner ?? '',
      resource:
        orphans.length === 1 && orphans[0] !== undefined
          ? `${orphans[0].resource.type}/${orphans[0].resource.id}`
          : 'usage-limits',
      action: ORPHAN_ACTION,
      outcome: 'succeeded',
    },
  };
  await deps.notifier.alert(alert);
  return fresh.length;
}

/** Limits people made on resources a usage-limits policy manages: reported once a day per limit, in one alert. */
async function reportPeople(
  deps: Pick<TrackerDeps, 'ledger' | 'notifier' | 'policies'>,
  people: readonly Seen[],
  now: Date,
): Promise<number> {
  const first = deps.ledger.firstNotice;
  if (first === undefined) return 0;
  const due: Seen[] = [];
  for (const s of people) {
    const topic = `usage-limit-person:${s.resource.type}/${s.resource.id}/${s.limit.id}`;
    if ((noticed.get(topic) ?? 0) > now.getTime()) continue;
    if (await first.call(deps.ledger, topic, now, DAY_MS)) due.push(s);
    noticed.set(topic, now.getTime() + DAY_MS);
  }
  if (due.length === 0) return 0;
  const managers = [
    ...new Set(
      due.flatMap((s) =>
        usagePolicies(deps.policies, s.resource.type)
          .filter((p) => selects(p, s.resource))
          .map((p) => p.name),
      ),
    ),
  ];
  await deps.notifier.alert({
    subject: `[autopilot] ${due.length} usage limit${due.length === 1 ? '' : 's'} made outside autopilot (left as ${due.length === 1 ? 'it is' : 'they are'})`,
    body: [
      `What:    on resources usage-limits policies manage (${managers.join(', ')}), ${due.length === 1 ? 'this limit was' : 'these limits were'} not made by autopilot (no managed-by tag; for Serverless, not in autopilot's ledger):`,
      listed(due.map(line)),
      'Done:    nothing: autopilot never modifies or deletes a limit a person made. This report comes once a day per limit.',
      "Next:    nothing to do if it is intended. It counts against AWS's rules (3 limits and one disable per feature on a cluster, 4 limits per workgroup) and may block a declared limit; to hand it to autopilot, delete it and let the policy create its own.",
    ].join('\n'),
    attributes: {
      severity: 'INFO',
      policy: managers[0] ?? '',
      resource:
        due.length === 1 && due[0] !== undefined ? `${due[0].resource.type}/${due[0].resource.id}` : 'usage-limits',
      action: 'UsageLimitNotice',
      outcome: 'skipped',
    },
  });
  return due.length;
}

/** The sweep's ownership bookkeeping; nothing when no usage-limits policy is deployed (nothing is judged an orphan then). */
export async function sweepOwnership(
  deps: Pick<TrackerDeps, 'ledger' | 'notifier' | 'policies'>,
  fleet: readonly FleetResource[],
  now: Date,
): Promise<{ orphans: number; people: number }> {
  const policies = deps.policies;
  const limited = fleet.filter(
    (r): r is Limited =>
      (r.type === 'cluster' || r.type === 'workgroup') &&
      r.limits !== undefined &&
      usagePolicies(policies, r.type).length > 0,
  );
  if (limited.length === 0) return { orphans: 0, people: 0 };
  const owned = await owners(deps, policies, limited, now);
  const orphans: (Seen & { owner: string })[] = [];
  const people: Seen[] = [];
  for (const [seen, owner] of owned) {
    if (owner.kind === 'orphan') orphans.push({ ...seen, owner: owner.owner });
    const managed = usagePolicies(policies, seen.resource.type).some((p) => selects(p, seen.resource));
    if (owner.kind === 'person' && managed) people.push(seen);
  }
  return { orphans: await recordOrphans(deps, orphans, now), people: await reportPeople(deps, people, now) };
}
