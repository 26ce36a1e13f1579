import { RedshiftServerlessClient } from '@aws-sdk/client-redshift-serverless';
import type { Decision } from '../../../shared/policy/decision.ts';
import { serverlessErrors } from '../../../shared/simulator/aws-errors.ts';
import { Prng } from '../../../shared/simulator/prng.ts';
import { RedshiftSimulator } from '../../../shared/simulator/redshift-simulator.ts';
import { tightRetries } from './aws-setup.ts';
import type { GateEntry } from './harness.ts';

/**
 * Redshift Serverless for the fault suite: moto has no Redshift Serverless, so the workgroups live in the
 * in-process simulator (UpdateWorkgroup → MODIFYING for 1–5 simulated minutes → AVAILABLE; a call while
 * MODIFYING is refused with ConflictException, as AWS does). The simulator answers inside the SDK's retry
 * loop (finalizeRequest step, after the retry middleware), so a lost answer — the change applied, the
 * SDK handed an InternalServerException — is retried by the SDK like an HTTP 500 from AWS. Tags, which
 * the simulator does not model, are answered from the seed, as the simulated account does.
 */
const MANAGED = [{ key: 'autopilot:managed', value: 'true' }];

export interface SimulatedServerless {
  sim: RedshiftSimulator;
  client: RedshiftServerlessClient;
  /** Every UpdateWorkgroup attempt that reached the simulator: the workgroup's status then, accepted or not. */
  log: GateEntry[];
  lost: { count: number };
}

export function simulatedServerless(
  seed: number,
  startIso: string,
  names: readonly string[],
  lostRate: number,
): SimulatedServerless {
  const sim = new RedshiftSimulator({ seed, start: Date.parse(startIso) });
  const arns = new Map<string, string>();
  names.forEach((name, i) => {
    const arn = `arn:aws:redshift-serverless:us-east-1:123456789012:workgroup/00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
    arns.set(arn, name);
    sim.serverless.seedWorkgroup({
      workgroupName: name,
      workgroupArn: arn,
      namespaceName: `ns-${name}`,
      baseCapacity: 8,
    });
  });
  const client = new RedshiftServerlessClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDSIMULATOR', secretAccessKey: 'simulator' },
    maxAttempts: 3,
    retryStrategy: tightRetries(3),
  });
  const log: GateEntry[] = [];
  const lost = { count: 0 };
  const random = new Prng(`serverless-lost/${seed}`);
  client.middlewareStack.add(
    (_next, context) => async (args) => {
      const operation = String(context.commandName ?? '').replace(/Command$/, '');
      const input = args.input as Record<string, unknown>;
      if (operation === 'ListTagsForResource') {
        const known = arns.has(String(input.resourceArn));
        return { output: { tags: known ? MANAGED : [], $metadata: { httpStatusCode: 200 } }, response: {} };
      }
      const headers = (args.request as { headers?: Record<string, string> }).headers ?? {};
      const name = String(input.workgroupName ?? '');
      const status = sim.serverless.getWorkgroupView(name)?.status ?? 'missing';
      let output: object;
      try {
        output = sim.call('redshift-serverless', operation, input);
      } catch (error) {
        if (operation === 'UpdateWorkgroup') log.push(entry(name, headers, status, false));
        throw error;
      }
      if (operation === 'UpdateWorkgroup') {
        log.push(entry(name, headers, status, true));
        if (random.chance(lostRate)) {
          lost.count += 1;
          throw serverlessErrors.internal(random.uuid());
        }
      }
      return { output: output as never, response: {} };
    },
    { step: 'finalizeRequest', priority: 'low', name: 'simulatedServerless' },
  );
  return { sim, client, log, lost };
}

function entry(name: string, headers: Record<string, string>, status: string, forwarded: boolean): GateEntry {
  const attempt = /attempt=(\d+)/.exec(headers['amz-sdk-request'] ?? '');
  return {
    operation: 'UpdateWorkgroup',
    cluster: name,
    invocationId: headers['amz-sdk-invocation-id'] ?? '?',
    attempt: Number(attempt?.[1] ?? '1'),
    status,
    forwarded,
  };
}

export function capacityDecision(workgroupName: string, at: string, baseCapacity: number): Decision {
  const boundary = `${at.slice(0, 16)}Z`;
  return {
    at,
    policy: 'wg-capacity',
    action: 'UpdateWorkgroup',
    target: { type: 'workgroup', id: workgroupName, region: 'us-east-1' },
    params: { workgroupName, baseCapacity },
    reason: `inside window Mon-Fri 07:00-19:00 UTC; base capacity 8 RPU → ${baseCapacity} RPU`,
    idempotencyKey: `wg-capacity/UpdateWorkgroup/workgroup:${workgroupName}/${boundary}`,
    mode: 'act',
    guard: { optInTag: { key: 'autopilot:managed', value: 'true' }, allowZeroEtlTarget: false, maxResources: null },
  };
}
