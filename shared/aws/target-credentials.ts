import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import type { SpokeRole } from './targets.ts';

/**
 * Credentials per spoke role: the SDK's temporary-credential provider (`fromTemporaryCredentials`,
 * STS AssumeRole with the spoke's external id) behind one cache per (role ARN, external id), so a sweep
 * over 80 (account, Region) pairs of 20 accounts assumes each role once, not once per Region or call.
 *
 * Temporary credentials cannot be extended: a task that outlives them fails mid-way unless new ones are
 * fetched first. The SDK signs every request with what the client's provider returns at that moment, so
 * the provider hands out credentials only while they have `marginMs` left, and assumes the role again
 * otherwise. The margin (10 min) is longer than any one call with its retries and than a Lambda run
 * (15 min at most): no request is signed with credentials that expire before AWS has answered it.
 *
 * Why not the SDK's own memo: a client given a bare provider wraps it in `memoizeIdentityProvider`
 * (@smithy/core), which refreshes 5 minutes before `expiration` but reads `Date.now()`, so no test can
 * move its clock. This provider is marked `memoized`, which the SDK honours as is
 * (resolveAwsSdkSigV4Config: `if (!credentials?.memoized)` wraps), and takes the clock it is given.
 * `forceRefresh` (what client-factory's `refreshingCredentials` asks after an ExpiredToken) assumes again.
 */
export interface TemporaryCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}

export type CredentialProvider = ((options?: { forceRefresh?: boolean }) => Promise<TemporaryCredentials>) & {
  memoized: true;
};

/** Assumes one role once: what `fromTemporaryCredentials` does per call. */
export type AssumeRole = (role: SpokeRole, sessionName: string) => Promise<TemporaryCredentials>;

export const CREDENTIAL_DEFAULTS = {
  /** Hand out credentials only while at least this much of their life is left. */
  marginMs: 10 * 60_000,
  /** AssumeRole DurationSeconds: one hour, the default maximum of a role. */
  durationSeconds: 3_600,
} as const;

export interface StsOptions {
  /** The Region of the hub's STS calls (its own Region: regional STS endpoints). */
  region: string;
  /** Only for moto; never set in Lambda. */
  endpoint?: string;
  /** The hub's own credentials (only for moto; in Lambda the function's role, from the default chain). */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

/** The SDK's provider, one AssumeRole per call: RoleArn, ExternalId, RoleSessionName, DurationSeconds. */
export function sdkAssumeRole(sts: StsOptions, durationSeconds: number = CREDENTIAL_DEFAULTS.durationSeconds) {
  return (role: SpokeRole, sessionName: string): Promise<TemporaryCredentials> => {
    const provider = fromTemporaryCredentials({
      params: {
        RoleArn: role.roleArn,
        RoleSessionName: sessionName,
        DurationSeconds: durationSeconds,
        ...(role.externalId === null ? {} : { ExternalId: role.externalId }),
      },
      ...(sts.credentials === undefined ? {} : { masterCredentials: sts.credentials }),
      clientConfig: {
        region: sts.region,
        maxAttempts: 3,
        ...(sts.endpoint === undefined ? {} : { endpoint: sts.endpoint }),
      },
    });
    return provider();
  };
}

/** A role session name: what CloudTrail shows after `assumed-role/<role>/`; [\w+=,.@-], at most 64. */
export function sessionNameOf(text: string): string {
  const cleaned = text.replace(/[^\w+=,.@-]/g, '-');
  return cleaned.slice(Math.max(0, cleaned.length - 64));
}

export class TargetCredentials {
  readonly #assume: AssumeRole;
  readonly #sessionName: string;
  readonly #now: () => number;
  readonly #marginMs: number;
  readonly #providers = new Map<string, CredentialProvider>();
  /** AssumeRole calls made, per role ARN (the docs' cost figures; tests). */
  readonly assumed = new Map<string, number>();

  constructor(options: { assume: AssumeRole; sessionName: string; now?: () => number; marginMs?: number }) {
    this.#assume = options.assume;
    this.#sessionName = sessionNameOf(options.sessionName);
    this.#now = options.now ?? Date.now;
    this.#marginMs = options.marginMs ?? CREDENTIAL_DEFAULTS.marginMs;
  }

  /** The one provider of this role and external id (built on first use, kept for the container's life). */
  providerFor(role: SpokeRole): CredentialProvider {
    const key = `${role.roleArn}|${role.externalId ?? ''}`;
    let provider = this.#providers.get(key);
    if (provider === undefined) {
      provider = this.#build(role);
      this.#providers.set(key, provider);
    }
    return provider;
  }

  #build(role: SpokeRole): CredentialProvider {
    let current: TemporaryCredentials | null = null;
    let pending: Promise<TemporaryCredentials> | null = null;
    const fresh = (c: TemporaryCredentials | null): c is TemporaryCredentials =>
      c !== null && (c.expiration === undefined || c.expiration.getTime() - this.#now() >= this.#marginMs);
    const refresh = () => {
      // Concurrent callers share one AssumeRole; a failed one is not kept (the next call tries again).
      pending ??= this.#assume(role, this.#sessionName)
        .then((credentials) => {
          this.assumed.set(role.roleArn, (this.assumed.get(role.roleArn) ?? 0) + 1);
          current = credentials;
          return credentials;
        })
        .finally(() => {
          pending = null;
        });
      return pending;
    };
    const provider = async (options?: { forceRefresh?: boolean }) => {
      if (options?.forceRefresh !== true && fresh(current)) return current;
      return refresh();
    };
    return Object.assign(provider, { memoized: true as const });
  }
}
