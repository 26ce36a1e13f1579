import { ConfigurationError } from '../errors.ts';
import type { FleetIndex } from './capability.ts';
import type {
  ClusterResource,
  FleetResource,
  FleetSnapshot,
  IntegrationResource,
  NamespaceResource,
  SnapshotCopyStatus,
  SnapshotResource,
  WorkgroupResource,
} from './decision.ts';
import { readSubnetZones, withSubnetZones } from './fleet-subnets.ts';
import { isUsageFile, withUsage } from './fleet-usage.ts';

/**
 * Fleet input, pure: JSON documents in, one FleetSnapshot out. Accepted documents are what the AWS
 * CLI prints — `aws redshift describe-clusters` (`Clusters`, tags inside each cluster),
 * `aws redshift describe-integrations` (`Integrations`), `aws redshift-serverless list-workgroups`
 * (`workgroups`) and `list-namespaces` (`namespaces`) — the same wrapped in a recorded botocore
 * response (`{status_code, data}`, Cloud Custodian's placebo format), or a FleetSnapshot itself.
 * list-workgroups/list-namespaces carry no tags; a `tags: [{key, value}]` array on an item (from
 * `list-tags-for-resource`) is read when present. Snapshots: `aws redshift describe-cluster-snapshots`
 * (`Snapshots`, tags inside) and `aws redshift-serverless list-snapshots` (`snapshots`, tags as above).
 */

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const num = (v: unknown, fallback: number): number => (typeof v === 'number' && Number.isFinite(v) ? v : fallback);

/** `arn:partition:service:region:account:resource` → region and account. */
function arnParts(arn: string | null): { region: string | null; account: string | null } {
  const parts = arn?.split(':') ?? [];
  return { region: str(parts[3]), account: str(parts[4]) };
}

function tagsOf(list: unknown, keyName: string, valueName: string): Record<string, string> {
  const tags: Record<string, string> = {};
  if (!Array.isArray(list)) return tags;
  for (const item of list) {
    if (!isObject(item)) continue;
    const key = item[keyName];
    if (typeof key === 'string') tags[key] = typeof item[valueName] === 'string' ? (item[valueName] as string) : '';
  }
  return tags;
}

/**
 * Clusters mapped from frozen describe-clusters items, by item. The simulator hands out the same
 * frozen item until the cluster changes, so a sweep of a large simulated fleet maps only what changed;
 * a real SDK response is fresh, mutable objects and is always mapped. Frozen means the item, its
 * arrays and objects and theirs one level down (Tags' items): everything clusterFrom reads.
 */
const frozenClusters = new WeakMap<Json, ClusterResource>();

function isFrozenItem(raw: Json): boolean {
  if (!Object.isFrozen(raw)) return false;
  for (const value of Object.values(raw)) {
    if (value === null || typeof value !== 'object') continue;
    if (!Object.isFrozen(value)) return false;
    for (const inner of Object.values(value)) {
      if (inner !== null && typeof inner === 'object' && !Object.isFrozen(inner)) return false;
    }
  }
  return true;
}

function clusterFromItem(raw: Json): ClusterResource {
  const known = frozenClusters.get(raw);
  if (known !== undefined) return known;
  const resource = clusterFrom(raw);
  if (isFrozenItem(raw)) frozenClusters.set(raw, resource);
  return resource;
}

/** The problems of one describe-clusters item: required fields missing, fields of the wrong type. */
export function clusterItemProblems(raw: Json, where: string): string[] {
  const problems: string[] = [];
  const id = str(raw.ClusterIdentifier);
  const at = id === null ? where : `${where} (${id})`;
  for (const key of ['ClusterIdentifier', 'ClusterStatus']) {
    if (raw[key] === undefined || raw[key] === null || raw[key] === '')
      problems.push(
        `${at} has no ${key}; expected describe-clusters output, where every cluster has ClusterIdentifier and ClusterStatus`,
      );
  }
  const wrong = (key: string, expected: string) => {
    problems.push(`${at}.${key} is ${JSON.stringify(raw[key])}; expected ${expected}`);
  };
  for (const key of ['ClusterIdentifier', 'ClusterStatus', 'NodeType', 'ClusterNamespaceArn', 'AvailabilityZone']) {
    if (raw[key] !== undefined && raw[key] !== null && typeof raw[key] !== 'string') wrong(key, 'text');
  }
  const n = raw.NumberOfNodes;
  if (n !== undefined && !(typeof n === 'number' && Number.isInteger(n) && n >= 1))
    wrong('NumberOfNodes', 'a whole number of nodes ≥ 1, such as 2 (not in quotes)');
  const retention = raw.AutomatedSnapshotRetentionPeriod;
  if (retention !== undefined && !(typeof retention === 'number' && Number.isInteger(retention)))
    wrong('AutomatedSnapshotRetentionPeriod', 'a whole number of days, such as 1');
  if (raw.MultiAZ !== undefined && !['Enabled', 'Disabled', true, false].includes(raw.MultiAZ as string))
    wrong('MultiAZ', '"Enabled" or "Disabled"');
  if (raw.Tags !== undefined) {
    const tags = raw.Tags;
    if (!Array.isArray(tags)) wrong('Tags', 'a list of { Key, Value }');
    else
      for (const [i, tag] of tags.entries()) {
        if (!isObject(tag) || typeof tag.Key !== 'string' || (tag.Value !== undefined && typeof tag.Value !== 'string'))
          problems.push(`${at}.Tags[${i}] is ${JSON.stringify(tag)}; expected { "Key": text, "Value": text }`);
      }
  }
  return problems;
}

/** A checked item (clusterItemProblems found nothing) → the resource. */
function clusterFrom(raw: Json): ClusterResource {
  const id = str(raw.ClusterIdentifier) as string;
  const namespaceArn = str(raw.ClusterNamespaceArn);
  const fromArn = arnParts(namespaceArn);
  const zone = str(raw.AvailabilityZone);
  const region = fromArn.region ?? (zone === null ? null : zone.replace(/[a-z]$/, ''));
  const account = fromArn.account;
  const copy = snapshotCopyFrom(raw.ClusterSnapshotCopyStatus);
  return {
    type: 'cluster',
    id,
    arn: region !== null && account !== null ? `arn:aws:redshift:${region}:${account}:cluster:${id}` : null,
    region,
    account,
    status: (str(raw.ClusterStatus) ?? 'unknown').toLowerCase(),
    availabilityStatus: str(raw.ClusterAvailabilityStatus),
    tags: tagsOf(raw.Tags, 'Key', 'Value'),
    nodeType: str(raw.NodeType) ?? 'unknown',
    numberOfNodes: num(raw.NumberOfNodes, 1),
    // The API returns "Enabled"/"Disabled"; some tools print a boolean.
    multiAz: raw.MultiAZ === 'Enabled' || raw.MultiAZ === true,
    automatedSnapshotRetentionPeriod: num(raw.AutomatedSnapshotRetentionPeriod, 1),
    namespaceArn,
    // Only when enabled, so resources read without it compare equal to before.
    ...(copy === null ? {} : { snapshotCopy: copy }),
    ...(raw.Encrypted === true ? { encrypted: true as const } : {}),
    ...elasticOptionsFrom(raw.ElasticResizeNumberOfNodeOptions),
    // Only for Multi-AZ clusters, so single-AZ resources compare equal to before.
    ...(raw.MultiAZ === 'Enabled' || raw.MultiAZ === true ? multiAzFrom(raw) : {}),
  };
}

/**
 * The Multi-AZ details a failover drill checks (issue 16), each only when the item carries it: the
 * primary's AZ, the secondary's (`MultiAZSecondary: {}` while a recovery makes a new one: null), the
 * endpoint's port, an Elastic IP, the subnet group and the weekly maintenance window.
 */
function multiAzFrom(raw: Json): Partial<ClusterResource> {
  const out: Partial<ClusterResource> = {};
  const zone = str(raw.AvailabilityZone);
  if (zone !== null) out.availabilityZone = zone;
  if (isObject(raw.MultiAZSecondary)) out.secondaryAvailabilityZone = str(raw.MultiAZSecondary.AvailabilityZone);
  const port = isObject(raw.Endpoint) ? raw.Endpoint.Port : undefined;
  if (typeof port === 'number') out.port = port;
  const eip = isObject(raw.ElasticIpStatus) ? str(raw.ElasticIpStatus.ElasticIp) : null;
  if (eip !== null) out.elasticIp = eip;
  const group = str(raw.ClusterSubnetGroupName);
  if (group !== null) out.subnetGroupName = group;
  const window = str(raw.PreferredMaintenanceWindow);
  if (window !== null) out.maintenanceWindow = window;
  return out;
}

/** `ElasticResizeNumberOfNodeOptions` is text such as "[2,3,4]"; only when read and well formed. */
function elasticOptionsFrom(raw: unknown): { elasticResizeOptions?: number[] } {
  if (typeof raw !== 'string' || !/^\[\s*(\d+\s*(,\s*\d+\s*)*)?\]$/.test(raw)) return {};
  return { elasticResizeOptions: JSON.parse(raw) as number[] };
}

function snapshotCopyFrom(raw: unknown): SnapshotCopyStatus | null {
  if (!isObject(raw) || str(raw.DestinationRegion) === null) return null;
  return {
    destinationRegion: raw.DestinationRegion as string,
    retentionPeriod: typeof raw.RetentionPeriod === 'number' ? raw.RetentionPeriod : null,
    manualSnapshotRetentionPeriod:
      typeof raw.ManualSnapshotRetentionPeriod === 'number' ? raw.ManualSnapshotRetentionPeriod : null,
  };
}

/** A time as the SDK (Date), the CLI (ISO string) or a placebo recording (`{__class__: 'datetime', …}`) gives it. */
function isoTime(v: unknown): string | null {
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v.toISOString();
  if (typeof v === 'string') {
    const ms = Date.parse(v);
    return Number.isNaN(ms) ? null : new Date(ms).toISOString();
  }
  if (isObject(v) && v.__class__ === 'datetime') {
    const n = (k: string) => num(v[k], 0);
    return new Date(
      Date.UTC(
        n('year'),
        n('month') - 1,
        n('day'),
        n('hour'),
        n('minute'),
        n('second'),
        Math.floor(n('microsecond') / 1000),
      ),
    ).toISOString();
  }
  return null;
}

function clusterSnapshotFrom(raw: Json, where: string): SnapshotResource {
  const id = str(raw.SnapshotIdentifier);
  const sourceId = str(raw.ClusterIdentifier);
  if (id === null || sourceId === null) {
    throw new ConfigurationError(
      `${where}: a snapshot has no SnapshotIdentifier or ClusterIdentifier; expected describe-cluster-snapshots output`,
    );
  }
  const arn = str(raw.SnapshotArn);
  return {
    type: 'snapshot',
    id,
    arn,
    ...arnParts(arn),
    status: (str(raw.Status) ?? 'unknown').toLowerCase(),
    tags: tagsOf(raw.Tags, 'Key', 'Value'),
    service: 'redshift',
    sourceId,
    snapshotType: str(raw.SnapshotType) ?? 'manual',
    createdAt: isoTime(raw.SnapshotCreateTime),
  };
}

function serverlessSnapshotFrom(raw: Json, where: string): SnapshotResource {
  const id = str(raw.snapshotName);
  const sourceId = str(raw.namespaceName);
  if (id === null || sourceId === null) {
    throw new ConfigurationError(
      `${where}: a snapshot has no snapshotName or namespaceName; expected list-snapshots output`,
    );
  }
  const arn = str(raw.snapshotArn);
  return {
    type: 'snapshot',
    id,
    arn,
    ...arnParts(arn),
    status: (str(raw.status) ?? 'unknown').toLowerCase(),
    tags: tagsOf(raw.tags, 'key', 'value'),
    service: 'redshift-serverless',
    sourceId,
    snapshotType: 'manual',
    createdAt: isoTime(raw.snapshotCreateTime),
  };
}

function integrationFrom(raw: Json, where: string): IntegrationResource {
  const arn = str(raw.IntegrationArn);
  const sourceArn = str(raw.SourceArn);
  const targetArn = str(raw.TargetArn);
  if (arn === null || sourceArn === null || targetArn === null) {
    throw new ConfigurationError(
      `${where}: an integration lacks IntegrationArn, SourceArn or TargetArn; expected describe-integrations output`,
    );
  }
  return {
    type: 'integration',
    id: str(raw.IntegrationName) ?? arn.split(':').pop() ?? arn,
    arn,
    ...arnParts(arn),
    status: str(raw.Status) ?? 'unknown',
    tags: tagsOf(raw.Tags, 'Key', 'Value'),
    sourceArn,
    targetArn,
  };
}

function workgroupFrom(raw: Json, where: string): WorkgroupResource {
  const id = str(raw.workgroupName);
  if (id === null)
    throw new ConfigurationError(`${where}: a workgroup has no workgroupName; expected list-workgroups output`);
  const arn = str(raw.workgroupArn);
  return {
    type: 'workgroup',
    id,
    arn,
    ...arnParts(arn),
    status: str(raw.status) ?? 'unknown',
    tags: tagsOf(raw.tags, 'key', 'value'),
    namespaceName: str(raw.namespaceName),
    baseCapacity: num(raw.baseCapacity, 128),
    maxCapacity: typeof raw.maxCapacity === 'number' ? raw.maxCapacity : null,
  };
}

function namespaceFrom(raw: Json, where: string): NamespaceResource {
  const id = str(raw.namespaceName);
  if (id === null)
    throw new ConfigurationError(`${where}: a namespace has no namespaceName; expected list-namespaces output`);
  const arn = str(raw.namespaceArn);
  return {
    type: 'namespace',
    id,
    arn,
    ...arnParts(arn),
    status: str(raw.status) ?? 'unknown',
    tags: tagsOf(raw.tags, 'key', 'value'),
  };
}

/** The items of a list; a value that is not a list is a problem. */
function itemsOf(doc: Json, key: string, where: string, problems: string[]): unknown[] {
  const list = doc[key];
  if (Array.isArray(list)) return list;
  problems.push(`${where}: ${key} is ${JSON.stringify(list)}; expected a list`);
  return [];
}

export interface FleetDocument {
  /** File name, for messages. */
  name: string;
  json: unknown;
  /** The account and Region the file was read in (`--fleet 111111111111/eu-west-1=clusters.json`, issue 18). */
  account?: string;
  region?: string;
}

/** A resource of a file read in `doc`'s account and Region: filled in, or a problem when its ARN names another. */
function inLocation(r: FleetResource, doc: FleetDocument, problems: string[]): FleetResource {
  if (doc.account === undefined || doc.region === undefined) return r;
  const stated = `${doc.account}/${doc.region}`;
  if ((r.account !== null && r.account !== doc.account) || (r.region !== null && r.region !== doc.region)) {
    problems.push(
      `${doc.name}: ${r.type} ${r.id} is in ${r.account ?? '?'}/${r.region ?? '?'} by its ARN; expected ${stated} as --fleet ${stated}=${doc.name} says`,
    );
    return r;
  }
  const at = { ...r, account: doc.account, region: doc.region };
  return at.type === 'cluster' && at.arn === null
    ? { ...at, arn: `arn:aws:redshift:${doc.region}:${doc.account}:cluster:${at.id}` }
    : at;
}

/** A name in two accounts or Regions: decisions are keyed by policy, type and name (as the hub withholds it). */
function nameClashes(resources: readonly FleetResource[]): string[] {
  const where = new Map<string, Set<string>>();
  for (const r of resources) {
    if (r.account === null || r.type === 'snapshot') continue;
    const key = `${r.type} ${r.id}`;
    where.set(key, (where.get(key) ?? new Set()).add(`${r.account}/${r.region ?? '?'}`));
  }
  return [...where]
    .filter(([, at]) => at.size > 1)
    .map(
      ([name, at]) =>
        `${name} is in ${[...at].join(' and ')}; expected each name once across the fleet files (plan reads one resource per type and name; the deployed hub decides each in its own target), so plan them separately`,
    );
}

export function parseFleet(documents: readonly FleetDocument[], readAt: string): FleetSnapshot {
  const resources: FleetResource[] = [];
  const subnetZones = new Map<string, string[]>();
  // Every problem of every file, then one error: a fleet file is fixed in one go, like a policy file.
  const problems: string[] = [];
  for (const document of documents) {
    const { name, json } = document;
    const first = resources.length;
    let doc = json;
    if (isObject(doc) && 'status_code' in doc && isObject(doc.data)) doc = doc.data;
    if (!isObject(doc)) {
      problems.push(`${name}: not a JSON object; expected AWS CLI output such as aws redshift describe-clusters`);
      continue;
    }
    const before = problems.length;
    const read = <T>(key: string, from: (item: Json, where: string) => T): T[] => {
      const out: T[] = [];
      for (const [i, item] of itemsOf(doc as Json, key, name, problems).entries()) {
        if (!isObject(item)) {
          problems.push(`${name}: ${key}[${i}] is ${JSON.stringify(item)}; expected an object`);
          continue;
        }
        try {
          out.push(from(item, `${name}: ${key}[${i}]`));
        } catch (error) {
          if (!(error instanceof ConfigurationError)) throw error;
          problems.push(error.message);
        }
      }
      return out;
    };
    let recognised = readSubnetZones(doc, subnetZones) || isUsageFile(doc);
    if ('Clusters' in doc) {
      recognised = true;
      const items = read('Clusters', (item, where) => {
        // A frozen item already mapped was checked then (the simulator's sweeps reuse them).
        const known = frozenClusters.get(item);
        if (known !== undefined) return known;
        const found = clusterItemProblems(item, where);
        if (found.length > 0) throw new ConfigurationError(found.join('\n'));
        return clusterFromItem(item);
      });
      resources.push(...items);
    }
    const kinds: [string, (item: Json, where: string) => FleetResource][] = [
      ['Integrations', integrationFrom],
      ['workgroups', workgroupFrom],
      ['namespaces', namespaceFrom],
      ['Snapshots', clusterSnapshotFrom],
      ['snapshots', serverlessSnapshotFrom],
    ];
    for (const [key, from] of kinds) {
      if (!(key in doc)) continue;
      recognised = true;
      resources.push(...read(key, from));
    }
    if ('resources' in doc && Array.isArray(doc.resources)) {
      recognised = true;
      resources.push(...(doc.resources as FleetResource[]));
    }
    if (!recognised && problems.length === before) {
      problems.push(
        `${name}: not a recognised fleet file; expected the output of aws redshift describe-clusters, describe-cluster-snapshots, describe-integrations, describe-cluster-subnet-groups, aws redshift-serverless list-workgroups, list-namespaces, list-snapshots, list-usage-limits, aws redshift describe-usage-limits, aws cloudwatch get-metric-data or aws secretsmanager list-secrets`,
      );
    }
    for (let i = first; i < resources.length; i++)
      resources[i] = inLocation(resources[i] as FleetResource, document, problems);
  }
  problems.push(...nameClashes(resources), ...withUsage(resources, documents, readAt));
  if (problems.length > 0) throw new ConfigurationError(problems.join('\n'));
  withSubnetZones(resources, subnetZones);
  // Later files win for the same resource, so a refreshed describe-clusters can be appended.
  const unique = new Map<string, FleetResource>();
  for (const r of resources)
    unique.set(r.type === 'snapshot' ? `snapshot:${r.service}:${r.id}` : `${r.type}:${r.id}`, r);
  const sorted = [...unique.values()].sort((a, b) =>
    a.type === b.type ? (a.id < b.id ? -1 : a.id > b.id ? 1 : 0) : a.type < b.type ? -1 : 1,
  );
  return { readAt, resources: sorted };
}

/**
 * The fleet resource an event names: by its ARN, else by type and id — and the id fallback only when the
 * ARN (if any) names the account and Region of the resource found by id. An ARN of another account or
 * Region resolves to nothing, so an event about `prod-dw` elsewhere never acts on the local `prod-dw`
 * (issue #22). `type` overrides the ref's own (a window looks up the cluster an event names).
 */
export function resourceOfRef(
  fleet: FleetIndex,
  ref: { type: string; id: string; arn?: string | undefined },
  type: FleetResource['type'] = ref.type as FleetResource['type'],
): FleetResource | undefined {
  if (ref.arn === undefined) return fleet.byTypeAndId(type, ref.id);
  const exact = fleet.byArn(ref.arn);
  if (exact !== undefined) return exact;
  const named = arnParts(ref.arn.startsWith('arn:') ? ref.arn : null);
  const found = fleet.byTypeAndId(type, ref.id);
  if (found === undefined || named.account === null) return found;
  return found.account === named.account && found.region === named.region ? found : undefined;
}

export function indexFleet(fleet: FleetSnapshot): FleetIndex {
  // By type, then id: no `type:id` string built per lookup (decide() looks resources up on every event).
  const byType = new Map<string, Map<string, FleetResource>>();
  const byArn = new Map<string, FleetResource>();
  const byNamespace = new Map<string, FleetResource>();
  const zeroEtlTargets = new Set<string>();
  // A hub's fleet may hold one name in two targets (#18): such a name is found by ARN or location only.
  const twins = new Map<string, FleetResource[]>();
  for (const r of fleet.resources) {
    let ofType = byType.get(r.type);
    if (ofType === undefined) {
      ofType = new Map();
      byType.set(r.type, ofType);
    }
    const twin = ofType.get(r.id);
    if (twin !== undefined && r.type !== 'snapshot' && (twin.account !== r.account || twin.region !== r.region)) {
      const key = `${r.type}:${r.id}`;
      twins.set(key, [...(twins.get(key) ?? [twin]), r]);
    }
    ofType.set(r.id, r);
    if (r.arn !== null) byArn.set(r.arn, r);
    if (r.type === 'cluster' && r.namespaceArn !== null) byNamespace.set(r.namespaceArn, r);
    if (r.type === 'integration') zeroEtlTargets.add(r.targetArn);
  }
  return {
    resources: fleet.resources,
    byTypeAndId:
      twins.size === 0
        ? (type, id) => byType.get(type)?.get(id)
        : (type, id) => (twins.has(`${type}:${id}`) ? undefined : byType.get(type)?.get(id)),
    namesakes: (type, id) => {
      const found = twins.get(`${type}:${id}`);
      if (found !== undefined) return found;
      const one = byType.get(type)?.get(id);
      return one === undefined ? [] : [one];
    },
    byArn: (arn) => byArn.get(arn),
    isZeroEtlTarget: (r) => r.type === 'cluster' && r.namespaceArn !== null && zeroEtlTargets.has(r.namespaceArn),
    clusterByNamespaceArn: (arn) => byNamespace.get(arn),
  };
}
