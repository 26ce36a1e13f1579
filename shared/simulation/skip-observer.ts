import type { FleetRead } from '../app/deps.ts';
import type { MemoryLedger } from '../execute/memory-ledger.ts';
import { decideWithLedger, ledgerEntryView } from '../execute/reconcile.ts';
import { runningWindowOf } from '../policy/action-effects.ts';
import { decide } from '../policy/decide.ts';
import type { FleetResource } from '../policy/decision.ts';
import type { PolicySet } from '../policy/policy-loader.ts';
import { resourceName } from './simulation-defaults.ts';
import type { TimelineRecorder } from './timeline-recorder.ts';

/**
 * A resource's part of the skip signature. The fleet parser hands out the same resource object for a
 * cluster the simulator has not changed, so most of a large fleet's signature is remembered.
 */
const skipSignatures = new WeakMap<FleetResource, string>();
function skipSignatureOf(r: FleetResource): string {
  let signature = skipSignatures.get(r);
  if (signature === undefined) {
    signature = `${r.type}:${r.id}:${r.status}:${r.type === 'workgroup' ? r.baseCapacity : ''}:${Object.entries(r.tags).join(',')}`;
    skipSignatures.set(r, signature);
  }
  return signature;
}

function sameParts(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** decide()'s own skips are not reported by the sweep (only counted): recomputed for the timeline. */
export class SkipObserver {
  readonly #policies: PolicySet;
  readonly #ledger: MemoryLedger;
  readonly #recorder: TimelineRecorder;
  #lastSignature: readonly string[] = [];

  constructor(policies: PolicySet, ledger: MemoryLedger, recorder: TimelineRecorder) {
    this.#policies = policies;
    this.#ledger = ledger;
    this.#recorder = recorder;
  }

  /** After a sweep read the fleet at `nowMs`. */
  async observe(read: FleetRead, nowMs: number): Promise<void> {
    const { resources, unread } = read;
    const now = new Date(nowMs).toISOString();
    const inFlight = await this.#ledger.listInFlight();
    // decide() is pure: with the same fleet states, the same in-flight records and every window in
    // the same segment, its skips are the ones already reported. Comparing that is far cheaper than
    // deciding again for a large fleet.
    // Compared part by part (a large fleet's joined signature was a new 100 KB string every tick).
    const signature: string[] = [];
    for (const r of resources) signature.push(skipSignatureOf(r));
    signature.push('|');
    for (const r of inFlight) signature.push(r.idempotencyKey);
    signature.push('|');
    for (const u of unread) signature.push(`${u.reader}:${u.reason}`);
    signature.push('|');
    for (const p of this.#policies.policies) {
      const window = runningWindowOf(p);
      signature.push(window === undefined ? '' : String(window.segment(nowMs).prev));
    }
    if (sameParts(signature, this.#lastSignature)) return;
    this.#lastSignature = signature;
    // With the records decide() asks for (a window's idle pause, a resize's growth), as the sweep decides.
    const { skips } = await decideWithLedger(
      (input) =>
        decide({
          policies: this.#policies,
          fleet: input.fleet,
          trigger: { kind: 'tick', at: now },
          now,
          ledger: input.ledger,
        }),
      {
        fleet: { readAt: now, resources, unread },
        now: new Date(nowMs),
        ledger: { entries: inFlight.map(ledgerEntryView) },
      },
      this.#ledger,
    );
    for (const skip of skips) {
      this.#recorder.skip({
        type: 'skipped',
        at: now,
        resource: resourceName(skip.target.type, skip.target.id),
        policy: skip.policy,
        action: null,
        reason: skip.reason,
        by: 'decide',
      });
    }
  }
}
