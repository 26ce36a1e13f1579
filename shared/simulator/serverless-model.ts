/**
 * Redshift Serverless: namespaces, workgroups (base or max capacity changes go MODIFYING → AVAILABLE;
 * a second change meanwhile is a ConflictException; two attributes in one call are a
 * ValidationException, as AWS refuses them), namespace snapshots (CREATING → AVAILABLE) and workgroup
 * usage limits (serverless-usage-limits-model.ts).
 */
import type {
  CreateSnapshotRequest,
  GetNamespaceRequest,
  GetSnapshotRequest,
  GetWorkgroupRequest,
  ListNamespacesRequest,
  ListSnapshotsRequest,
  ListWorkgroupsRequest,
  Namespace,
  Snapshot,
  UpdateWorkgroupRequest,
  Workgroup,
} from '@aws-sdk/client-redshift-serverless';
import { MESSAGES, serverlessErrors } from './aws-errors.ts';
import { deepFreeze, drawDuration, type SimulatorDurations } from './cluster-model.ts';
import { decodeToken, paginate } from './pagination.ts';
import type { Prng } from './prng.ts';
import { ServerlessUsageLimitsModel } from './serverless-usage-limits-model.ts';
import type { VirtualClock } from './virtual-clock.ts';

export interface ServerlessContext {
  clock: VirtualClock;
  region: string;
  account: string;
  durations: SimulatorDurations;
  durRng: Prng;
  attrRng: Prng;
  requestId: () => string;
}

/** Base capacity range of UpdateWorkgroup per the Management Guide (L985–994): 8–512 RPU in steps of 8. */
export const BASE_CAPACITY = { min: 8, max: 512, step: 8 } as const;

/**
 * Max capacity (guide L1075–1117, facts.md §5): up to 5632 RPU, -1 turns it off. The guide gives no
 * step: the RPU step of base capacity is assumed. Base capacity may not exceed an active max capacity.
 */
export const MAX_CAPACITY = { min: 8, max: 5632, step: 8, off: -1 } as const;

const DEFAULT_CONFIG_PARAMETERS = [
  { parameterKey: 'auto_mv', parameterValue: 'true' },
  { parameterKey: 'datestyle', parameterValue: 'ISO, MDY' },
  { parameterKey: 'enable_case_sensitive_identifier', parameterValue: 'false' },
  { parameterKey: 'enable_user_activity_logging', parameterValue: 'true' },
  { parameterKey: 'query_group', parameterValue: 'default' },
  { parameterKey: 'search_path', parameterValue: '$user, public' },
  { parameterKey: 'max_query_execution_time', parameterValue: '14400' },
  { parameterKey: 'require_ssl', parameterValue: 'true' },
  { parameterKey: 'use_fips_ssl', parameterValue: 'false' },
];

interface WorkgroupRecord {
  view: Workgroup;
}

interface SnapshotRecord {
  view: Snapshot;
  dataSizeMB: number;
}

type Handler = (input: never) => object;

/**
 * Why AWS refuses these capacities, or undefined. Wording of the real ValidationExceptions for base
 * capacity ("The base capacity can't be less than 4 RPUs.", "… must be a multiple of 8.", "… can't be
 * more than 24 RPUs.") with the guide's range; the max-capacity texts follow the same pattern (no
 * real one was found).
 */
function capacityRefusal(input: UpdateWorkgroupRequest, current: Workgroup): string | undefined {
  const base = input.baseCapacity;
  const activeMax = current.maxCapacity !== undefined && current.maxCapacity > 0 ? current.maxCapacity : undefined;
  if (base !== undefined) {
    if (base < BASE_CAPACITY.min) return `The base capacity can't be less than ${BASE_CAPACITY.min} RPUs.`;
    if (base > BASE_CAPACITY.max) return `The base capacity can't be more than ${BASE_CAPACITY.max} RPUs.`;
    if (base % BASE_CAPACITY.step !== 0) return `The base capacity must be a multiple of ${BASE_CAPACITY.step}.`;
    if (activeMax !== undefined && base > activeMax) return `The base capacity can't be more than ${activeMax} RPUs.`;
  }
  const max = input.maxCapacity;
  if (max === undefined || max === MAX_CAPACITY.off) return undefined;
  if (max < MAX_CAPACITY.min) return `The max capacity can't be less than ${MAX_CAPACITY.min} RPUs.`;
  if (max > MAX_CAPACITY.max) return `The max capacity can't be more than ${MAX_CAPACITY.max} RPUs.`;
  if (max % MAX_CAPACITY.step !== 0) return `The max capacity must be a multiple of ${MAX_CAPACITY.step}.`;
  const currentBase = current.baseCapacity ?? 128;
  if (max < currentBase) return `The max capacity can't be less than the base capacity of ${currentBase} RPUs.`;
  return undefined;
}

export class ServerlessModel {
  private readonly namespaces = new Map<string, { view: Namespace; dataSizeMB: number }>();
  private readonly workgroups = new Map<string, WorkgroupRecord>();
  private readonly snapshots = new Map<string, SnapshotRecord>();
  readonly handlers: Record<string, Handler>;
  /** Usage limits of workgroups (serverless-usage-limits-model.ts). */
  readonly usageLimits: ServerlessUsageLimitsModel;

  constructor(private readonly ctx: ServerlessContext) {
    this.usageLimits = new ServerlessUsageLimitsModel(
      ctx,
      (arn) => [...this.workgroups.values()].find((w) => w.view.workgroupArn === arn)?.view,
    );
    this.handlers = {
      ...this.usageLimits.handlers,
      ListWorkgroups: (i: ListWorkgroupsRequest) => this.listWorkgroups(i),
      GetWorkgroup: (i: GetWorkgroupRequest) => this.getWorkgroup(i),
      UpdateWorkgroup: (i: UpdateWorkgroupRequest) => this.updateWorkgroup(i),
      ListNamespaces: (i: ListNamespacesRequest) => this.listNamespaces(i),
      GetNamespace: (i: GetNamespaceRequest) => this.getNamespace(i),
      CreateSnapshot: (i: CreateSnapshotRequest) => this.createSnapshot(i),
      ListSnapshots: (i: ListSnapshotsRequest) => this.listSnapshots(i),
      GetSnapshot: (i: GetSnapshotRequest) => this.getSnapshot(i),
    };
  }

  addNamespace(input: {
    namespaceName: string;
    dbName?: string;
    adminUsername?: string;
    dataSizeMB?: number;
  }): Namespace {
    if (this.namespaces.has(input.namespaceName))
      throw new Error(`namespace ${input.namespaceName} already exists in the simulator`);
    const id = this.ctx.attrRng.uuid();
    const view: Namespace = deepFreeze({
      namespaceArn: `arn:aws:redshift-serverless:${this.ctx.region}:${this.ctx.account}:namespace/${id}`,
      namespaceId: id,
      namespaceName: input.namespaceName,
      adminUsername: input.adminUsername ?? 'admin',
      dbName: input.dbName ?? 'dev',
      kmsKeyId: 'AWS_OWNED_KMS_KEY',
      defaultIamRoleArn: '',
      iamRoles: [],
      logExports: [],
      status: 'AVAILABLE',
      creationDate: new Date(this.ctx.clock.nowMs() - 90 * 86_400_000),
    });
    this.namespaces.set(input.namespaceName, {
      view,
      dataSizeMB: input.dataSizeMB ?? this.ctx.attrRng.int(10_000, 500_000),
    });
    return view;
  }

  addWorkgroup(input: {
    workgroupName: string;
    namespaceName: string;
    baseCapacity?: number;
    maxCapacity?: number;
  }): Workgroup {
    if (this.workgroups.has(input.workgroupName))
      throw new Error(`workgroup ${input.workgroupName} already exists in the simulator`);
    if (!this.namespaces.has(input.namespaceName)) this.addNamespace({ namespaceName: input.namespaceName });
    const id = this.ctx.attrRng.uuid();
    const view: Workgroup = deepFreeze({
      workgroupId: id,
      workgroupArn: `arn:aws:redshift-serverless:${this.ctx.region}:${this.ctx.account}:workgroup/${id}`,
      workgroupName: input.workgroupName,
      namespaceName: input.namespaceName,
      baseCapacity: input.baseCapacity ?? 128,
      ...(input.maxCapacity === undefined ? {} : { maxCapacity: input.maxCapacity }),
      enhancedVpcRouting: false,
      configParameters: DEFAULT_CONFIG_PARAMETERS.map((p) => ({ ...p })),
      securityGroupIds: [`sg-${this.ctx.attrRng.hex(17)}`],
      subnetIds: [
        `subnet-${this.ctx.attrRng.hex(17)}`,
        `subnet-${this.ctx.attrRng.hex(17)}`,
        `subnet-${this.ctx.attrRng.hex(17)}`,
      ],
      status: 'AVAILABLE',
      endpoint: {
        address: `${input.workgroupName}.${this.ctx.account}.${this.ctx.region}.redshift-serverless.amazonaws.com`,
        port: 5439,
        vpcEndpoints: [],
      },
      publiclyAccessible: false,
      creationDate: new Date(this.ctx.clock.nowMs() - 90 * 86_400_000),
      port: 5439,
      workgroupVersion: '1.0.90000',
      patchVersion: '1.0.90000',
      trackName: 'current',
      ipAddressType: 'ipv4',
      crossAccountVpcs: [],
    });
    this.workgroups.set(input.workgroupName, { view });
    return view;
  }

  /** Add a namespace exactly as given (e.g. one item of `aws redshift-serverless list-namespaces`). */
  seedNamespace(namespace: Namespace, options: { dataSizeMB?: number } = {}): Namespace {
    const name = namespace.namespaceName ?? '';
    if (name === '' || this.namespaces.has(name)) throw new Error(`seedNamespace: missing or duplicate name '${name}'`);
    const view = deepFreeze({ status: 'AVAILABLE' as const, ...structuredClone(namespace) });
    this.namespaces.set(name, { view, dataSizeMB: options.dataSizeMB ?? this.ctx.attrRng.int(10_000, 500_000) });
    return view;
  }

  /** Add a workgroup exactly as given (e.g. one item of `aws redshift-serverless list-workgroups`). */
  seedWorkgroup(workgroup: Workgroup): Workgroup {
    const name = workgroup.workgroupName ?? '';
    if (name === '' || this.workgroups.has(name)) throw new Error(`seedWorkgroup: missing or duplicate name '${name}'`);
    const namespaceName = workgroup.namespaceName ?? '';
    if (namespaceName !== '' && !this.namespaces.has(namespaceName)) this.addNamespace({ namespaceName });
    const view = deepFreeze({ status: 'AVAILABLE' as const, ...structuredClone(workgroup) });
    this.workgroups.set(name, { view });
    return view;
  }

  getWorkgroupView(name: string): Workgroup | undefined {
    return this.workgroups.get(name)?.view;
  }

  private pageSize(maxResults: number | undefined): number {
    if (maxResults === undefined) return 100;
    if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > 100) {
      throw serverlessErrors.validation(
        `1 validation error detected: Value '${maxResults}' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and 100`,
        this.ctx.requestId(),
      );
    }
    return maxResults;
  }

  private offset(token: string | undefined): number {
    if (token === undefined || token === '') return 0;
    const offset = decodeToken(token);
    if (offset === undefined) throw serverlessErrors.validation('Invalid nextToken', this.ctx.requestId());
    return offset;
  }

  private mustGetWorkgroup(name: string | undefined): WorkgroupRecord {
    const rec = this.workgroups.get(name ?? '');
    if (rec === undefined)
      throw serverlessErrors.notFound(MESSAGES.workgroupNotFound(name ?? ''), name ?? '', this.ctx.requestId());
    return rec;
  }

  private mustGetNamespace(name: string | undefined) {
    const rec = this.namespaces.get(name ?? '');
    if (rec === undefined)
      throw serverlessErrors.notFound(MESSAGES.namespaceNotFound(name ?? ''), name ?? '', this.ctx.requestId());
    return rec;
  }

  listWorkgroups(input: ListWorkgroupsRequest) {
    const page = paginate(
      [...this.workgroups.values()].map((w) => w.view),
      this.offset(input.nextToken),
      this.pageSize(input.maxResults),
    );
    return { workgroups: page.items, ...(page.next === undefined ? {} : { nextToken: page.next }) };
  }

  getWorkgroup(input: GetWorkgroupRequest) {
    return { workgroup: this.mustGetWorkgroup(input.workgroupName).view };
  }

  updateWorkgroup(input: UpdateWorkgroupRequest) {
    const rec = this.mustGetWorkgroup(input.workgroupName);
    const name = rec.view.workgroupName ?? '';
    if (rec.view.status !== 'AVAILABLE') throw serverlessErrors.conflict(MESSAGES.workgroupBusy, this.ctx.requestId());
    const changes = Object.entries(input).filter(([k, v]) => k !== 'workgroupName' && v !== undefined);
    if (changes.length > 1)
      throw serverlessErrors.validation(MESSAGES.multipleWorkgroupChanges(name), this.ctx.requestId());
    const bad = capacityRefusal(input, rec.view);
    if (bad !== undefined) throw serverlessErrors.validation(bad, this.ctx.requestId());
    const patch: Partial<Workgroup> = {};
    for (const [k, v] of changes) (patch as Record<string, unknown>)[k] = v;
    const next: Workgroup = { ...rec.view, ...patch, status: 'MODIFYING' };
    // -1 turns max capacity off: the workgroup no longer reports one.
    if (next.maxCapacity === MAX_CAPACITY.off) delete next.maxCapacity;
    rec.view = deepFreeze(next);
    const ms = drawDuration(this.ctx.durations.workgroupUpdate, this.ctx.durRng);
    this.ctx.clock.after(
      ms,
      () => {
        rec.view = deepFreeze({ ...rec.view, status: 'AVAILABLE' });
      },
      `${name}: workgroup update done`,
    );
    return { workgroup: rec.view };
  }

  listNamespaces(input: ListNamespacesRequest) {
    const page = paginate(
      [...this.namespaces.values()].map((n) => n.view),
      this.offset(input.nextToken),
      this.pageSize(input.maxResults),
    );
    return { namespaces: page.items, ...(page.next === undefined ? {} : { nextToken: page.next }) };
  }

  getNamespace(input: GetNamespaceRequest) {
    return { namespace: this.mustGetNamespace(input.namespaceName).view };
  }

  createSnapshot(input: CreateSnapshotRequest) {
    const ns = this.mustGetNamespace(input.namespaceName);
    const name = input.snapshotName ?? '';
    if (this.snapshots.has(name))
      throw serverlessErrors.conflict(MESSAGES.serverlessSnapshotExists(name), this.ctx.requestId());
    // Only namespaces with a workgroup that are AVAILABLE can be snapshotted (guide L2435).
    const hasWorkgroup = [...this.workgroups.values()].some((w) => w.view.namespaceName === ns.view.namespaceName);
    if (!hasWorkgroup || ns.view.status !== 'AVAILABLE') {
      throw serverlessErrors.validation(
        `Namespace ${ns.view.namespaceName} has no available workgroup.`,
        this.ctx.requestId(),
      );
    }
    const now = this.ctx.clock.now();
    const retention = input.retentionPeriod ?? -1;
    const view: Snapshot = {
      namespaceName: ns.view.namespaceName ?? '',
      namespaceArn: ns.view.namespaceArn ?? '',
      snapshotName: name,
      snapshotCreateTime: now,
      adminUsername: ns.view.adminUsername ?? 'admin',
      status: 'CREATING',
      kmsKeyId: ns.view.kmsKeyId ?? 'AWS_OWNED_KMS_KEY',
      ownerAccount: this.ctx.account,
      totalBackupSizeInMegaBytes: 0,
      actualIncrementalBackupSizeInMegaBytes: 0,
      backupProgressInMegaBytes: 0,
      currentBackupRateInMegaBytesPerSecond: 0,
      estimatedSecondsToCompletion: -1,
      elapsedTimeInSeconds: 0,
      snapshotRetentionPeriod: retention,
      snapshotArn: `arn:aws:redshift-serverless:${this.ctx.region}:${this.ctx.account}:snapshot/${this.ctx.attrRng.uuid()}`,
      accountsWithRestoreAccess: [],
    };
    const rec: SnapshotRecord = { view: deepFreeze(view), dataSizeMB: ns.dataSizeMB };
    this.snapshots.set(name, rec);
    const ms = drawDuration(this.ctx.durations.serverlessSnapshot, this.ctx.durRng);
    this.ctx.clock.after(
      ms,
      () => {
        if (this.snapshots.get(name) !== rec) return;
        rec.view = deepFreeze({
          ...rec.view,
          status: 'AVAILABLE',
          totalBackupSizeInMegaBytes: rec.dataSizeMB,
          actualIncrementalBackupSizeInMegaBytes: rec.dataSizeMB,
          backupProgressInMegaBytes: rec.dataSizeMB,
          currentBackupRateInMegaBytesPerSecond: Math.round((rec.dataSizeMB / (ms / 1000)) * 100) / 100,
          estimatedSecondsToCompletion: 0,
          elapsedTimeInSeconds: Math.round(ms / 1000),
          snapshotRetentionStartTime: this.ctx.clock.now(),
          ...(retention > 0 ? { snapshotRemainingDays: retention } : {}),
        });
      },
      `${name}: serverless snapshot`,
    );
    return { snapshot: rec.view };
  }

  listSnapshots(input: ListSnapshotsRequest) {
    const from = input.startTime?.getTime();
    const to = input.endTime?.getTime();
    const list = [...this.snapshots.values()]
      .map((s) => s.view)
      .filter((v) => {
        if (input.namespaceName !== undefined && v.namespaceName !== input.namespaceName) return false;
        if (input.namespaceArn !== undefined && v.namespaceArn !== input.namespaceArn) return false;
        if (input.ownerAccount !== undefined && v.ownerAccount !== input.ownerAccount) return false;
        const created = v.snapshotCreateTime?.getTime() ?? 0;
        return (from === undefined || created >= from) && (to === undefined || created <= to);
      });
    const page = paginate(list, this.offset(input.nextToken), this.pageSize(input.maxResults));
    return { snapshots: page.items, ...(page.next === undefined ? {} : { nextToken: page.next }) };
  }

  getSnapshot(input: GetSnapshotRequest) {
    const name = input.snapshotName ?? '';
    const rec = this.snapshots.get(name);
    if (rec === undefined)
      throw serverlessErrors.notFound(MESSAGES.serverlessSnapshotNotFound(name), name, this.ctx.requestId());
    return { snapshot: rec.view };
  }
}
