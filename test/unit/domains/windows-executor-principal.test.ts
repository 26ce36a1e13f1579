import { afterEach, describe, expect, it } from 'vitest';
import { EXECUTOR_ROLE_ENV, isExecutorPrincipal } from '../../../shared/domains/windows/cluster-window.ts';
import { fromCloudTrailRecord } from '../../../shared/events/api-call.ts';
import { type CloudTrailRecord, CloudTrailRecordSchema } from '../../../shared/events/cloudtrail.schema.ts';
import { loadEventFixtureText } from '../../helpers/fixtures.ts';

// The real CloudTrail record AWS publishes (an assumed-role caller; AWS's trailing comma removed), with
// its identity swapped for the callers below exactly as CloudTrail writes them: the role in the
// assumed-role ARN and in sessionContext.sessionIssuer.arn, the session name after it.
const RECORD = JSON.parse(
  loadEventFixtureText('cloudtrail-record-redshift-serverless-CreateNamespace.jsonc').replace(/,(\s*})\s*$/, '$1'),
) as CloudTrailRecord & { userIdentity: Record<string, unknown> };

const ACCOUNT = '111111111111';
const THIS_STAGE_ROLE = 'redshift-autopilot-prod-executeDecision-us-east-1-lambdaRole';
const THIS_STAGE_ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/${THIS_STAGE_ROLE}`;

/** The principal the deciding functions see for a ResumeCluster by `role`, session `session`. */
function principalOf(role: string, session: string, account = ACCOUNT): string | null {
  const record = structuredClone(RECORD);
  record.eventSource = 'redshift.amazonaws.com';
  record.eventName = 'ResumeCluster';
  record.requestParameters = { clusterIdentifier: 'etl-prod' };
  record.userIdentity = {
    ...RECORD.userIdentity,
    arn: `arn:aws:sts::${account}:assumed-role/${role}/${session}`,
    accountId: account,
    sessionContext: {
      ...(RECORD.userIdentity.sessionContext as Record<string, unknown>),
      sessionIssuer: { type: 'Role', arn: `arn:aws:iam::${account}:role/${role}`, accountId: account, userName: role },
    },
  };
  return fromCloudTrailRecord(CloudTrailRecordSchema.parse(record), 'test').apiCall?.principal ?? null;
}

describe('isExecutorPrincipal: exactly this stage’s executor role (issue 22)', () => {
  afterEach(() => {
    delete process.env[EXECUTOR_ROLE_ENV];
  });

  it('reads the fixture as CloudTrail writes an assumed role: the role in the ARN is the session issuer', () => {
    const identity = RECORD.userIdentity as { arn: string; sessionContext: { sessionIssuer: { arn: string } } };
    expect(identity.arn).toBe('arn:aws:sts::111111111111:assumed-role/admin/admin');
    expect(identity.sessionContext.sessionIssuer.arn).toBe('arn:aws:iam::111111111111:role/admin');
    expect(principalOf('admin', 'admin')).toBe(identity.arn);
  });

  it('is this stage’s executor role, whatever the session is called', () => {
    const lambdaSession = 'redshift-autopilot-prod-executeDecision';
    expect(isExecutorPrincipal(principalOf(THIS_STAGE_ROLE, lambdaSession), THIS_STAGE_ROLE_ARN)).toBe(true);
    // A role with a path: CloudTrail's assumed-role ARN carries the name only.
    expect(
      isExecutorPrincipal(
        principalOf(THIS_STAGE_ROLE, lambdaSession),
        `arn:aws:iam::${ACCOUNT}:role/ops/${THIS_STAGE_ROLE}`,
      ),
    ).toBe(true);
  });

  it.each([
    [
      'another stage’s executor',
      'redshift-autopilot-dev-executeDecision-us-east-1-lambdaRole',
      'redshift-autopilot-dev-executeDecision',
    ],
    ['a person’s session named like the executor’s', 'admin', 'x-executeDecision'],
    ['a person’s session named exactly like the executor’s', 'admin', 'redshift-autopilot-prod-executeDecision'],
  ])('is not %s', (_who, role, session) => {
    const principal = principalOf(role, session);
    expect(isExecutorPrincipal(principal, THIS_STAGE_ROLE_ARN)).toBe(false);
  });

  it('is not the same role name in another account, nor a caller without an assumed role', () => {
    const elsewhere = principalOf(THIS_STAGE_ROLE, 'redshift-autopilot-prod-executeDecision', '222222222222');
    expect(isExecutorPrincipal(elsewhere, THIS_STAGE_ROLE_ARN)).toBe(false);
    expect(isExecutorPrincipal(`arn:aws:iam::${ACCOUNT}:user/x-executeDecision`, THIS_STAGE_ROLE_ARN)).toBe(false);
    expect(isExecutorPrincipal(null, THIS_STAGE_ROLE_ARN)).toBe(false);
  });

  it(`takes the role from ${EXECUTOR_ROLE_ENV}; without it (plan, simulate) the function's session name`, () => {
    const ours = principalOf(THIS_STAGE_ROLE, 'redshift-autopilot-prod-executeDecision');
    const person = principalOf('admin', 'x-executeDecision');
    process.env[EXECUTOR_ROLE_ENV] = THIS_STAGE_ROLE_ARN;
    expect([isExecutorPrincipal(ours), isExecutorPrincipal(person)]).toEqual([true, false]);
    delete process.env[EXECUTOR_ROLE_ENV];
    expect([isExecutorPrincipal(ours), isExecutorPrincipal(person)]).toEqual([true, true]);
  });
});
