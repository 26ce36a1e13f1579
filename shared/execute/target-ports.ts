import { ConfigurationError } from '../errors.ts';
import type { ClusterResource, TargetRef } from '../policy/decision.ts';
import type { ActionResult, ObservedResource, ResourcePort } from './ports.ts';

/**
 * The executor's resource port for a hub: each call goes to the port of the target's own account and
 * Region (the spoke's clients, under its execution role), resolved from the decision's target — its
 * `account`/`region`, else what its ARN names. A target naming no account is the hub's own. A target in
 * an account and Region the hub does not serve is a configuration error (classified, failed, alerted):
 * nothing is ever called in the hub's account on behalf of another one.
 */
export interface Location {
  account: string;
  region: string;
}

/** The port of one (account, Region), or undefined when the hub does not serve it. */
export type PortFor = (location: Location | null) => ResourcePort | undefined;

const ACCOUNT = /^\d{12}$/;

export function locationOf(target: {
  account?: string | null;
  region?: string | null;
  arn?: string | null;
}): Location | null {
  const parts = target.arn?.split(':') ?? [];
  const account = target.account ?? (ACCOUNT.test(parts[4] ?? '') ? (parts[4] as string) : null);
  const region = target.region ?? (parts[3] === undefined || parts[3] === '' ? null : parts[3]);
  return account === null || region === null ? null : { account, region };
}

export class TargetRoutedPort implements ResourcePort {
  readonly #portFor: PortFor;

  constructor(portFor: PortFor) {
    this.#portFor = portFor;
  }

  #port(target: { account?: string | null; region?: string | null; arn?: string | null }): ResourcePort {
    const location = locationOf(target);
    const port = this.#portFor(location);
    if (port === undefined) {
      const where = location === null ? 'no account' : `account ${location.account}, Region ${location.region}`;
      throw new ConfigurationError(
        `${where} is not a target of this hub; add it to the targets file (AUTOPILOT_TARGETS_PATH) and deploy the spoke stack there`,
      );
    }
    return port;
  }

  async read(target: TargetRef): Promise<ObservedResource | null> {
    return this.#port(target).read(target);
  }

  async perform(action: string, params: Record<string, unknown>, target?: TargetRef): Promise<ActionResult> {
    return this.#port(target ?? {}).perform(action, params, target);
  }

  async isZeroEtlTarget(resource: ClusterResource): Promise<boolean> {
    return this.#port(resource).isZeroEtlTarget(resource);
  }
}
