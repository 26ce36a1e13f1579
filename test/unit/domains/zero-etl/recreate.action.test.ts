import { describe, expect, it } from 'vitest';
import { IntegrationAdapter, settingsKey } from '../../../../shared/aws/integration.adapter.ts';
import type { ReactionContext } from '../../../../shared/domains/zero-etl/reaction-integration.ts';
import { recreateProposals } from '../../../../shared/domains/zero-etl/reaction-recreate.ts';
import { recreateIntegration } from '../../../../shared/domains/zero-etl/recreate.action.ts';
import { MemoryLedger } from '../../../../shared/execute/memory-ledger.ts';
import type { Alert, ResourcePort } from '../../../../shared/execute/ports.ts';
import type { TrackerDeps } from '../../../../shared/policy/capability.ts';
import type { IntegrationResource } from '../../../../shared/policy/decision.ts';
import { MINUTE, simulated } from '../../simulator/harness.ts';
import { integrationEvent } from './zero-etl-fixtures.ts';

const TABLE = 'arn:aws:dynamodb:us-east-1:123456789012:table/events';
const OPT_IN = [{ Key: 'autopilot:managed', Value: 'true' }];

function setup() {
  const { sim, redshift } = simulated();
  sim.addCluster({ ClusterIdentifier: 'target' });
  const old = sim.addIntegration({
    IntegrationName: 'events',
    SourceArn: TABLE,
    targetClusterIdentifier: 'target',
    Tags: OPT_IN,
  });
  sim.injectIntegrationFault({ integration: 'events', eventId: 'REDSHIFT-INTEGRATION-EVENT-0007' });
  sim.clock.advanceBy(MINUTE);
  const ledger = new MemoryLedger();
  const port = new IntegrationAdapter(redshift, ledger, () => sim.clock.now());
  const calls = { remove: 0, create: 0 };
  const remove = port.remove.bind(port);
  const create = port.create.bind(port);
  port.remove = (arn) => {
    calls.remove++;
    return remove(arn);
  };
  port.create = (s) => {
    calls.create++;
    return create(s);
  };
  const params = {
    IntegrationName: 'events',
    IntegrationArn: old.IntegrationArn,
    SourceArn: TABLE,
    TargetArn: old.TargetArn,
  };
  const alerts: Alert[] = [];
  const deps = {
    ledger,
    notifier: { alert: async (a: Alert) => void alerts.push(a), event: async () => {} },
    clock: sim.clock,
    region: sim.region,
    policies: [],
    logger: { info() {}, warn() {}, error() {} },
    resources: { cluster: {} as ResourcePort, integration: port },
  } as unknown as TrackerDeps;
  return { sim, ledger, port, calls, params, deps, alerts };
}

describe('recreate, first step (DeleteIntegration, the settings recorded first)', () => {
  it('records the settings before the delete; a retry after a lost answer or a crash deletes nothing twice and still knows them', async () => {
    const { sim, ledger, port, calls, params } = setup();
    expect(await recreateIntegration.perform(params, { integration: port })).toEqual({ afterState: 'deleting' });
    const recorded = await ledger.get(settingsKey(String(params.IntegrationArn)));
    expect(recorded?.params.settings).toEqual({
      IntegrationName: 'events',
      SourceArn: TABLE,
      TargetArn: params.TargetArn,
      TagList: OPT_IN,
    });
    // The same delivery again (its answer lost), then once more after the old integration is gone.
    expect(await recreateIntegration.perform(params, { integration: port })).toEqual({ afterState: 'deleting' });
    sim.clock.advanceBy(15 * MINUTE);
    expect(await port.describe(String(params.IntegrationArn))).toBeNull();
    expect(await recreateIntegration.perform(params, { integration: port })).toEqual({ afterState: 'deleting' });
    expect(calls.remove).toBe(1);
    // The executor's re-read of the deleted integration: `deleted`, from the record, so a retry is not a skip.
    expect((await port.read({ type: 'integration', id: 'events', arn: String(params.IntegrationArn) }))?.status).toBe(
      'deleted',
    );
  });

  it('a source gone without a record: refused as a state conflict, nothing deleted', async () => {
    const { calls, params, port } = setup();
    const missing = {
      ...params,
      IntegrationArn: 'arn:aws:redshift:us-east-1:123456789012:integration:00000000-0000-4000-8000-000000000000',
    };
    await expect(recreateIntegration.perform(missing, { integration: port })).rejects.toThrow(/no longer exists/);
    expect(calls.remove).toBe(0);
  });
});

describe('recreate in decide()', () => {
  const integration: IntegrationResource = {
    type: 'integration',
    id: 'events',
    arn: 'arn:aws:redshift:eu-central-1:123456789012:integration:7c9e6679-7425-40de-944b-e07fc1f90ae7',
    region: 'eu-central-1',
    account: '123456789012',
    status: 'failed',
    tags: { 'autopilot:managed': 'true' },
    sourceArn: TABLE,
    targetArn: 'arn:aws:redshift:eu-central-1:123456789012:namespace:5f2b8c1e',
  };
  const ctx = (inProgressNow: { action: string; at: string }[]): ReactionContext =>
    ({
      event: integrationEvent('REDSHIFT-INTEGRATION-EVENT-0007'),
      env: { policy: { name: 'zetl' }, ledger: { inProgress: () => inProgressNow } },
      actions: ['recreate', 'alert'],
      subject: integration,
      subjectRef: { type: 'integration', id: 'events', arn: integration.arn },
      label: 'REDSHIFT-INTEGRATION-EVENT-0007 at 2026-12-08T20:00:00Z',
      slot: 'REDSHIFT-INTEGRATION-EVENT-0007@2026-12-08T20:00:00Z',
    }) as unknown as ReactionContext;

  it('first time: one recreate keyed by the integration ARN, with exactly the re-readable settings', () => {
    const [proposal] = recreateProposals(ctx([]), integration);
    expect(proposal).toMatchObject({
      kind: 'act',
      action: 'DeleteIntegration',
      slot: `recreate:${integration.arn}`,
      params: {
        IntegrationName: 'events',
        IntegrationArn: integration.arn,
        SourceArn: TABLE,
        TargetArn: integration.targetArn,
      },
    });
  });

  it('second time without success in between: no recreate, one ERROR alert saying recreating did not fix it', () => {
    const proposals = recreateProposals(
      ctx([{ action: 'DeleteIntegration', at: '2026-12-08T18:00:00Z' }]),
      integration,
    );
    expect(proposals).toHaveLength(1);
    const [alert] = proposals;
    expect(alert).toMatchObject({ kind: 'act', action: 'Publish' });
    const params = alert?.kind === 'act' ? alert.params : {};
    expect(String(params.Message)).toContain('recreating did not fix it');
    expect(String(params.Message)).toContain('What to do:');
    expect((params.MessageAttributes as Record<string, { StringValue: string }>).severity?.StringValue).toBe('ERROR');
  });

  it('an Aurora source: skipped, with why (the RDS API recreates it)', () => {
    const aurora = { ...integration, sourceArn: 'arn:aws:rds:eu-central-1:123456789012:cluster:orders-aurora' };
    const [skip] = recreateProposals(ctx([]), aurora);
    expect(skip).toMatchObject({ kind: 'skip' });
    expect(skip?.reason).toContain('aws rds create-integration');
  });
});
