/**
 * Zero-ETL integrations whose target is a provisioned cluster of the simulator, and the events they
 * send when their target pauses or resumes.
 */
import type { DescribeIntegrationsMessage, Integration, Tag } from '@aws-sdk/client-redshift';
import { MESSAGES } from './aws-errors.ts';
import { deepFreeze } from './cluster-model.ts';
import type { ClusterRecord, ClusterRegistry } from './cluster-registry.ts';
import { paginate } from './pagination.ts';
import type { Handler, ProvisionedContext } from './provisioned-context.ts';
import type { SimulatorEvents } from './simulator-events.ts';

interface IntegrationRecord {
  view: Integration;
  targetClusterIdentifier: string;
}

export class IntegrationsModel {
  private readonly integrations = new Map<string, IntegrationRecord>();
  readonly handlers: Record<string, Handler>;

  constructor(
    private readonly ctx: ProvisionedContext,
    private readonly clusters: ClusterRegistry,
    private readonly events: SimulatorEvents,
  ) {
    this.handlers = {
      DescribeIntegrations: (i: DescribeIntegrationsMessage) => this.describeIntegrations(i),
    };
  }

  /** A zero-ETL integration whose target is a provisioned cluster of this simulator. */
  addIntegration(input: {
    IntegrationName: string;
    SourceArn: string;
    targetClusterIdentifier: string;
    Tags?: Tag[];
  }): Integration {
    const target = this.clusters.mustGet(input.targetClusterIdentifier);
    const view: Integration = deepFreeze({
      IntegrationArn: `arn:aws:redshift:${this.ctx.region}:${this.ctx.account}:integration:${this.ctx.attrRng.uuid()}`,
      IntegrationName: input.IntegrationName,
      SourceArn: input.SourceArn,
      TargetArn: target.view.ClusterNamespaceArn ?? target.arn,
      Status: 'active',
      Errors: [],
      CreateTime: this.ctx.clock.now(),
      Tags: input.Tags ?? [],
    });
    this.integrations.set(view.IntegrationArn ?? '', { view, targetClusterIdentifier: input.targetClusterIdentifier });
    return view;
  }

  /** Zero-ETL events for every integration whose target is `rec`. */
  emitForTarget(rec: ClusterRecord, eventId: string, statusCode: string): void {
    for (const integ of this.integrations.values()) {
      if (integ.targetClusterIdentifier !== rec.view.ClusterIdentifier) continue;
      this.events.integration(integ.view, eventId, statusCode);
    }
  }

  describeIntegrations(input: DescribeIntegrationsMessage) {
    const size = this.ctx.pageSize(input.MaxRecords);
    const start = this.ctx.offset(input.Marker);
    if (input.IntegrationArn !== undefined && !this.integrations.has(input.IntegrationArn)) {
      this.ctx.fault('IntegrationNotFoundFault', MESSAGES.integrationNotFound);
    }
    const list = [...this.integrations.values()]
      .map((i) => i.view)
      .filter((v) => {
        if (input.IntegrationArn !== undefined && v.IntegrationArn !== input.IntegrationArn) return false;
        for (const f of input.Filters ?? []) {
          const values = f.Values ?? [];
          const actual =
            f.Name === 'integration-arn'
              ? v.IntegrationArn
              : f.Name === 'source-arn'
                ? v.SourceArn
                : f.Name === 'status'
                  ? v.Status
                  : undefined;
          if (f.Name === 'source-types') continue;
          if (!values.includes(actual ?? '')) return false;
        }
        return true;
      });
    const page = paginate(list, start, size);
    return { Integrations: page.items, ...(page.next === undefined ? {} : { Marker: page.next }) };
  }
}
