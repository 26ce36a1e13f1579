import { readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { asyncTriggers, type CfnTemplate, type PackagedService, refTarget } from '../../test/helpers/template.ts';

/**
 * The functions of the packaged service, read from the CloudFormation template (not a hard-coded
 * list): every `AWS::Lambda::Function`, its zip (the basename of `Code.S3Key`), its handler module
 * inside the zip, its environment and what invokes it.
 */
export type TriggerKind = 'sns' | 'eventbridge' | 'schedule' | 'sqs' | 'unknown';

export interface PackagedFunction {
  /** serverless.yml key, e.g. `reconcile` (the zip's basename). */
  name: string;
  logicalId: string;
  zipPath: string;
  zipBytes: number;
  /** Path of the handler module inside the zip, e.g. `functions/reconcile/reconcile.handler.mjs`. */
  module: string;
  /** Exported handler name, e.g. `handler`. */
  exportName: string;
  /** Source entry, e.g. `functions/reconcile/reconcile.handler.ts`. */
  sourceEntry: string;
  /** Environment variables; CloudFormation references become placeholder strings. */
  environment: Record<string, string>;
  trigger: TriggerKind;
}

interface FunctionProperties {
  Handler?: string;
  Code?: { S3Key?: unknown };
  Environment?: { Variables?: Record<string, unknown> };
}

function triggerOf(template: CfnTemplate, logicalId: string): TriggerKind {
  for (const resource of Object.values(template.Resources)) {
    if (resource.Type !== 'AWS::Lambda::EventSourceMapping') continue;
    if (refTarget(resource.Properties?.FunctionName) === logicalId) return 'sqs';
  }
  const kinds = asyncTriggers(template)
    .filter((t) => t.invokes === logicalId)
    .map((t) => t.kind);
  if (kinds.includes('sns-subscription')) return 'sns';
  if (kinds.includes('eventbridge-target')) return 'eventbridge';
  if (kinds.includes('schedule')) return 'schedule';
  return 'unknown';
}

export function packagedFunctions(service: PackagedService): PackagedFunction[] {
  const out: PackagedFunction[] = [];
  for (const [logicalId, resource] of Object.entries(service.template.Resources)) {
    if (resource.Type !== 'AWS::Lambda::Function') continue;
    const props = (resource.Properties ?? {}) as FunctionProperties;
    const key = typeof props.Code?.S3Key === 'string' ? props.Code.S3Key : '';
    const name = basename(key, '.zip');
    const zipPath = service.zips[name];
    // Functions that are not ours (a custom resource's inline code) have no zip in the package.
    if (zipPath === undefined || props.Handler === undefined) continue;
    const dot = props.Handler.lastIndexOf('.');
    const modulePath = props.Handler.slice(0, dot);
    const environment: Record<string, string> = {};
    for (const [k, v] of Object.entries(props.Environment?.Variables ?? {})) {
      environment[k] = typeof v === 'string' ? v : `bench-placeholder-${refTarget(v) ?? k}`;
    }
    out.push({
      name,
      logicalId,
      zipPath,
      zipBytes: statSync(zipPath).size,
      module: `${modulePath}.mjs`,
      exportName: props.Handler.slice(dot + 1),
      sourceEntry: `${modulePath}.ts`,
      environment,
      trigger: triggerOf(service.template, logicalId),
    });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

/** bench/budgets.json: zip budget per function in bytes, with a default for functions not listed. */
export interface Budgets {
  defaultZipBytes: number;
  zipBytes: Record<string, number>;
}

export function readBudgets(path: string): Budgets {
  return JSON.parse(readFileSync(path, 'utf8')) as Budgets;
}

export function budgetFor(budgets: Budgets, name: string): number {
  return budgets.zipBytes[name] ?? budgets.defaultZipBytes;
}
