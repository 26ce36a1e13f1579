/**
 * Child process of the bench (run with `node --import tsx`): the first and second invocation of one
 * function's handler, built by its factory (`create<Name>Handler(deps)`) over simulator-backed deps
 * (the example fleet and policies). Prints one `__BENCH__{...}` line.
 */

import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT } from '../test/helpers/template.ts';
import { benchDeps } from './lib/app-deps.ts';
import { examplePolicies, exampleWorld } from './lib/example.ts';

const [sourceEntry = '', payloadJson = '{}', service = 'bench'] = process.argv.slice(2);
const context = {
  functionName: service,
  functionVersion: '$LATEST',
  invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${service}`,
  memoryLimitInMB: '256',
  awsRequestId: 'bench-request',
  logGroupName: `/aws/lambda/${service}`,
  logStreamName: 'bench',
  callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: () => 30_000,
  done() {},
  fail() {},
  succeed() {},
};

const world = exampleWorld(Date.parse('2026-12-07T09:05:00Z'));
const deps = benchDeps(world, examplePolicies(), service);
const mod = (await import(pathToFileURL(join(REPO_ROOT, sourceEntry)).href)) as Record<string, unknown>;
const factoryName = Object.keys(mod).find((k) => /^create\w+Handler$/.test(k));
const result: Record<string, unknown> = { factory: factoryName ?? null };
if (factoryName !== undefined) {
  const factory = mod[factoryName] as (d: typeof deps) => (event: unknown, ctx: unknown) => Promise<unknown>;
  const handler = factory(deps);
  const payload = JSON.parse(payloadJson) as unknown;
  for (const which of ['first', 'second'] as const) {
    const t = performance.now();
    try {
      await handler(payload, context);
    } catch (error) {
      result[`${which}Error`] = `${(error as Error).name}: ${(error as Error).message}`.slice(0, 160);
    }
    result[`${which}Ms`] = performance.now() - t;
  }
  result.calls = world.callCounts();
}
process.stdout.write(`\n__BENCH__${JSON.stringify(result)}\n`);
