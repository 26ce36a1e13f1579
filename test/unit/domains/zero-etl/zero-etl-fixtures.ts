import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import wordings from '../../../../shared/events/catalog/eventbridge-wordings.json' with { type: 'json' };
import catalog from '../../../../shared/events/catalog/redshift-events.json' with { type: 'json' };
import { normalize } from '../../../../shared/events/normalize.ts';
import type { NormalizedEvent } from '../../../../shared/events/normalized-event.ts';
import type { FleetSnapshot } from '../../../../shared/policy/decision.ts';
import { parseFleet } from '../../../../shared/policy/fleet.ts';
import { loadPolicySources, type PolicySet } from '../../../../shared/policy/policy-loader.ts';

/**
 * Zero-ETL events in their real EventBridge envelope: the captured `Redshift Integration Monitoring`
 * event (test/fixtures/events, partial: its author elided ids and ARNs) completed with an account, a
 * Region, a time and this fleet's ARNs; the description is the EventBridge page's wording of the id (the
 * guide's table wording where the page has none, 0015), placeholders filled. Like the real capture, the
 * detail carries no event id: the normalizer identifies each by its wording.
 */
export const ACCOUNT = '123456789012';
export const INTEGRATION_ARN = `arn:aws:redshift:eu-central-1:${ACCOUNT}:integration:7c9e6679-7425-40de-944b-e07fc1f90ae7`;
export const SOURCE_ARN = `arn:aws:rds:eu-central-1:${ACCOUNT}:cluster:orders-aurora`;
export const TARGET_NS = `arn:aws:redshift:eu-central-1:${ACCOUNT}:namespace:5f2b8c1e`;

const CAPTURED = JSON.parse(
  readFileSync(
    join(
      import.meta.dirname,
      '../../../fixtures/events/eventbridge-aws.redshift-integration-monitoring.CAPTURED-PARTIAL.json',
    ),
    'utf8',
  ),
) as { source: string; detail: Record<string, unknown> };

export const INTEGRATION_IDS: readonly string[] = (catalog as { id: string }[])
  .map((e) => e.id)
  .filter((id) => id.startsWith('REDSHIFT-INTEGRATION-EVENT-'));

const FILL: Record<string, string> = {
  integration_name: 'orders-aurora-to-dev',
  time_in_utc: '2026-12-08 20:00:00',
  redshift_database_name: 'dev',
  schema_name: 'public',
  table_name: 'orders',
  ddl_change: 'ALTER TABLE orders ADD COLUMN note varchar(20)',
  copy_of_request_arguments: 'DataFilter=include: shop.*',
};

function wordingOf(id: string): { text: string; category: string; severity: string } {
  const w =
    (wordings as { id: string; message: string; category: string; severity: string }[]).find((e) => e.id === id) ??
    (catalog as { id: string; message: string; category: string; severity: string }[]).find((e) => e.id === id);
  if (w === undefined) throw new Error(`no wording for ${id}`);
  return { text: w.message.replace(/\{(\w+)\}/g, (_m, k: string) => FILL[k] ?? k), ...w };
}

const title = (s: string) => s.charAt(0) + s.slice(1).toLowerCase();

export function envelope(id: string, time: string): Record<string, unknown> {
  const w = wordingOf(id);
  return {
    version: '0',
    id: `e-${id}-${time}`,
    'detail-type': `Redshift Integration ${w.category}`,
    source: CAPTURED.source,
    account: ACCOUNT,
    time,
    region: 'eu-central-1',
    resources: [INTEGRATION_ARN],
    detail: {
      ...CAPTURED.detail,
      severity: title(w.severity),
      sourceArn: SOURCE_ARN,
      destinationArn: TARGET_NS,
      eventDescription: w.text,
      integrationStatus: w.severity === 'ERROR' ? 'FAILED' : w.severity === 'WARNING' ? 'NEEDS_ATTENTION' : 'ACTIVE',
      statusCode: w.severity === 'INFO' ? 'ACTIVE' : 'NEEDS_ATTENTION',
    },
  };
}

export function integrationEvent(id: string, time = '2026-12-08T20:00:00Z'): NormalizedEvent {
  const [event] = normalize(envelope(id, time));
  if (event === undefined) throw new Error(`${id} did not normalize`);
  return event;
}

export function policies(yaml: string): PolicySet {
  const result = loadPolicySources([{ file: 'p.yml', text: yaml }], { knownEventIds: null });
  const errors = result.problems.filter((p) => p.severity === 'error');
  if (errors.length > 0) throw new Error(errors.map((p) => `${p.line}:${p.col} ${p.message}`).join('\n'));
  return result.policySet;
}

export function problemsOf(yaml: string): string[] {
  return loadPolicySources([{ file: 'p.yml', text: yaml }], { knownEventIds: null }).problems.map(
    (p) => `${p.line}:${p.col} ${p.message}`,
  );
}

const MANAGED = { Key: 'autopilot:managed', Value: 'true' };

export function fleet(status = 'paused', extra: Record<string, unknown> = {}): FleetSnapshot {
  return parseFleet(
    [
      {
        name: 'clusters',
        json: {
          Clusters: [
            {
              ClusterIdentifier: 'dev-zetl',
              NodeType: 'ra3.xlplus',
              ClusterStatus: status,
              NumberOfNodes: 2,
              AutomatedSnapshotRetentionPeriod: 1,
              MultiAZ: 'Disabled',
              AvailabilityZone: 'eu-central-1a',
              ClusterNamespaceArn: TARGET_NS,
              Tags: [MANAGED, { Key: 'env', Value: 'dev' }],
              ...extra,
            },
          ],
        },
      },
      {
        name: 'integrations',
        json: {
          Integrations: [
            {
              IntegrationArn: INTEGRATION_ARN,
              IntegrationName: 'orders-aurora-to-dev',
              SourceArn: SOURCE_ARN,
              TargetArn: TARGET_NS,
              Status: 'active',
              Tags: [MANAGED, { Key: 'env', Value: 'dev' }],
            },
          ],
        },
      },
    ],
    '2026-12-08T20:00:00Z',
  );
}
