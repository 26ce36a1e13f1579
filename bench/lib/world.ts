import { RedshiftClient } from '@aws-sdk/client-redshift';
import { RedshiftServerlessClient } from '@aws-sdk/client-redshift-serverless';
import { RedshiftAdapter } from '../../shared/aws/redshift.adapter.ts';
import { RedshiftServerlessAdapter } from '../../shared/aws/redshift-serverless.adapter.ts';
import type { FleetResource } from '../../shared/policy/decision.ts';
import { loadPolicySources, type PolicySet } from '../../shared/policy/policy-loader.ts';
import { RedshiftSimulator } from '../../shared/simulator/redshift-simulator.ts';
import { attachClient, type SimulatedBackend } from '../../shared/simulator/sdk-attach.ts';
import type { FleetSpec } from '../fixtures/generate.ts';

/**
 * A simulated account for the bench: the simulator seeded with a generated fleet, real SDK v3 clients
 * attached to it, and the project's adapters over those clients.
 *
 * The simulator does not implement redshift-serverless ListTagsForResource (workgroup tags), which the
 * Serverless adapter calls once per workgroup; the bench answers it from the generated tags in front of
 * the simulator and counts it with the simulator's own counts, so the per-workgroup reads show up.
 */
export interface World {
  sim: RedshiftSimulator;
  redshift: RedshiftAdapter;
  serverless: RedshiftServerlessAdapter;
  /** The fleet the reconcile sweep reads: clusters (paged), workgroups (+ tags), integrations (paged). */
  readFleet(): Promise<FleetResource[]>;
  /** Calls per operation since the last reset, the bench's ListTagsForResource included. */
  callCounts(): Record<string, number>;
  resetCallCounts(): void;
}

export const WORLD_START = Date.parse('2026-12-07T00:00:00Z'); // a Monday

export function buildWorld(spec: FleetSpec, start = WORLD_START): World {
  const sim = new RedshiftSimulator({ start, seed: 'bench' });
  for (const cluster of spec.clusters) sim.addCluster(cluster);
  const tagsByArn = new Map<string, Record<string, string>>();
  for (const wg of spec.workgroups) {
    const view = sim.serverless.addWorkgroup({
      workgroupName: wg.workgroupName,
      namespaceName: wg.namespaceName,
      baseCapacity: wg.baseCapacity,
    });
    tagsByArn.set(view.workgroupArn ?? '', wg.tags);
  }
  for (const integration of spec.integrations) {
    sim.addIntegration({
      ...integration,
      SourceArn: `arn:aws:dynamodb:us-east-1:123456789012:table/${integration.IntegrationName}`,
    });
  }
  return wire(sim, tagsByArn);
}

/** The example fleet (examples/fleet, AWS CLI output) seeded as `npm start` would. */
export function buildWorldFromCli(documents: readonly unknown[], start = WORLD_START): World {
  const sim = new RedshiftSimulator({ start, seed: 'bench' });
  sim.seedFromAwsCli(documents);
  const tagsByArn = new Map<string, Record<string, string>>();
  for (const doc of documents) {
    const workgroups = (doc as { workgroups?: { workgroupName?: string; tags?: { key: string; value: string }[] }[] })
      .workgroups;
    for (const wg of workgroups ?? []) {
      // The simulator assigns its own ARNs: find the seeded workgroup by name.
      const seeded = sim.serverless.getWorkgroup({ workgroupName: wg.workgroupName ?? '' }).workgroup;
      tagsByArn.set(seeded?.workgroupArn ?? '', Object.fromEntries((wg.tags ?? []).map((t) => [t.key, t.value])));
    }
  }
  return wire(sim, tagsByArn);
}

function wire(sim: RedshiftSimulator, tagsByArn: ReadonlyMap<string, Record<string, string>>): World {
  let listTags = 0;
  const backend: SimulatedBackend = {
    call(service, operation, input) {
      if (service === 'redshift-serverless' && operation === 'ListTagsForResource') {
        listTags++;
        const tags = tagsByArn.get((input as { resourceArn?: string }).resourceArn ?? '') ?? {};
        return { tags: Object.entries(tags).map(([key, value]) => ({ key, value })), $metadata: {} };
      }
      return sim.call(service, operation, input);
    },
  };
  const credentials = { accessKeyId: 'AKIDBENCH', secretAccessKey: 'bench' };
  const redshiftClient = new RedshiftClient({ region: sim.region, credentials });
  const serverlessClient = new RedshiftServerlessClient({ region: sim.region, credentials });
  attachClient(backend, redshiftClient);
  attachClient(backend, serverlessClient);
  const redshift = new RedshiftAdapter(redshiftClient);
  const serverless = new RedshiftServerlessAdapter(serverlessClient);
  return {
    sim,
    redshift,
    serverless,
    async readFleet() {
      const [clusters, workgroups, integrations] = await Promise.all([
        redshift.readFleet(),
        serverless.readFleet(),
        redshift.readIntegrations(),
      ]);
      return [...clusters, ...workgroups, ...integrations];
    },
    callCounts() {
      const counts = sim.callCounts();
      if (listTags > 0) counts.ListTagsForResource = listTags;
      return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)));
    },
    resetCallCounts() {
      sim.resetCallCounts();
      listTags = 0;
    },
  };
}

/** Load generated or example policy text; any error-level problem aborts the bench (the fixture is wrong). */
export function loadPolicies(file: string, text: string): PolicySet {
  const { policySet, problems } = loadPolicySources([{ file, text }]);
  const errors = problems.filter((p) => p.severity === 'error');
  if (errors.length > 0) {
    throw new Error(
      `bench policies do not load:\n${errors.map((p) => `${p.file}:${p.line}: ${p.message}`).join('\n')}`,
    );
  }
  return policySet;
}
