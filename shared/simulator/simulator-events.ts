/**
 * The events the provisioned models send, in the envelopes AWS delivers them in, onto the bus
 * subscribers read. All ids and SNS stamps come from one stream, in emission order.
 */
import type { Integration } from '@aws-sdk/client-redshift';
import type { EventBus } from './event-delivery.ts';
import { catalogRow, integrationEvent, redshiftSnsRecord, renderTemplate } from './event-envelopes.ts';
import type { Prng } from './prng.ts';
import type { VirtualClock } from './virtual-clock.ts';

export interface SimulatorEventsInit {
  clock: VirtualClock;
  region: string;
  account: string;
  /** The SNS topic of the Redshift event subscription (appears in the delivered records). */
  topicArn: string;
  ids: Prng;
  bus: EventBus;
}

export class SimulatorEvents {
  constructor(private readonly init: SimulatorEventsInit) {}

  /**
   * A cluster, snapshot or parameter-group event of the catalog, as the SNS record of the event
   * subscription (`parameter-groups`: the console's name of the source type, which the normalizer reads).
   */
  redshift(
    eventId: string,
    eventSource: 'cluster' | 'snapshot' | 'parameter-groups',
    resource: string,
    values: Record<string, string | number | Date>,
  ): void {
    const { clock, ids } = this.init;
    const at = clock.now();
    const row = catalogRow(eventId);
    // SNS stamps the notification a few seconds after the event (32 s in the recorded one).
    const publishedAt = new Date(at.getTime() + ids.int(1_000, 15_000));
    const payload = redshiftSnsRecord({
      eventId,
      eventSource,
      resource,
      at,
      message: renderTemplate(row.message, values),
      region: this.init.region,
      account: this.init.account,
      topicArn: this.init.topicArn,
      publishedAt,
      ids,
    });
    this.init.bus.emit({ kind: 'redshift-notification', eventId, resource, emittedAt: publishedAt, payload });
  }

  /**
   * A zero-ETL event of one integration. integrationStatus/statusCode of the events the simulator
   * sends are not in any captured payload: the values follow the one captured Warning event
   * (NEEDS_ATTENTION) and name the condition; `integrationStatus` says otherwise for an event that is no
   * warning (integration-faults.ts).
   */
  integration(
    integration: Integration,
    eventId: string,
    statusCode: string,
    integrationStatus = 'NEEDS_ATTENTION',
    values: Readonly<Record<string, string>> = {},
  ): void {
    const at = this.init.clock.now();
    const payload = integrationEvent({
      eventId,
      integrationArn: integration.IntegrationArn ?? '',
      sourceArn: integration.SourceArn ?? '',
      destinationArn: integration.TargetArn ?? '',
      integrationName: integration.IntegrationName ?? '',
      integrationStatus,
      statusCode,
      values,
      at,
      region: this.init.region,
      account: this.init.account,
      ids: this.init.ids,
    });
    this.init.bus.emit({
      kind: 'integration',
      eventId,
      resource: integration.IntegrationArn ?? '',
      emittedAt: at,
      payload,
    });
  }
}
