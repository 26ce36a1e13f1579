import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { inflateRawSync } from 'node:zlib';

/**
 * Packages the service once per content (serverless.yml, infra/, functions/, shared/, lockfile) into a
 * temp directory and hands tests the packaged CloudFormation template and zips. Also the pure checks the
 * template tests run, so a test can show that a check reports a template with a rule, DLQ or role removed.
 */

export const REPO_ROOT = join(import.meta.dirname, '..', '..');
const PACKAGE_INPUTS = [
  'serverless.yml',
  'infra',
  'functions',
  'shared',
  'package-lock.json',
  'test/fixtures/policies',
  'test/fixtures/capabilities',
] as const;
const run = promisify(execFile);

export interface CfnResource {
  Type: string;
  Properties?: Record<string, unknown>;
  DependsOn?: string | string[];
  [key: string]: unknown;
}
export interface CfnTemplate {
  Resources: Record<string, CfnResource>;
  Outputs?: Record<string, unknown>;
  [key: string]: unknown;
}
export interface PackagedService {
  dir: string;
  templatePath: string;
  template: CfnTemplate;
  /** function name (serverless.yml key) → zip path */
  zips: Record<string, string>;
}

function listFiles(path: string): string[] {
  if (!existsSync(path)) return [];
  if (statSync(path).isFile()) return [path];
  return readdirSync(path)
    .sort()
    .flatMap((name) => listFiles(join(path, name)));
}

function inputsHash(): string {
  const hash = createHash('sha256');
  for (const input of PACKAGE_INPUTS) {
    for (const file of listFiles(join(REPO_ROOT, input))) {
      hash.update(relative(REPO_ROOT, file));
      hash.update(readFileSync(file));
    }
  }
  return hash.digest('hex').slice(0, 16);
}

const packaged = new Map<string, Promise<PackagedService>>();

/** The example policies, packaged only when chosen (serverless.yml's default is the operator's `policies/`). */
export const EXAMPLE_POLICIES = 'examples/policies';

/** Packaging parameters (`--param key=value`): `policies`, `capabilities` (serverless.yml `params`). */
export type PackageParams = Readonly<Record<string, string>>;

/**
 * `serverless package --stage dev --region us-east-1`, offline and without credentials (as `npm run
 * package`), once per set of parameters and inputs.
 */
export function packageService(given: PackageParams = {}): Promise<PackagedService> {
  // The tests package the example policies unless told otherwise (the default folder is the operator's own).
  const params = { policies: EXAMPLE_POLICIES, ...given };
  const key = JSON.stringify(params);
  let service = packaged.get(key);
  if (service === undefined) {
    service = doPackage(params);
    packaged.set(key, service);
  }
  return service;
}

function packageArgs(work: string, params: PackageParams): string[] {
  const serverless = join(REPO_ROOT, 'node_modules', 'osls', 'bin', 'serverless.js');
  const paramArgs = Object.entries(params).map(([k, v]) => `--param=${k}=${v}`);
  return [serverless, 'package', '--stage', 'dev', '--region', 'us-east-1', '--package', work, ...paramArgs];
}

const NO_CREDENTIALS = { AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_SESSION_TOKEN: '', AWS_PROFILE: '' };

/** Packages with parameters that must fail; returns the exit code and everything printed. */
export async function packageFailure(params: PackageParams): Promise<{ code: number; output: string }> {
  const work = mkdtempSync(join(tmpdir(), 'redshift-autopilot-package-fail-'));
  try {
    await run(process.execPath, packageArgs(work, params), {
      cwd: REPO_ROOT,
      env: { ...process.env, ...NO_CREDENTIALS },
      maxBuffer: 16 * 1024 * 1024,
    });
    return { code: 0, output: '' };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

async function doPackage(params: PackageParams): Promise<PackagedService> {
  const root = join(tmpdir(), 'redshift-autopilot-package');
  // packageService always passes at least `policies`: one folder per parameter set.
  const suffix = `-${createHash('sha256').update(JSON.stringify(params)).digest('hex').slice(0, 8)}`;
  const dir = join(root, inputsHash() + suffix);
  const templatePath = join(dir, 'cloudformation-template-update-stack.json');
  if (!existsSync(templatePath)) {
    const work = `${dir}.tmp-${process.pid}`;
    rmSync(work, { recursive: true, force: true });
    mkdirSync(root, { recursive: true });
    await run(process.execPath, packageArgs(work, params), {
      cwd: REPO_ROOT,
      env: { ...process.env, ...NO_CREDENTIALS },
      maxBuffer: 16 * 1024 * 1024,
    });
    rmSync(dir, { recursive: true, force: true });
    renameSync(work, dir);
  }
  const template = JSON.parse(readFileSync(templatePath, 'utf8')) as CfnTemplate;
  const zips: Record<string, string> = {};
  for (const name of readdirSync(dir)) {
    if (name.endsWith('.zip')) zips[name.slice(0, -'.zip'.length)] = join(dir, name);
  }
  return { dir, templatePath, template, zips };
}

export function cloneTemplate(template: CfnTemplate): CfnTemplate {
  return structuredClone(template);
}

// ------------------------------------------------------------------------------------------ references

/** The logical id a `Ref` / `Fn::GetAtt` points at, or null for anything else. */
export function refTarget(value: unknown): string | null {
  if (value === null || typeof value !== 'object') return null;
  const node = value as Record<string, unknown>;
  if (typeof node.Ref === 'string') return node.Ref;
  const getAtt = node['Fn::GetAtt'];
  if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') return getAtt[0];
  if (typeof getAtt === 'string') return getAtt.split('.')[0] ?? null;
  return null;
}

function get(value: unknown, ...path: string[]): unknown {
  let node = value;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

function asArray(value: unknown): unknown[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

export function resourcesOfType(template: CfnTemplate, type: string): [string, CfnResource][] {
  return Object.entries(template.Resources).filter(([, resource]) => resource.Type === type);
}

// ------------------------------------------------------------------------------------------ IAM

interface Statement {
  Effect?: string;
  Action?: unknown;
  Resource?: unknown;
  Principal?: unknown;
  Condition?: unknown;
}

/** Every identity-policy statement in the template, with where it is. */
export function iamStatements(template: CfnTemplate): { where: string; statement: Statement }[] {
  const found: { where: string; statement: Statement }[] = [];
  for (const [id, resource] of Object.entries(template.Resources)) {
    const documents: unknown[] = [];
    if (resource.Type === 'AWS::IAM::Role') {
      for (const policy of asArray(get(resource, 'Properties', 'Policies'))) {
        documents.push(get(policy, 'PolicyDocument'));
      }
    }
    if (resource.Type === 'AWS::IAM::Policy' || resource.Type === 'AWS::IAM::ManagedPolicy') {
      documents.push(get(resource, 'Properties', 'PolicyDocument'));
    }
    for (const document of documents) {
      asArray(get(document, 'Statement')).forEach((statement, index) => {
        found.push({ where: `${id} statement ${index}`, statement: statement as Statement });
      });
    }
  }
  return found;
}

/** Allow statements whose Action is `*` or `service:*`. */
export function findWildcardActions(template: CfnTemplate): string[] {
  return iamStatements(template)
    .filter(({ statement }) => statement.Effect === 'Allow')
    .flatMap(({ where, statement }) =>
      asArray(statement.Action)
        .filter((action) => typeof action === 'string' && (action === '*' || /^[a-z0-9-]+:\*$/i.test(action)))
        .map((action) => `${where}: Action ${String(action)}`),
    );
}

/** Allow statements on Resource `*` whose actions are not all in `allowed` (APIs that demand `*`). */
export function findUnscopedResources(template: CfnTemplate, allowed: readonly string[]): string[] {
  return iamStatements(template)
    .filter(({ statement }) => statement.Effect === 'Allow' && asArray(statement.Resource).includes('*'))
    .filter(({ statement }) => asArray(statement.Action).some((action) => !allowed.includes(String(action))))
    .map(({ where, statement }) => `${where}: ${JSON.stringify(statement.Action)} on "*"`);
}

/** Function logical id → the role logical id its `Role` points at. */
export function functionRoles(template: CfnTemplate): Map<string, string | null> {
  return new Map(
    resourcesOfType(template, 'AWS::Lambda::Function').map(([id, fn]) => [
      id,
      refTarget(get(fn, 'Properties', 'Role')),
    ]),
  );
}

/** Functions without a role of their own: shared, missing, or the framework's shared default role. */
export function findRoleProblems(template: CfnTemplate): string[] {
  const problems: string[] = [];
  const users = new Map<string, string[]>();
  for (const [fn, role] of functionRoles(template)) {
    if (role === null) {
      problems.push(`${fn}: Role is not a reference to a role in this template`);
      continue;
    }
    if (template.Resources[role]?.Type !== 'AWS::IAM::Role') problems.push(`${fn}: role ${role} does not exist`);
    if (role === 'IamRoleLambdaExecution') problems.push(`${fn}: uses the shared IamRoleLambdaExecution`);
    users.set(role, [...(users.get(role) ?? []), fn]);
  }
  for (const [role, fns] of users) {
    if (fns.length > 1) problems.push(`${role} is shared by ${fns.join(', ')}`);
  }
  return problems;
}

function roleAllows(template: CfnTemplate, roleId: string, action: string, resourceId: string): boolean {
  return iamStatements(template)
    .filter(({ where }) => where.startsWith(`${roleId} `))
    .some(
      ({ statement }) =>
        statement.Effect === 'Allow' &&
        asArray(statement.Action).includes(action) &&
        asArray(statement.Resource).some((resource) => refTarget(resource) === resourceId),
    );
}

// ------------------------------------------------------------------------------------------ DLQs

export type TriggerKind = 'sns-subscription' | 'eventbridge-target' | 'schedule' | 'event-invoke-config';

export interface AsyncTrigger {
  kind: TriggerKind;
  /** e.g. `IngestApiCallRule/ingest-event-bridge` */
  id: string;
  /** Logical id of the SQS queue that keeps what this trigger could not deliver, or null. */
  dlq: string | null;
  /** The function this trigger invokes asynchronously (null if it is not a function in this template). */
  invokes: string | null;
}

export function asyncTriggers(template: CfnTemplate): AsyncTrigger[] {
  const triggers: AsyncTrigger[] = [];
  const fnId = (arn: unknown) => {
    const id = refTarget(arn);
    return id !== null && template.Resources[id]?.Type === 'AWS::Lambda::Function' ? id : null;
  };
  for (const [id, sub] of resourcesOfType(template, 'AWS::SNS::Subscription')) {
    if (get(sub, 'Properties', 'Protocol') !== 'lambda') continue;
    triggers.push({
      kind: 'sns-subscription',
      id,
      dlq: refTarget(get(sub, 'Properties', 'RedrivePolicy', 'deadLetterTargetArn')),
      invokes: fnId(get(sub, 'Properties', 'Endpoint')),
    });
  }
  for (const [id, rule] of resourcesOfType(template, 'AWS::Events::Rule')) {
    for (const target of asArray(get(rule, 'Properties', 'Targets'))) {
      triggers.push({
        kind: 'eventbridge-target',
        id: `${id}/${String(get(target, 'Id'))}`,
        dlq: refTarget(get(target, 'DeadLetterConfig', 'Arn')),
        invokes: fnId(get(target, 'Arn')),
      });
    }
  }
  for (const [id, schedule] of resourcesOfType(template, 'AWS::Scheduler::Schedule')) {
    triggers.push({
      kind: 'schedule',
      id,
      dlq: refTarget(get(schedule, 'Properties', 'Target', 'DeadLetterConfig', 'Arn')),
      invokes: fnId(get(schedule, 'Properties', 'Target', 'Arn')),
    });
  }
  for (const [id, config] of resourcesOfType(template, 'AWS::Lambda::EventInvokeConfig')) {
    triggers.push({
      kind: 'event-invoke-config',
      id,
      dlq: refTarget(get(config, 'Properties', 'DestinationConfig', 'OnFailure', 'Destination')),
      invokes: refTarget(get(config, 'Properties', 'FunctionName')),
    });
  }
  return triggers;
}

function queuePolicyAllows(template: CfnTemplate, queueId: string, service: string, sourceId: string): boolean {
  return resourcesOfType(template, 'AWS::SQS::QueuePolicy')
    .filter(([, policy]) => asArray(get(policy, 'Properties', 'Queues')).some((q) => refTarget(q) === queueId))
    .flatMap(([, policy]) => asArray(get(policy, 'Properties', 'PolicyDocument', 'Statement')) as Statement[])
    .some((statement) => {
      if (statement.Effect !== 'Allow') return false;
      if (!asArray(get(statement.Principal, 'Service')).includes(service)) return false;
      if (!asArray(statement.Action).includes('sqs:SendMessage')) return false;
      const sources = [
        ...asArray(get(statement.Condition, 'ArnEquals', 'aws:SourceArn')),
        ...asArray(get(statement.Condition, 'ArnLike', 'aws:SourceArn')),
      ];
      return sources.some((source) => refTarget(source) === sourceId);
    });
}

/**
 * Everything wrong with dead-lettering: a trigger without a DLQ, a DLQ that is not an SQS queue in the
 * template, a DLQ the sending service may not write to, and an asynchronously invoked function without
 * an on-failure destination its role may send to.
 */
export function findDeadLetterProblems(template: CfnTemplate): string[] {
  const problems: string[] = [];
  const triggers = asyncTriggers(template);
  for (const trigger of triggers) {
    const label = `${trigger.kind} ${trigger.id}`;
    if (trigger.dlq === null) {
      problems.push(`${label}: no dead-letter queue / on-failure destination`);
      continue;
    }
    if (template.Resources[trigger.dlq]?.Type !== 'AWS::SQS::Queue') {
      problems.push(`${label}: dead-letter target ${trigger.dlq} is not an SQS queue of this stack`);
      continue;
    }
    const [source = ''] = trigger.id.split('/');
    if (trigger.kind === 'sns-subscription') {
      const topic = refTarget(get(template.Resources[trigger.id], 'Properties', 'TopicArn')) ?? '';
      if (!queuePolicyAllows(template, trigger.dlq, 'sns.amazonaws.com', topic)) {
        problems.push(`${label}: queue policy of ${trigger.dlq} does not let sns.amazonaws.com send for ${topic}`);
      }
    }
    if (
      trigger.kind === 'eventbridge-target' &&
      !queuePolicyAllows(template, trigger.dlq, 'events.amazonaws.com', source)
    ) {
      problems.push(`${label}: queue policy of ${trigger.dlq} does not let events.amazonaws.com send for ${source}`);
    }
    if (trigger.kind === 'schedule') {
      const role = refTarget(get(template.Resources[trigger.id], 'Properties', 'Target', 'RoleArn')) ?? '';
      if (!roleAllows(template, role, 'sqs:SendMessage', trigger.dlq)) {
        problems.push(`${label}: scheduler role ${role} may not send to ${trigger.dlq}`);
      }
    }
    if (trigger.kind === 'event-invoke-config' && trigger.invokes !== null) {
      const role = functionRoles(template).get(trigger.invokes) ?? '';
      if (!roleAllows(template, role, 'sqs:SendMessage', trigger.dlq)) {
        problems.push(`${label}: role ${role} of ${trigger.invokes} may not send to ${trigger.dlq}`);
      }
    }
  }
  const withOnFailure = new Set(
    triggers.filter((t) => t.kind === 'event-invoke-config' && t.dlq !== null).map((t) => t.invokes),
  );
  for (const trigger of triggers) {
    if (trigger.kind === 'event-invoke-config' || trigger.invokes === null) continue;
    if (!withOnFailure.has(trigger.invokes)) {
      problems.push(`${trigger.invokes} is invoked asynchronously by ${trigger.id} but has no on-failure destination`);
    }
  }
  return problems;
}

/** Rule logical id → its EventPattern, as packaged. */
export function eventPatterns(template: CfnTemplate): Record<string, unknown> {
  return Object.fromEntries(
    resourcesOfType(template, 'AWS::Events::Rule').map(([id, rule]) => [id, get(rule, 'Properties', 'EventPattern')]),
  );
}

/**
 * EventBridge's matching semantics for the pattern features this project uses (exact values, `prefix`,
 * `anything-but` with a value or a list, nested objects): a field inside an array of objects matches
 * if any element matches, as in aws/event-ruler. moto's matcher does not descend into arrays, so the
 * routing test uses this to cover the alarm rule (`detail.configuration.metrics[].metricStat.metric.namespace`).
 */
export function patternMatches(pattern: unknown, event: unknown): boolean {
  if (pattern === null || typeof pattern !== 'object' || Array.isArray(pattern)) return false;
  return Object.entries(pattern as Record<string, unknown>).every(([key, expected]) => {
    const values = valuesAt(event, key);
    if (Array.isArray(expected)) {
      return values.some((value) => expected.some((filter) => filterMatches(filter, value)));
    }
    return values.some((value) => patternMatches(expected, value));
  });
}

function valuesAt(node: unknown, key: string): unknown[] {
  if (Array.isArray(node)) return node.flatMap((item) => valuesAt(item, key));
  if (node === null || typeof node !== 'object') return [];
  const value = (node as Record<string, unknown>)[key];
  if (value === undefined) return [];
  return Array.isArray(value) ? value.flatMap((item) => (Array.isArray(item) ? item : [item])) : [value];
}

function filterMatches(filter: unknown, value: unknown): boolean {
  if (filter !== null && typeof filter === 'object') {
    const prefix = (filter as { prefix?: unknown }).prefix;
    if (typeof prefix === 'string') return typeof value === 'string' && value.startsWith(prefix);
    const but = (filter as { 'anything-but'?: unknown })['anything-but'];
    if (typeof but === 'string' || Array.isArray(but)) return ![but].flat().includes(value);
    throw new Error(`patternMatches: unsupported filter ${JSON.stringify(filter)}`);
  }
  return filter === value;
}

// ------------------------------------------------------------------------------------------ zips

/** Reads a zip's entries (stored or deflated) without a dependency: EOCD → central directory → data. */
export function readZip(path: string): Map<string, Buffer> {
  const zip = readFileSync(path);
  let eocd = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 65_535); i--) {
    if (zip.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error(`${path}: not a zip file (no end of central directory)`);
  const entries = new Map<string, Buffer>();
  const count = zip.readUInt16LE(eocd + 10);
  let offset = zip.readUInt32LE(eocd + 16);
  for (let n = 0; n < count; n++) {
    if (zip.readUInt32LE(offset) !== 0x02014b50) throw new Error(`${path}: corrupt central directory`);
    const method = zip.readUInt16LE(offset + 10);
    const compressedSize = zip.readUInt32LE(offset + 20);
    const nameLength = zip.readUInt16LE(offset + 28);
    const extraLength = zip.readUInt16LE(offset + 30);
    const commentLength = zip.readUInt16LE(offset + 32);
    const localOffset = zip.readUInt32LE(offset + 42);
    const name = zip.toString('utf8', offset + 46, offset + 46 + nameLength);
    const dataStart = localOffset + 30 + zip.readUInt16LE(localOffset + 26) + zip.readUInt16LE(localOffset + 28);
    const data = zip.subarray(dataStart, dataStart + compressedSize);
    if (!name.endsWith('/')) entries.set(name, method === 8 ? inflateRawSync(data) : Buffer.from(data));
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/**
 * Optional SDK add-ons the SDK itself loads lazily inside try/catch (SigV4a for multi-region endpoints);
 * esbuild leaves such guarded require() calls in place when the package is not installed, and the SDK
 * falls back when they are absent. Anything else left external would fail at run time.
 */
export const OPTIONAL_LAZY_MODULES = ['@aws-sdk/signature-v4-crt', '@aws-sdk/signature-v4a'] as const;

/** Specifiers a bundle would load at run time that are neither Node builtins nor optional lazy add-ons. */
export function unbundledImports(bundle: string): string[] {
  return externalImports(bundle).filter(
    (specifier) => !specifier.startsWith('node:') && !(OPTIONAL_LAZY_MODULES as readonly string[]).includes(specifier),
  );
}

/** Module specifiers an ES module bundle still imports at run time (static and dynamic, plus require()). */
export function externalImports(bundle: string): string[] {
  const specifiers = new Set<string>();
  const patterns = [
    /\bimport\s*[\w*{},\s$]*?\s*from\s*["']([^"']+)["']/g,
    /\bimport\s*["']([^"']+)["']/g,
    /\bimport\s*\(\s*["']([^"']+)["']\s*\)/g,
    /\brequire\s*\(\s*["']([^"']+)["']\s*\)/g,
  ];
  for (const pattern of patterns) {
    for (const match of bundle.matchAll(pattern)) {
      if (match[1] !== undefined) specifiers.add(match[1]);
    }
  }
  return [...specifiers].sort();
}

// ------------------------------------------------------------------------------------------ acting path

/** Redshift / Redshift Serverless actions that change something (everything but reads and listings). */
export function isRedshiftWrite(action: string): boolean {
  return /^(redshift|redshift-serverless):/i.test(action) && !/:(Describe|List|Get)/i.test(action);
}

/** Role logical id → the Redshift write actions its Allow statements grant. */
export function redshiftWriteGrants(template: CfnTemplate): Map<string, string[]> {
  const grants = new Map<string, string[]>();
  for (const { where, statement } of iamStatements(template)) {
    if (statement.Effect !== 'Allow') continue;
    const role = where.split(' ')[0] ?? where;
    for (const action of asArray(statement.Action).map(String).filter(isRedshiftWrite)) {
      grants.set(role, [...(grants.get(role) ?? []), action]);
    }
  }
  return grants;
}

/**
 * Allow statements granting a Redshift write on cluster or workgroup ARNs without the opt-in tag
 * condition. The snapshot ARN of CreateClusterSnapshot is exempt: a new snapshot carries no tags.
 */
export function findUnconditionedWrites(template: CfnTemplate, tagKey: string, tagValue: string): string[] {
  return iamStatements(template)
    .filter(
      ({ statement }) => statement.Effect === 'Allow' && asArray(statement.Action).map(String).some(isRedshiftWrite),
    )
    .filter(({ statement }) => {
      const resources = JSON.stringify(statement.Resource ?? '');
      if (!/:cluster:|workgroup\/|"\*"/.test(resources)) return false;
      return get(statement.Condition, 'StringEquals', `aws:ResourceTag/${tagKey}`) !== tagValue;
    })
    .map(({ where, statement }) => `${where}: ${JSON.stringify(statement.Action)} without aws:ResourceTag/${tagKey}`);
}

export interface SqsEventSource {
  id: string;
  functionId: string | null;
  queueId: string | null;
  batchSize: unknown;
  responseTypes: unknown;
}

export function sqsEventSources(template: CfnTemplate): SqsEventSource[] {
  return resourcesOfType(template, 'AWS::Lambda::EventSourceMapping').map(([id, mapping]) => ({
    id,
    functionId: refTarget(get(mapping, 'Properties', 'FunctionName')),
    queueId: refTarget(get(mapping, 'Properties', 'EventSourceArn')),
    batchSize: get(mapping, 'Properties', 'BatchSize'),
    responseTypes: get(mapping, 'Properties', 'FunctionResponseTypes'),
  }));
}

/** Every dead-letter queue of the template: the async triggers' DLQs and the queues' redrive targets. */
export function deadLetterQueues(template: CfnTemplate): string[] {
  const dlqs = new Set<string>();
  for (const trigger of asyncTriggers(template)) if (trigger.dlq !== null) dlqs.add(trigger.dlq);
  for (const [, queue] of resourcesOfType(template, 'AWS::SQS::Queue')) {
    const target = refTarget(get(queue, 'Properties', 'RedrivePolicy', 'deadLetterTargetArn'));
    if (target !== null) dlqs.add(target);
  }
  return [...dlqs].sort();
}

/**
 * What is wrong with the stack's self-monitoring: a DLQ without an alarm on visible messages that
 * notifies `topic`, or an alarm whose action is not that topic.
 */
export function findDlqAlarmProblems(template: CfnTemplate, topic: string): string[] {
  const alarms = [...resourcesOfType(template, 'AWS::CloudWatch::Alarm')];
  const problems: string[] = [];
  for (const dlq of deadLetterQueues(template)) {
    const alarm = alarms.find(([, a]) => {
      const dims = asArray(get(a, 'Properties', 'Dimensions'));
      return (
        get(a, 'Properties', 'MetricName') === 'ApproximateNumberOfMessagesVisible' &&
        dims.some((d) => refTarget(get(d, 'Value')) === dlq)
      );
    });
    if (alarm === undefined) {
      problems.push(`${dlq}: no alarm on ApproximateNumberOfMessagesVisible`);
      continue;
    }
    const actions = asArray(get(alarm[1], 'Properties', 'AlarmActions')).map(refTarget);
    if (!actions.includes(topic)) problems.push(`${alarm[0]}: does not notify ${topic}`);
  }
  return problems;
}
