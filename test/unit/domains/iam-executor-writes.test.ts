import { describe, expect, it } from 'vitest';
import { SNAPSHOT_ID_PREFIX } from '../../../shared/domains/snapshots/snapshot-id.ts';
import { executorStatements, type Statement } from '../../../shared/iam/executor-iam.ts';
import type { CompiledPolicy } from '../../../shared/policy/capability.ts';
import { registry } from '../../../shared/policy/registry.ts';

/**
 * The executor role as packaging generates it when the policies use every built capability. Each
 * Redshift / Redshift Serverless write it grants must carry a condition (the opt-in tag, autopilot's
 * request tags, or managed-by on the resource), unless the Service Authorization Reference offers
 * nothing to condition on: then it is named here, with the reason.
 */
const OPT_IN = { key: 'autopilot:managed', value: 'true' };

/** Writes granted with no Condition, by action and resource, and why the reference leaves no choice. */
const UNCONDITIONED_WRITE_EXCEPTIONS: readonly { action: string; resource: string; why: string }[] = [
  {
    action: 'redshift-serverless:UpdateSnapshotCopyConfiguration',
    resource: '*',
    why: 'Service Authorization Reference (Redshift Serverless): no resource type and no condition key; the call names a copy configuration by id. The executor calls it only for the namespace CreateSnapshotCopyConfiguration (opt-in tag on the namespace) found copying to the policy’s Region.',
  },
  ...['UpdateUsageLimit', 'DeleteUsageLimit'].map((name) => ({
    action: `redshift-serverless:${name}`,
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the generated template's Fn::Sub text
    resource: 'arn:${AWS::Partition}:redshift-serverless:${AWS::Region}:${AWS::AccountId}:usagelimit/*',
    why: 'Service Authorization Reference (Redshift Serverless): aws:ResourceTag needs a tagged resource, and usage limits cannot be tagged (CreateUsageLimit and TagResource take no tags for them); decide() names only limits the ledger says autopilot created, and the handler re-reads the limit on the decision’s opted-in workgroup.',
  })),
  ...['CreateIntegration', 'CreateTags'].map((name) => ({
    action: `redshift:${name}`,
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the generated template's Fn::Sub text
    resource: 'arn:${AWS::Partition}:redshift:${AWS::Region}:${AWS::AccountId}:integration:*',
    why: 'Service Authorization Reference (Redshift): the integration a recreate creates does not exist yet, so no aws:ResourceTag, and it takes back the deleted one’s tags whatever their keys, so an aws:TagKeys request condition would deny the create after the delete; the executor creates only from the settings it recorded before deleting an opted-in integration (zero-ETL recreate).',
  })),
];

/**
 * Snapshot writes IAM cannot scope to autopilot's name prefix, and why: the Serverless snapshot ARN is
 * `snapshot/${SnapshotId}`, an id. The managed-by tag condition holds them; the executor checks the
 * name on a fresh read before any delete (snapshot-deletion.ts).
 */
const UNPREFIXED_SNAPSHOT_WRITES = [
  'redshift-serverless:CreateSnapshot',
  'redshift-serverless:TagResource',
  'redshift-serverless:DeleteSnapshot',
];

const isWrite = (action: string) =>
  /^(redshift|redshift-serverless):/.test(action) && !/:(Describe|List|Get)[A-Z]/.test(action);
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : [value]);
const arnText = (resource: unknown): string =>
  typeof resource === 'string' ? resource : String((resource as { 'Fn::Sub'?: unknown })['Fn::Sub']);

function generated(): Statement[] {
  const keys = registry.capabilities.filter((c) => c.supported !== false).flatMap((c) => c.keys);
  const policies = keys.map(
    (key) => ({ optInTag: OPT_IN, capability: { key } }) as unknown as Pick<CompiledPolicy, 'optInTag' | 'capability'>,
  );
  return executorStatements({ registry, policies }, OPT_IN);
}

/** `action on resource` for every unconditioned Allow of a write that the table does not name. */
function unnamedUnconditionedWrites(statements: readonly Statement[]): string[] {
  return statements
    .filter((s) => s.Effect === 'Allow' && s.Condition === undefined)
    .flatMap((s) =>
      list(s.Action)
        .map(String)
        .filter(isWrite)
        .flatMap((action) => list(s.Resource).map((r) => ({ action, resource: arnText(r) }))),
    )
    .filter(
      ({ action, resource }) =>
        !UNCONDITIONED_WRITE_EXCEPTIONS.some((e) => e.action === action && e.resource === resource),
    )
    .map(({ action, resource }) => `${action} on ${resource}`);
}

describe('the executor role: no unconditioned Redshift write outside the named exceptions (issue 22)', () => {
  const statements = generated();

  it('grants every declared write, each conditioned or named with its reason', () => {
    const granted = statements.flatMap((s) => list(s.Action).map(String)).filter(isWrite);
    expect(granted).toEqual(
      expect.arrayContaining([
        'redshift:PauseCluster',
        'redshift-serverless:UpdateWorkgroup',
        'redshift:DeleteClusterSnapshot',
        'redshift-serverless:CreateSnapshotCopyConfiguration',
      ]),
    );
    expect(unnamedUnconditionedWrites(statements)).toEqual([]);
    // Every exception still occurs: a stale entry would hide nothing but mislead the reader.
    for (const e of UNCONDITIONED_WRITE_EXCEPTIONS) {
      expect(statements.some((s) => s.Condition === undefined && list(s.Action).includes(e.action))).toBe(true);
      expect(e.why).toMatch(/Service Authorization Reference/);
    }
  });

  it('reports a write whose condition is removed, or an unconditioned one added', () => {
    const broken = structuredClone(statements);
    for (const s of broken)
      if (list(s.Action).includes('redshift-serverless:CreateSnapshotCopyConfiguration')) delete s.Condition;
    broken.push({ Sid: 'Added', Effect: 'Allow', Action: ['redshift:ModifyCluster'], Resource: '*' });
    const namespaceArn = arnText(statements.find((s) => s.Sid === 'ChangeOnlyOptedInNamespaces')?.Resource);
    expect(unnamedUnconditionedWrites(broken)).toEqual([
      `redshift-serverless:CreateSnapshot on ${namespaceArn}`,
      `redshift-serverless:CreateSnapshotCopyConfiguration on ${namespaceArn}`,
      'redshift:ModifyCluster on *',
    ]);
  });

  it('conditions the namespace writes on the opt-in tag (CreateSnapshotCopyConfiguration is no longer an exception)', () => {
    const namespace = statements.find((s) => s.Sid === 'ChangeOnlyOptedInNamespaces');
    expect(namespace).toMatchObject({
      Action: ['redshift-serverless:CreateSnapshot', 'redshift-serverless:CreateSnapshotCopyConfiguration'],
      Condition: { StringEquals: { [`aws:ResourceTag/${OPT_IN.key}`]: OPT_IN.value } },
    });
    expect(arnText(namespace?.Resource)).toMatch(/:namespace\/\*$/);
  });

  it(`scopes every cluster-snapshot write to ${SNAPSHOT_ID_PREFIX}* names; the Serverless ones are named exceptions`, () => {
    const onSnapshots = statements.filter(
      (s) => s.Effect === 'Allow' && list(s.Resource).some((r) => /:snapshot[:/]/.test(arnText(r))),
    );
    const writes = onSnapshots.flatMap((s) =>
      list(s.Action)
        .map(String)
        .filter(isWrite)
        .flatMap((action) => list(s.Resource).map((r) => ({ action, arn: arnText(r), condition: s.Condition }))),
    );
    const cluster = writes.filter((w) => w.action.startsWith('redshift:'));
    expect(cluster.map((w) => w.action).sort()).toEqual([
      'redshift:CreateClusterSnapshot',
      'redshift:CreateTags',
      'redshift:DeleteClusterSnapshot',
    ]);
    for (const w of cluster) expect(w.arn).toMatch(new RegExp(`:snapshot:\\*/${SNAPSHOT_ID_PREFIX}\\*$`));
    const serverless = writes.filter((w) => w.action.startsWith('redshift-serverless:'));
    expect(serverless.map((w) => w.action).sort()).toEqual([...UNPREFIXED_SNAPSHOT_WRITES].sort());
    for (const w of serverless) expect(w.condition).toBeDefined();
    // Deleting needs the managed-by tag on top of the name.
    const deletes = writes.filter((w) => /Delete/.test(w.action));
    for (const w of deletes) {
      expect(w.condition).toEqual({ StringEquals: { 'aws:ResourceTag/managed-by': 'redshift-autopilot' } });
    }
  });
});
