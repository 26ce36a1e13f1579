import { createServer, type IncomingMessage, type Server } from 'node:http';
import { CreateClusterCommand, DescribeClustersCommand, RedshiftClient } from '@aws-sdk/client-redshift';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FanOutFleetReader } from '../../shared/app/aws-fleet-reader.ts';
import type { AppConfig } from '../../shared/app/deps.ts';
import { hubMembers } from '../../shared/app/env-deps.ts';
import { reportReaders } from '../../shared/app/fleet-gaps.ts';
import type { AwsClients } from '../../shared/aws/client-factory.ts';
import { TargetClientFactory } from '../../shared/aws/client-factory.ts';
import { sdkAssumeRole, TargetCredentials } from '../../shared/aws/target-credentials.ts';
import { parseTargets } from '../../shared/aws/targets.ts';
import { MemoryLedger } from '../../shared/execute/memory-ledger.ts';
import { locationOf } from '../../shared/execute/target-ports.ts';
import { createObservability } from '../../shared/lambda/observability.ts';
import { decide } from '../../shared/policy/decide.ts';
import { setKeyHome } from '../../shared/policy/key-scope.ts';
import { loadPolicySources } from '../../shared/policy/policy-loader.ts';
import { motoEndpoint } from '../helpers/moto.ts';
import { fixedClock, RecordingNotifier } from '../unit/execute/fakes.ts';

/**
 * Issue 18 against moto, two accounts × two Regions. Moto acts in the account of the credentials STS
 * handed out for a role ARN in that account (checked below: a cluster created under 111111111111's
 * credentials is invisible to 222222222222's and to the other Region). The hub's real wiring
 * (`hubMembers`: per-target SDK clients, one cached AssumeRole per spoke role, the fan-out reader, the
 * routed executor port) talks to moto through a small proxy on 127.0.0.1 that plays what moto cannot:
 * a spoke whose trust policy refuses the hub (STS answers AccessDenied, as AWS words it) and a spoke
 * whose sessions AWS rejects as expired (every call signed with its keys gets ExpiredToken, after the
 * SDK's refresh too). The proxy also counts every call per (account, Region): the docs' cost figures.
 */
const A = '111111111111';
const B = '222222222222';
const DENIED = '333333333333';
const EXPIRED = '444444444444';
const REGIONS = ['eu-west-1', 'eu-central-1'] as const;
const EXTERNAL_ID = 'autopilot-7f3c9a2e51d04b8c';
const TESTING = { accessKeyId: 'testing', secretAccessKey: 'testing' };

interface Call {
  account: string;
  region: string;
  service: string;
  action: string;
}

/** The proxy in front of moto: AccessDenied for DENIED's roles, ExpiredToken for EXPIRED's sessions, a call log. */
class SpokeFaults {
  readonly calls: Call[] = [];
  readonly #keyAccount = new Map<string, string>();
  #server: Server | undefined;
  endpoint = '';

  async start(upstream: string): Promise<void> {
    this.#server = createServer((req, res) => {
      void this.#handle(req, upstream).then(({ status, headers, body }) => {
        res.writeHead(status, headers);
        res.end(body);
      });
    });
    await new Promise<void>((r) => this.#server?.listen(0, '127.0.0.1', r));
    const address = this.#server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    this.endpoint = `http://127.0.0.1:${address.port}`;
  }

  stop(): Promise<void> {
    return new Promise((r) => this.#server?.close(() => r()));
  }

  async #handle(req: IncomingMessage, upstream: string) {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const auth = String(req.headers.authorization ?? '');
    const [, key = '', region = '', service = ''] = /Credential=([^/]+)\/\d+\/([^/]+)\/([^/]+)\//.exec(auth) ?? [];
    const form = new URLSearchParams(body);
    const target = String(req.headers['x-amz-target'] ?? '');
    const action = form.get('Action') ?? target.split('.').pop() ?? '?';
    const roleArn = form.get('RoleArn') ?? '';
    if (action === 'AssumeRole' && roleArn.includes(`::${DENIED}:`))
      return stsError(
        403,
        'AccessDenied',
        `User: arn:aws:sts::${A}:assumed-role/redshift-autopilot-dev-reconcile/autopilot-dev-reconcile is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
      );
    const account = this.#keyAccount.get(key) ?? 'hub';
    if (action !== 'AssumeRole') this.calls.push({ account, region, service, action });
    if (account === EXPIRED) return expiredToken(target !== '');
    const answer = await fetch(`${upstream}${req.url}`, {
      method: req.method ?? 'GET',
      headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)])),
      ...(req.method === 'GET' || req.method === 'HEAD' ? {} : { body }),
    });
    const text = await answer.text();
    if (action === 'AssumeRole') {
      this.calls.push({ account: /::(\d{12}):/.exec(roleArn)?.[1] ?? '?', region, service, action });
      const issued = /<AccessKeyId>([^<]+)<\/AccessKeyId>/.exec(text)?.[1];
      const owner = /::(\d{12}):/.exec(roleArn)?.[1];
      if (issued !== undefined && owner !== undefined) this.#keyAccount.set(issued, owner);
    }
    return {
      status: answer.status,
      headers: { 'content-type': answer.headers.get('content-type') ?? 'text/xml' },
      body: text,
    };
  }
}

function stsError(status: number, code: string, message: string) {
  const body = `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>4f1e0c2a-9b7d-4e55-8f0e-1a2b3c4d5e6f</RequestId></ErrorResponse>`;
  return { status, headers: { 'content-type': 'text/xml' }, body };
}

/** What AWS answers a request signed with an expired session: the query (XML) or JSON protocol's form. */
function expiredToken(json: boolean) {
  const message = 'The security token included in the request is expired';
  if (json)
    return {
      status: 400,
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': 'ExpiredTokenException' },
      body: JSON.stringify({ __type: 'ExpiredTokenException', message }),
    };
  return stsError(400, 'ExpiredToken', message);
}

const POLICY = `version: 1
defaults: { timezone: Europe/Berlin }
policies:
  - name: finance-dev-office-hours
    resource: cluster
    match: { tags: { env: dev }, accounts: ["${A}", "${B}"], regions: [eu-west-1, eu-central-1] }
    window: { running: ["Mon-Fri 07:00-19:00"], pauseZeroEtlTargets: true }
`;

const targetsText = (accounts: string[], concurrency = 2) =>
  JSON.stringify({
    regions: [...REGIONS],
    externalId: EXTERNAL_ID,
    concurrency,
    targets: accounts.map((account) => ({ account })),
  });

const faults = new SpokeFaults();
const clusterName = (account: string, region: string) => `fin-${account.slice(0, 1)}-${region}`;

/** The hub's wiring over the targets, through the proxy: the deciding side (read roles) or the executor's. */
function hub(accounts: string[], executes: boolean, concurrency = 2) {
  const targets = parseTargets(targetsText(accounts, concurrency), 'targets.json');
  const credentials = new TargetCredentials({
    assume: sdkAssumeRole({ region: 'eu-west-1', endpoint: faults.endpoint, credentials: TESTING }),
    sessionName: executes ? 'autopilot-dev-executeDecision' : 'autopilot-dev-reconcile',
  });
  const factory = new TargetClientFactory(credentials, { endpoint: faults.endpoint, maxAttempts: 1 }, TESTING);
  const own = {} as AwsClients;
  const config = { region: 'eu-west-1', stage: 'dev' } as AppConfig;
  const members = hubMembers(targets, own, config, undefined, 'unused', { executes, factory });
  return { ...members, fleet: members.fleet as FanOutFleetReader, credentials };
}

/** A Redshift client acting in `account` as moto sees it: credentials STS issued for a role there. */
async function redshiftIn(account: string, region: string): Promise<RedshiftClient> {
  const sts = new STSClient({ endpoint: motoEndpoint ?? '', region: 'us-east-1', credentials: TESTING });
  const { Credentials: c } = await sts.send(
    new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${account}:role/setup`, RoleSessionName: 'setup' }),
  );
  return new RedshiftClient({
    endpoint: motoEndpoint ?? '',
    region,
    credentials: {
      accessKeyId: c?.AccessKeyId ?? '',
      secretAccessKey: c?.SecretAccessKey ?? '',
      sessionToken: c?.SessionToken ?? '',
    },
  });
}

beforeAll(async () => {
  if (motoEndpoint === null) return;
  await faults.start(motoEndpoint ?? '');
  for (const account of [A, B])
    for (const region of REGIONS) {
      const client = await redshiftIn(account, region);
      await client.send(
        new CreateClusterCommand({
          ClusterIdentifier: clusterName(account, region),
          NodeType: 'ra3.xlplus',
          NumberOfNodes: 2,
          MasterUsername: 'admin',
          MasterUserPassword: 'Passw0rd-1',
          Tags: [
            { Key: 'autopilot:managed', Value: 'true' },
            { Key: 'env', Value: 'dev' },
          ],
        }),
      );
    }
});

afterAll(() => (motoEndpoint === null ? undefined : faults.stop()));

describe.skipIf(motoEndpoint === null)('a hub over two accounts × two Regions (moto)', () => {
  it('moto keeps each account and Region apart: a cluster is seen only under its own account’s credentials', async () => {
    const seen = async (account: string, region: string) =>
      ((await (await redshiftIn(account, region)).send(new DescribeClustersCommand({}))).Clusters ?? []).map(
        (c) => c.ClusterIdentifier,
      );
    expect(await seen(A, 'eu-west-1')).toEqual([clusterName(A, 'eu-west-1')]);
    expect(await seen(B, 'eu-west-1')).toEqual([clusterName(B, 'eu-west-1')]);
    expect(await seen(B, 'eu-central-1')).toEqual([clusterName(B, 'eu-central-1')]);
  });

  it('the sweep reads all four targets, each cluster in its account and Region, one AssumeRole per account', async () => {
    const { fleet, credentials } = hub([A, B], false);
    faults.calls.length = 0;
    const read = await fleet.readAll();
    expect(read.resources.map((r) => `${r.account}/${r.region}/${r.id}`).sort()).toEqual(
      [A, B].flatMap((a) => REGIONS.map((r) => `${a}/${r}/${clusterName(a, r)}`)).sort(),
    );
    // Moto has no zero-ETL integrations and no Serverless API: those are isolated gaps per target, never a target.
    expect(read.unread.filter((p) => p.reader.startsWith('account '))).toEqual([]);
    expect([...credentials.assumed.entries()].sort()).toEqual([
      [`arn:aws:iam::${A}:role/autopilot-spoke-read`, 1],
      [`arn:aws:iam::${B}:role/autopilot-spoke-read`, 1],
    ]);
    const describes = faults.calls
      .filter((c) => c.action === 'DescribeClusters')
      .map((c) => `${c.account}/${c.region}`);
    expect(describes.sort()).toEqual([A, B].flatMap((a) => REGIONS.map((r) => `${a}/${r}`)).sort());
  });

  it('the executor’s actions land in the decision’s account and Region, under the spoke execution role', async () => {
    const reader = hub([A, B], false);
    const now = '2026-12-07T20:00:00.000Z'; // Monday 21:00 Berlin: outside the window
    const fleet = { ...(await reader.fleet.readAll()), readAt: now };
    const { policySet, problems } = loadPolicySources([{ file: 'hub.yml', text: POLICY }]);
    expect(problems.filter((p) => p.severity === 'error')).toEqual([]);
    const out = decide({
      policies: policySet,
      fleet,
      trigger: { kind: 'tick', at: now },
      now,
      ledger: { entries: [] },
    });
    const pauses = out.decisions.filter((d) => d.action === 'PauseCluster');
    // Where the executor will act: the target's account and Region (its ARN names them).
    const where = (d: (typeof pauses)[number]) => locationOf(d.target);
    expect(pauses.map((d) => `${where(d)?.account}/${where(d)?.region}/${d.target.id}`).sort()).toEqual(
      [A, B].flatMap((a) => REGIONS.map((r) => `${a}/${r}/${clusterName(a, r)}`)).sort(),
    );
    const executor = hub([A, B], true);
    // Only B's eu-central-1 cluster: the others must stay untouched.
    const one = pauses.find((d) => where(d)?.account === B && where(d)?.region === 'eu-central-1');
    if (one === undefined) throw new Error('no pause for B/eu-central-1');
    await executor.resources.cluster.perform(one.action, one.params, one.target);
    const status = async (account: string, region: string) =>
      (await (await redshiftIn(account, region)).send(new DescribeClustersCommand({}))).Clusters?.[0]?.ClusterStatus;
    expect(await status(B, 'eu-central-1')).toBe('paused');
    expect([await status(A, 'eu-west-1'), await status(A, 'eu-central-1'), await status(B, 'eu-west-1')]).toEqual([
      'available',
      'available',
      'available',
    ]);
    expect([...executor.credentials.assumed.keys()]).toEqual([`arn:aws:iam::${B}:role/autopilot-spoke-execute`]);
  });
});

describe.skipIf(motoEndpoint === null)('a hub whose spokes fail (moto)', () => {
  it('a denied spoke role and an expired one are each reported once, and the others are read', async () => {
    const { fleet, credentials } = hub([A, B, DENIED, EXPIRED], false);
    const ledger = new MemoryLedger();
    const notifier = new RecordingNotifier();
    const clock = fixedClock('2026-12-07T18:00:00Z');
    const deps = { ledger, notifier, clock, observability: createObservability({ service: 'test' }) };
    const sweeps = [];
    for (let sweep = 0; sweep < 3; sweep++) {
      const read = await fleet.readAll();
      sweeps.push(read.resources.length);
      await reportReaders(read.unread, deps, fleet.readerNames());
      clock.advanceMs(5 * 60_000);
    }
    expect(sweeps).toEqual([4, 4, 4]);
    const targetAlerts = notifier.alerts.filter((a) => / account \d{12} in /.test(a.subject));
    expect(targetAlerts.map((a) => a.subject).sort()).toEqual(
      [DENIED, EXPIRED]
        .flatMap((a) => REGIONS.map((r) => `[autopilot] sweep: account ${a} in ${r} not read; deciding without them`))
        .sort(),
    );
    const body = (account: string) => targetAlerts.find((a) => a.subject.includes(account))?.body ?? '';
    expect(body(DENIED)).toContain(`AccessDenied: User: arn:aws:sts::${A}:assumed-role/`);
    expect(body(DENIED)).toContain('check the spoke stack in that account');
    expect(body(EXPIRED)).toMatch(/ExpiredToken(Exception)?: The security token included in the request is expired/);
    // The expired spoke's credentials were refreshed (assumed again) before giving up, each sweep.
    expect(credentials.assumed.get(`arn:aws:iam::${EXPIRED}:role/autopilot-spoke-read`)).toBeGreaterThan(3);
    expect(credentials.assumed.has(`arn:aws:iam::${DENIED}:role/autopilot-spoke-read`)).toBe(false);
  });
});

describe.skipIf(motoEndpoint === null)('the figures per target (moto)', () => {
  it('measures one sweep per target: the calls it makes and its wall time (docs/multi-account.md, cost)', async () => {
    const { fleet } = hub([A, B], false, 1);
    await fleet.readAll(); // warm: AssumeRole once per account, clients built
    faults.calls.length = 0;
    const started = performance.now();
    const sweeps = 5;
    for (let i = 0; i < sweeps; i++) await fleet.readAll();
    const wallMs = (performance.now() - started) / sweeps / 4;
    const perTarget = new Map<string, string[]>();
    for (const c of faults.calls) {
      const key = `${c.account}/${c.region}`;
      perTarget.set(key, [...(perTarget.get(key) ?? []), `${c.service}:${c.action}`]);
    }
    // Every target makes the same calls; moto answers the zero-ETL and Serverless ones with an error page
    // (each is then one isolated gap), so each is one attempt here, as in an account without them.
    const calls = [...perTarget.values()].map((list) => [...list].sort());
    expect(calls).toHaveLength(4);
    for (const list of calls) expect(list).toEqual(calls[0]);
    const perSweep = (calls[0]?.length ?? 0) / sweeps;
    console.info(
      `multi-account figures (moto, 127.0.0.1): ${perSweep} calls per target per sweep ` +
        `(${[...new Set(calls[0])].join(', ')}), ${wallMs.toFixed(1)} ms wall per target read one at a time, ` +
        `AssumeRole 0 per warm sweep`,
    );
    expect(faults.calls.filter((c) => c.action === 'AssumeRole')).toEqual([]);
    expect([perSweep, [...new Set(calls[0])]]).toEqual([
      5,
      [
        'redshift-serverless:ListSnapshots',
        'redshift-serverless:ListWorkgroups',
        'redshift:DescribeClusterSnapshots',
        'redshift:DescribeClusters',
        'redshift:DescribeIntegrations',
      ],
    ]);
  });
});

describe.skipIf(motoEndpoint === null)('one cluster name in two targets (moto, #18)', () => {
  afterAll(() => setKeyHome(undefined));

  it('both are read, decided under two keys and paused, each in its own account and Region', async () => {
    for (const [account, region] of [
      [A, 'eu-west-1'],
      [B, 'eu-central-1'],
    ] as const)
      await (await redshiftIn(account, region)).send(
        new CreateClusterCommand({
          ClusterIdentifier: 'shared-dw',
          NodeType: 'ra3.xlplus',
          NumberOfNodes: 2,
          MasterUsername: 'admin',
          MasterUserPassword: 'Passw0rd-1',
          Tags: [
            { Key: 'autopilot:managed', Value: 'true' },
            { Key: 'env', Value: 'dev' },
          ],
        }),
      );
    // The hub runs in A's eu-west-1: that target keeps single-account keys, B's eu-central-1 is another.
    setKeyHome({ account: A, region: 'eu-west-1' });
    const now = '2026-12-07T20:00:00.000Z'; // Monday 21:00 Berlin: outside the window
    const fleet = { ...(await hub([A, B], false).fleet.readAll()), readAt: now };
    expect(fleet.unread.filter((p) => p.reason.startsWith('the same'))).toEqual([]);
    const { policySet } = loadPolicySources([{ file: 'hub.yml', text: POLICY }]);
    const out = decide({
      policies: policySet,
      fleet,
      trigger: { kind: 'tick', at: now },
      now,
      ledger: { entries: [] },
    });
    const pauses = out.decisions.filter((d) => d.action === 'PauseCluster' && d.target.id === 'shared-dw');
    expect(pauses.map((d) => `${locationOf(d.target)?.account}/${locationOf(d.target)?.region}`).sort()).toEqual([
      `${A}/eu-west-1`,
      `${B}/eu-central-1`,
    ]);
    expect(new Set(pauses.map((d) => d.idempotencyKey)).size).toBe(2);
    const executor = hub([A, B], true);
    for (const d of pauses) await executor.resources.cluster.perform(d.action, d.params, d.target);
    const status = async (account: string, region: string) =>
      (await (await redshiftIn(account, region)).send(new DescribeClustersCommand({ ClusterIdentifier: 'shared-dw' })))
        .Clusters?.[0]?.ClusterStatus;
    expect([await status(A, 'eu-west-1'), await status(B, 'eu-central-1')]).toEqual(['paused', 'paused']);
  });
});
