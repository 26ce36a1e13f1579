import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { spokeExecutionRoleArns, TARGETS_PATH_ENV } from '../../../shared/aws/targets-principals.ts';
import { EXECUTOR_ROLE_ENV, isExecutorPrincipal } from '../../../shared/domains/windows/cluster-window.ts';
import { ConfigurationError } from '../../../shared/errors.ts';
import { normalize } from '../../../shared/events/normalize.ts';
import { decide } from '../../../shared/policy/decide.ts';
import type { LedgerEntryView } from '../../../shared/policy/decision.ts';
import { parseFleet } from '../../../shared/policy/fleet.ts';
import { loadPolicySources } from '../../../shared/policy/policy-loader.ts';
import { loadEventFixtureText } from '../../helpers/fixtures.ts';

/**
 * Issue 18: the executor acts in a spoke account through the spoke's execution role, so CloudTrail in
 * that account names `arn:aws:sts::<spoke>:assumed-role/autopilot-spoke-execute/<session>` — not the
 * hub's executor role. Those resumes are autopilot's own, not manual ones; a person's in the same spoke,
 * and the same role name in an account the hub does not serve, still are.
 */
const HUB = '999999999999';
const SPOKE = '111111111111';
const OTHER = '333333333333';
const REGION = 'eu-west-1';
const HUB_EXECUTOR = `arn:aws:iam::${HUB}:role/redshift-autopilot-prod-executeDecision-${REGION}-lambdaRole`;
const SPOKE_ROLE = 'autopilot-spoke-execute';
const HUB_SESSION = 'autopilot-prod-executeDecision';

// The real CloudTrail record AWS publishes for an assumed-role caller (AWS's trailing comma removed).
const RECORD = JSON.parse(
  loadEventFixtureText('cloudtrail-record-redshift-serverless-CreateNamespace.jsonc').replace(/,(\s*})\s*$/, '$1'),
) as Record<string, unknown> & { userIdentity: Record<string, unknown> };

/** `AWS API Call via CloudTrail` for ResumeCluster in `account`, by `role` in session `session`, as the spoke's rule forwards it. */
function resumeEnvelope(cluster: string, at: string, role: string, session: string, account = SPOKE) {
  const identity = RECORD.userIdentity;
  return {
    version: '0',
    id: '6f1c2e3a-0b7d-4c55-9f0e-1a2b3c4d5e6f',
    'detail-type': 'AWS API Call via CloudTrail',
    source: 'aws.redshift',
    account,
    time: at,
    region: REGION,
    resources: [],
    detail: {
      ...RECORD,
      userIdentity: {
        ...identity,
        arn: `arn:aws:sts::${account}:assumed-role/${role}/${session}`,
        accountId: account,
        sessionContext: {
          ...(identity.sessionContext as Record<string, unknown>),
          sessionIssuer: {
            type: 'Role',
            arn: `arn:aws:iam::${account}:role/${role}`,
            accountId: account,
            userName: role,
          },
        },
      },
      eventTime: at,
      eventSource: 'redshift.amazonaws.com',
      eventName: 'ResumeCluster',
      awsRegion: REGION,
      requestParameters: { clusterIdentifier: cluster },
      responseElements: { clusterIdentifier: cluster, clusterStatus: 'resuming' },
      recipientAccountId: account,
    },
  };
}

function targetsFile(json: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'targets-'));
  writeFileSync(join(dir, 'targets.json'), typeof json === 'string' ? json : JSON.stringify(json, null, 2));
  return join(dir, 'targets.json');
}

const TARGETS = {
  regions: [REGION],
  externalId: 'autopilot-7f3c9a2e51d04b8c',
  targets: [{ account: HUB, assumeRole: false }, { account: SPOKE }, { account: '222222222222' }],
};

function principalOf(payload: unknown): string | null {
  const [event] = normalize(payload);
  return event?.apiCall?.principal ?? null;
}

afterEach(() => {
  delete process.env[TARGETS_PATH_ENV];
  delete process.env[EXECUTOR_ROLE_ENV];
});

describe('isExecutorPrincipal across accounts (issue 18)', () => {
  it('reads the spoke execution roles from the targets file, the hub’s own account excluded', () => {
    const file = targetsFile(TARGETS);
    expect(spokeExecutionRoleArns({ [TARGETS_PATH_ENV]: file })).toEqual([
      `arn:aws:iam::${SPOKE}:role/${SPOKE_ROLE}`,
      `arn:aws:iam::222222222222:role/${SPOKE_ROLE}`,
    ]);
    expect(spokeExecutionRoleArns({})).toEqual([]);
  });

  it('is the executor acting through a spoke’s execution role; not a person there, nor the role name elsewhere', () => {
    process.env[TARGETS_PATH_ENV] = targetsFile(TARGETS);
    process.env[EXECUTOR_ROLE_ENV] = HUB_EXECUTOR;
    const at = '2026-10-19T19:42:00Z';
    const ours = principalOf(resumeEnvelope('dev-1', at, SPOKE_ROLE, HUB_SESSION));
    expect(ours).toBe(`arn:aws:sts::${SPOKE}:assumed-role/${SPOKE_ROLE}/${HUB_SESSION}`);
    expect(isExecutorPrincipal(ours)).toBe(true);
    expect(isExecutorPrincipal(principalOf(resumeEnvelope('dev-1', at, 'admin', 'alice')))).toBe(false);
    expect(isExecutorPrincipal(principalOf(resumeEnvelope('dev-1', at, SPOKE_ROLE, HUB_SESSION, OTHER)))).toBe(false);
    // The hub's own executor in its own account still is.
    const home = `arn:aws:sts::${HUB}:assumed-role/redshift-autopilot-prod-executeDecision-${REGION}-lambdaRole/x`;
    expect(isExecutorPrincipal(home)).toBe(true);
  });

  it('takes a per-target executionRoleArn and a renamed executionRoleName', () => {
    process.env[TARGETS_PATH_ENV] = targetsFile({
      regions: [REGION],
      executionRoleName: 'ops-autopilot-exec',
      targets: [
        { account: SPOKE },
        { account: OTHER, executionRoleArn: `arn:aws:iam::${OTHER}:role/team/custom-exec` },
      ],
    });
    expect(isExecutorPrincipal(`arn:aws:sts::${SPOKE}:assumed-role/ops-autopilot-exec/s`)).toBe(true);
    expect(isExecutorPrincipal(`arn:aws:sts::${SPOKE}:assumed-role/${SPOKE_ROLE}/s`)).toBe(false);
    expect(isExecutorPrincipal(`arn:aws:sts::${OTHER}:assumed-role/custom-exec/s`)).toBe(true);
  });

  it('a targets file that does not parse is the cold start’s configuration error, not “nobody is the executor”', () => {
    process.env[TARGETS_PATH_ENV] = targetsFile('{ "targets": [ { "account": 111 } ] }');
    expect(() => isExecutorPrincipal(`arn:aws:sts::${SPOKE}:assumed-role/${SPOKE_ROLE}/s`)).toThrow(ConfigurationError);
    expect(() => isExecutorPrincipal('x')).toThrow(/targets\.json:1:29: account 111 is not valid/);
  });
});

describe('a paused spoke cluster resumed through the spoke role is not a manual resume', () => {
  const yaml = `version: 1
defaults: { timezone: Europe/Berlin }
policies:
  - name: office
    resource: cluster
    match: { tags: { env: dev }, accounts: ["${SPOKE}"], regions: [${REGION}] }
    window: { running: ["Mon-Fri 07:00-19:00"], graceAfterManualResume: 2h }
`;
  const set = loadPolicySources([{ file: 'p.yml', text: yaml }]).policySet;
  const fleetAt = (status: string) =>
    parseFleet(
      [
        {
          name: `${SPOKE}-${REGION}.json`,
          json: {
            Clusters: [
              {
                ClusterIdentifier: 'dev-1',
                NodeType: 'ra3.xlplus',
                ClusterStatus: status,
                NumberOfNodes: 2,
                AutomatedSnapshotRetentionPeriod: 1,
                MultiAZ: 'Disabled',
                ClusterNamespaceArn: `arn:aws:redshift:${REGION}:${SPOKE}:namespace:ns-dev-1`,
                Tags: [
                  { Key: 'autopilot:managed', Value: 'true' },
                  { Key: 'env', Value: 'dev' },
                ],
              },
            ],
          },
        },
      ],
      '2026-10-19T00:00:00.000Z',
    );

  it('alerts for the person’s resume and stays quiet for the executor’s', () => {
    process.env[TARGETS_PATH_ENV] = targetsFile(TARGETS);
    process.env[EXECUTOR_ROLE_ENV] = HUB_EXECUTOR;
    const pauseAt = '2026-10-19T17:00:00.000Z';
    const pause = decide({
      policies: set,
      fleet: fleetAt('available'),
      trigger: { kind: 'tick', at: pauseAt },
      now: pauseAt,
      ledger: { entries: [] },
    }).decisions[0];
    expect(pause?.action).toBe('PauseCluster');
    expect(pause?.target.arn).toContain(`:${SPOKE}:`);
    const ledger = {
      entries: [{ ...pause, status: 'succeeded', at: pauseAt } as unknown as LedgerEntryView],
    };
    const resumedBy = (role: string, session: string) => {
      const [trigger] = normalize(resumeEnvelope('dev-1', '2026-10-19T19:42:00Z', role, session));
      if (trigger === undefined) throw new Error('not normalized');
      const now = '2026-10-19T19:45:00.000Z';
      return decide({ policies: set, fleet: fleetAt('resuming'), trigger, now, ledger }).decisions;
    };
    const byHand = resumedBy('admin', 'alice');
    expect(byHand.map((d) => d.action)).toEqual(['Publish']);
    expect(byHand[0]?.params.Message).toContain(`dev-1 was resumed by arn:aws:sts::${SPOKE}:assumed-role/admin/alice`);
    expect(resumedBy(SPOKE_ROLE, HUB_SESSION)).toEqual([]);
  });
});
