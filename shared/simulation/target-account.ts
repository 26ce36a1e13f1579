import type { DescribeIntegrationsMessage, Integration } from '@aws-sdk/client-redshift';
import { isStateChanging } from '../policy/action-effects.ts';
import type { Prng } from '../simulator/prng.ts';
import { RedshiftSimulator } from '../simulator/redshift-simulator.ts';
import type { VirtualClock } from '../simulator/virtual-clock.ts';
import { type FleetFile, IntegrationArns, seedSimulator } from './fleet-seed.ts';
import { resourceName } from './simulation-defaults.ts';

/**
 * One simulated (account, Region): its Redshift simulator (provisioned, Serverless, CloudWatch, Data
 * API) on the run's shared clock, seeded from its fleet files, with what the simulator does not model
 * answered in front of it. A hub's simulation has one per target (each its own account, as the spoke
 * roles reach them); a single-account simulation has one.
 */
export class TargetAccount {
  readonly sim: RedshiftSimulator;
  readonly account: string;
  readonly region: string;
  #workgroupTags = new Map<string, { key: string; value: string }[]>();
  #integrationArns = new IntegrationArns();
  /** Resources a state-changing call named (`cluster/id`), shared with the simulation's state observer. */
  readonly #touched: Set<string>;

  constructor(options: {
    start: number;
    seed: string;
    account: string;
    region: string;
    touched: Set<string>;
    clock?: VirtualClock;
  }) {
    const { start, seed, account, region, clock } = options;
    this.account = account;
    this.region = region;
    this.#touched = options.touched;
    this.sim = new RedshiftSimulator({ start, seed, region, account, ...(clock === undefined ? {} : { clock }) });
  }

  /** `111111111111/eu-west-1`, as the targets file and `--fleet ACCOUNT/REGION=file` name it. */
  get key(): string {
    return `${this.account}/${this.region}`;
  }

  /** Puts the fleet files' resources into the simulator. */
  seed(fleet: readonly FleetFile[]): void {
    const seeded = seedSimulator(this.sim, fleet);
    this.#workgroupTags = seeded.workgroupTags;
    this.#integrationArns = seeded.integrationArns;
  }

  /** The simulator, with what it does not model answered in front of it; state changes are noted. */
  call(svc: 'redshift' | 'redshift-serverless', operation: string, input: object, requestIds: Prng): object {
    if (svc === 'redshift-serverless' && operation === 'ListTagsForResource') {
      // Not modelled by the simulator: answered from the tags the fleet files carry.
      const arn = String((input as { resourceArn?: unknown }).resourceArn ?? '');
      return {
        tags: this.#workgroupTags.get(arn) ?? [],
        $metadata: { httpStatusCode: 200, requestId: requestIds.uuid() },
      };
    }
    if (svc === 'redshift' && operation === 'DescribeInboundIntegrations') {
      return this.#inboundIntegrations(input as { TargetArn?: string; IntegrationArn?: string });
    }
    if (svc === 'redshift' && operation === 'DescribeIntegrations' && this.#integrationArns.size > 0) {
      return this.#integrationsAsAws(input as DescribeIntegrationsMessage);
    }
    const output = this.sim.call(svc, operation, input);
    if (isStateChanging(operation)) {
      const i = input as { ClusterIdentifier?: string; workgroupName?: string };
      this.#touched.add(
        svc === 'redshift'
          ? resourceName('cluster', i.ClusterIdentifier ?? '')
          : resourceName('workgroup', i.workgroupName ?? ''),
      );
    }
    return output;
  }

  /** DescribeIntegrations with the fleet file's ARNs, in the request and in the answer. */
  #integrationsAsAws(input: DescribeIntegrationsMessage): object {
    const arns = this.#integrationArns;
    const request: DescribeIntegrationsMessage = { ...input };
    if (input.IntegrationArn !== undefined) request.IntegrationArn = arns.toSim(input.IntegrationArn);
    if (input.Filters !== undefined) {
      request.Filters = input.Filters.map((f) =>
        f.Name === 'integration-arn' ? { ...f, Values: (f.Values ?? []).map((v) => arns.toSim(v)) } : f,
      );
    }
    const out = this.sim.call('redshift', 'DescribeIntegrations', request) as { Integrations?: Integration[] };
    const Integrations = (out.Integrations ?? []).map((i) => ({
      ...i,
      IntegrationArn: arns.toFleet(i.IntegrationArn ?? ''),
    }));
    return { ...out, Integrations };
  }

  /**
   * A simulator event as AWS would send it: a zero-ETL event names its integration by the fleet
   * file's ARN. Returns the payload and the resource it names.
   */
  asAws(payload: unknown, resource: string): { payload: unknown; resource: string } {
    const p = payload as { resources?: unknown };
    if (this.#integrationArns.size === 0 || !Array.isArray(p?.resources)) return { payload, resource };
    return {
      payload: {
        ...p,
        resources: p.resources.map((r) => (typeof r === 'string' ? this.#integrationArns.toFleet(r) : r)),
      },
      resource: this.#integrationArns.toFleet(resource),
    };
  }

  /**
   * DescribeInboundIntegrations is not modelled by the simulator; it is DescribeIntegrations seen from
   * the target (the same integrations, filtered by TargetArn), which the simulator does model.
   */
  #inboundIntegrations(input: { TargetArn?: string; IntegrationArn?: string }): object {
    const all = this.#integrationsAsAws({}) as {
      Integrations?: Integration[];
      $metadata: object;
    };
    const inbound = (all.Integrations ?? [])
      .filter((i) => input.TargetArn === undefined || i.TargetArn === input.TargetArn)
      .filter((i) => input.IntegrationArn === undefined || i.IntegrationArn === input.IntegrationArn)
      .map((i) => ({
        IntegrationArn: i.IntegrationArn,
        SourceArn: i.SourceArn,
        TargetArn: i.TargetArn,
        Status: i.Status,
        Errors: i.Errors ?? [],
        CreateTime: i.CreateTime,
      }));
    return { InboundIntegrations: inbound, $metadata: all.$metadata };
  }

  /** Every resource's state now: clusters, then workgroups (status lower-cased, with base capacity). */
  initialStates(): { name: string; state: string; capacity?: number }[] {
    const out: { name: string; state: string; capacity?: number }[] = [];
    for (const c of this.sim.listClusters()) {
      out.push({ name: resourceName('cluster', c.ClusterIdentifier ?? ''), state: c.ClusterStatus ?? 'unknown' });
    }
    const views = this.sim.call('redshift-serverless', 'ListWorkgroups', { maxResults: 100 }) as {
      workgroups?: { workgroupName?: string; status?: string; baseCapacity?: number }[];
    };
    for (const w of views.workgroups ?? []) {
      const name = resourceName('workgroup', w.workgroupName ?? '');
      out.push({ name, state: (w.status ?? 'unknown').toLowerCase(), capacity: w.baseCapacity ?? 0 });
    }
    return out;
  }

  /** True when this account holds the resource (`cluster`/`workgroup` and its name). */
  holds(type: string, id: string): boolean {
    return type === 'cluster'
      ? this.sim.getCluster(id) !== undefined
      : this.sim.serverless.getWorkgroupView(id) !== undefined;
  }

  /** One resource's state now (`deleted` once gone); `nodes` for clusters. */
  stateOf(type: string, id: string): { state: string; capacity?: number; nodes: number } {
    if (type === 'cluster') {
      const c = this.sim.getCluster(id);
      return { state: c?.ClusterStatus ?? 'deleted', nodes: c?.NumberOfNodes ?? 0 };
    }
    const w = this.sim.serverless.getWorkgroupView(id);
    return { state: (w?.status ?? 'deleted').toLowerCase(), capacity: w?.baseCapacity ?? 0, nodes: 0 };
  }
}
