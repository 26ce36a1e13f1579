import { randomUUID } from 'node:crypto';
import type { NormalizedEvent } from '../../events/normalized-event.ts';
import { newLedgerRecord } from '../../execute/ledger-record.ts';
import type { Alert, LedgerRecord } from '../../execute/ports.ts';
import { safeSubject } from '../../execute/report.ts';
import type {
  CapabilityRegistration,
  CompiledCapability,
  CompiledPolicy,
  EvaluationEnv,
  TrackerDeps,
} from '../../policy/capability.ts';
import { idempotencyKey } from '../../policy/decide.ts';
import type { TargetRef } from '../../policy/decision.ts';

/**
 * Folding repeated warnings (issue 17): one alert per policy, integration, event id and `foldWindow`
 * (default 6 h, from the first alert). State lives in the ledger, written by the reactions' tracker
 * (ingest hands it each warning before deciding): the window is an `in-progress` record (so the sweep
 * finds it with the in-flight query), each repeat adds one to its count and leaves a `skipped` marker
 * under the event's own key, which decide() looks up (LedgerIndex.byKey) to turn the repeat's alert into
 * a skip. When the window has passed — on the sweep, or on the next warning after it — the window closes
 * with one summary alert naming how many repeats were folded (none: closed quietly). Without the tracker
 * (plan) nothing is folded: every warning alerts.
 */
export const FOLD_RECORD = 'FoldWindow';
export const DEFAULT_FOLD_MS = 6 * 3_600_000;

/** What the reactions' compiled block tells the tracker. */
export interface FoldingCapability extends CompiledCapability {
  fold?: { windowMs: number; text: string; matches(event: NormalizedEvent): boolean };
}

/** Folding applies to integration warnings (an integration is no resource a window or resize waits on). */
export function foldable(event: NormalizedEvent): boolean {
  return event.kind === 'integration-event' && event.severity === 'WARNING' && event.eventId !== null;
}

function refOf(event: NormalizedEvent): TargetRef {
  return { type: event.resource.type, id: event.resource.id };
}

function markerKey(policy: string, event: NormalizedEvent): string {
  return idempotencyKey(policy, refOf(event), FOLD_RECORD, `${event.eventId}@${event.time}`);
}

/** decide()'s side: the tracker folded this event for this policy. */
export function foldedInto(env: EvaluationEnv, event: NormalizedEvent): string | null {
  if (!foldable(event)) return null;
  const marker = env.ledger.byKey(markerKey(env.policy.name, event));
  return marker?.status === 'skipped' ? marker.at : null;
}

function foldOf(policy: CompiledPolicy): FoldingCapability['fold'] {
  return (policy.capability as FoldingCapability).fold;
}

function record(policy: string, event: NormalizedEvent, key: string, now: Date): LedgerRecord {
  const core = {
    idempotencyKey: key,
    policy,
    action: FOLD_RECORD,
    target: event.resource.arn === undefined ? refOf(event) : { ...refOf(event), arn: event.resource.arn },
    mode: 'act' as const,
    params: { eventId: event.eventId, count: 1, last: event.time },
    reason: `${event.eventId} on ${event.resource.type} ${event.resource.id}`,
    decisionAt: event.time,
    claimToken: `fold:${randomUUID()}`,
    leaseUntil: now.toISOString(),
  };
  return { ...newLedgerRecord(core, now, 1), status: 'in-progress' };
}

export function foldSummary(window: LedgerRecord, windowText: string): Alert {
  const repeats = Number(window.params.count) - 1;
  const id = String(window.params.eventId);
  const what = `${window.target.type} ${window.target.arn ?? window.target.id}`;
  return {
    subject: safeSubject(`[autopilot] ${window.policy}: ${repeats} more ${id} on ${window.target.id} (folded)`),
    body: [
      `What:    ${repeats} more ${id} on ${what} between ${window.decisionAt} and ${String(window.params.last)}, after the alert of ${window.decisionAt}.`,
      `Why:     repeated warnings fold into one alert per foldWindow (${windowText}) of policy ${window.policy}; this closes that window.`,
      "Next:    the first alert's runbook holds for every repeat; the next one alerts again.",
    ].join('\n'),
    attributes: {
      severity: 'WARNING',
      policy: window.policy,
      resource: `${window.target.type}/${window.target.id}`,
      action: FOLD_RECORD,
      outcome: 'succeeded',
    },
  };
}

class Folder {
  readonly #deps: TrackerDeps;
  #open: LedgerRecord[] | null = null;

  constructor(deps: TrackerDeps) {
    this.#deps = deps;
  }

  async #windows(): Promise<LedgerRecord[]> {
    this.#open ??= (await this.#deps.ledger.listInFlight()).filter((r) => r.action === FOLD_RECORD);
    return this.#open;
  }

  async onEvent(event: NormalizedEvent): Promise<LedgerRecord | null> {
    if (!foldable(event)) return null;
    for (const policy of this.#deps.policies) {
      const fold = foldOf(policy);
      if (fold === undefined || fold.windowMs <= 0 || !fold.matches(event)) continue;
      await this.#count(policy.name, fold, event);
    }
    return null;
  }

  async #count(policy: string, fold: NonNullable<FoldingCapability['fold']>, event: NormalizedEvent): Promise<void> {
    const { ledger } = this.#deps;
    const now = this.#deps.clock.now();
    const t = Date.parse(event.time);
    const mine = (await this.#windows()).filter(
      (r) => r.policy === policy && r.target.type === event.resource.type && r.target.id === event.resource.id,
    );
    const same = mine.filter((r) => r.params.eventId === event.eventId && r.status === 'in-progress');
    const open = same.find((r) => Date.parse(r.decisionAt) + fold.windowMs > t);
    if (open !== undefined) {
      // The window's own first event delivered again: decide() alerts under the same key, the ledger keeps one.
      if (event.time === open.decisionAt) return;
      const marker = record(policy, event, markerKey(policy, event), now);
      const why = `folded into the alert of ${open.decisionAt}`;
      const claimed = await ledger.claim(
        { ...marker, decisionAt: open.decisionAt, status: 'skipped', outcomeReason: why },
        now,
      );
      // A repeat delivered twice is counted once.
      if (claimed.kind !== 'claimed') return;
      const next = { ...open, params: { ...open.params, count: Number(open.params.count) + 1, last: event.time } };
      if (await ledger.save({ ...next, updatedAt: now.toISOString() })) Object.assign(open, next);
      return;
    }
    for (const passed of same) await this.#close(passed, fold.text);
    const window = record(
      policy,
      event,
      idempotencyKey(policy, refOf(event), FOLD_RECORD, `${event.eventId}#${event.time}`),
      now,
    );
    const claim = await ledger.claim(window, now);
    if (claim.kind === 'claimed') (await this.#windows()).push(claim.record);
  }

  /** One summary when repeats were folded; then the window is done. */
  async #close(window: LedgerRecord, text: string): Promise<boolean> {
    const at = this.#deps.clock.now().toISOString();
    const repeats = Number(window.params.count) - 1;
    if (repeats > 0) await this.#deps.notifier.alert(foldSummary(window, text));
    const done: LedgerRecord = {
      ...window,
      status: 'succeeded',
      outcomeReason: repeats > 0 ? `${repeats} repeats folded; summary sent` : 'no repeats',
      updatedAt: at,
      completedAt: at,
    };
    const saved = await this.#deps.ledger.save(done);
    if (saved) Object.assign(window, done);
    return saved && repeats > 0;
  }

  async sweep(): Promise<{ counts: Record<string, number>; failures: Record<string, number> }> {
    this.#open = null;
    const now = this.#deps.clock.now().getTime();
    let summaries = 0;
    for (const window of await this.#windows()) {
      const policy = this.#deps.policies.find((p) => p.name === window.policy);
      const fold = policy === undefined ? undefined : foldOf(policy);
      // A window of a policy no longer deployed (or no longer folding) closes now.
      const ends = Date.parse(window.decisionAt) + (fold?.windowMs ?? 0);
      if (window.status === 'in-progress' && ends <= now && (await this.#close(window, fold?.text ?? 'off')))
        summaries++;
    }
    return { counts: { foldSummaries: summaries }, failures: {} };
  }
}

export const foldTracker: NonNullable<CapabilityRegistration['tracker']> = {
  handles: foldable,
  create: (deps) => new Folder(deps),
};
