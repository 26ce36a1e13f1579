import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigurationError } from '../errors.ts';
import type { TargetRef } from '../policy/decision.ts';
import { jsonPositions, syntaxPosition } from './json-positions.ts';

/**
 * The hub's targets: the accounts and Regions one deployment serves, and how it reaches each (the
 * spoke's read role for the sweep, its execution role for the executor, with the external id the
 * spoke's trust policy requires). A JSON file packaged into every function's zip (serverless.yml
 * `package.patterns`, path in AUTOPILOT_TARGETS_PATH) rather than an environment variable: Lambda's
 * variables share 4 KB, and 20 accounts' role ARNs alone are more. docs/multi-account.md.
 *
 * ```json
 * { "regions": ["eu-west-1", "eu-central-1"], "externalId": "autopilot-7f3c9a",
 *   "readRoleName": "autopilot-spoke-read", "executionRoleName": "autopilot-spoke-execute",
 *   "concurrency": 8,
 *   "targets": [ { "account": "111111111111", "assumeRole": false },
 *                { "account": "222222222222", "regions": ["us-east-1"] } ] }
 * ```
 */

/** A role the hub assumes in a spoke: its ARN and the external id the spoke's trust policy asks for. */
export interface SpokeRole {
  roleArn: string;
  externalId: string | null;
}

/** One (account, Region) the hub serves, and the roles it uses there (null: the function's own credentials). */
export interface TargetLocation {
  account: string;
  region: string;
  read: SpokeRole | null;
  execute: SpokeRole | null;
}

export interface HubTargets {
  locations: TargetLocation[];
  /** How many (account, Region) pairs the sweep reads at once. */
  concurrency: number;
}

export const DEFAULT_TARGET_CONCURRENCY = 8;
export const DEFAULT_READ_ROLE_NAME = 'autopilot-spoke-read';
export const DEFAULT_EXECUTION_ROLE_NAME = 'autopilot-spoke-execute';

const ACCOUNT = /^\d{12}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):role\/[\w+=,.@/-]{1,512}$/;
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

interface Problems {
  add(path: string, message: string): void;
}

function stringAt(json: Json, key: string, path: string, pattern: RegExp, expected: string, p: Problems) {
  const value = json[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !pattern.test(value)) {
    p.add(`${path}${key}`, `${key} ${JSON.stringify(value)} is not valid; expected ${expected}`);
    return undefined;
  }
  return value;
}

function regionsAt(json: Json, path: string, p: Problems): string[] | undefined {
  const value = json.regions;
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length === 0) {
    p.add(`${path}regions`, `regions is ${JSON.stringify(value)}; expected a non-empty list such as ["eu-west-1"]`);
    return undefined;
  }
  return value.flatMap((r, i) => {
    if (typeof r === 'string' && REGION.test(r)) return [r];
    p.add(`${path}regions[${i}]`, `region ${JSON.stringify(r)} is not valid; expected a Region name such as eu-west-1`);
    return [];
  });
}

interface Defaults {
  regions: string[] | undefined;
  externalId: string | undefined;
  readRoleName: string;
  executionRoleName: string;
  partition: string;
}

function roleOf(
  arn: string | undefined,
  name: string,
  account: string,
  defaults: Defaults,
  externalId: string | undefined,
): SpokeRole {
  return { roleArn: arn ?? `arn:${defaults.partition}:iam::${account}:role/${name}`, externalId: externalId ?? null };
}

function targetAt(item: unknown, i: number, defaults: Defaults, p: Problems): TargetLocation[] {
  const path = `targets[${i}].`;
  if (!isObject(item)) {
    p.add(`targets[${i}]`, `target ${JSON.stringify(item)} is not an object; expected { "account": "111111111111" }`);
    return [];
  }
  const known = ['account', 'regions', 'externalId', 'readRoleArn', 'executionRoleArn', 'assumeRole'];
  for (const key of Object.keys(item).filter((k) => !known.includes(k)))
    p.add(`${path}${key}`, `unknown key ${key}; expected one of ${known.join(', ')}`);
  const account = stringAt(item, 'account', path, ACCOUNT, 'a 12-digit account id in quotes', p);
  if (item.account === undefined) p.add(`targets[${i}]`, 'target has no account; expected "account": "111111111111"');
  const regions = regionsAt(item, path, p) ?? defaults.regions;
  const externalId = stringAt(item, 'externalId', path, EXTERNAL_ID, '2-1224 characters of [\\w+=,.@:/-]', p);
  const readArn = stringAt(item, 'readRoleArn', path, ROLE_ARN, 'an IAM role ARN', p);
  const execArn = stringAt(item, 'executionRoleArn', path, ROLE_ARN, 'an IAM role ARN', p);
  for (const [key, arn] of [
    ['readRoleArn', readArn],
    ['executionRoleArn', execArn],
  ] as const) {
    if (arn !== undefined && account !== undefined && ROLE_ARN.exec(arn)?.[1] !== account)
      p.add(`${path}${key}`, `${key} ${arn} is in another account; expected a role in ${account}`);
  }
  if (item.assumeRole !== undefined && typeof item.assumeRole !== 'boolean')
    p.add(`${path}assumeRole`, `assumeRole ${JSON.stringify(item.assumeRole)} is not valid; expected true or false`);
  if (regions === undefined)
    p.add(
      `targets[${i}]`,
      'target has no regions and there is no top-level "regions"; expected "regions": ["eu-west-1"]',
    );
  if (account === undefined || regions === undefined) return [];
  const own = item.assumeRole === false;
  const id = externalId ?? defaults.externalId;
  return regions.map((region) => ({
    account,
    region,
    read: own ? null : roleOf(readArn, defaults.readRoleName, account, defaults, id),
    execute: own ? null : roleOf(execArn, defaults.executionRoleName, account, defaults, id),
  }));
}

function defaultsOf(json: Json, p: Problems): Defaults {
  const known = ['regions', 'externalId', 'readRoleName', 'executionRoleName', 'partition', 'concurrency', 'targets'];
  for (const key of Object.keys(json).filter((k) => !known.includes(k)))
    p.add(key, `unknown key ${key}; expected one of ${known.join(', ')}`);
  return {
    regions: regionsAt(json, '', p),
    externalId: stringAt(json, 'externalId', '', EXTERNAL_ID, '2-1224 characters of [\\w+=,.@:/-]', p),
    readRoleName: stringAt(json, 'readRoleName', '', ROLE_NAME, 'an IAM role name', p) ?? DEFAULT_READ_ROLE_NAME,
    executionRoleName:
      stringAt(json, 'executionRoleName', '', ROLE_NAME, 'an IAM role name', p) ?? DEFAULT_EXECUTION_ROLE_NAME,
    partition: stringAt(json, 'partition', '', /^aws(-[a-z]+)*$/, 'aws, aws-cn or aws-us-gov', p) ?? 'aws',
  };
}

function concurrencyOf(json: Json, p: Problems): number {
  const c = json.concurrency;
  if (c === undefined) return DEFAULT_TARGET_CONCURRENCY;
  if (typeof c === 'number' && Number.isInteger(c) && c >= 1 && c <= 64) return c;
  p.add('concurrency', `concurrency ${JSON.stringify(c)} is not valid; expected a whole number from 1 to 64`);
  return DEFAULT_TARGET_CONCURRENCY;
}

/** The targets file's text → the locations; every problem at once, as `file:line:col: what; expected`. */
export function parseTargets(text: string, file: string): HubTargets {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    const at = syntaxPosition(text, error);
    throw new ConfigurationError(
      `${file}:${at.line}:${at.col}: not valid JSON (${(error as Error).message}); expected a targets file`,
    );
  }
  const where = jsonPositions(text);
  const problems: string[] = [];
  const p: Problems = {
    add(path, message) {
      const at = where(path);
      problems.push(`${file}:${at.line}:${at.col}: ${message}`);
    },
  };
  if (!isObject(json) || !Array.isArray(json.targets) || json.targets.length === 0) {
    p.add('targets', 'no targets; expected { "targets": [ { "account": "111111111111", "regions": ["eu-west-1"] } ] }');
    throw new ConfigurationError(problems.join('\n'));
  }
  const defaults = defaultsOf(json, p);
  const concurrency = concurrencyOf(json, p);
  const locations: TargetLocation[] = [];
  const seen = new Set<string>();
  for (const [i, item] of json.targets.entries()) {
    for (const location of targetAt(item, i, defaults, p)) {
      const key = `${location.account}/${location.region}`;
      if (seen.has(key)) p.add(`targets[${i}]`, `${key} is listed twice; expected each account and Region once`);
      seen.add(key);
      locations.push(location);
    }
  }
  if (problems.length > 0) throw new ConfigurationError(problems.join('\n'));
  return { locations, concurrency };
}

/** `arn:partition:service:region:account:…` → account and Region (null when the ARN does not name them). */
export function arnLocation(arn: string | undefined | null): { account: string | null; region: string | null } {
  const parts = arn?.split(':') ?? [];
  const region = parts[3] === undefined || parts[3] === '' ? null : parts[3];
  const account = parts[4] === undefined || !ACCOUNT.test(parts[4]) ? null : parts[4];
  return { account, region };
}

/** Where a decision's target lives: its own account/Region, else what its ARN names. */
export function locationOfTarget(target: TargetRef): { account: string | null; region: string | null } {
  const fromArn = arnLocation(target.arn);
  return { account: target.account ?? fromArn.account, region: target.region ?? fromArn.region };
}

/** The key of one (account, Region), as logs, ledger rows and alerts print it. */
export const locationKey = (l: { account: string; region: string }) => `${l.account}/${l.region}`;

/**
 * The hub's own (account, Region): the target it reads with its own credentials (`assumeRole: false`) in
 * the Region the function runs in. Decisions about resources there keep the key a single-account
 * deployment gives them (shared/policy/key-scope.ts); every other target's carry its account and Region.
 * `account` is null when the file lists no own-account target: then every target is "other".
 */
export function homeOf(hub: HubTargets, region: string): { account: string | null; region: string } {
  const own =
    hub.locations.find((l) => l.read === null && l.region === region) ?? hub.locations.find((l) => l.read === null);
  return { account: own?.account ?? null, region };
}

/**
 * The targets file named by AUTOPILOT_TARGETS_PATH (relative to the function's root), parsed; null when
 * the variable is not set (a single-account deployment). A file that cannot be read or parsed is the
 * same configuration error the cold start reports.
 */
export function targetsFileOf(
  env: Record<string, string | undefined>,
  cwd: string = env.LAMBDA_TASK_ROOT ?? process.cwd(),
): HubTargets | null {
  const path = env.AUTOPILOT_TARGETS_PATH;
  if (path === undefined || path === '') return null;
  let text: string;
  try {
    text = readFileSync(resolve(cwd, path), 'utf8');
  } catch (error) {
    throw new ConfigurationError(
      `AUTOPILOT_TARGETS_PATH=${path}: cannot read it (${(error as Error).message}); expected the targets file packaged with the function`,
    );
  }
  return parseTargets(text, path);
}
