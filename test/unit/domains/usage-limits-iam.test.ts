import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { executorActionStatements } from '../../../shared/iam/executor-iam.ts';
import { loadPolicySources } from '../../../shared/policy/policy-loader.ts';
import { registry } from '../../../shared/policy/registry.ts';

// The executor's IAM for a packaged usage-limits policy, generated from the actions' permissions:
// creates only on opted-in clusters and only with autopilot's tags; modify and delete only on limits
// autopilot tagged; nothing else of the capability is granted unconditionally but the listing.

const text = readFileSync(path.resolve(import.meta.dirname, '../../fixtures/usage-limits/policies.yml'), 'utf8');
const { policySet } = loadPolicySources([{ file: 'policies.yml', text }]);
const statements = executorActionStatements(
  { registry, policies: policySet.policies },
  { key: 'autopilot:managed', value: 'true' },
);
const bySid = (sid: string) => statements.find((s) => s.Sid === sid);

describe('executor IAM: usage limits', () => {
  it('creates (and a grade pauses, a period boundary resumes) on opted-in clusters only, with autopilot’s tags and only those keys in the request', () => {
    expect(bySid('ChangeOnlyOptedInClusters')).toMatchObject({
      Action: ['redshift:PauseCluster', 'redshift:ResumeCluster', 'redshift:CreateUsageLimit'],
      Condition: { StringEquals: { 'aws:ResourceTag/autopilot:managed': 'true' } },
    });
    expect(bySid('CreateOnlyTaggedUsageLimits')).toMatchObject({
      Action: ['redshift:CreateUsageLimit', 'redshift:CreateTags'],
      Condition: {
        StringEquals: { 'aws:RequestTag/managed-by': 'redshift-autopilot' },
        'ForAllValues:StringEquals': { 'aws:TagKeys': ['managed-by', 'autopilot:policy', 'autopilot:limit'] },
      },
    });
  });

  it('modifies and deletes only limits tagged managed-by=redshift-autopilot', () => {
    expect(bySid('ChangeOnlyAutopilotUsageLimits')).toMatchObject({
      Action: ['redshift:ModifyUsageLimit', 'redshift:DeleteUsageLimit'],
      Condition: { StringEquals: { 'aws:ResourceTag/managed-by': 'redshift-autopilot' } },
    });
    const unconditional = statements.filter((s) => s.Effect === 'Allow' && s.Condition === undefined);
    expect(unconditional.flatMap((s) => s.Action)).toEqual([
      'redshift:DescribeUsageLimits',
      // Serverless: the reads, and the two writes on limits, which cannot be tagged (ownership is the ledger's).
      'redshift-serverless:ListUsageLimits',
      'redshift-serverless:GetWorkgroup',
      'redshift-serverless:UpdateUsageLimit',
      'redshift-serverless:DeleteUsageLimit',
    ]);
  });

  it('creates Serverless usage limits only for workgroups carrying the opt-in tag', () => {
    expect(bySid('CreateUsageLimitsOnOptedInWorkgroups')).toMatchObject({
      Action: ['redshift-serverless:CreateUsageLimit'],
      Condition: { StringEquals: { 'aws:ResourceTag/autopilot:managed': 'true' } },
    });
  });
});
