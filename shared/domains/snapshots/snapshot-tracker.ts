import { ConfigurationError } from '../../errors.ts';
import type { NormalizedEvent } from '../../events/normalized-event.ts';
import type { ResourcePort } from '../../execute/ports.ts';
import type { CapabilityRegistration, TrackerDeps } from '../../policy/capability.ts';
import type { SnapshotResource } from '../../policy/decision.ts';
import { SNAPSHOT_EVENTS, type SnapshotReader, SnapshotVerifier } from './snapshot-verification.ts';

/**
 * The snapshot verifier as the snapshots capability's tracker: ingest hands it the snapshot events
 * (REDSHIFT-EVENT-2009/3004/3503/2010, REDSHIFT-SERVERLESS-EVENT-1000) so they close ledger records,
 * and every sweep polls what is still in progress and alerts slots past their deadline. It reads a
 * snapshot through the same service adapter the executor uses (RedshiftAdapter for
 * DescribeClusterSnapshots, RedshiftServerlessAdapter for GetSnapshot).
 */
interface ReadsSnapshots {
  readSnapshot(id: string): Promise<SnapshotResource | null>;
}

function readsSnapshots(port: ResourcePort | undefined): port is ResourcePort & ReadsSnapshots {
  return typeof (port as Partial<ReadsSnapshots> | undefined)?.readSnapshot === 'function';
}

export function snapshotReader(resources: TrackerDeps['resources']): SnapshotReader {
  return {
    readSnapshot(service, id) {
      const port = service === 'redshift' ? resources.cluster : resources.workgroup;
      if (!readsSnapshots(port)) {
        throw new ConfigurationError(`no ${service} adapter that reads snapshots is configured`);
      }
      return port.readSnapshot(id);
    },
  };
}

export function createSnapshotVerifier(deps: TrackerDeps): SnapshotVerifier {
  return new SnapshotVerifier({
    ledger: deps.ledger,
    notifier: deps.notifier,
    reader: snapshotReader(deps.resources),
    clock: deps.clock,
    region: deps.region,
    policies: deps.policies,
    logger: deps.logger,
  });
}

/** Events the verifier acts on; everything else never reaches it. */
export function isSnapshotEvent(event: NormalizedEvent): boolean {
  return event.eventId !== null && Object.hasOwn(SNAPSHOT_EVENTS, event.eventId);
}

export const snapshotTracker: NonNullable<CapabilityRegistration['tracker']> = {
  handles: isSnapshotEvent,
  create(deps) {
    const verifier = createSnapshotVerifier(deps);
    return {
      onEvent: (event) => verifier.onEvent(event),
      async sweep(fleet) {
        const report = await verifier.sweep(fleet);
        return {
          counts: { ...report },
          failures: { 'snapshot failed': report.failed, 'snapshot deadline missed': report.deadlineAlerts },
        };
      },
    };
  },
};
