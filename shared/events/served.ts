import type { NormalizedEvent } from './normalized-event.ts';
import { parseArn } from './parse-support.ts';

/**
 * The door check of every ingest handler (issue #22): an event is acted on only when every account and
 * Region it names is one the deployment serves. What an event names: its `account` and `region` (the
 * EventBridge envelope, the CloudTrail record, an alarm's AWSAccountId/AlarmArn, a Redshift
 * notification's Source ARN or its topic) and the ARN of its resource. A claim that is absent is not
 * foreign (a schedule names no account); a claim that is present and differs is.
 */
export interface ServedScope {
  /** Accounts served (the deployment's own first); null: not configured, so no account check. */
  readonly accounts: readonly string[] | null;
  /** Regions served: today the deployment's own. */
  readonly regions: readonly string[];
}

export const DROP_REASONS = ['foreign-account', 'foreign-region'] as const;
export type DropReason = (typeof DROP_REASONS)[number];

export interface ForeignClaim {
  reason: DropReason;
  /** The account or Region the event names. */
  value: string;
  /** Where the event names it: `account`, `region`, `resource.arn`. */
  where: string;
}

function claims(event: NormalizedEvent): { account: [string, string][]; region: [string, string][] } {
  const account: [string, string][] = [];
  const region: [string, string][] = [];
  if (event.account !== null && event.account !== '') account.push([event.account, 'account']);
  if (event.region !== null && event.region !== '') region.push([event.region, 'region']);
  const arn = event.resource.arn === undefined ? null : parseArn(event.resource.arn);
  // Global services leave the Region (and S3 the account) empty in their ARNs: nothing is claimed then.
  if (arn !== null && arn.account !== '') account.push([arn.account, 'resource.arn']);
  if (arn !== null && arn.region !== '') region.push([arn.region, 'resource.arn']);
  return { account, region };
}

/** The first account or Region the event names that the scope does not serve, or null (served). */
export function foreignClaim(event: NormalizedEvent, scope: ServedScope): ForeignClaim | null {
  const { account, region } = claims(event);
  const accounts = scope.accounts;
  if (accounts !== null) {
    const found = account.find(([value]) => !accounts.includes(value));
    if (found !== undefined) return { reason: 'foreign-account', value: found[0], where: found[1] };
  }
  const foundRegion = region.find(([value]) => !scope.regions.includes(value));
  if (foundRegion !== undefined) return { reason: 'foreign-region', value: foundRegion[0], where: foundRegion[1] };
  return null;
}

/** Splits events into those the scope serves and those it drops, each dropped one with why. */
export function partitionServed(
  events: readonly NormalizedEvent[],
  scope: ServedScope,
): { served: NormalizedEvent[]; dropped: { event: NormalizedEvent; claim: ForeignClaim }[] } {
  const served: NormalizedEvent[] = [];
  const dropped: { event: NormalizedEvent; claim: ForeignClaim }[] = [];
  for (const event of events) {
    const claim = foreignClaim(event, scope);
    if (claim === null) served.push(event);
    else dropped.push({ event, claim });
  }
  return { served, dropped };
}
