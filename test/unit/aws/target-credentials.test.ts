import { Readable } from 'node:stream';
import { DescribeClustersCommand } from '@aws-sdk/client-redshift';
import { describe, expect, it } from 'vitest';
import { TargetClientFactory } from '../../../shared/aws/client-factory.ts';
import {
  CREDENTIAL_DEFAULTS,
  type TargetCredentials as Creds,
  sessionNameOf,
  TargetCredentials,
} from '../../../shared/aws/target-credentials.ts';
import type { SpokeRole } from '../../../shared/aws/targets.ts';

const READ_A: SpokeRole = { roleArn: 'arn:aws:iam::111111111111:role/autopilot-spoke-read', externalId: 'ext-7f3c' };
const READ_B: SpokeRole = { roleArn: 'arn:aws:iam::222222222222:role/autopilot-spoke-read', externalId: 'ext-7f3c' };
const LIFETIME_MS = 15 * 60_000;

/** A virtual clock and an STS stand-in handing out 15-minute credentials, numbered per role. */
function shortLivedSts() {
  let nowMs = Date.parse('2026-12-01T08:00:00Z');
  const issued: { role: string; session: string; token: string; expiration: Date }[] = [];
  const assume = async (role: SpokeRole, session: string) => {
    const token = `${role.roleArn.split(':')[4]}-${issued.length + 1}`;
    const expiration = new Date(nowMs + LIFETIME_MS);
    issued.push({ role: role.roleArn, session, token, expiration });
    return { accessKeyId: `AKIA${token}`, secretAccessKey: 'secret', sessionToken: token, expiration };
  };
  return {
    assume,
    issued,
    now: () => nowMs,
    advance: (ms: number) => {
      nowMs += ms;
    },
  };
}

/** The network: real SDK signing and parsing; records the session token each request was signed with. */
function recordingHttp(route: () => { status: number; body: string }) {
  const tokens: string[] = [];
  const handler = {
    async handle(request: { headers: Record<string, string> }) {
      tokens.push(request.headers['x-amz-security-token'] ?? '(none)');
      const { status, body } = route();
      return {
        response: {
          statusCode: status,
          reason: status === 200 ? 'OK' : 'Bad Request',
          headers: { 'content-type': 'text/xml', 'x-amzn-requestid': 'r1' },
          body: Readable.from([Buffer.from(body, 'utf8')]),
        },
      };
    },
    updateHttpClientConfig() {},
    httpHandlerConfigs: () => ({}),
  };
  return { handler, tokens };
}

const EMPTY_DESCRIBE =
  '<DescribeClustersResponse xmlns="http://redshift.amazonaws.com/doc/2012-12-01/"><DescribeClustersResult><Clusters></Clusters></DescribeClustersResult><ResponseMetadata><RequestId>r1</RequestId></ResponseMetadata></DescribeClustersResponse>';
const EXPIRED_TOKEN =
  '<ErrorResponse xmlns="http://redshift.amazonaws.com/doc/2012-12-01/"><Error><Type>Sender</Type><Code>ExpiredToken</Code><Message>The security token included in the request is expired</Message></Error><RequestId>r2</RequestId></ErrorResponse>';

function factory(
  sts: ReturnType<typeof shortLivedSts>,
  handler: unknown,
): { creds: Creds; clients: TargetClientFactory } {
  const creds = new TargetCredentials({ assume: sts.assume, sessionName: 'autopilot-dev-reconcile', now: sts.now });
  const clients = new TargetClientFactory(creds, { maxAttempts: 1, requestHandler: handler });
  return { creds, clients };
}

describe('per-target credentials over a long sweep', () => {
  it('signs every call with credentials that have the margin left: a 40-minute sweep of 15-minute credentials assumes again before expiry', async () => {
    const sts = shortLivedSts();
    const http = recordingHttp(() => ({ status: 200, body: EMPTY_DESCRIBE }));
    const { clients } = factory(sts, http.handler);
    const redshift = clients.clientsFor({ account: '111111111111', region: 'eu-west-1' }, READ_A).redshift;
    const signedWith: { at: number; token: string }[] = [];
    // One page read every minute for 40 minutes (a drill or a slow sweep of a large account).
    for (let minute = 0; minute < 40; minute++) {
      await redshift.send(new DescribeClustersCommand({}));
      signedWith.push({ at: sts.now(), token: http.tokens.at(-1) ?? '' });
      sts.advance(60_000);
    }
    for (const { at, token } of signedWith) {
      const credential = sts.issued.find((i) => i.token === token);
      expect(credential, `call at ${new Date(at).toISOString()} signed with an unknown token ${token}`).toBeDefined();
      expect((credential?.expiration.getTime() ?? 0) - at).toBeGreaterThanOrEqual(CREDENTIAL_DEFAULTS.marginMs);
    }
    // 15-minute credentials with a 10-minute margin serve the calls of minutes 0-5 of their life: 40 calls need 7.
    expect(sts.issued.map((i) => i.token)).toEqual([1, 2, 3, 4, 5, 6, 7].map((n) => `111111111111-${n}`));
    expect(new Set(sts.issued.map((i) => i.session))).toEqual(new Set(['autopilot-dev-reconcile']));
  });

  it('one provider per role and external id: two Regions of one account share one AssumeRole; each account has its own', async () => {
    const sts = shortLivedSts();
    const http = recordingHttp(() => ({ status: 200, body: EMPTY_DESCRIBE }));
    const { creds, clients } = factory(sts, http.handler);
    for (const region of ['eu-west-1', 'eu-central-1']) {
      await clients
        .clientsFor({ account: '111111111111', region }, READ_A)
        .redshift.send(new DescribeClustersCommand({}));
      await clients
        .clientsFor({ account: '222222222222', region }, READ_B)
        .redshift.send(new DescribeClustersCommand({}));
    }
    expect(clients.size).toBe(4);
    expect(clients.clientsFor({ account: '111111111111', region: 'eu-west-1' }, READ_A)).toBe(
      clients.clientsFor({ account: '111111111111', region: 'eu-west-1' }, READ_A),
    );
    expect(Object.fromEntries(creds.assumed)).toEqual({ [READ_A.roleArn]: 1, [READ_B.roleArn]: 1 });
    expect(creds.providerFor({ ...READ_A, externalId: 'other' })).not.toBe(creds.providerFor(READ_A));
  });
});

describe('an expired token mid-task', () => {
  it('an ExpiredToken mid-task (credentials revoked or a skewed clock) assumes the role again and retries the call once', async () => {
    const sts = shortLivedSts();
    let answers = [EXPIRED_TOKEN, EMPTY_DESCRIBE];
    const http = recordingHttp(() => {
      const body = answers[0] ?? EMPTY_DESCRIBE;
      answers = answers.slice(1);
      return { status: body === EXPIRED_TOKEN ? 403 : 200, body };
    });
    const { clients } = factory(sts, http.handler);
    const redshift = clients.clientsFor({ account: '111111111111', region: 'eu-west-1' }, READ_A).redshift;
    await expect(redshift.send(new DescribeClustersCommand({}))).resolves.toBeDefined();
    expect(http.tokens).toEqual(['111111111111-1', '111111111111-2']);
  });

  it('an ExpiredToken that persists after the refresh goes up as the error (once retried, never looped)', async () => {
    const sts = shortLivedSts();
    const http = recordingHttp(() => ({ status: 403, body: EXPIRED_TOKEN }));
    const { clients } = factory(sts, http.handler);
    const redshift = clients.clientsFor({ account: '111111111111', region: 'eu-west-1' }, READ_A).redshift;
    await expect(redshift.send(new DescribeClustersCommand({}))).rejects.toMatchObject({ name: 'ExpiredToken' });
    expect(http.tokens).toHaveLength(2);
  });

  it('a failed AssumeRole is not cached: the next call assumes again', async () => {
    const sts = shortLivedSts();
    let fail = true;
    const creds = new TargetCredentials({
      assume: (role, session) => (fail ? Promise.reject(new Error('AccessDenied')) : sts.assume(role, session)),
      sessionName: 'autopilot-dev-reconcile',
      now: sts.now,
    });
    const provider = creds.providerFor(READ_A);
    await expect(provider()).rejects.toThrow('AccessDenied');
    fail = false;
    await expect(provider()).resolves.toMatchObject({ sessionToken: '111111111111-1' });
  });

  it('session names keep to what STS accepts', () => {
    expect(sessionNameOf('autopilot dev/executeDecision')).toBe('autopilot-dev-executeDecision');
    expect(sessionNameOf('x'.repeat(80))).toHaveLength(64);
  });
});
