/**
 * Which policies of a folder react to an event id, and how: the example event (catalog-examples.ts)
 * is normalized as ingest would, and each compiled policy is asked what it would do — its capability's
 * `explainsEvent` (the event is the expected result of its own desired state) and `react` (its
 * proposals) — on a fleet holding the event's resource. Nothing here knows a capability: the answers
 * are the policies' own.
 *
 * The example resource is put in each policy's reach: it carries the policy's opt-in tag and the
 * policy's `match` is taken as matching it, because the question is what the policy does with the
 * event, not whether some resource of a real fleet is selected.
 */

import { normalize } from '../events/normalize.ts';
import type { NormalizedEvent } from '../events/normalized-event.ts';
import type { CompiledPolicy, EvaluationEnv, Proposal } from '../policy/capability.ts';
import { indexLedger } from '../policy/decide.ts';
import { indexFleet, parseFleet } from '../policy/fleet.ts';
import { type CatalogEntry, exampleFleet, examplePayload } from './catalog-examples.ts';

export interface ProposedCall {
  action: string;
  target: string;
  reason: string;
  params: Record<string, unknown>;
}

export interface PolicyReaction {
  policy: string;
  /** `file:line` of the policy. */
  at: string;
  /** The policy's capability says the event is its own doing: other policies' reactions to it are skipped. */
  expects: string | null;
  calls: ProposedCall[];
  skips: { target: string; reason: string }[];
}

/** The example event of an id, normalized; throws (a bug) when its payload does not normalize to its id. */
export function exampleEvent(entry: CatalogEntry, at: Date): NormalizedEvent {
  const [event] = normalize(examplePayload(entry, at), { receivedAt: at });
  if (event === undefined || event.eventId !== entry.id) {
    throw new Error(`catalog: the example payload of ${entry.id} normalizes to ${event?.eventId ?? 'nothing'}`);
  }
  return event;
}

function reachable(policy: CompiledPolicy): CompiledPolicy {
  return { ...policy, selector: { ...policy.selector, matches: () => true } };
}

const targetText = (p: Proposal) => `${p.target.type}/${p.target.id}`;

/** What each policy does with the example event of `entry`; policies that do nothing are left out. */
export function reactionsTo(entry: CatalogEntry, policies: readonly CompiledPolicy[], at: Date): PolicyReaction[] {
  const event = exampleEvent(entry, at);
  const inReach = policies.map(reachable);
  const out: PolicyReaction[] = [];
  for (const policy of inReach) {
    const fleet = parseFleet(exampleFleet(entry, { [policy.optInTag.key]: policy.optInTag.value }), at.toISOString());
    const env: EvaluationEnv = {
      now: at.getTime(),
      fleet: indexFleet(fleet),
      ledger: indexLedger({ entries: [] }),
      policy,
      memo: new Map(),
      policies: inReach,
    };
    const expects = policy.capability.explainsEvent?.(event, env) ?? null;
    const proposals = policy.capability.react?.(event, env) ?? [];
    if (expects === null && proposals.length === 0) continue;
    const reaction: PolicyReaction = {
      policy: policy.name,
      at: `${policy.file}:${policy.line}`,
      expects,
      calls: [],
      skips: [],
    };
    for (const p of proposals) {
      if (p.kind === 'act')
        reaction.calls.push({ action: p.action, target: targetText(p), reason: p.reason, params: p.params });
      else reaction.skips.push({ target: targetText(p), reason: p.reason });
    }
    out.push(reaction);
  }
  return out;
}
