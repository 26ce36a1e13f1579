/**
 * Puts the fleet files `--fleet` takes (AWS CLI output: describe-clusters, list-workgroups,
 * list-namespaces, describe-integrations, describe-cluster-snapshots, describe-cluster-subnet-groups,
 * secretsmanager list-secrets (the Data API's secrets), or placebo recordings) into
 * the simulator. What the simulator does not take from CLI output is done here: zero-ETL
 * integrations (by the target's namespace ARN, answered under the fleet file's ARN) and workgroup tags (list-workgroups output as the
 * project's fleet files carry them; the simulator answers ListTagsForResource from them).
 */
import type { Tag } from '@aws-sdk/client-redshift';
import { ConfigurationError } from '../errors.ts';
import type { RedshiftSimulator } from '../simulator/redshift-simulator.ts';

export interface FleetFile {
  name: string;
  json: unknown;
  /** Where the file was read (`--fleet ACCOUNT/REGION=file`): that target's simulated account. */
  account?: string;
  region?: string;
}

type Json = Record<string, unknown>;

function dataOf(doc: unknown): Json {
  const d = (typeof doc === 'object' && doc !== null ? doc : {}) as Json;
  return (typeof d.data === 'object' && d.data !== null ? d.data : d) as Json;
}

function arrayOf(value: unknown): Json[] {
  return Array.isArray(value) ? (value.filter((v) => typeof v === 'object' && v !== null) as Json[]) : [];
}

/** Region and account of the fleet, from the first ARN found (the simulator builds ARNs from them). */
export function fleetLocation(files: readonly FleetFile[]): { region: string; account: string } | null {
  for (const file of files) {
    const data = dataOf(file.json);
    const arns = [
      ...arrayOf(data.Clusters).map((c) => c.ClusterNamespaceArn),
      ...arrayOf(data.workgroups).map((w) => w.workgroupArn),
      ...arrayOf(data.namespaces).map((n) => n.namespaceArn),
      ...arrayOf(data.Integrations).map((i) => i.IntegrationArn),
    ];
    for (const arn of arns) {
      const parts = typeof arn === 'string' ? arn.split(':') : [];
      if (parts.length >= 6 && parts[3] !== '' && parts[4] !== '') {
        return { region: parts[3] as string, account: parts[4] as string };
      }
    }
  }
  return null;
}

export interface SeedResult {
  clusters: number;
  workgroups: number;
  namespaces: number;
  snapshots: number;
  integrations: number;
  /** workgroup ARN → tags in ListTagsForResource's shape. */
  workgroupTags: Map<string, { key: string; value: string }[]>;
  /** The simulator's integration ARN → the fleet file's, which AWS would send (see IntegrationArns). */
  integrationArns: IntegrationArns;
}

/**
 * The simulator names the integrations it adds itself; AWS names them as the fleet file says. The
 * simulated account answers with the fleet file's ARN and delivers the simulator's events under it,
 * so an event written with the ARN from describe-integrations finds its integration, as in AWS.
 */
export class IntegrationArns {
  readonly #toFleet = new Map<string, string>();
  readonly #toSim = new Map<string, string>();

  add(simArn: string, fleetArn: string): void {
    this.#toFleet.set(simArn, fleetArn);
    this.#toSim.set(fleetArn, simArn);
  }

  /** As AWS names it (the fleet file's ARN), for answers and events. */
  toFleet(arn: string): string {
    return this.#toFleet.get(arn) ?? arn;
  }

  /** As the simulator names it, for requests. */
  toSim(arn: string): string {
    return this.#toSim.get(arn) ?? arn;
  }

  get size(): number {
    return this.#toFleet.size;
  }
}

export function seedSimulator(sim: RedshiftSimulator, files: readonly FleetFile[]): SeedResult {
  const documents = files.map((f) => f.json);
  let counts: ReturnType<RedshiftSimulator['seedFromAwsCli']>;
  try {
    counts = sim.seedFromAwsCli(documents);
  } catch (error) {
    throw new ConfigurationError(`fleet: ${(error as Error).message}`, { cause: error });
  }
  const workgroupTags = new Map<string, { key: string; value: string }[]>();
  const integrationArns = new IntegrationArns();
  let integrations = 0;
  const byNamespace = new Map(
    sim.listClusters().flatMap((c) => (c.ClusterNamespaceArn === undefined ? [] : [[c.ClusterNamespaceArn, c]])),
  );
  for (const file of files) {
    const data = dataOf(file.json);
    const seedable = ['Clusters', 'workgroups', 'Integrations', 'ClusterSubnetGroups', 'SecretList'];
    if (!seedable.some((key) => Array.isArray(data[key]))) {
      // A file simulate cannot seed from must not simulate an empty fleet in silence.
      const form = Array.isArray(data.resources)
        ? ' (a fleet snapshot with `resources`: plan reads it, simulate does not)'
        : '';
      throw new ConfigurationError(
        `${file.name}: no Clusters, workgroups, Integrations, ClusterSubnetGroups or SecretList${form}; expected the output of aws redshift describe-clusters, aws redshift-serverless list-workgroups, aws redshift describe-integrations, aws redshift describe-cluster-subnet-groups or aws secretsmanager list-secrets`,
      );
    }
    for (const w of arrayOf(data.workgroups)) {
      if (typeof w.workgroupArn !== 'string') continue;
      workgroupTags.set(
        w.workgroupArn,
        arrayOf(w.tags).map((t) => ({ key: String(t.key ?? ''), value: String(t.value ?? '') })),
      );
    }
    for (const integ of arrayOf(data.Integrations)) {
      const target = byNamespace.get(String(integ.TargetArn ?? ''));
      if (target === undefined) {
        throw new ConfigurationError(
          `${file.name}: integration ${String(integ.IntegrationName ?? integ.IntegrationArn)} targets ${String(integ.TargetArn)}, which is no cluster of the fleet (the simulator models provisioned targets)`,
        );
      }
      const added = sim.addIntegration({
        IntegrationName: String(integ.IntegrationName ?? integ.IntegrationArn ?? 'integration'),
        SourceArn: String(integ.SourceArn ?? ''),
        targetClusterIdentifier: target.ClusterIdentifier ?? '',
        Tags: arrayOf(integ.Tags) as Tag[],
        // AWS's ARN, so DeleteIntegration with it finds the integration (issue 17's recreate).
        ...(typeof integ.IntegrationArn === 'string' ? { IntegrationArn: integ.IntegrationArn } : {}),
      });
      if (typeof integ.IntegrationArn === 'string' && added.IntegrationArn !== undefined) {
        integrationArns.add(added.IntegrationArn, integ.IntegrationArn);
      }
      integrations++;
    }
  }
  return { ...counts, integrations, workgroupTags, integrationArns };
}
