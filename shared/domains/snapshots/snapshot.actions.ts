import type {
  CreateClusterSnapshotCommandInput,
  EnableSnapshotCopyCommandInput,
  ModifySnapshotCopyRetentionPeriodCommandInput,
} from '@aws-sdk/client-redshift';
import type {
  CreateSnapshotCommandInput,
  CreateSnapshotCopyConfigurationCommandInput,
} from '@aws-sdk/client-redshift-serverless';
import type { RedshiftAdapter } from '../../aws/redshift.adapter.ts';
import { ResourceStateConflictError } from '../../errors.ts';
import type { ActionResult, ActionSpec } from '../../execute/action-spec.ts';
import { BASE_GUARDRAILS } from '../../execute/guardrail-names.ts';
import type { SnapshotResource } from '../../policy/decision.ts';
import { CHANGE_OPTED_IN_CLUSTERS, redshiftOf, serverlessOf } from '../windows/window.actions.ts';
import { copyGrantRefusal, serverlessDestinationRefusal } from './snapshot-copy.ts';
import { deletionRefusal, snapshotRefusal } from './snapshot-deletion.ts';
import {
  CHANGE_OPTED_IN_NAMESPACES,
  deleteOwn,
  namespaceAccessError,
  READ_CLUSTER_SNAPSHOTS,
  READ_SERVERLESS_SNAPSHOTS,
  SERVERLESS_COPY_RETENTION,
  SERVERLESS_SNAPSHOT_ARN,
  SNAPSHOT_ARN,
  tagAtCreate,
} from './snapshot-permissions.ts';
import { isManagedSnapshot } from './snapshot-tags.ts';

const snapshotBase = { observes: 'created', stateKey: null } as const;

/**
 * Idempotent at AWS: a snapshot's identifier is derived from its decision (policy, slot, attempt), so
 * when the SDK repeats a create whose answer was lost, AWS answers "already exists" about our own
 * snapshot — or every answer is lost although a try committed. It is ours when it is of the same source
 * and carries autopilot's tags; then the create is done.
 */
async function createOnce(call: {
  create: () => Promise<{ status: string | undefined; id: string | undefined }>;
  alreadyExists: string;
  read: () => Promise<SnapshotResource | null>;
  source: string | undefined;
}): Promise<ActionResult> {
  try {
    const { status, id } = await call.create();
    return { afterState: status ?? null, ...(id === undefined ? {} : { createdId: id }) };
  } catch (error) {
    // "Already exists", or every answer lost (a 5xx after the SDK's retries): look for our snapshot
    // before calling the create failed — a retry by the next delivery would only meet it again.
    const name = (error as { name?: string; $metadata?: { httpStatusCode?: number } }).name ?? '';
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode ?? 0;
    if (!name.startsWith(call.alreadyExists) && status < 500) throw error;
    const existing = await call.read().catch(() => null);
    if (existing === null || existing.sourceId !== call.source || !isManagedSnapshot(existing.tags)) throw error;
    return { afterState: existing.status, createdId: existing.id };
  }
}

/** Snapshots are blocked during the elastic-resize sub-states (L2941–2942) and on a paused cluster (L3640). */
export const createClusterSnapshot: ActionSpec = {
  ...snapshotBase,
  name: 'CreateClusterSnapshot',
  params: {
    ClusterIdentifier: { kind: 'target' },
    SnapshotIdentifier: { kind: 'policy' },
    ManualSnapshotRetentionPeriod: { kind: 'policy' },
    Tags: { kind: 'policy' },
  },
  service: 'redshift',
  summary: 'take a manual snapshot of a cluster, tagged as autopilot’s',
  resourceType: 'cluster',
  idParam: 'ClusterIdentifier',
  allowedStatuses: ['available'],
  finalState: 'available',
  failedStates: ['failed', 'deleted'],
  guardrails: [...BASE_GUARDRAILS, 'maxResources'],
  permissions: [
    CHANGE_OPTED_IN_CLUSTERS('CreateClusterSnapshot'),
    tagAtCreate(
      'CreateOnlyTaggedSnapshots',
      ['redshift:CreateClusterSnapshot', 'redshift:CreateTags'],
      SNAPSHOT_ARN,
      'Service Authorization Reference (Redshift): CreateClusterSnapshot and CreateTags take snapshot with aws:RequestTag/aws:TagKeys; the ARN names the snapshot, so only autopilot-* names.',
    ),
  ],
  tracking: {
    closedBy: ['REDSHIFT-EVENT-2009', 'REDSHIFT-EVENT-3004', 'snapshot verifier'],
    failedBy: ['REDSHIFT-EVENT-3503'],
  },
  effect: { changesState: false, cost: 'up', mark: '◉' },
  async perform(params, services) {
    const redshift = redshiftOf(services, 'CreateClusterSnapshot');
    const input = params as unknown as CreateClusterSnapshotCommandInput;
    return createOnce({
      create: async () => {
        const out = await redshift.client.send(new redshift.commands.CreateClusterSnapshotCommand(input));
        return { status: out.Snapshot?.Status, id: out.Snapshot?.SnapshotIdentifier };
      },
      alreadyExists: 'ClusterSnapshotAlreadyExists',
      read: () => redshift.readSnapshot(input.SnapshotIdentifier ?? ''),
      source: input.ClusterIdentifier,
    });
  },
};

/** Retention: the snapshot is what changes; the cluster may be paused. */
export const deleteClusterSnapshot: ActionSpec = {
  ...snapshotBase,
  name: 'DeleteClusterSnapshot',
  params: {
    SnapshotIdentifier: { kind: 'policy' },
    SnapshotClusterIdentifier: { kind: 'target' },
  },
  service: 'redshift',
  summary: 'delete a snapshot autopilot made that retention no longer keeps',
  resourceType: 'cluster',
  idParam: 'SnapshotClusterIdentifier',
  allowedStatuses: [],
  anyState: true,
  finalState: null,
  failedStates: [],
  guardrails: [...BASE_GUARDRAILS, 'maxResources'],
  permissions: [
    CHANGE_OPTED_IN_CLUSTERS('DeleteClusterSnapshot'),
    deleteOwn(
      'DeleteOnlyAutopilotSnapshots',
      'redshift:DeleteClusterSnapshot',
      SNAPSHOT_ARN,
      'Service Authorization Reference (Redshift): DeleteClusterSnapshot takes snapshot* with aws:ResourceTag; autopilot-* names tagged managed-by only, so tagging a snapshot someone else named never makes it deletable.',
    ),
    READ_CLUSTER_SNAPSHOTS,
  ],
  effect: { changesState: false, cost: 'down', mark: '✂' },
  perform: (params, services) => deleteClusterSnapshotChecked(redshiftOf(services, 'DeleteClusterSnapshot'), params),
};

async function deleteClusterSnapshotChecked(
  redshift: RedshiftAdapter,
  params: Record<string, unknown>,
): Promise<ActionResult> {
  const id = String(params.SnapshotIdentifier ?? '');
  const cluster = String(params.SnapshotClusterIdentifier ?? '');
  const target = await redshift.readSnapshot(id);
  const siblings = target === null ? [] : await redshift.readSnapshots({ clusterIdentifier: cluster });
  if (target !== null && target.sourceId !== cluster) {
    throw snapshotRefusal('DeleteClusterSnapshot', `${id} belongs to ${target.sourceId}, not ${cluster}`);
  }
  const refusal = deletionRefusal(target, siblings);
  if (refusal !== null) throw snapshotRefusal('DeleteClusterSnapshot', refusal);
  const out = await redshift.client.send(
    new redshift.commands.DeleteClusterSnapshotCommand({
      SnapshotIdentifier: id,
      SnapshotClusterIdentifier: cluster,
    }),
  );
  return { afterState: out.Snapshot?.Status ?? 'deleted' };
}

/** Cross-Region copy changes the cluster's configuration: only on an available cluster. */
export const enableSnapshotCopy: ActionSpec = {
  name: 'EnableSnapshotCopy',
  params: {
    ClusterIdentifier: { kind: 'target' },
    DestinationRegion: { kind: 'policy' },
    RetentionPeriod: { kind: 'policy' },
    ManualSnapshotRetentionPeriod: { kind: 'policy' },
    SnapshotCopyGrantName: { kind: 'policy' },
  },
  service: 'redshift',
  summary: 'turn on cross-Region snapshot copy (or bring its retention to the policy’s)',
  resourceType: 'cluster',
  idParam: 'ClusterIdentifier',
  allowedStatuses: ['available'],
  finalState: null,
  failedStates: [],
  observes: 'resource',
  stateKey: null,
  guardrails: [...BASE_GUARDRAILS, 'maxResources'],
  permissions: [
    CHANGE_OPTED_IN_CLUSTERS('EnableSnapshotCopy'),
    CHANGE_OPTED_IN_CLUSTERS('ModifySnapshotCopyRetentionPeriod'),
  ],
  effect: { changesState: false, cost: 'up', mark: '⇄' },
  perform: (params, services) =>
    enableOrAdjustCopy(redshiftOf(services, 'EnableSnapshotCopy'), params as unknown as EnableSnapshotCopyCommandInput),
};

/** Enable, or — when copy to that Region is already on — bring both retention periods to the wanted values. */
async function enableOrAdjustCopy(
  redshift: RedshiftAdapter,
  input: EnableSnapshotCopyCommandInput,
): Promise<ActionResult> {
  if (input.SnapshotCopyGrantName === undefined) {
    // decide() checked the fleet it was given; this is the fresh read.
    const cluster = await redshift.describeCluster(input.ClusterIdentifier ?? '');
    const refusal = copyGrantRefusal(
      input.ClusterIdentifier ?? '?',
      cluster?.Encrypted === true,
      undefined,
      input.DestinationRegion,
    );
    if (refusal !== null) throw snapshotRefusal('EnableSnapshotCopy', refusal, 'SnapshotCopyGrantMissing');
  }
  try {
    const out = await redshift.client.send(new redshift.commands.EnableSnapshotCopyCommand(input));
    return { afterState: out.Cluster?.ClusterStatus ?? null };
  } catch (error) {
    if ((error as { name?: string }).name !== 'SnapshotCopyAlreadyEnabledFault') throw error;
    const cluster = await redshift.describeCluster(input.ClusterIdentifier ?? '');
    const current = cluster?.ClusterSnapshotCopyStatus?.DestinationRegion;
    if (current !== input.DestinationRegion) {
      throw new ResourceStateConflictError(
        `EnableSnapshotCopy: copy already goes to ${current ?? '?'}, not ${input.DestinationRegion}`,
        { cause: error },
      );
    }
    if (input.ManualSnapshotRetentionPeriod !== undefined) {
      await redshift.client.send(
        new redshift.commands.ModifySnapshotCopyRetentionPeriodCommand({
          ClusterIdentifier: input.ClusterIdentifier,
          RetentionPeriod: input.ManualSnapshotRetentionPeriod,
          Manual: true,
        }),
      );
    }
    const out = await redshift.client.send(
      new redshift.commands.ModifySnapshotCopyRetentionPeriodCommand({
        ClusterIdentifier: input.ClusterIdentifier,
        RetentionPeriod: input.RetentionPeriod ?? 7,
      }),
    );
    return { afterState: out.Cluster?.ClusterStatus ?? null };
  }
}

export const modifySnapshotCopyRetentionPeriod: ActionSpec = {
  name: 'ModifySnapshotCopyRetentionPeriod',
  params: { ClusterIdentifier: { kind: 'target' }, RetentionPeriod: { kind: 'policy' }, Manual: { kind: 'policy' } },
  service: 'redshift',
  summary: 'set the retention of copied snapshots in the destination Region',
  resourceType: 'cluster',
  idParam: 'ClusterIdentifier',
  allowedStatuses: ['available'],
  finalState: null,
  failedStates: [],
  observes: 'resource',
  stateKey: null,
  guardrails: [...BASE_GUARDRAILS, 'maxResources'],
  permissions: [CHANGE_OPTED_IN_CLUSTERS('ModifySnapshotCopyRetentionPeriod')],
  effect: { changesState: false, cost: 'none', mark: '⇄' },
  async perform(params, services) {
    const redshift = redshiftOf(services, 'ModifySnapshotCopyRetentionPeriod');
    const out = await redshift.client.send(
      new redshift.commands.ModifySnapshotCopyRetentionPeriodCommand(
        params as unknown as ModifySnapshotCopyRetentionPeriodCommandInput,
      ),
    );
    return { afterState: out.Cluster?.ClusterStatus ?? null };
  },
};

/** Serverless snapshots are of the workgroup's namespace, which must be Available (L2435). */
export const createSnapshot: ActionSpec = {
  ...snapshotBase,
  name: 'CreateSnapshot',
  params: {
    namespaceName: { kind: 'checked', why: "targetMatches: the re-read workgroup's own namespace" },
    snapshotName: { kind: 'policy' },
    retentionPeriod: { kind: 'policy' },
    tags: { kind: 'policy' },
  },
  service: 'redshift-serverless',
  summary: 'take a snapshot of a workgroup’s namespace, tagged as autopilot’s',
  resourceType: 'workgroup',
  idParam: 'namespaceName',
  idOf: 'namespace',
  allowedStatuses: ['AVAILABLE'],
  finalState: 'AVAILABLE',
  failedStates: ['FAILED', 'CANCELLED', 'DELETED'],
  guardrails: [...BASE_GUARDRAILS, 'maxResources'],
  permissions: [
    // A request naming the namespace and the new snapshot needs both allowed: the namespace by its
    // opt-in tag, the snapshot by the tags the request sets.
    CHANGE_OPTED_IN_NAMESPACES('CreateSnapshot'),
    tagAtCreate(
      'CreateOnlyTaggedServerlessSnapshots',
      ['redshift-serverless:CreateSnapshot'],
      SERVERLESS_SNAPSHOT_ARN,
      'Service Authorization Reference (Redshift Serverless): CreateSnapshot takes snapshot* with aws:RequestTag/aws:TagKeys; the ARN carries the snapshot id, not its name, so no name prefix can scope it.',
    ),
    tagAtCreate(
      'TagOnlyNewServerlessSnapshots',
      ['redshift-serverless:TagResource'],
      SERVERLESS_SNAPSHOT_ARN,
      'Service Authorization Reference (Redshift Serverless): TagResource takes snapshot with aws:RequestTag/aws:TagKeys (ARN by id).',
    ),
  ],
  tracking: { closedBy: ['REDSHIFT-SERVERLESS-EVENT-1000', 'snapshot verifier'] },
  effect: { changesState: false, cost: 'up', mark: '◉' },
  async perform(params, services) {
    const serverless = serverlessOf(services, 'CreateSnapshot');
    const input = params as unknown as CreateSnapshotCommandInput;
    return createOnce({
      create: async () => {
        try {
          const out = await serverless.client.send(new serverless.commands.CreateSnapshotCommand(input));
          return { status: out.snapshot?.status, id: out.snapshot?.snapshotName };
        } catch (error) {
          throw namespaceAccessError(error, 'CreateSnapshot', input.namespaceName);
        }
      },
      alreadyExists: 'ConflictException',
      read: () => serverless.readSnapshot(input.snapshotName ?? ''),
      source: input.namespaceName,
    });
  },
};

export const deleteSnapshot: ActionSpec = {
  ...snapshotBase,
  name: 'DeleteSnapshot',
  params: { snapshotName: { kind: 'policy' } },
  service: 'redshift-serverless',
  summary: 'delete a Serverless snapshot autopilot made that retention no longer keeps',
  resourceType: 'workgroup',
  idParam: 'snapshotName',
  idOf: 'none',
  allowedStatuses: [],
  anyState: true,
  finalState: null,
  failedStates: [],
  guardrails: [...BASE_GUARDRAILS, 'maxResources'],
  permissions: [
    deleteOwn(
      'DeleteOnlyAutopilotServerlessSnapshots',
      'redshift-serverless:DeleteSnapshot',
      SERVERLESS_SNAPSHOT_ARN,
      'Service Authorization Reference (Redshift Serverless): DeleteSnapshot takes snapshot* with aws:ResourceTag; the ARN carries the snapshot id, so the autopilot- name is checked by the executor on a fresh read, not by IAM.',
    ),
    ...READ_SERVERLESS_SNAPSHOTS,
  ],
  effect: { changesState: false, cost: 'down', mark: '✂' },
  async perform(params, services) {
    const serverless = serverlessOf(services, 'DeleteSnapshot');
    const snapshotName = String(params.snapshotName ?? '');
    const target = await serverless.readSnapshot(snapshotName);
    const siblings = target === null ? [] : await serverless.readSnapshots({ namespaceName: target.sourceId });
    const refusal = deletionRefusal(target, siblings);
    if (refusal !== null) throw snapshotRefusal('DeleteSnapshot', refusal);
    const out = await serverless.client.send(new serverless.commands.DeleteSnapshotCommand({ snapshotName }));
    return { afterState: out.snapshot?.status ?? 'DELETED' };
  },
};

/** Create, or — when the namespace already copies to that Region — set the wanted retention. */
export const createSnapshotCopyConfiguration: ActionSpec = {
  name: 'CreateSnapshotCopyConfiguration',
  params: {
    namespaceName: { kind: 'checked', why: "targetMatches: the re-read workgroup's own namespace" },
    destinationRegion: { kind: 'policy' },
    snapshotRetentionPeriod: { kind: 'policy' },
  },
  service: 'redshift-serverless',
  summary: 'copy a namespace’s snapshots to another Region (or set that copy’s retention)',
  resourceType: 'workgroup',
  idParam: 'namespaceName',
  idOf: 'namespace',
  allowedStatuses: ['AVAILABLE'],
  finalState: null,
  failedStates: [],
  observes: 'resource',
  stateKey: null,
  guardrails: [...BASE_GUARDRAILS, 'maxResources'],
  permissions: [CHANGE_OPTED_IN_NAMESPACES('CreateSnapshotCopyConfiguration'), SERVERLESS_COPY_RETENTION],
  effect: { changesState: false, cost: 'up', mark: '⇄' },
  async perform(params, services) {
    const { client, commands } = serverlessOf(services, 'CreateSnapshotCopyConfiguration');
    const input = params as unknown as CreateSnapshotCopyConfigurationCommandInput;
    const existing = await client.send(
      new commands.ListSnapshotCopyConfigurationsCommand({ namespaceName: input.namespaceName }),
    );
    const configurations = existing.snapshotCopyConfigurations ?? [];
    const refusal = serverlessDestinationRefusal(
      input.namespaceName ?? '?',
      configurations,
      input.destinationRegion ?? '',
    );
    if (refusal !== null)
      throw snapshotRefusal('CreateSnapshotCopyConfiguration', refusal, 'SnapshotCopyDestinationTaken');
    const same = configurations.find((c) => c.destinationRegion === input.destinationRegion);
    if (same?.snapshotCopyConfigurationId === undefined) {
      try {
        await client.send(new commands.CreateSnapshotCopyConfigurationCommand(input));
      } catch (error) {
        throw namespaceAccessError(error, 'CreateSnapshotCopyConfiguration', input.namespaceName);
      }
      return { afterState: null };
    }
    if (same.snapshotRetentionPeriod !== input.snapshotRetentionPeriod) {
      await client.send(
        new commands.UpdateSnapshotCopyConfigurationCommand({
          snapshotCopyConfigurationId: same.snapshotCopyConfigurationId,
          ...(input.snapshotRetentionPeriod === undefined
            ? {}
            : { snapshotRetentionPeriod: input.snapshotRetentionPeriod }),
        }),
      );
    }
    return { afterState: null };
  },
};

export const SNAPSHOT_ACTIONS: readonly ActionSpec[] = [
  createClusterSnapshot,
  deleteClusterSnapshot,
  enableSnapshotCopy,
  modifySnapshotCopyRetentionPeriod,
  createSnapshot,
  deleteSnapshot,
  createSnapshotCopyConfiguration,
];
